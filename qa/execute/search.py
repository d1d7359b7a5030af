"""SEARCH: the programme that fits a need, with close candidates; MORE: the further candidates of
the previous search. A search whose question names its target (or asks a specific kind of fact)
is a lookup of that target."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import re

from corpus.records import Plan, Project
from index.text import terms
from qa import answerability as A
from qa.compose import templates as T
from qa.compose.composer import Composer
from qa.compose.lines import SECTION_COMMENT, SECTION_CONTENT, SECTION_INDICATOR, depts, one_line, quote
from qa.execute import lookup
from qa.execute.context import Context, Ranked, Result
from qa.frame import Frame
from qa.query import Query
from qa.types import Confidence
from qa.understand.features import doing_words
from qa.understand.vocabulary import field_text

_KANJI = re.compile(r"[\u3400-\u9fff]")
# kanji in nearly every project's text say nothing about a need (子, 育 of 子育て; 支援)
COMMON_KANJI = frozenset("子育支援事業児童親市")

# Below this share of the question's terms found in the best project (and with the two
# retrievers disagreeing) a search answer is shown as a weak match with choices. At 0.5 every
# wrong first project of the dev and own sets is flagged, and 3 right ones of ~60 searches.
LOW_CONFIDENCE_COVERAGE = 0.5
CLOSE_SHOWN = 2  # close candidates described under the best match
OTHERS_NAMED = 2  # further candidates named in one line
MORE_SHOWN = 3  # candidates shown per 「ほかには？」


def run(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    if q.targets or q.fields or q.focus in A.SPECIFIC_FOCUS:
        # a search that asks something of the programme it finds (its comments, a figure, a date)
        # is a lookup of that programme, checked against its texts
        return lookup.run(ctx, q, frame, plans)
    if not q.subject and not q.filters.any and q.language == "ja" and not q.need and not doing_words(q.text):
        # 「こんにちは」: nothing to look for in the documents (「たすけて」 tells a situation: it is searched)
        return ctx.no(T.NOTHING_ASKED, reading=T.READING_NO_ASK)
    ranked = ctx.retrieve(q.retrieval_text, plans, k=8, filters=q.filters if q.filters.on_projects else None)
    if not ranked or A.off_topic(ctx, q, ranked):
        return A.off_topic_result(ctx, q, plans)
    top = ranked[0].project
    low = low_confidence(ranked)
    c = ctx.composer()
    head = T.SEARCH_HEAD_LOW if low else T.SEARCH_HEAD
    c.add(head.format(name=top.name, departments=depts(top)), "",
          T.CONTENT_LINE.format(content=one_line(top.content), cite=c.cite_section(top, SECTION_CONTENT)))
    for p in sorted(ranked[0].passages, key=lambda x: x.section == SECTION_COMMENT):
        if p.section not in (SECTION_CONTENT, SECTION_INDICATOR):
            c.add(T.RELATED_LINE.format(quote=quote(p.text), cite=c.cite(p)))
            break
    # a weak match offers only candidates that share a word with the need (a question about leaving a
    # baby somewhere is not offered the abuse programme)
    pool = [r for r in ranked[1:] if not low or plausible(q, r.project)]
    close = [r.project for r in pool[:CLOSE_SHOWN]]
    if close:
        c.add("", T.CLOSE_HEAD)
        for p in close:
            c.add(T.CLOSE_LINE.format(name=p.name, departments=depts(p), content=one_line(p.content),
                                      cite=c.cite_section(p, SECTION_CONTENT)))
    rest = [r.project for r in pool[CLOSE_SHOWN:CLOSE_SHOWN + OTHERS_NAMED]]
    if rest:
        c.add("", T.OTHERS_LINE.format(names="、".join(f"{p.name}（{depts(p)}）" for p in rest)))
    choices = tuple(T.CHOICE.format(name=p.name) for p in [top, *close]) if low else ()
    return Result(c, projects=[(r.project, r.score) for r in ranked[:5]],
                  frame=ctx.frame(q, frame, [top.id], plans=plans, remaining=[r.project.id for r in ranked[1:]], fields=()),
                  confidence=Confidence.LOW if low else Confidence.HIGH, choices=choices,
                  followups=(T.FOLLOW_EXPLANATION.format(name=top.name), T.FOLLOW_INDICATORS.format(name=top.name),
                             T.FOLLOW_MORE))


def plausible(q: Query, p: Project) -> bool:
    """Whether a candidate shares a word with the question: a lemma, or the kanji stem of one
    (預ける and 一時預かり share 預)."""
    asked = set(terms(q.retrieval_text))
    own = set(terms(field_text(p, "about")))
    if asked & own:
        return True
    stems = {ch for t in asked for ch in t if _KANJI.match(ch)} - COMMON_KANJI
    return any(ch in field_text(p, "about") for ch in stems)


def low_confidence(ranked: Sequence[Ranked]) -> bool:
    top = ranked[0]
    return not top.agreed and top.coverage < LOW_CONFIDENCE_COVERAGE


def more(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    if frame is None:
        return ctx.no(T.NO_HISTORY)
    remaining = ctx.projects(frame.remaining)
    if not remaining:
        return ctx.no(T.NO_MORE)
    shown, rest = remaining[:MORE_SHOWN], remaining[MORE_SHOWN:]
    c = Composer(ctx.labels())
    c.add(T.MORE_HEAD, "")
    for p in shown:
        c.add(T.CLOSE_LINE.format(name=p.name, departments=depts(p), content=one_line(p.content),
                                  cite=c.cite_section(p, SECTION_CONTENT)))
    n = len(shown)
    return Result(c, projects=[(p, 1.0 - i / (n + 1)) for i, p in enumerate(shown)],
                  frame=replace(frame, project_ids=(shown[0].id,), listed=tuple(p.id for p in shown),
                                remaining=tuple(p.id for p in rest)),
                  followups=(T.FOLLOW_MORE,) if rest else ())
