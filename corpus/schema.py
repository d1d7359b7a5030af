"""Schema of a document data file (YAML), validated with pydantic.

One data file describes one plan-evaluation document. Unknown keys are errors so that a
typo in a reviewed file is caught rather than silently ignored.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

YEAR_KEYS = ("R2", "R3", "R4", "R5", "R6")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResultIn(_Strict):
    evidence: str = Field(min_length=1)
    value: float | None = None
    unit: str | None = None
    text: str | None = None
    outcome: Literal["achieved", "partly", "not_achieved"] | None = None


class IndicatorIn(_Strict):
    name: str = Field(min_length=1)
    unit: str | None = None
    baseline: str = Field(min_length=1)
    plan: dict[str, str]
    result: ResultIn | None = None
    # where the source prints this row's H30 and plan cells, in column order: line numbers
    # (1-based), or "77:1" / "77:2-3" for some cells of a line; empty: the line that prints the
    # indicator's name holds them all
    source_lines: list[Annotated[int, Field(ge=1)] | Annotated[str, Field(pattern=r"^[1-9]\d*:[1-9]\d*(-[1-9]\d*)?$")]] = []

    @field_validator("baseline", mode="before")
    @classmethod
    def _baseline_text(cls, v: object) -> object:
        # a YAML author may write 615 instead of "615"; keep the printed text
        return str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    @field_validator("plan")
    @classmethod
    def _five_years(cls, v: dict[str, str]) -> dict[str, str]:
        if tuple(v) != YEAR_KEYS:
            raise ValueError(f"plan must have exactly the years {', '.join(YEAR_KEYS)} in order, got {', '.join(v) or 'none'}")
        return v


class AmbiguityIn(_Strict):
    field: str
    chosen: str
    alternative: str
    reason: str


class ProjectIn(_Strict):
    policy: str = Field(pattern=r"^\d+-\d+$")
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    departments: list[str] = Field(min_length=1)
    page: int = Field(ge=1)
    content: str = Field(min_length=1)
    aliases: list[str] = []
    result_explanation: str | None = None
    council_comments: list[str] = []
    indicators: list[IndicatorIn] = []
    ambiguities: list[AmbiguityIn] = []


class GoalIn(_Strict):
    number: int = Field(ge=1)
    title: str = Field(min_length=1)


class PolicyIn(_Strict):
    code: str = Field(pattern=r"^\d+-\d+$")
    title: str = Field(min_length=1)


class PlanMetaIn(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    city: str = Field(min_length=1)
    fiscal_year: str = Field(pattern=r"^R\d+$")
    source_file: str = Field(min_length=1)


class PlanFile(_Strict):
    schema_version: Literal[1]
    plan: PlanMetaIn
    goals: list[GoalIn] = Field(min_length=1)
    policies: list[PolicyIn] = Field(min_length=1)
    projects: list[ProjectIn] = Field(min_length=1)
