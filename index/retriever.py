"""The retriever interface and the scoring backends behind it.

``Retriever`` is what the answer layer uses (``index.load_index`` returns one): projects and
passages for a question, the question's profile and its vector, the encoder. Both backends
rank with the same fusion (``index.fusion``, in this process); they differ only in where the
passages are stored and who computes the raw per-list scores:

* ``LocalBackend`` (the default, ``PLANQA_RETRIEVER=faiss``): bm25s and FAISS in this process
  score every passage of the index for every question;
* ``index.milvus.MilvusBackend`` (``PLANQA_RETRIEVER=milvus``): Milvus (milvus-lite in a local
  file, or a server by URI) holds the passage vectors and this project's BM25 weights as sparse
  vectors, applies the filters, and returns the best ``limit`` passages of each list; passages it
  did not return count as unmatched.

A backend answers one call, ``scores(profile, vector, mode, filters)``, with a ``Scores``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from index.chunks import Chunk, ProjectInfo
from index.fusion import QueryProfile
from index.results import Filters, Hit, ProjectHit

if TYPE_CHECKING:
    from index.build import EncoderLike, IndexArtifacts

__all__ = ["BACKENDS", "ChunkTable", "LocalBackend", "Retriever", "Scores", "ScoringBackend"]

BACKENDS = ("faiss", "milvus")


@runtime_checkable
class Retriever(Protocol):
    """What the answer layer may use of a loaded index, whichever backend serves it."""

    encoder: EncoderLike
    chunks: tuple[Chunk, ...]
    projects: tuple[ProjectInfo, ...]

    def rank_projects(self, query: str, k: int = 20, filters: Filters | None = None,
                      mode: str = "hybrid") -> list[ProjectHit]: ...

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid") -> list[Hit]: ...

    def profile(self, query: str) -> QueryProfile: ...

    def query_vector(self, query: str) -> np.ndarray: ...

    def retrieval_vector(self, query: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Scores:
    """Every per-list score of one query, over all passages and projects (0 / -1 where not retrieved)."""

    lemma: np.ndarray  # passages, lemma BM25
    reading: np.ndarray  # passages, reading BM25
    dense: np.ndarray  # passages, cosine
    project_lemma: np.ndarray  # projects, lemma BM25 of the project document


class ScoringBackend(Protocol):
    """Where passages are stored and scored; the fusion on top is the same for every backend."""

    name: str

    def scores(self, profile: QueryProfile, vector: Callable[[], np.ndarray], mode: str,
               filters: Filters | None) -> Scores: ...


class ChunkTable:
    """Column arrays of the passages' metadata, so that a filter is a few vector operations.

    With 18,000 passages a per-passage Python test costs ~10 ms per question; these masks cost
    well under 1 ms.
    """

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.n = len(chunks)
        self.plan_id = np.array([c.plan_id for c in chunks], dtype=object)
        self.goal = np.array([c.goal for c in chunks], dtype=np.int64)
        self.policy = np.array([c.policy for c in chunks], dtype=object)
        self.section = np.array([c.section.value for c in chunks], dtype=object)
        self._departments: dict[str, np.ndarray] = {}
        self._chunks = chunks

    def _department(self, name: str) -> np.ndarray:
        mask = self._departments.get(name)
        if mask is None:
            mask = np.array([name in c.departments for c in self._chunks], dtype=bool)
            if len(self._departments) < 4096:
                self._departments[name] = mask
        return mask

    def mask(self, filters: Filters | None) -> np.ndarray:
        """Which passages lie inside ``filters`` (all of them for ``None`` or empty filters)."""
        out = np.ones(self.n, dtype=bool)
        if filters is None or filters.is_empty:
            return out
        if filters.plan_id is not None:
            out &= self.plan_id == filters.plan_id
        if filters.plan_ids is not None:
            out &= np.isin(self.plan_id, np.array(filters.plan_ids, dtype=object))
        if filters.goal is not None:
            out &= self.goal == filters.goal
        if filters.policy is not None:
            out &= self.policy == filters.policy
        if filters.department is not None:
            out &= self._department(filters.department)
        if filters.sections is not None:
            out &= np.isin(self.section, np.array([s.value for s in filters.sections], dtype=object))
        return out


class LocalBackend:
    """bm25s and FAISS in this process: every passage scored for every question (exact)."""

    name = "faiss"

    def __init__(self, artifacts: IndexArtifacts) -> None:
        self._artifacts = artifacts

    def scores(self, profile: QueryProfile, vector: Callable[[], np.ndarray], mode: str,
               filters: Filters | None) -> Scores:
        art = self._artifacts
        n_chunks, n_projects = art.lemma.n_docs, art.project_lemma.n_docs
        zeros_c = np.zeros(n_chunks, dtype=np.float32)
        lexical = mode in ("hybrid", "bm25")
        return Scores(
            lemma=art.lemma.scores(profile.terms) if lexical else zeros_c,
            reading=art.reading.scores(profile.readings) if mode == "hybrid" else zeros_c,
            dense=art.dense.scores(vector()) if mode in ("hybrid", "dense") else zeros_c,
            project_lemma=art.project_lemma.scores(profile.terms) if lexical else np.zeros(n_projects, dtype=np.float32),
        )
