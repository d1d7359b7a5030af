"""A toy sentence encoder for fast tests, the real search index built in memory with it, and that
index with chosen retrieval evidence.

``HashEncoder`` stands in for e5 wherever a test needs an encoder but not its quality: the
index layer's tests, and the answer engine's fast tests, where it is what
``index.search.SearchIndex.query_vector`` and the labelled-example vote (``qa.intents``) call.

Its cosines are not e5's. Two texts sharing no lemma score about 0, one question against its best
passage 0.2-0.5, whereas e5's bunch in 0.80-0.93 on this corpus. So with the toy encoder every
``dense_score`` is under ``qa.engine.OFF_TOPIC_DENSE``: a question with a kanji noun the
documents never use, and no named target or filter, is judged off-topic. Tests of that threshold
choose the scores themselves (``ChosenEvidence``).
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np

from index.build import build_artifacts
from index.search import SearchIndex
from index.text import terms


class HashEncoder:
    """Deterministic fake encoder: each lemma term adds a hashed ±1 to one of ``dim`` slots."""

    model_id = "test/hash-encoder-v1"
    dim = 64

    def _encode(self, texts) -> np.ndarray:
        items = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, text in enumerate(items):
            for term in terms(text) or ["<empty>"]:
                digest = hashlib.sha256(term.encode("utf-8")).digest()
                out[row, digest[0] % self.dim] += 1.0 if digest[1] % 2 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm > 0 else np.eye(self.dim, dtype=np.float32)[0]
        return out

    def encode_queries(self, texts) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts) -> np.ndarray:
        return self._encode(texts)


def memory_index(plans, encoder: HashEncoder | None = None):
    """The real ``index.search.SearchIndex`` over ``plans``, built in memory with ``encoder``
    (a ``HashEncoder`` by default): no model and no files."""
    encoder = encoder or HashEncoder()
    return SearchIndex(build_artifacts(list(plans), encoder), encoder)


class ChosenEvidence(SearchIndex):
    """The real index, except that the best project carries chosen retrieval evidence: its best
    passage cosine, whether BM25 and dense agree on it, and its coverage of the question's terms.

    For tests of the thresholds the engine applies to that evidence (off-topic questions, weak
    matches), whose values the toy encoder cannot produce on e5's scale."""

    def __init__(self, base: SearchIndex, *, dense_score: float, agreed: bool, coverage: float) -> None:
        super().__init__(base.artifacts, base.encoder, config=base.config, hits_per_project=base.hits_per_project)
        self.chosen = {"dense_score": dense_score, "coverage": coverage, "bm25_rank": 1, "dense_rank": 1 if agreed else 2}

    def rank_projects(self, query, k=20, filters=None, mode="hybrid"):
        ranked = super().rank_projects(query, k, filters, mode)
        return [replace(ranked[0], **self.chosen), *ranked[1:]] if ranked else ranked
