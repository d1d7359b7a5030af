"""A fake retriever for the answer engine's fast tests: term overlap, no model, no index files."""
from __future__ import annotations

from dataclasses import dataclass

from index.text import terms


@dataclass(frozen=True)
class _Chunk:
    project_id: str
    section: str
    page: int
    text: str


@dataclass(frozen=True)
class _Hit:
    chunk: _Chunk
    score: float
    bm25_rank: int | None
    dense_rank: int | None


@dataclass(frozen=True)
class _ProjectHit:
    project_id: str
    name: str
    score: float
    hits: tuple
    agreed: bool = True
    coverage: float = 1.0
    dense_score: float = 1.0


@dataclass(frozen=True)
class _Profile:
    query: str
    analysed: str
    unknown_terms: tuple = ()


class FakeIndex:
    """Term overlap over every project's texts of one or more plans, honouring the document,
    goal and department filters: enough to exercise the engine without a model."""

    def __init__(self, *plans):
        self.plan = plans[0]
        self.projects = [p for plan in plans for p in plan.projects]
        self.docs = {p.id: set(terms(" ".join([p.name, p.content, p.result_explanation or "", *p.council_comments,
                                                   *(i.name for i in p.indicators)])))
                     for p in self.projects}

    @staticmethod
    def _accepts(p, filters) -> bool:
        if filters is None:
            return True
        if getattr(filters, "plan_id", None) and p.plan_id != filters.plan_id:
            return False
        if getattr(filters, "plan_ids", None) and p.plan_id not in filters.plan_ids:
            return False
        if getattr(filters, "goal", None) and p.goal != filters.goal:
            return False
        return not (getattr(filters, "department", None) and filters.department not in p.departments)

    class encoder:  # noqa: N801 - a stand-in with no opinion: every vector is zero, so no example votes
        @staticmethod
        def encode_queries(texts):
            import numpy as np

            return np.zeros((len(texts), 8), dtype=np.float32)

    def query_vector(self, query):
        import numpy as np

        return np.zeros(8, dtype=np.float32)

    def retrieval_vector(self, query):
        return self.query_vector(query)

    def profile(self, query):
        return _Profile(query, query)

    def rank_projects(self, query, k=20, filters=None, mode="hybrid"):
        q = set(terms(query))
        out = []
        for p in self.projects:
            if not self._accepts(p, filters):
                continue
            score = len(q & self.docs[p.id])
            if score:
                hit = _Hit(_Chunk(p.id, "事業の内容", p.page, p.content), float(score), 0, 0)
                out.append(_ProjectHit(p.id, p.name, float(score), (hit,)))
        out.sort(key=lambda h: -h.score)
        return out[:k]


def first_line(answer) -> str:
    """The answer's first line after its reading line (how the question was read)."""
    lines = answer.text.splitlines()
    if answer.interpretation is not None and lines and lines[0] == answer.interpretation.text.splitlines()[0]:
        lines = [ln for ln in lines[1:] if ln.strip()]
    return lines[0] if lines else ""
