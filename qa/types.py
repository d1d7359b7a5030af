"""Typed results passed from the answer engine to its callers (CLI, web UI)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class AnswerStatus(str, Enum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class ProjectRef:
    name: str  # exactly the printed 事業名称
    departments: tuple[str, ...]
    score: float
    goal: int | None = None
    policy: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class IndicatorRow:
    project: str
    name: str
    unit: str | None
    baseline: str | None  # H30 as printed
    plan: dict[str, str]  # "R2".."R6" -> as printed
    result: str | None  # R2 result as printed, None when the document reports none
    status: str  # met | fell_short | borderline | unclear
    reason: str  # one line in Japanese
    page: int | None = None


@dataclass(frozen=True)
class Citation:
    project: str
    section: str  # 事業の内容 | 結果の説明 | 子ども・子育て会議意見 | 参考指標
    page: int
    text: str
    terms: tuple[str, ...] = ()  # words of the question found in the text, for highlighting


@dataclass(frozen=True)
class Answer:
    question: str
    status: AnswerStatus
    text: str  # Markdown, Japanese
    intent: str = "search"
    projects: tuple[ProjectRef, ...] = ()
    indicators: tuple[IndicatorRow, ...] = ()
    sources: tuple[Citation, ...] = ()
    followups: tuple[str, ...] = ()  # suggested next questions
    context: dict = field(default_factory=dict)  # what a follow-up needs (projects, years)

    def to_json(self) -> dict:
        """The CLI/API contract: question, status, answer, projects, indicators, sources."""
        return {
            "question": self.question,
            "status": self.status.value,
            "answer": self.text,
            "intent": self.intent,
            "projects": [
                {"name": p.name, "departments": list(p.departments), "score": round(p.score, 4)}
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
                }
                for i in self.indicators
            ],
            "sources": [
                {"project": c.project, "section": c.section, "page": c.page, "text": c.text}
                for c in self.sources
            ],
            "followups": list(self.followups),
        }


__all__ = ["Answer", "AnswerStatus", "Citation", "IndicatorRow", "ProjectRef", "asdict"]
