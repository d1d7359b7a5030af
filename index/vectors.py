"""Passage vectors kept by content between builds, so a rebuild encodes only new or changed passages.

Encoding is nearly all of a build's time (34 ms per passage on one core here: 10 minutes for
18,000 passages). When a city adds next year's evaluation, or a record is corrected, the index is
stale and rebuilt, but almost every passage is unchanged. The cache maps the SHA-256 of a
passage's encoder text to its vector, per model fingerprint, in one ``.npz`` file under
``PLANQA_HOME/index/.vectors/``. A vector is only ever looked up by the exact text and model it
was computed from, so reusing it cannot change a ranking; a damaged or foreign file is ignored
(everything is encoded again) and replaced after the build.
"""
from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["VectorCache", "text_key"]


def text_key(text: str) -> bytes:
    """The cache key of a passage's encoder text."""
    return hashlib.sha256(text.encode("utf-8")).digest()


class VectorCache:
    """Vectors by passage text for one model, read before a build and rewritten after it."""

    def __init__(self, root: Path, fingerprint: str, dim: int) -> None:
        name = hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:16]
        self.path = Path(root) / f"{name}.npz"
        self.fingerprint = fingerprint
        self.dim = int(dim)
        self._vectors: dict[bytes, np.ndarray] = {}
        self._read()

    def _read(self) -> None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["fingerprint"]) != self.fingerprint:
                    return
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
            return  # missing or unreadable: encode everything
        if vectors.ndim != 2 or vectors.shape != (len(keys), self.dim) or not np.isfinite(vectors).all():
            return
        self._vectors = {bytes(k): v for k, v in zip(keys, vectors.astype(np.float32))}

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(text_key(text))

    def write(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Replace the file with the vectors of ``texts`` (those of the build just made); best effort."""
        keys = np.array([text_key(t) for t in texts], dtype="S32")
        _, first = np.unique(keys, return_index=True)
        tmp = self.path.with_name(f".{self.path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.npz")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                np.savez(fh, fingerprint=np.array(self.fingerprint), keys=keys[first],
                         vectors=np.asarray(vectors, dtype=np.float32)[first])
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only home still builds; it just re-encodes next time
