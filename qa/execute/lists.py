"""LIST and COUNT: the projects (and indicators) inside every condition the question states,
headed by those conditions, so the count a reader sees is the size of the set they select."""
from __future__ import annotations

from collections.abc import Sequence

from corpus.evaluate import evaluate, project_status
from corpus.records import STATUS_LABELS, Plan, Project, Status
from index.text import normalize, split_sentences
from qa.compose import labels as L
from qa.compose import templates as T
from qa.compose.lines import (
    SECTION_COMMENT,
    SECTION_CONTENT,
    SECTION_EXPLANATION,
    depts,
    indicator_line,
    indicator_row,
    plan_values_line,
    quote,
    section_citation,
    section_text,
)
from qa.execute import records as X
from qa.execute.context import Context, Result, document_label
from qa.frame import Frame
from qa.query import Field, Query
from qa.understand import lexicon as lx
from qa.understand.years import year_label

REASONS_FOR = 3  # a list this short shows its indicators' result sentences when the reasons are asked
TEXT_SECTIONS = {"comment": SECTION_COMMENT, "explanation": SECTION_EXPLANATION}



def scope(ctx: Context, q: Query, plans: Sequence[Plan]) -> str:
    docs = [document_label(p) for p in plans] if len(ctx.plans) > 1 else ()
    return L.scope_label(q.filters, plans, docs)


def run(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan], count: bool = False) -> Result:
    if Field.COMMENT in q.fields and q.filters.has_comment is None:
        return comments(ctx, q, frame, plans)
    f = q.filters
    projects = [p for plan in plans for p in plan.projects]
    plan_years = plans[0].plan_years
    selected = X.select(projects, f, plan_years)
    where = scope(ctx, q, plans)
    c = ctx.composer()
    rows = []
    conditions = tuple(L.scope_parts(f, plans[0]) + L.condition_parts(f, plans[0]) + L.project_condition_parts(f))
    if f.on_indicators:
        cond = L.condition_label(f, plans[0])
        if not selected:
            c.add(T.SELECT_NONE.format(scope=where, condition=cond))
            return Result(c, frame=ctx.frame(q, frame, [], plans=plans, listed=[]), conditions=conditions)
        n_ind = sum(len(inds) for _, inds in selected)
        c.add(T.SELECT_HEAD.format(scope=where, condition=cond, n=len(selected), m=n_ind), "")
        for p, inds in selected:
            c.add(f"**{p.name}**（{depts(p)}）")
            for i in inds:
                line = indicator_line(p, i)
                if f.plan_word:
                    line += T.PLAN_VALUES.format(plans=plan_values_line(i, plan_years))
                    first = _first_year_of(i, f.plan_word, plan_years) if lx.SINCE_WHEN(q.text) else None
                    if first:
                        # 「「拡充」になるのは何年度から？」: the first plan year with that word, said
                        line += T.PLAN_WORD_SINCE.format(word=f.plan_word, year=year_label(first))
                c.add(line + " " + c.cite_indicator(p, i))
                rows.append(indicator_row(p, i))
        if Field.EXPLANATION in q.fields and len(selected) <= REASONS_FOR:
            # 「…のは？理由も」: what the explanation says about each listed indicator
            for p, inds in selected:
                for i in inds:
                    if i.result is not None:
                        c.add(T.REASON_LINE.format(name=p.name, quote=quote(i.result.evidence, 200))
                              + c.cite_indicator(p, i))
        if f.status == Status.FELL_SHORT.value:
            near = [(p, i) for p in projects if X.project_matches(p, f) for i in p.indicators
                    if evaluate(i).status is Status.BORDERLINE]
            if near:
                c.add("", T.BORDERLINE_NOTE)
                c.add(*(indicator_line(p, i, with_project=True) for p, i in near))
        if f.status:
            c.add("", T.SHORTFALL_NOTE.format(baseline_year=plans[0].baseline_year))
        listed = [p for p, _ in selected]
    else:
        listed = [p for p, _ in selected]
        if not listed:
            return ctx.no(T.NO_PROJECTS.format(scope=where))
        conds = L.project_condition_parts(f)
        if conds:
            c.add(T.LIST_HEAD_COND.format(scope=where, n=len(listed), conditions="、".join(conds)), "")
        else:
            c.add((T.COUNT_HEAD if count else T.LIST_HEAD).format(scope=where, n=len(listed),
                                                                  m=sum(len(p.indicators) for p in listed)), "")
        with_status = bool({Field.STATUS, Field.VALUE, Field.INDICATORS} & set(q.fields))
        for p in listed:
            st = project_status(p)
            mark = T.LIST_STATUS.format(year=p.indicators[0].result_year if p.indicators else plans[0].result_year,
                                        label=STATUS_LABELS[st]) if st else ""
            c.add(T.LIST_ITEM.format(name=p.name, departments=depts(p), policy=p.policy, number=p.number, page=p.page,
                                     status=mark) + " " + c.cite_section(p, SECTION_CONTENT))
            if f.topic and f.topic_field in TEXT_SECTIONS:
                # a condition on what a text says: the sentences that meet it, quoted
                section = TEXT_SECTIONS[f.topic_field]
                for sent in _sentences_with(p, section, f.topic)[:2]:
                    c.add(T.TOPIC_QUOTE.format(quote=quote(sent, 200)) + c.cite(section_citation(p, section, sent)))
            if with_status:
                for i in p.indicators:
                    c.add("  " + indicator_line(p, i))
                    rows.append(indicator_row(p, i))
    follow = (T.FOLLOW_EXPLANATION.format(name=listed[0].name),) if listed else ()
    return Result(c, projects=[(p, 1.0) for p in listed], indicators=rows,
                  frame=ctx.frame(q, frame, [p.id for p in listed[:1]], plans=plans, listed=[p.id for p in listed]),
                  followups=follow, conditions=conditions)


