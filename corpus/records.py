"""Structured records of a plan-evaluation document: plan > goal > policy > project > indicator.

Records are frozen dataclasses with stable ids. They are built by ``corpus.loader`` from a
reviewed data file and never mutated afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

YEARS = ("R2", "R3", "R4", "R5", "R6")
BASELINE_YEAR = "H30"
RESULT_YEAR = "R2"


class PlanWord(str, Enum):
    """The plan vocabulary used in the 計画 columns."""

    GRADUAL_INCREASE = "漸増"
    MAINTAIN = "維持"
    EXPAND = "拡充"
    IMPLEMENT = "実施"
    CONTINUE = "継続"
    STUDY = "検討"
    PREPARE = "準備"
    NONE = "－"


class Outcome(str, Enum):
    """How a qualitative result reads against its plan, as judged when the data was reviewed."""

    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_ACHIEVED = "not_achieved"


class Status(str, Enum):
    MET = "met"
    FELL_SHORT = "fell_short"
    BORDERLINE = "borderline"
    UNCLEAR = "unclear"


STATUS_LABELS = {
    Status.MET: "達成",
    Status.FELL_SHORT: "未達成",
    Status.BORDERLINE: "ほぼ達成（要注意）",
    Status.UNCLEAR: "判定不能",
}


@dataclass(frozen=True)
class Cell:
    """One value of a 実績 or 計画 column, as printed (``text``) and as understood."""

    text: str
    word: PlanWord | None = None  # the plan word when the cell is (or starts with) one
    number: float | None = None  # the value when the cell is a number
    note: str | None = None  # e.g. （小学校４年生～６年生） after 拡充

    @property
    def is_number(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class Result:
    """The result of one indicator in its document's year, with the source sentence it was read from."""

    evidence: str
    value: float | None = None
    unit: str | None = None
    text: str | None = None  # the figure as printed, e.g. "1,091件"
    outcome: Outcome | None = None  # for qualitative indicators

    @property
    def display(self) -> str:
        if self.text:
            return self.text
        return self.evidence


@dataclass(frozen=True)
class Ambiguity:
    """A reading of the scrambled source that could have gone another way."""

    field: str
    chosen: str
    alternative: str
    reason: str


@dataclass(frozen=True)
class Indicator:
    id: str
    project_id: str
    name: str
    unit: str | None
    baseline: Cell
    plan: dict[str, Cell]
    result: Result | None = None
    result_year: str = RESULT_YEAR  # the year of ``result``: the document's fiscal year
    baseline_year: str = BASELINE_YEAR
    source_lines: tuple[int | str, ...] = ()  # where the source prints the H30 and plan cells (see corpus.trace)

    @property
    def plan_now(self) -> Cell:
        """The plan of the result year: what the result is judged against."""
        return self.plan.get(self.result_year) or self.plan["R2"]

    @property
    def plan_r2(self) -> Cell:
        """The plan of the result year (the name from when only the R2 evaluation existed)."""
        return self.plan_now


@dataclass(frozen=True)
class Goal:
    number: int
    title: str

    @property
    def label(self) -> str:
        return f"目標{self.number}"


@dataclass(frozen=True)
class Policy:
    code: str  # e.g. "3-2"
    goal: int
    title: str


@dataclass(frozen=True)
class Project:
    id: str
    plan_id: str
    goal: int
    policy: str
    number: int
    name: str
    departments: tuple[str, ...]
    content: str
    page: int
    aliases: tuple[str, ...] = ()  # names of sub-programmes printed under the project name
    indicators: tuple[Indicator, ...] = ()
    result_explanation: str | None = None
    council_comments: tuple[str, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    city: str
    fiscal_year: str
    source_file: str
    goals: tuple[Goal, ...]
    policies: tuple[Policy, ...]
    projects: tuple[Project, ...]
    source_text: str = field(repr=False, default="")

    def goal(self, number: int) -> Goal | None:
        return next((g for g in self.goals if g.number == number), None)

    def policy(self, code: str) -> Policy | None:
        return next((p for p in self.policies if p.code == code), None)

    def project(self, project_id: str) -> Project | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def project_by_name(self, name: str) -> Project | None:
        return next((p for p in self.projects if p.name == name), None)

    @property
    def departments(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for p in self.projects:
            for d in p.departments:
                seen.setdefault(d, None)
        return tuple(seen)

    @property
    def plan_years(self) -> tuple[str, ...]:
        return YEARS

    @property
    def result_year(self) -> str:
        return self.fiscal_year

    @property
    def baseline_year(self) -> str:
        return BASELINE_YEAR

    @property
    def year_number(self) -> int:
        """The result year as a number for ordering (R2 -> 2, H30 -> -1)."""
        y = self.fiscal_year
        return int(y[1:]) if y.startswith("R") else int(y[1:]) - 31

    def indicators(self) -> list[Indicator]:
        return [i for p in self.projects for i in p.indicators]
