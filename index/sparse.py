"""Sparse (lexical) search: BM25 from bm25s over pre-tokenised Japanese terms.

The tokeniser lives in ``index.text`` (one for passages and questions alike); this module only
turns lists of terms into a bm25s index, scores a tokenised question against every document,
and saves/loads the index with bm25s's own format. Two instances are used per document set: one
over lemma terms (``text.terms``) and one over hiragana readings (``text.reading_terms``), the
latter for questions typed in hiragana that the morphological analyser misreads.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["BM25Params", "SparseIndex"]


def _import_bm25s() -> None:
    """Import bm25s with its logger at WARNING.

    bm25s sets its own logger to DEBUG, so as soon as any handler is installed on the root logger
    (the web server does) every index build and load prints ``DEBUG bm25s`` lines on stderr.
    """
    import bm25s  # noqa: F401, PLC0415

    logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class BM25Params:
    """BM25 parameters (bm25s's Lucene variant).

    ``b`` is below the usual 0.75 because passages and project documents differ in length for
    reasons unrelated to relevance (a project with a long result explanation is not less about
    its topic), and ``k1`` is the usual 1.2-1.5.
    """

    k1: float = 1.2
    b: float = 0.5
    method: str = "lucene"

    def to_json(self) -> dict[str, float | str]:
        """The parameters as the index manifest records them."""
        return {"k1": float(self.k1), "b": float(self.b), "method": str(self.method)}


class SparseIndex:
    """A BM25 index over documents given as term lists; scores every document for a query."""

    PARAMS_FILE = "planqa_sparse.json"  # our own record of the parameters and document count

    def __init__(self, retriever: "bm25s.BM25", n_docs: int, params: BM25Params) -> None:  # noqa: F821
        self._retriever = retriever
        self.n_docs = n_docs
        self.params = params

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]], params: BM25Params = BM25Params()) -> SparseIndex:
        """Index ``documents`` (one list of terms each); an empty term list is allowed."""
        _import_bm25s()
        import bm25s  # noqa: PLC0415 - heavy import kept out of module import

        if not documents:
            raise ValueError("cannot build a BM25 index over 0 documents; the corpus produced no passages")
        retriever = bm25s.BM25(k1=params.k1, b=params.b, method=params.method)
        # bm25s needs at least one token overall; a passage of only stop words indexes as empty.
        retriever.index([list(doc) for doc in documents], show_progress=False)
        return cls(retriever, len(documents), params)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Term -> id, as bm25s stores it."""
        return self._retriever.vocab_dict

    def known(self, terms: Sequence[str]) -> list[str]:
        """The query terms that occur in at least one document."""
        vocab = self._retriever.vocab_dict
        return [t for t in terms if t in vocab and t != ""]

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (float32, length ``n_docs``); zeros when no term is known.

        A term repeated in the query counts once per occurrence, as in Lucene: a question that
        says 子育て twice does mean it.
        """
        known = self.known(terms)
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def idf(self, term: str) -> float:
        """Lucene IDF of ``term`` (0 for an unknown term); used to weigh term coverage."""
        vocab = self._retriever.vocab_dict
        if term not in vocab or term == "":
            return 0.0
        df = self._document_frequency(vocab[term])
        return float(np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5)))

    def _document_frequency(self, term_id: int) -> int:
        indptr = self._retriever.scores["indptr"]
        return int(indptr[term_id + 1] - indptr[term_id])

    def save(self, folder: Path) -> None:
        """Write the bm25s files and our parameter record into ``folder`` (created if needed)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        record = {"n_docs": self.n_docs, "k1": self.params.k1, "b": self.params.b, "method": self.params.method}
        (folder / self.PARAMS_FILE).write_text(json.dumps(record), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SparseIndex:
        """Read an index written by ``save``; raises ``ValueError`` when files are missing or inconsistent."""
        _import_bm25s()
        import bm25s  # noqa: PLC0415

        folder = Path(folder)
        record_path = folder / cls.PARAMS_FILE
        if not record_path.is_file():
            raise ValueError(f"{record_path} is missing")
        record = json.loads(record_path.read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        n_docs = int(record["n_docs"])
        if int(retriever.scores["num_docs"]) != n_docs:
            raise ValueError(f"{folder}: bm25s holds {retriever.scores['num_docs']} documents, expected {n_docs}")
        params = BM25Params(k1=float(record["k1"]), b=float(record["b"]), method=str(record["method"]))
        return cls(retriever, n_docs, params)

    @staticmethod
    def files(folder: Path) -> list[Path]:
        """The files ``save`` writes (checked by the index folder)."""
        folder = Path(folder)
        names = ["data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy",
                 "vocab.index.json", "params.index.json", SparseIndex.PARAMS_FILE]
        return [folder / n for n in names]
