"""LOOKUP: the asked fields of one or more target projects (department, content, figures,
explanation, council comments), checked against the focus before anything is stated."""
from __future__ import annotations

from collections.abc import Sequence

from corpus.records import Plan, Project
from qa import answerability as A
from qa.compose import templates as T
from qa.compose.composer import Composer
from qa.compose.lines import SECTION_COMMENT, SECTION_CONTENT, SECTION_EXPLANATION, depts, one_line, quote, section_citation
from qa.execute.context import Context, Result
from qa.execute.records import PREPARING
from qa.execute.indicators import indicator_lines
from qa.frame import Frame
from qa.query import Field, Focus, Operation, Query
from qa.types import AnswerStatus
from qa.understand.years import year_label

FIELD_ORDER = (Field.DEPARTMENT, Field.CONTENT, Field.VALUE, Field.BASELINE, Field.PLAN, Field.STATUS, Field.INDICATORS,
               Field.EXPLANATION, Field.COMMENT)
INDICATOR_FIELDS = frozenset({Field.VALUE, Field.BASELINE, Field.PLAN, Field.STATUS, Field.INDICATORS})
OVERVIEW_FIELDS = (Field.CONTENT, Field.INDICATORS, Field.EXPLANATION)


def run(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    targets = ctx.targets(q)
    ranked = ctx.retrieve(q.retrieval_text, plans, k=8)
    from_retrieval = not targets
    if not targets:
        if not ranked or A.off_topic(ctx, q, ranked):
            return A.off_topic_result(ctx, q, plans)
        targets = [ranked[0].project]
    p0 = targets[0]
    fields = list(q.fields)
    c = ctx.composer()
    if q.focus in A.SPECIFIC_FOCUS and not A.plan_answers_when(q):
        found = A.focus_sentences(q, p0)
        if not found:
            return A.focus_missing(ctx, q, p0, frame, plans)
        c.add(T.SENTENCES_HEAD.format(name=p0.name, departments=depts(p0)))
        for section, sent in found:
            c.add(f"> {sent}", c.cite_section(p0, section))
        fields = [f for f in fields if f in (Field.DEPARTMENT, Field.COMMENT)]
    if q.focus is Focus.FIGURE and not any(i.id in q.indicator_ids for i in p0.indicators):
        missing = A.uncovered_nouns(q, p0, ctx.plan_of(p0).city)
        if missing:
            # 「児童館の職員は何人」: the counted thing is nowhere in the project's texts
            what = "・".join(missing)
            return A.focus_missing(ctx, q, p0, frame, plans, what=what if what.endswith("数") else T.NUMBER_OF.format(what=what))
    if from_retrieval and fields and Field.CONTENT not in fields and q.focus is None:
        fields.insert(0, Field.CONTENT)  # a programme found for the question is introduced before its details
    related = None
    if not fields and q.focus is None:
        fields = list(OVERVIEW_FIELDS) if q.operation is Operation.LOOKUP else [Field.CONTENT]
        if q.operation is not Operation.LOOKUP:
            # a need about a named programme (「産後ケアって泊まりもできる？」): its passage nearest the question
            mine = next((r for r in ranked if r.project.id == p0.id), None)
            related = next((p for p in (mine.passages if mine else ()) if p.section != SECTION_CONTENT), None)
    wanted = [f for f in FIELD_ORDER if f in fields]
    status = AnswerStatus.ANSWERED
    indicators: list = []
    done_indicators = False
    for fld in wanted:
        if fld is Field.DEPARTMENT:
            for p in targets[:3]:
                c.add(T.DEPARTMENT_LINE.format(name=p.name, departments=depts(p), cite=c.cite_section(p, SECTION_CONTENT)))
        elif fld is Field.CONTENT:
            for p in targets[:3]:
                c.add(T.PROJECT_HEAD.format(name=p.name, departments=depts(p)),
                      T.CONTENT_LINE.format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
            if related is not None:
                c.add(T.RELATED_LINE.format(quote=quote(related.text), cite=c.cite(related)))
        elif fld in INDICATOR_FIELDS and not done_indicators:
            done_indicators = True
            if A.plan_answers_when(q):
                c.add(*plan_starts(targets[:2]))
            rows, missing = indicator_lines(ctx, q, targets, c)
            indicators += rows
            if missing:
                status = AnswerStatus.NO_ANSWER
        elif fld is Field.EXPLANATION:
            _explanations(targets[:2], c)
        elif fld is Field.COMMENT:
            _comments(targets[:2], c)
    ordered = [(p, 1.0) for p in targets]
    if from_retrieval:  # a guessed target: the close candidates come along
        ordered += [(r.project, min(r.score, 0.99)) for r in ranked if r.project.id not in {t.id for t in targets}][:4]
    if status is AnswerStatus.NO_ANSWER:
        c.lines.insert(0, T.NOT_IN_DOCUMENT)
    return Result(c, status=status, projects=ordered, indicators=indicators,
                  frame=ctx.frame(q, frame, [p.id for p in targets], plans=plans,
                                  listed=[p.id for p in targets] if len(targets) > 1 else None),
                  followups=followups(p0, wanted))


def plan_starts(projects: Sequence[Project]) -> list[str]:
    """「計画ではいつ実施？」: the first plan year of each qualitative indicator whose word is no longer
    a preparation (検討・準備), read from the plan row."""
    out = []
    for p in projects:
        for i in p.indicators:
            words = [(y, c.word.value) for y, c in i.plan.items() if c.word is not None]
            prep = [y for y, w in words if w in PREPARING]
            start = next(((y, w) for y, w in words if w not in PREPARING and w != "－"), None)
            if prep and start:
                out.append(T.PLAN_STARTS.format(project=p.name, indicator=i.name, year=year_label(start[0]), word=start[1]))
    return out


def _explanations(projects: Sequence[Project], c: Composer) -> None:
    for p in projects:
        if not p.result_explanation:
            c.add(T.NO_EXPLANATION.format(name=p.name))
            continue
        c.add("", T.EXPLANATION_HEAD.format(name=p.name, departments=depts(p)))
        c.add(*(f"> {para}" for para in p.result_explanation.split("\n")))
        c.add(c.cite_section(p, SECTION_EXPLANATION))


def _comments(projects: Sequence[Project], c: Composer) -> None:
    for p in projects:
        if not p.council_comments:
            c.add("", T.COMMENT_NONE.format(name=p.name, departments=depts(p)))
            continue
        c.add("", T.COMMENT_HEAD.format(name=p.name, departments=depts(p)))
        for comment in p.council_comments:
            c.add(*(f"> {line}" for line in comment.split("\n")))
            c.add(c.cite(section_citation(p, SECTION_COMMENT, comment)))


def followups(p: Project, shown: Sequence[Field]) -> tuple[str, ...]:
    """Next questions about the project that ask what this answer did not show."""
    offers = ((Field.EXPLANATION, T.FOLLOW_EXPLANATION), (Field.VALUE, T.FOLLOW_INDICATORS), (Field.PLAN, T.FOLLOW_PLAN),
              (Field.COMMENT, T.FOLLOW_COMMENT), (Field.DEPARTMENT, T.FOLLOW_DEPARTMENT))
    ind = {Field.VALUE, Field.INDICATORS, Field.STATUS, Field.BASELINE}
    out = [tpl.format(name=p.name) for fld, tpl in offers
           if fld not in shown and not (fld is Field.VALUE and ind & set(shown))]
    return tuple(out[:3])