def _sentences_with(p: Project, section: str, words) -> list[str]:
    text = section_text(p, section) or ""
    return [sent.strip() for sent in split_sentences(text) if any(w in normalize(sent) for w in words)]


def count(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    return run(ctx, q, frame, plans, count=True)


def comments(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    """Council comments of every project inside the filters, and which have none."""
    inside = [p for plan in plans for p in plan.projects if X.project_matches(p, q.filters)]
    with_c = [p for p in inside if p.council_comments]
    without = [p for p in inside if not p.council_comments]
    c = ctx.composer()
    c.add(T.COMMENT_LIST_HEAD.format(scope=scope(ctx, q, plans), n=len(with_c)), "")
    for p in with_c:
        for comment in p.council_comments:
            c.add(T.COMMENT_LIST_LINE.format(name=p.name, quote=quote(comment, 200))
                  + c.cite(section_citation(p, SECTION_COMMENT, comment)))
    if without:
        c.add("", T.COMMENT_LIST_NONE.format(names="、".join(p.name for p in without)))
    return Result(c, projects=[(p, 1.0) for p in with_c],
                  frame=ctx.frame(q, frame, [p.id for p in with_c[:1]], plans=plans, listed=[p.id for p in with_c]),
                  conditions=tuple(L.scope_parts(q.filters, plans[0])))


def in_every_year(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    """Projects that meet the indicator filters in each of the named years' evaluations."""
    per_year = [(plan, X.select(plan.projects, q.filters, plan.plan_years)) for plan in plans]
    common = set.intersection(*({p.name for p, _ in sel} for _, sel in per_year))
    c = ctx.composer()
    years = "・".join(plan.fiscal_year for plan in plans)
    cond = L.condition_label(q.filters, plans[0]).replace(plans[0].result_year, "各年度")
    c.add(T.EVERY_YEAR_HEAD.format(years=years, condition=cond, n=len(common)), "")
    listed: list[Project] = []
    for p, _ in per_year[-1][1]:
        if p.name not in common:
            continue
        listed.append(p)
        c.add(f"**{p.name}**（{depts(p)}）")
        for _, ysel in per_year:
            for yp, inds in ysel:
                if yp.name == p.name:
                    c.add(*(indicator_line(yp, i) + " " + c.cite_indicator(yp, i) for i in inds))
    if not listed:
        c.add(T.EVERY_YEAR_NONE)
    return Result(c, projects=[(p, 1.0) for p in listed],
                  frame=ctx.frame(q, frame, [p.id for p in listed[:1]], plans=plans, listed=[p.id for p in listed]),
                  conditions=(cond,))


def _first_year_of(ind, word: str, plan_years: Sequence[str]) -> str | None:
    """The first plan year whose plan is ``word`` (拡充 from R3)."""
    return next((y for y in plan_years if (cell := ind.plan.get(y)) is not None and cell.word is not None
                 and cell.word.value == word), None)
