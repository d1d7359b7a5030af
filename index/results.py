"""Typed search inputs and results: ``Filters``, ``Hit`` (a passage) and ``ProjectHit`` (a project).

Scores are for ranking only (higher is better) and are not comparable across modes. The raw
per-method evidence rides along on every result so that the answer layer can judge confidence:
``bm25_score`` (raw lemma BM25), ``dense_score`` (e5 cosine, which bunches between 0.8 and 0.9:
compare it, don't threshold it alone), the rank each method gave, and on a project the
``coverage`` of the question's terms. A question the document does not cover typically has a top
project that BM25 and dense disagree on (``agreed`` false), low ``coverage`` and unknown terms in
``SearchIndex.profile(query).unknown_terms``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from index.chunks import Chunk, Section

__all__ = ["MODES", "Filters", "Hit", "ProjectHit"]

MODES = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class Filters:
    """Restrict a search to part of the corpus; ``None`` means "any".

    ``plan_id`` keeps one document, ``plan_ids`` any of several (both given: a passage must
    satisfy both). ``department`` matches a project run by that department (among others);
    ``sections`` is a tuple of section names (``Section`` values such as ``"子ども・子育て会議意見"``).
    """

    plan_id: str | None = None
    goal: int | None = None
    policy: str | None = None
    department: str | None = None
    sections: tuple[Section, ...] | None = None
    plan_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.plan_ids is not None:
            raw_ids = (self.plan_ids,) if isinstance(self.plan_ids, str) else self.plan_ids
            object.__setattr__(self, "plan_ids", tuple(dict.fromkeys(str(i) for i in raw_ids)))
        if self.sections is not None:
            raw: Iterable[str | Section] = (self.sections,) if isinstance(self.sections, str) else self.sections
            object.__setattr__(self, "sections", tuple(Section.parse(s) for s in raw))
        if self.goal is not None and not isinstance(self.goal, int):
            object.__setattr__(self, "goal", int(str(self.goal).strip().removeprefix("目標")))

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in (self.plan_id, self.plan_ids, self.goal, self.policy, self.department,
                                        self.sections))

    def accepts(self, chunk: Chunk) -> bool:
        """Whether ``chunk`` lies inside the filters."""
        if self.plan_id is not None and chunk.plan_id != self.plan_id:
            return False
        if self.plan_ids is not None and chunk.plan_id not in self.plan_ids:
            return False
        if self.goal is not None and chunk.goal != self.goal:
            return False
        if self.policy is not None and chunk.policy != self.policy:
            return False
        if self.department is not None and self.department not in chunk.departments:
            return False
        return self.sections is None or chunk.section in self.sections


@dataclass(frozen=True)
class Hit:
    """One passage found by a search.

    ``bm25_rank`` / ``dense_rank`` are 1-based ranks among the passages inside the filters
    (``None``: BM25 matched no term of the passage, or the mode did not run that method).
    """

    chunk: Chunk
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    bm25_score: float = 0.0  # raw lemma BM25 of the passage
    dense_score: float = 0.0  # cosine of question and passage
    reading_rank: int | None = None  # rank by hiragana-reading BM25 (hybrid only)

    @property
    def project(self) -> str:
        """The printed 事業名称 of the passage's project."""
        return self.chunk.project


@dataclass(frozen=True)
class ProjectHit:
    """One project found by ``rank_projects``, with its best passages (best first).

    ``bm25_score`` is the raw lemma BM25 of the whole-project document, ``dense_score`` the
    best passage cosine; ``bm25_rank`` / ``dense_rank`` are the project's ranks by each (among
    the projects inside the filters; ``bm25_rank`` is ``None`` when no term matched).
    ``coverage`` is the IDF-weighted share of the question's lemma terms that occur in the
    project (1.0: every word of the question is in the project's text).
    """

    project_id: str
    name: str  # exactly the printed 事業名称
    score: float
    hits: tuple[Hit, ...]
    plan_id: str = ""
    bm25_score: float = 0.0
    dense_score: float = 0.0
    bm25_rank: int | None = None
    dense_rank: int | None = None
    coverage: float = 0.0

    @property
    def agreed(self) -> bool:
        """Whether lemma BM25 and dense both rank this project first (a confident answer)."""
        return self.bm25_rank == 1 and self.dense_rank == 1
