"""The pure record operations every executor shares: filters, group-by, counts, changes, rankings.

Pure functions of records and typed query values (no Japanese text, no I/O), so every rule
has a fast test of its own. Years are the document's (its plan years and result year).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from corpus.evaluate import evaluate
from corpus.records import Indicator, Plan, PlanWord, Project, Status
from qa.query import Filters, Kind, NumberCondition
from qa.understand.vocabulary import field_text

Pair = tuple[Project, Indicator]
PREPARING = frozenset({"検討", "準備"})  # plan words of a programme not yet carried out


def is_numeric(ind: Indicator) -> bool:
    """An indicator measured by figures: it has a unit, or its baseline or result is a number."""
    return bool(ind.unit) or ind.baseline.is_number or (ind.result is not None and ind.result.value is not None)


def project_matches(p: Project, f: Filters) -> bool:
    if f.goals and p.goal not in f.goals:
        return False
    if f.policies and p.policy not in f.policies:
        return False
    if f.departments and not set(f.departments) & set(p.departments):
        return False
    if f.exclude_departments and set(f.exclude_departments) & set(p.departments):
        return False
    if f.has_comment is not None and bool(p.council_comments) != f.has_comment:
        return False
    if f.indicator_count is not None and not _condition(len(p.indicators), f.indicator_count):
        return False
    if f.within and p.id not in f.within:
        return False
    if f.topic and not all(w in field_text(p, f.topic_field) for w in f.topic):
        return False
    return p.id not in f.exclude_projects



def _condition(value: float, cond: NumberCondition) -> bool:
    if cond.op == ">=":
        return value >= cond.value - 1e-9
    if cond.op == "<=":
        return value <= cond.value + 1e-9
    if cond.op == "<":
        return value < cond.value
    if cond.op == ">":
        return value > cond.value
    return abs(value - cond.value) < 1e-9


def indicator_matches(p: Project, ind: Indicator, f: Filters, plan_years: Sequence[str]) -> bool:
    if f.status is not None and evaluate(ind).status.value != f.status:
        return False
    if f.plan_word is not None:
        years = f.plan_years or tuple(plan_years)
        holds = [ind.plan.get(y) is not None and ind.plan[y].word is not None and ind.plan[y].word.value == f.plan_word
                 for y in years]
        if not (all(holds) if f.plan_all else any(holds)):
            return False
    if f.baseline_none and ind.baseline.is_number:
        return False
    if f.not_started:
        cell = ind.plan.get(ind.result_year)
        if cell is None or cell.word is None or cell.word.value not in PREPARING:
            return False
    if f.kind is not None and (is_numeric(ind) != (f.kind is Kind.NUMERIC)):
        return False
    if f.unit is not None and (ind.unit or (ind.result.unit if ind.result else None)) != f.unit:
        return False
    if f.change is not None:
        c = change(ind)
        if c is None or (f.change == "increase" and c.absolute <= 0) or (f.change == "decrease" and c.absolute >= 0):
            return False
    if f.ratio is not None:
        c = change(ind)
        if c is None or c.before == 0 or not _condition(c.after / c.before, f.ratio):
            return False
    if f.result is not None:
        r = ind.result
        if r is None or r.value is None:
            return False
        unit = ind.unit or r.unit
        if f.result.unit and unit and f.result.unit != unit:
            return False
        if not _condition(r.value, f.result):
            return False
    return True


def select(projects: Sequence[Project], f: Filters, plan_years: Sequence[str]) -> list[tuple[Project, list[Indicator]]]:
    """Projects inside the filters, each with the indicators that meet the indicator filters.

    Without indicator filters every project inside the project filters is returned with all its
    indicators. With ``kind_only`` a project qualifies only when all its indicators do.
    """
    out = []
    for p in projects:
        if not project_matches(p, f):
            continue
        if not f.on_indicators:
            out.append((p, list(p.indicators)))
            continue
        inds = [i for i in p.indicators if indicator_matches(p, i, f, plan_years)]
        if f.kind_only and len(inds) != len(p.indicators):
            continue
        if f.status == Status.MET.value and any(evaluate(i).status in (Status.FELL_SHORT, Status.BORDERLINE)
                                                for i in p.indicators):
            continue  # a project met its plan only when none of its indicators fell short
        if inds:
            out.append((p, inds))
    return out


def group(projects: Sequence[Project], by: str) -> dict[object, list[Project]]:
    """Projects by department (a shared project counts for each of its departments) or goal."""
    groups: dict[object, list[Project]] = {}
    for p in projects:
        keys = p.departments if by == "department" else (p.goal,)
        for k in keys:
            groups.setdefault(k, []).append(p)
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))) if by == "department"
                else sorted(groups.items(), key=lambda kv: kv[0]))


@dataclass(frozen=True)
class Change:
    before: float
    after: float

    @property
    def absolute(self) -> float:
        return self.after - self.before

    @property
    def rate(self) -> float | None:
        return None if self.before == 0 else (self.after - self.before) / self.before


def change(ind: Indicator) -> Change | None:
    """Baseline -> result of a numeric indicator (None when either is not a figure)."""
    if not ind.baseline.is_number or ind.result is None or ind.result.value is None:
        return None
    return Change(ind.baseline.number, ind.result.value)


def ranked_changes(pairs: Sequence[Pair], measure: str, direction: str | None, extreme: str) -> list[tuple[Pair, Change]]:
    """Numeric indicators ordered by their change (largest first for ``max``).

    ``direction`` "decrease" ranks the largest drop first; "increase" the largest rise; with
    ``measure`` "rate" the relative change (indicators with a zero baseline are left out).
    """
    rows = []
    for pair in pairs:
        c = change(pair[1])
        if c is None or (measure == "rate" and c.rate is None):
            continue
        if direction == "increase" and c.absolute <= 0 or direction == "decrease" and c.absolute >= 0:
            continue
        rows.append((pair, c))

    def key(row: tuple[Pair, Change]) -> float:
        c = row[1]
        v = c.rate if measure == "rate" else c.absolute
        return -v if direction == "decrease" else v

    rows.sort(key=key, reverse=(extreme != "min"))
    return rows


def ranked_values(pairs: Sequence[Pair], extreme: str) -> list[tuple[Pair, float]]:
    """Indicators with a numeric result, by that result (largest first for ``max``)."""
    rows = [(pair, pair[1].result.value) for pair in pairs if pair[1].result is not None and pair[1].result.value is not None]
    rows.sort(key=lambda r: r[1], reverse=(extreme != "min"))
    return rows


def plan_word_years(ind: Indicator, word: str, years: Sequence[str]) -> list[str]:
    return [y for y in years if ind.plan.get(y) is not None and ind.plan[y].word is not None and ind.plan[y].word.value == word]


def status_counts(plan: Plan) -> dict[Status, int]:
    counts = {s: 0 for s in Status}
    for i in plan.indicators():
        counts[evaluate(i).status] += 1
    return counts


def is_plan_word(text: str) -> bool:
    return any(text == w.value for w in PlanWord)
