"""The typed query a question is understood into: target, asked fields, operation, focus, filters.

Every stage after understanding (conversation frame, execution, answerability, composition)
reads these values only, never the question's wording.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Operation(str, Enum):
    SEARCH = "search"  # find the programme that fits a need
    LOOKUP = "lookup"  # fields of one or more target projects / indicators
    LIST = "list"  # projects (or indicators) matching filters
    COUNT = "count"  # how many projects match
    GROUP = "group"  # projects grouped by department or goal, with counts
    EXTREME = "extreme"  # largest / smallest change baseline -> result
    COMPARE = "compare"  # two indicators or projects side by side
    TREND = "trend"  # an indicator's results across the loaded years
    SUMMARY = "summary"  # the whole document in brief
    MORE = "more"  # further candidates of the previous search


class Field(str, Enum):
    CONTENT = "content"  # 事業の内容
    DEPARTMENT = "department"
    COMMENT = "comment"  # 子ども・子育て会議意見
    EXPLANATION = "explanation"  # 結果の説明及び次年度に向けての課題
    VALUE = "value"  # an indicator's result
    BASELINE = "baseline"  # an indicator's baseline (H30)
    PLAN = "plan"  # an indicator's plan values / plan words
    STATUS = "status"  # met / fell short ...
    INDICATORS = "indicators"  # which indicators a project has


class Focus(str, Enum):
    """What exactly is asked for, checked against the evidence before answering."""

    FIGURE = "figure"  # a number of something (counter in ``Query.counter``)
    AMOUNT = "amount"  # money
    TIME = "time"  # a time of day (何時まで)
    DATE = "date"  # a date or period (いつから)
    NAME = "name"  # a person's name
    TITLE = "title"  # the name of a thing: a publication, an event, a place (「何という名前」)
    CONTACT = "contact"  # phone number, address, URL
    PROCEDURE = "procedure"  # how to apply or register (申し込み方法, 手続き)
    BREAKDOWN = "breakdown"  # a breakdown of a figure into categories
    OTHER_CITY = "other_city"  # another municipality than the document's
    LATER_YEAR = "later_year"  # a result of a year no loaded document reports


class Kind(str, Enum):
    NUMERIC = "numeric"
    QUALITATIVE = "qualitative"


@dataclass(frozen=True)
class NumberCondition:
    """A condition on an indicator's result: ``value`` with ``op`` in (=, >=, <=), optional unit."""

    op: str
    value: float
    unit: str | None = None


@dataclass(frozen=True)
class Filters:
    goals: tuple[int, ...] = ()
    policies: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    exclude_departments: tuple[str, ...] = ()  # 「ほかの課」
    exclude_projects: tuple[str, ...] = ()  # 「ほかの事業」
    status: str | None = None  # corpus.records.Status value
    plan_word: str | None = None
    plan_years: tuple[str, ...] = ()  # the years the plan word must hold in (empty: any)
    plan_all: bool = False  # the plan word holds in every one of those years (all plan years when none named)
    not_started: bool = False  # the result year's plan word is still 検討 or 準備 (「まだ実施できていない」)
    kind: Kind | None = None
    kind_only: bool = False  # every indicator of the project is of ``kind`` (「だけ」)
    change: str | None = None  # "increase" | "decrease": result vs baseline
    ratio: NumberCondition | None = None  # result / baseline (半分未満: < 0.5; 20%以上増: >= 1.2)
    baseline_none: bool = False  # indicators without a baseline figure (「－」)
    result: NumberCondition | None = None
    has_comment: bool | None = None  # projects with (True) / without (False) a council comment
    indicator_count: NumberCondition | None = None  # 「指標が一つしかない事業」
    unit: str | None = None  # indicators measured in this unit (「単位が件の指標」, % for 割合)
    within: tuple[str, ...] = ()  # 「その中で」: only these projects (the previous answer's list)
    topic: tuple[str, ...] = ()  # words a project's text must contain (「障がいのある子ども向け」「コロナに触れている」)
    topic_field: str = "about"  # where: "about" (name, content, indicators), "explanation", "comment"

    @property
    def on_projects(self) -> bool:
        return bool(self.goals or self.policies or self.departments or self.exclude_departments or self.within
                    or self.topic or self.has_comment is not None or self.indicator_count is not None)

    @property
    def on_indicators(self) -> bool:
        return bool(self.status or self.plan_word or self.not_started or self.kind or self.change or self.ratio
                    or self.baseline_none or self.result or self.unit)

    @property
    def any(self) -> bool:
        return self.on_projects or self.on_indicators


@dataclass(frozen=True)
class Target:
    project_id: str
    score: float  # 0..1: how surely the question means it
    via: str  # "name" | "indicator" | "frame" | "ordinal" | "retrieval"


@dataclass(frozen=True)
class Query:
    raw: str
    text: str  # normalised, instructions to the assistant removed
    language: str = "ja"
    operation: Operation = Operation.SEARCH
    fields: tuple[Field, ...] = ()
    focus: Focus | None = None
    targets: tuple[Target, ...] = ()
    indicator_ids: tuple[str, ...] = ()
    filters: Filters = field(default_factory=Filters)
    years: tuple[str, ...] = ()  # canonical years named (H30, R2 …)
    counter: str | None = None  # 人 in 何人
    group_by: str | None = None  # "department" | "goal"
    extreme: str | None = None  # "max" | "min"
    measure: str | None = None  # "abs" | "rate"
    direction: str | None = None  # "increase" | "decrease" | None (either)
    refers: bool = False  # points back at the conversation (その, 二つ目, ellipsis)
    ordinal: int | None = None  # 1-based (「二つ目」), -1 the conversation's first target, 0 the last listed
    others: bool = False  # 「ほかの」: exclude what was already shown
    subset: bool = False  # 「その中で」: narrows the previous list
    each: bool = False  # 「それぞれ」「両方」: every item of the previous answer
    plural_ref: bool = False  # 「その3つ」「それら」: every item of the previous list
    same_department: bool = False  # 「同じ課」「その課」
    other_departments: bool = False  # 「ほかの課」
    elliptic: bool = False  # short and naming nothing (「じゃあ二つ目のは？」「今後の課題は？」)
    fragment: bool = False  # a subject and nothing asked of it (「じゃあ児童館は？」)
    need: bool = False  # states a need or a wish (「〜したい」「〜ありますか」): a situation of its own
    subject: tuple[str, ...] = ()  # content nouns of its own, beyond names, fields and document words
    plan_ids: tuple[str, ...] = ()  # documents named by the question (year, city)
    search_text: str = ""  # what retrieval reads when it is not ``text`` (a foreign question plus its Japanese terms)
    scores: dict = field(default_factory=dict, compare=False)  # operation -> score, for inspection

    def with_(self, **changes) -> Query:
        return replace(self, **changes)

    @property
    def retrieval_text(self) -> str:
        return self.search_text or self.text

    @property
    def project_ids(self) -> tuple[str, ...]:
        return tuple(t.project_id for t in self.targets)
