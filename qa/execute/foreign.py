"""A question in another language than Japanese: the closest programme framed in the question's
language, quoting the Japanese names, figures and passages with their pages."""
from __future__ import annotations

from collections.abc import Sequence

from corpus.records import Plan
from qa import answerability as A
from qa.compose import templates as T
from qa.compose.lines import SECTION_COMMENT, SECTION_CONTENT, SECTION_EXPLANATION, depts, indicator_row, one_line, quote, result_text, section_citation, with_unit
from qa.execute.context import Context, Result, document_label
from qa.execute.search import low_confidence
from qa.frame import Frame
from qa.query import Field, Query
from qa.types import Confidence


def run(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    targets = ctx.targets(q)
    ranked = ctx.retrieve(q.retrieval_text, plans, k=8)
    if not targets:
        if not ranked or A.off_topic(ctx, q, ranked):
            return ctx.no(T.EN_OFF_TOPIC)
        targets = [ranked[0].project]
    p = targets[0]
    low = not q.targets and low_confidence(ranked)
    c = ctx.composer()
    doc = document_label(ctx.plan_of(p))
    c.add((T.EN_INTRO_LOW if low else T.EN_INTRO).format(document=doc, name=p.name, departments=depts(p)), "")
    c.add(T.EN_CONTENT.format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
    rows = []
    for i in p.indicators:
        if i.result is not None and i.result.text:
            c.add(T.EN_RESULT.format(year=i.result_year, indicator=i.name, result=result_text(i),
                                     baseline_year=i.baseline_year, baseline=with_unit(i.baseline.text, i.unit),
                                     plan=i.plan_r2.text, cite=c.cite_indicator(p, i)))
        elif i.result is not None:
            c.add(T.EN_RESULT_TEXT.format(year=i.result_year, indicator=i.name, evidence=quote(i.result.evidence, 160),
                                          cite=c.cite_indicator(p, i)))
        rows.append(indicator_row(p, i))
    if p.result_explanation:
        c.add(T.EN_EXPLANATION.format(quote=quote(p.result_explanation, 400), cite=c.cite_section(p, SECTION_EXPLANATION)))
    if Field.COMMENT in q.fields:
        for comment in p.council_comments:
            c.add(T.EN_COMMENT.format(quote=quote(comment, 300), cite=c.cite(section_citation(p, SECTION_COMMENT, comment))))
        if not p.council_comments:
            c.add(T.EN_NO_COMMENT)
    ordered = [(p, 1.0)] + [(r.project, min(r.score, 0.99)) for r in ranked if r.project.id != p.id][:4]
    return Result(c, projects=ordered, indicators=rows, frame=ctx.frame(q, frame, [p.id], plans=plans),
                  confidence=Confidence.LOW if low else Confidence.HIGH,
                  choices=tuple(T.CHOICE.format(name=r.project.name) for r in ranked[:3]) if low else ())
