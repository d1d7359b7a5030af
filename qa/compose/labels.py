"""How a list's scope and conditions are stated (「目標4「…」・保育課が担当」「R2に計画を下回った指標」).

The same labels head a list answer and make up the reading line, so the condition a reader
sees is the one that selected the list.
"""
from __future__ import annotations

from collections.abc import Sequence

from corpus.records import Plan
from qa.compose import templates as T
from qa.query import Filters


def goal_label(plan: Plan, number) -> str:
    g = plan.goal(number)
    return T.GOAL_LABEL.format(number=number, title=g.title) if g else T.GOAL.format(number=number)


def scope_parts(f: Filters, plan: Plan) -> list[str]:
    """The project-level conditions: goals, policies, departments (and departments left out)."""
    parts = [goal_label(plan, g) for g in f.goals]
    for code in f.policies:
        pol = plan.policy(code)
        parts.append(T.POLICY_LABEL.format(code=code, title=pol.title) if pol else T.POLICY.format(code=code))
    if f.departments:
        parts.append(T.SCOPE_DEPARTMENTS.format(departments="・".join(f.departments)))
    if f.exclude_departments:
        parts.append(T.SCOPE_OTHER_DEPARTMENTS.format(departments="・".join(f.exclude_departments)))
    if f.within:
        parts.append(T.SCOPE_WITHIN.format(n=len(f.within)))
    return parts


def scope_label(f: Filters, plans: Sequence[Plan], documents: Sequence[str] = ()) -> str:
    parts = scope_parts(f, plans[0])
    label = "・".join(parts) if parts else T.THIS_DOCUMENT
    if documents:
        label += "（" + "、".join(documents) + "）"
    return label


def condition_parts(f: Filters, plan: Plan) -> list[str]:
    """The indicator-level conditions, each as one phrase."""
    y, b = plan.result_year, plan.baseline_year
    parts = []
    if f.status:
        parts.append(T.CONDITIONS[f.status].format(year=y))
    if f.plan_word:
        span = f.plan_years or plan.plan_years
        if f.plan_all:
            years = T.ALL_PLAN_YEARS.format(first=span[0], last=span[-1])
        else:
            years = "・".join(f.plan_years) if f.plan_years else T.ANY_PLAN_YEAR.format(first=span[0], last=span[-1])
        parts.append(T.CONDITIONS["plan_word"].format(years=years, word=f.plan_word))
    if f.baseline_none:
        parts.append(T.CONDITIONS["baseline_none"].format(baseline_year=b))
    if f.not_started:
        parts.append(T.CONDITIONS["not_started"].format(year=y))
    if f.kind:
        parts.append(T.CONDITIONS[f.kind.value + ("_only" if f.kind_only and f.kind.value == "qualitative" else "")])
    if f.ratio is not None:
        parts.append(T.CONDITIONS["ratio"].format(year=y, baseline_year=b, ratio=_ratio_words(f.ratio)))
    elif f.change:
        parts.append(T.CONDITIONS[f.change].format(year=y, baseline_year=b))
    if f.unit:
        parts.append(T.CONDITIONS["unit"].format(unit=f.unit))
    if f.result:
        value = f"{f.result.value:g}{f.result.unit or ''}"
        parts.append(T.CONDITIONS["result"].format(year=y, value=value, op=T.OPS[f.result.op]))
    return parts


def condition_label(f: Filters, plan: Plan) -> str:
    return "、".join(condition_parts(f, plan))


def project_condition_parts(f: Filters) -> list[str]:
    """Conditions on a project's own records (a council comment, the number of indicators)."""
    out = []
    if f.has_comment is not None:
        out.append(T.COND_COMMENT.format(has="ある" if f.has_comment else "ない"))
    if f.topic:
        out.append(T.COND_TOPIC[f.topic_field].format(words="・".join(f.topic)))
    if f.indicator_count is not None:
        out.append(T.COND_INDICATOR_COUNT.format(n=f"{f.indicator_count.value:g}", op=T.OPS[f.indicator_count.op]))
    return out


def _ratio_words(cond) -> str:
    """0.5 with < as 「半分未満」, 1.2 with >= as 「1.2倍以上（20%以上の増加）」."""
    if abs(cond.value - 0.5) < 1e-9 and cond.op in ("<", "<="):
        return T.RATIO_HALF[cond.op]
    pct = abs(cond.value - 1) * 100
    return T.RATIO_WORDS[cond.op].format(times=f"{cond.value:g}", pct=f"{pct:g}")
