"""GROUP: projects counted per department or goal (indicators per group when a condition is
given, most first). A comparison of two named departments or goals is a grouping of those."""
from __future__ import annotations

from collections.abc import Sequence

from corpus.records import Plan
from qa.compose import labels as L
from qa.compose import templates as T
from qa.compose.lines import SECTION_CONTENT, section_citation
from qa.execute import records as X
from qa.execute.context import Context, Result
from qa.execute.lists import scope
from qa.frame import Frame
from qa.query import Query


def run(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    by = q.group_by or "department"
    projects = [p for plan in plans for p in plan.projects]
    selection = X.select(projects, q.filters, plans[0].plan_years)
    selected = [p for p, _ in selection]
    groups = X.group(selected, by)
    if by == "department" and q.filters.departments:
        groups = {k: v for k, v in groups.items() if k in q.filters.departments}
    c = ctx.composer()
    label_of = (lambda k: k) if by == "department" else (lambda k: L.goal_label(plans[0], k))
    by_label = T.BY_DEPARTMENT if by == "department" else T.BY_GOAL
    if q.filters.on_indicators:
        # count the indicators that meet the condition per group, most first
        n_ind = {p.id: len(inds) for p, inds in selection}
        counted = sorted(((k, sum(n_ind[p.id] for p in ps), ps) for k, ps in groups.items()), key=lambda t: -t[1])
        cond = L.condition_label(q.filters, plans[0])
        if counted:
            top = [k for k, n, _ in counted if n == counted[0][1]]
            c.add(T.GROUP_TOP.format(condition=cond, by=by_label, top="・".join(str(label_of(k)) for k in top),
                                     n=counted[0][1]), "")
        for k, n, ps in counted:
            c.add(T.GROUP_IND_LINE.format(key=label_of(k), n=n, names="、".join(p.name for p in ps)))
    else:
        where = scope(ctx, q, plans)
        if by == "department":
            c.add(T.GROUP_HEAD.format(scope=where, n=len(selected), by=by_label), "")
        else:
            c.add(T.GROUP_HEAD_GOAL.format(scope=where), "")
        for key, ps in groups.items():
            c.add(T.GROUP_LINE.format(key=label_of(key), n=len(ps), names="、".join(p.name for p in ps)))
    selected = [p for p in selected if any(p in ps for ps in groups.values())]
    c.add("", T.GROUP_SOURCES.format(refs="".join(c.ref(section_citation(p, SECTION_CONTENT)) for p in selected)))
    return Result(c, projects=[(p, 1.0) for p in selected],
                  frame=ctx.frame(q, frame, [p.id for p in selected[:1]], plans=plans, listed=[p.id for p in selected]),
                  conditions=tuple(L.scope_parts(q.filters, plans[0]) + L.condition_parts(q.filters, plans[0])))
