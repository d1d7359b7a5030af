"""SUMMARY: the whole document in brief (goals, projects, status counts); TREND: one indicator
across every loaded year of the same plan."""
from __future__ import annotations

from collections.abc import Sequence

from corpus.records import STATUS_LABELS, Plan, Status
from qa.compose import labels as L
from qa.compose import templates as T
from qa.compose.lines import indicator_row, result_text, with_unit
from qa.execute import records as X
from qa.execute.context import Context, Result, document_label
from qa.execute.indicators import pick_indicators
from qa.frame import Frame
from qa.query import Query

TREND_INDICATORS = 3  # indicators shown per trend answer


def summary(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    c = ctx.composer()
    for plan in plans:
        counts = X.status_counts(plan)
        c.add(T.SUMMARY_HEAD.format(title=plan.title, city=plan.city, year=plan.fiscal_year, n_goals=len(plan.goals),
                                    n_projects=len(plan.projects), n_indicators=len(plan.indicators())), "",
              T.SUMMARY_STATUS.format(year=plan.fiscal_year,
                                      counts="、".join(f"{STATUS_LABELS[s]} {counts[s]}指標" for s in Status)), "")
        for g in plan.goals:
            names = "、".join(p.name for p in plan.projects if p.goal == g.number)
            c.add(T.SUMMARY_GOAL.format(goal=L.goal_label(plan, g.number), names=names))
    projects = [p for plan in plans for p in plan.projects]
    return Result(c, projects=[(p, 1.0) for p in projects],
                  frame=ctx.frame(q, frame, [], plans=plans, listed=[p.id for p in projects]),
                  followups=(T.FOLLOW_SHORTFALL.format(year=plans[0].fiscal_year),))


def trend(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    targets = ctx.targets(q)
    if not targets:
        ranked = ctx.retrieve(q.retrieval_text, plans, k=1)
        targets = [ranked[0].project] if ranked else []
    if not targets:
        return ctx.no(T.NOT_IN_DOCUMENT)
    p0 = targets[0]
    same = ctx.same_series(ctx.plan_of(p0))
    c = ctx.composer()
    if len(same) < 2:
        c.add(T.TREND_ONE.format(have=document_label(same[0])), "")
    rows = []
    for _, ind in pick_indicators(q, [p0])[:TREND_INDICATORS]:
        c.add(T.TREND_HEAD.format(project=p0.name, indicator=ind.name))
        c.add(T.TREND_LINE.format(year=ind.baseline_year, value=with_unit(ind.baseline.text, ind.unit), cite=""))
        for doc in same:
            pp = doc.project_by_name(p0.name)
            ii = next((i for i in pp.indicators if i.name == ind.name), None) if pp else None
            if ii is None:
                continue
            value = result_text(ii) if ii.result and ii.result.text else (T.RESULT_IN_WORDS if ii.result else T.RESULT_NONE)
            c.add(T.TREND_LINE.format(year=ii.result_year, value=value, cite=" " + c.cite_indicator(pp, ii)))
            rows.append(indicator_row(pp, ii, document_label(doc)))
    return Result(c, projects=[(p0, 1.0)], indicators=rows, frame=ctx.frame(q, frame, [p0.id], plans=plans))
