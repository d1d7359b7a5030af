"""Typed results passed from the answer engine to its callers (CLI, web UI).

Citations in ``Answer.text`` are written as ``[n]`` right after their label
(「（p.3 児童館事業・結果の説明）[2]」): ``n`` is the 1-based position in ``Answer.sources``, so
the text, the sources panel and the JSON use one numbering.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from qa.frame import Frame


class AnswerStatus(str, Enum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"


class Confidence(str, Enum):
    """How sure the engine is that it found what was asked (the page shows low ones as such)."""

    HIGH = "high"
    LOW = "low"  # the best match is weak: the answer offers ``Answer.choices``


@dataclass(frozen=True)
class DocumentRef:
    """One loaded document (for selectors and titles)."""

    plan_id: str
    title: str
    city: str
    fiscal_year: str  # the evaluation's result year, e.g. "R2"
    label: str  # short Japanese label: 「小金井市 のびゆくこどもプラン 小金井 令和2年度評価」


@dataclass(frozen=True)
class ProjectRef:
    name: str  # exactly the printed 事業名称
    departments: tuple[str, ...]
    score: float
    goal: int | None = None
    policy: str | None = None
    page: int | None = None
    plan_id: str = ""
    document: str = ""  # the document's short label (city, title, year)


@dataclass(frozen=True)
class IndicatorRow:
    project: str
    name: str
    unit: str | None
    baseline: str | None  # baseline (H30) as printed
    plan: dict[str, str]  # plan year ("R2".."R6") -> as printed
    result: str | None  # result of the document's year as printed, None when the document reports none
    status: str  # met | fell_short | borderline | unclear
    reason: str  # one line in Japanese
    page: int | None = None
    plan_id: str = ""
    document: str = ""
    result_year: str = "R2"  # the year ``result`` is for (the document's fiscal year)
    baseline_year: str = "H30"


@dataclass(frozen=True)
class Citation:
    project: str
    section: str  # 事業の内容 | 結果の説明 | 子ども・子育て会議意見 | 参考指標
    page: int
    text: str
    terms: tuple[str, ...] = ()  # words of the question found in the text, for highlighting
    plan_id: str = ""
    document: str = ""


@dataclass(frozen=True)
class Interpretation:
    """How a question was read, shown as the answer's first line and in the JSON.

    ``carried`` names what came from earlier turns of the conversation (a project, a list, a
    filter); when it is empty the question was answered on its own.
    """

    text: str  # the one-line reading in the answer's language (the answer's first line)
    scope: str = ""  # the document(s) / year in scope
    targets: tuple[str, ...] = ()  # project (or indicator) names the answer is about
    conditions: tuple[str, ...] = ()  # the list conditions, each as stated
    carried: tuple[str, ...] = ()  # what was taken from earlier turns

    def to_json(self) -> dict:
        return {"text": self.text, "scope": self.scope, "targets": list(self.targets),
                "conditions": list(self.conditions), "carried": list(self.carried)}


@dataclass(frozen=True)
class Answer:
    question: str
    status: AnswerStatus
    text: str  # Markdown, Japanese (English framing for English questions); citations as [n]
    intent: str = "search"
    projects: tuple[ProjectRef, ...] = ()
    indicators: tuple[IndicatorRow, ...] = ()
    sources: tuple[Citation, ...] = ()
    followups: tuple[str, ...] = ()  # suggested next questions
    context: dict = field(default_factory=dict)  # kept for callers of the first version; see ``frame``
    frame: Frame | None = None  # what a follow-up needs (ids and slots, no question text)
    confidence: Confidence = Confidence.HIGH
    choices: tuple[str, ...] = ()  # when confidence is low: questions naming the close candidates
    language: str = "ja"  # the answer's language: "ja", "en", "zh-Hans", "zh-Hant", "ko", "vi" ("other": refused)
    focus: str | None = None  # what exactly was asked for (qa.query.Focus value), when known
    interpretation: Interpretation | None = None  # how the question was read (None for refusals)

    def to_json(self) -> dict:
        """The CLI/API contract: question, status, answer, projects, indicators, sources (+ later fields)."""
        return {
            "question": self.question,
            "status": self.status.value,
            "answer": self.text,
            "intent": self.intent,
            "projects": [
                {"name": p.name, "departments": list(p.departments), "score": round(p.score, 4),
                 "document": p.document, "plan_id": p.plan_id}
                for p in self.projects
            ],
            "indicators": [
                {
                    "project": i.project,
                    "name": i.name,
                    "unit": i.unit,
                    "baseline": i.baseline,
                    "plan": dict(i.plan),
                    "result": i.result,
                    "status": i.status,
                    "reason": i.reason,
                    "page": i.page,
                    "document": i.document,
                    "plan_id": i.plan_id,
                    "result_year": i.result_year,
                    "baseline_year": i.baseline_year,
                }
                for i in self.indicators
            ],
            "sources": [
                {"n": n, "project": c.project, "section": c.section, "page": c.page, "text": c.text,
                 "document": c.document, "plan_id": c.plan_id}
                for n, c in enumerate(self.sources, start=1)
            ],
            "followups": list(self.followups),
            "confidence": self.confidence.value,
            "choices": list(self.choices),
            "language": self.language,
            "focus": self.focus,
            "interpretation": self.interpretation.to_json() if self.interpretation else None,
        }


__all__ = ["Answer", "AnswerStatus", "Citation", "Confidence", "DocumentRef", "IndicatorRow", "Interpretation", "ProjectRef", "asdict"]
