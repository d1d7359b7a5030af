"""EXTREME and COMPARE: indicators ranked by their change from the baseline (or by the result
itself), and two named indicators or projects side by side. Every change is computed from the
record figures shown beside it and marked as computed."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from corpus.records import Plan
from index.text import terms
from qa.compose import templates as T
from qa.compose.lines import indicator_line, indicator_row, result_text, with_unit
from qa.execute import records as X
from qa.execute.context import Context, Result
from qa.execute.indicators import change_line
from qa.frame import Frame
from qa.query import Operation, Query

SHOWN = 5  # ranked rows shown under the answer
VALUE_NOISE_WORDS = frozenset({"指標", "いちばん", "一番", "多い", "少ない"})


def extreme(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    projects = [p for plan in plans for p in plan.projects]
    pairs = [(p, i) for p, inds in X.select(projects, replace(q.filters, change=None), plans[0].plan_years) for i in inds]
    if q.targets:
        ids = set(q.project_ids)
        pairs = [(p, i) for p, i in pairs if p.id in ids] or pairs
    measure = q.measure or "abs"
    if measure == "value":
        return _extreme_value(ctx, q, plans, pairs, frame)
    rows = X.ranked_changes(pairs, measure, q.direction, q.extreme or "max")
    if not rows:
        return ctx.no(T.NOT_IN_DOCUMENT)
    c = ctx.composer()
    (p, i), _ = rows[0]
    what = T.CHANGE_WORDS[(measure == "rate", q.direction == "decrease")]
    most = T.MOST_LARGE if (q.extreme or "max") == "max" else T.MOST_SMALL
    c.add(T.EXTREME_HEAD.format(baseline_year=i.baseline_year, year=i.result_year, what=what, most=most,
                                project=p.name, indicator=i.name), "")
    for (pp, ii), cc in rows[:SHOWN]:
        c.add(change_line(pp, ii, cc, c))
    c.add("", T.COMPUTED_NOTE)
    top = list(dict.fromkeys(pp.id for (pp, _), _ in rows))[:SHOWN]
    return Result(c, projects=[(ctx.project(pid), 1.0 - k * 0.01) for k, pid in enumerate(top)],
                  indicators=[indicator_row(pp, ii) for (pp, ii), _ in rows[:SHOWN]],
                  frame=ctx.frame(q, frame, [p.id], plans=plans, listed=top))


def _extreme_value(ctx: Context, q: Query, plans: Sequence[Plan], pairs, frame: Frame | None) -> Result:
    """The indicator with the largest (smallest) result among those measuring what is asked."""
    wanted = {t for t in terms(q.text) if len(t) >= 2} - VALUE_NOISE_WORDS
    about = [(p, i) for p, i in pairs if wanted & set(terms(i.name))]
    if q.counter:
        about = [(p, i) for p, i in (about or pairs) if i.unit == q.counter] or about
    rows = X.ranked_values(about or pairs, q.extreme or "max")
    if not rows:
        return ctx.no(T.NOT_IN_DOCUMENT)
    c = ctx.composer()
    (p, i), _ = rows[0]
    most = T.MOST_MANY if (q.extreme or "max") == "max" else T.MOST_FEW
    c.add(T.EXTREME_VALUE_HEAD.format(year=i.result_year, most=most, project=p.name, indicator=i.name,
                                      result=result_text(i)), "")
    for (pp, ii), _ in rows[:SHOWN]:
        c.add(T.VALUE_RANK_LINE.format(project=pp.name, indicator=ii.name, year=ii.result_year, result=result_text(ii),
                                       baseline_year=ii.baseline_year, baseline=with_unit(ii.baseline.text, ii.unit),
                                       cite=c.cite_indicator(pp, ii)))
    top = list(dict.fromkeys(pp.id for (pp, _), _ in rows))[:SHOWN]
    return Result(c, projects=[(ctx.project(pid), 1.0 - k * 0.01) for k, pid in enumerate(top)],
                  indicators=[indicator_row(pp, ii) for (pp, ii), _ in rows[:SHOWN]],
                  frame=ctx.frame(q, frame, top[:1], plans=plans, listed=top))


def compare(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    if not q.targets and (len(q.filters.departments) >= 2 or len(q.filters.goals) >= 2):
        from qa.execute import group  # two named departments or goals: counts per group, compared

        return group.run(ctx, q.with_(group_by="department" if q.filters.departments else "goal"), frame, plans)
    targets = ctx.targets(q)
    pairs = [(p, i) for p in (targets or [p for plan in plans for p in plan.projects]) for i in p.indicators
             if i.id in q.indicator_ids]
    if len(pairs) < 2:
        pairs = [(p, i) for p in targets for i in p.indicators if X.change(i) is not None][:4]
    if len(pairs) < 2:
        from qa.execute import lookup

        return lookup.run(ctx, q.with_(operation=Operation.LOOKUP), frame, plans)
    c = ctx.composer()
    measure = q.measure or "abs"
    rows = [((p, i), X.change(i)) for p, i in pairs]
    numeric = [r for r in rows if r[1] is not None and (measure != "rate" or r[1].rate is not None)]
    if len(numeric) >= 2:
        def key(r):
            v = r[1].rate if measure == "rate" else r[1].absolute
            return -v if q.direction == "decrease" else v
        best = max(numeric, key=key)
        what = T.CHANGE_WORDS[(measure == "rate", q.direction == "decrease")]
        c.add(T.COMPARE_HEAD.format(baseline_year=best[0][1].baseline_year, year=best[0][1].result_year, what=what,
                                    indicator=best[0][1].name, project=best[0][0].name), "")
    for (p, i), ch in rows:
        c.add(change_line(p, i, ch, c) if ch is not None else indicator_line(p, i) + " " + c.cite_indicator(p, i))
    c.add("", T.COMPUTED_NOTE)
    proj = list(dict.fromkeys(p.id for (p, _), _ in rows))
    return Result(c, projects=[(ctx.project(pid), 1.0) for pid in proj],
                  indicators=[indicator_row(p, i) for (p, i), _ in rows],
                  frame=ctx.frame(q, frame, proj, plans=plans, listed=proj))
