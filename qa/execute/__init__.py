"""Execution: a resolved ``Query`` run over the records by the operation it names.

One module per operation, each a function ``(ctx, query, frame, plans) -> Result`` over the
records (``records`` holds the pure filters, groupings and changes they share). ``OPERATIONS``
maps an operation to its function; there is no branch chain. Before it runs, the question's
named years choose the evaluations it is answered from.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from corpus.records import Plan
from qa.execute import foreign, group, lists, lookup, overview, ranking, search
from qa.execute.context import Context, Ranked, Result, document_label, series, short_title
from qa.frame import Frame
from qa.query import Operation, Query
from qa.understand import lexicon as lx
from qa.understand.preprocess import framed

__all__ = ["OPERATIONS", "Context", "Ranked", "Result", "document_label", "execute", "plans_for", "series", "short_title"]

Operation_fn = Callable[[Context, Query, "Frame | None", Sequence[Plan]], Result]

OPERATIONS: dict[Operation, Operation_fn] = {
    Operation.SEARCH: search.run,
    Operation.LOOKUP: lookup.run,
    Operation.LIST: lists.run,
    Operation.COUNT: lists.count,
    Operation.GROUP: group.run,
    Operation.EXTREME: ranking.extreme,
    Operation.COMPARE: ranking.compare,
    Operation.TREND: overview.trend,
    Operation.SUMMARY: overview.summary,
    Operation.MORE: search.more,
}


# operations over the whole document, for a question in another language that states what set it asks
WHOLE_SET = frozenset({Operation.LIST, Operation.COUNT, Operation.GROUP, Operation.EXTREME})


def states_a_set(q: Query) -> bool:
    """A question in another language asks a set of the records, not one programme, when it states
    the set's conditions, grouping or ranking ("What projects fell short?"); the operation alone is
    not enough, since the grammar cues that choose it are Japanese (and English) ones."""
    return (q.operation in WHOLE_SET and not q.targets
            and (q.filters.any or q.group_by is not None or q.extreme is not None))


def plans_for(ctx: Context, q: Query, plans: Sequence[Plan]) -> list[Plan]:
    """Evaluations whose own year the question names (「令和2年度の結果」 with R2 and R3 loaded)."""
    series_of = {series(p) for p in plans}
    named = [p for p in ctx.plans if p.fiscal_year in q.years and series(p) in series_of]
    if len(named) < 2 and lx.EVERY_YEAR(q.text):
        named = [p for p in ctx.plans if series(p) in series_of]
    return sorted(named, key=lambda p: p.year_number)


def same_projects_in(ctx: Context, q: Query, plans: Sequence[Plan]) -> Query:
    """The question's targets (and indicators) as the same projects in the named years' documents."""
    ids = {p.id for plan in plans for p in plan.projects}
    targets, indicators = [], []
    for t in q.targets:
        if t.project_id in ids:
            targets.append(t)
            continue
        old = ctx.project(t.project_id)
        for plan in plans:
            same = plan.project_by_name(old.name) if old else None
            if same is not None:
                targets.append(replace(t, project_id=same.id))
                old_names = {i.id: i.name for i in old.indicators}
                indicators += [i.id for i in same.indicators if i.name in {old_names.get(x) for x in q.indicator_ids}]
    return q.with_(targets=tuple(targets), indicator_ids=tuple(indicators) or q.indicator_ids)


def execute(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    by_year = plans_for(ctx, q, plans)
    if len(by_year) >= 2 and q.filters.on_indicators and q.operation in (Operation.LIST, Operation.COUNT):
        return lists.in_every_year(ctx, q, frame, by_year)
    if by_year:
        plans = by_year
        q = same_projects_in(ctx, q, plans)
    if framed(q.language) and q.operation is not Operation.MORE:
        if states_a_set(q):
            # a list, a count, a ranking … is answered as for Japanese, introduced in the question's language
            return foreign.in_japanese(q, OPERATIONS[q.operation](ctx, q, frame, plans))
        # English, Chinese, Korean, Vietnamese: a frame of their own (the records are quoted in Japanese)
        return foreign.run(ctx, q, frame, plans)
    return OPERATIONS[q.operation](ctx, q, frame, plans)
