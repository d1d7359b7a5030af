"""What every operation works with: the loaded records, the retriever, and the typed values
operations return (``Ranked`` projects, a ``Result`` before it becomes an ``Answer``).

``Context`` is read-only for operations: records by id, retrieval restricted to the documents in
scope, the documents' labels, a composer numbering citations, and the conversation frame an
answer leaves behind.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.records import Plan, Project
from index.results import ProjectHit
from index.text import normalize
from qa.compose import templates as T
from qa.compose.composer import Composer
from qa.compose.lines import terms_in
from qa.execute import records as X
from qa.frame import Frame
from qa.query import Field, Filters, Query
from qa.types import AnswerStatus, Citation, Confidence

_KANJI = re.compile(r"[\u3400-\u9fff]")
_KATAKANA = re.compile(r"[\u30a1-\u30ffー]+")


@dataclass(frozen=True)
class Ranked:
    """A project found by retrieval, with its score, best passages and the retrievers' evidence."""

    project: Project
    score: float
    passages: tuple[Citation, ...]
    agreed: bool  # lemma BM25 and dense retrieval both rank it first
    coverage: float  # IDF-weighted share of the question's terms found in the project
    dense_score: float  # cosine of the question and the project's best passage

    @classmethod
    def of(cls, project: Project, hit: ProjectHit, question: str) -> Ranked:
        passages = tuple(
            Citation(project=project.name, section=str(getattr(h.chunk.section, "value", h.chunk.section)),
                     page=h.chunk.page, text=h.chunk.text, terms=terms_in(question, h.chunk.text), plan_id=project.plan_id)
            for h in hit.hits[:3])
        return cls(project=project, score=float(hit.score), passages=passages, agreed=hit.agreed,
                   coverage=float(hit.coverage), dense_score=float(hit.dense_score))


@dataclass
class Result:
    """One part's answer before it becomes an ``Answer``."""

    composer: Composer
    status: AnswerStatus = AnswerStatus.ANSWERED
    projects: list[tuple[Project, float]] = field(default_factory=list)
    indicators: list = field(default_factory=list)
    frame: Frame | None = None
    confidence: Confidence = Confidence.HIGH
    choices: tuple[str, ...] = ()
    followups: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()  # the list conditions as stated in the answer (for the reading line)
    reading: str | None = None  # the reading line's body when the question was read as no ask at all


class Context:
    """Records and retriever of one engine, as the operations see them."""

    def __init__(self, plans: Sequence[Plan], retriever) -> None:
        self.plans = tuple(plans)
        self.index = retriever
        self._projects = {p.id: p for plan in self.plans for p in plan.projects}
        self._plans_by_id = {p.id: p for p in self.plans}

    # --- records ---------------------------------------------------------------------------------------
    def project(self, project_id: str) -> Project | None:
        return self._projects.get(project_id)

    def projects(self, ids: Sequence[str]) -> list[Project]:
        return [p for p in (self.project(i) for i in ids) if p is not None]

    def plan_of(self, project: Project) -> Plan:
        return self._plans_by_id[project.plan_id]

    def targets(self, q: Query) -> list[Project]:
        return self.projects(q.project_ids)

    def same_series(self, plan: Plan) -> list[Plan]:
        """Every loaded evaluation of the same plan, oldest first."""
        return sorted((p for p in self.plans if series(p) == series(plan)), key=lambda p: p.year_number)

    # --- retrieval -------------------------------------------------------------------------------------
    def retrieve(self, text: str, plans: Sequence[Plan], k: int = 8, filters: Filters | None = None) -> list[Ranked]:
        """Projects of ``plans`` ranked for ``text`` (inside the project filters, when given)."""
        from index import Filters as IndexFilters

        ids = {p.id for p in plans}
        flt = IndexFilters(plan_id=next(iter(ids))) if len(ids) == 1 else IndexFilters(plan_ids=tuple(sorted(ids)))
        out: list[Ranked] = []
        for hit in self.index.rank_projects(text, k=k + 12 if len(ids) > 1 or filters else k, filters=flt):
            project = self.project(hit.project_id)
            if project is None or project.plan_id not in ids:
                continue
            if filters is not None and not X.project_matches(project, filters):
                continue
            out.append(Ranked.of(project, hit, text))
            if len(out) >= k:
                break
        return out

    def unknown_nouns(self, text: str) -> list[str]:
        """Kanji nouns of the question that the documents never use (放課後, 図書館, 待機 …)."""
        from index.text import analyse

        prof = self.index.profile(text)
        unknown = set(prof.unknown_terms)
        morphemes = analyse(normalize(prof.analysed))
        out = []
        for k, m in enumerate(morphemes):
            if m.pos1 != "名詞" or not (m.lemma in unknown or m.surface in unknown):
                continue
            after = morphemes[k + 1] if k + 1 < len(morphemes) else None
            if after is not None and after.pos1 == "接尾辞" and _KATAKANA.fullmatch(m.surface) and len(m.surface) >= 2:
                out.append(m.surface + after.surface)  # ラーメン屋, パン屋: a thing with the suffix of a place
            elif len(m.surface) >= 2 and (_KANJI.search(m.surface) or (_KATAKANA.fullmatch(m.surface) and len(m.surface) >= 5)):
                out.append(m.surface)
        return out

    # --- composition helpers -----------------------------------------------------------------------------
    def labels(self) -> dict[str, str]:
        return {p.id: document_label(p) for p in self.plans}

    def composer(self) -> Composer:
        return Composer(self.labels(), show_document=len(self.plans) > 1)

    def document_of(self, project: Project) -> str:
        """The project's document label where several documents are loaded ("" with one)."""
        return document_label(self.plan_of(project)) if len(self.plans) > 1 else ""

    def no(self, text: str, **kw) -> Result:
        """A no-answer that says ``text``."""
        c = Composer()
        c.add(text)
        return Result(c, status=AnswerStatus.NO_ANSWER, **kw)

    @staticmethod
    def frame(q: Query, frame: Frame | None, project_ids: Sequence[str], *, listed: Sequence[str] | None = None,
              plans: Sequence[Plan] = (), remaining: Sequence[str] = (), fields: Sequence[Field] | None = None) -> Frame:
        """The frame an answer leaves for the next turn: its targets, the list it showed, the ask."""
        prev = frame or Frame()
        ids = tuple(project_ids)
        if listed is not None:
            shown = tuple(listed)
        elif not ids or set(ids) <= set(prev.listed):
            shown = prev.listed
        else:
            shown = ids
        return Frame(plan_ids=tuple(p.id for p in plans) or prev.plan_ids, project_ids=ids or prev.project_ids,
                     indicator_ids=q.indicator_ids, listed=shown, remaining=tuple(remaining), operation=q.operation.value,
                     fields=tuple(f.value for f in (fields if fields is not None else q.fields)),
                     filters=q.filters, years=q.years,
                     first=prev.first or ids[:1], language=q.language)


# --- documents -------------------------------------------------------------------------------------------
def series(plan: Plan) -> tuple[str, str]:
    """Evaluations of the same plan share city and title; each year's is one document."""
    return (plan.city, plan.title)


def short_title(plan: Plan) -> str:
    title = unicodedata.normalize("NFKC", plan.title)
    return re.split(r"[（(]", title)[0].strip() or title


def document_label(plan: Plan) -> str:
    return T.DOCUMENT_LABEL.format(city=plan.city, title=short_title(plan), year=plan.fiscal_year)
