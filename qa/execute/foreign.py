"""A question in English, Chinese (either script), Korean or Vietnamese: the closest programme
framed in the question's language, quoting the Japanese names, figures and passages with their
pages.

The frame's sentences are ``qa.compose.phrases`` of the answer's language (``Query.language``:
"en", "zh-Hans", "zh-Hant", "ko", "vi"); fiscal years are shown the reader's way with the
document's era year beside them ("FY2020 (令和2年度)", 「2020年度（令和2年度）」). What the question
asks chooses the lines: the department line for "who runs it", the council's comments when asked,
the figures and the explanation unless only the department, the comments or what it is are asked,
and an asked kind of fact (an amount, a date …) only when the project's texts state it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from corpus.records import Plan, Project
from qa import answerability as A
from qa.compose import templates as T
from qa.compose.lines import (
    SECTION_COMMENT,
    SECTION_CONTENT,
    SECTION_EXPLANATION,
    depts,
    indicator_row,
    one_line,
    quote,
    result_text,
    section_citation,
    with_unit,
)
from qa.compose.phrases import focus_name, phrases
from qa.execute.context import Context, Ranked, Result, document_label
from qa.execute.search import low_confidence
from qa.frame import Frame
from qa.query import Field, Operation, Query, Target
from qa.types import AnswerStatus, Confidence
from qa.understand import lexicon as lx
from qa.understand import own_subject
from index.text import normalize
from qa.understand.termbase import japanese_forms, japanese_terms
from qa.understand.vocabulary import NAME_STRONG, named_projects, without_names
from qa.understand.years import year_label

__all__ = ["in_japanese", "no_history", "off_topic", "only_instructions", "precheck", "run", "subject_of_ellipsis",
           "understood"]

# asks answered without the figures and the explanation (「担当はどこ？」「会議の意見は？」「とは？」); the
# content is shown in every answer, and "what is" (是什么, 무엇인가요, là gì) ends many questions
WITHOUT_DETAILS = frozenset({Field.DEPARTMENT, Field.COMMENT, Field.CONTENT})
# languages whose questions are bridged to the documents by ``qa.understand.termbase``'s rows
TERM_BASE_LANGUAGES = ("zh", "ko", "vi")
# below this dense score, a question in those languages that no term of the term base matched is off
# topic: on-topic questions' best passage scored 0.81-0.84 at least, off-topic ones 0.83 at most, and
# every on-topic question matched a term (benchmarks/multilingual.md)
OFF_TOPIC_DENSE_TERMLESS = 0.85
# through ``Target.via``: the question itself, or the conversation, named the target
SURE_TARGETS = frozenset({"name", "indicator", "frame", "ordinal"})


def run(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
    P = phrases(q.language)
    targets = ctx.targets(q)
    ranked = ctx.retrieve(q.retrieval_text, plans, k=8)
    if not targets:
        if not ranked or off_topic(ctx, q, ranked):
            return ctx.no(P["off_topic"])
        targets = [ranked[0].project]
    p = targets[0]
    sure = any(t.via in SURE_TARGETS for t in q.targets)
    low = not sure and low_confidence(ranked)
    # the subject of a question in another language is its term base's concepts, which describe the
    # programme (産後, 宿泊, 所得制限) rather than the fact asked: the kind of fact alone selects the evidence
    stated = A.focus_sentences(q.with_(subject=()), p) if q.focus in A.SPECIFIC_FOCUS else []
    if q.focus in A.SPECIFIC_FOCUS and not stated:
        return _focus_missing(ctx, q, p, frame, plans, P)
    c = ctx.composer()
    intro = (P["intro_low"] if low else P["intro"]).format(document=document_label(ctx.plan_of(p)), name=p.name,
                                                           departments=depts(p))
    department = P["department"].format(name=p.name, departments=depts(p), cite=c.cite_section(p, SECTION_CONTENT))
    if Field.DEPARTMENT in q.fields and not low:
        c.add(department, "")
    else:
        c.add(intro, "")
        if Field.DEPARTMENT in q.fields:
            c.add(department)
    c.add(P["content"].format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
    for section, sentence in stated:
        if section != SECTION_CONTENT:  # the content is shown whole just above
            c.add(P["stated"].format(quote=quote(sentence, 300), cite=c.cite_section(p, section)))
    details = not (q.fields and set(q.fields) <= WITHOUT_DETAILS) and not stated
    rows = []
    for i in p.indicators:
        if details and i.result is not None and i.result.text:
            c.add(P["result"].format(year=year_label(i.result_year, q.language), indicator=i.name, result=result_text(i),
                                     baseline_year=year_label(i.baseline_year, q.language),
                                     baseline=with_unit(i.baseline.text, i.unit), plan=i.plan_r2.text,
                                     cite=c.cite_indicator(p, i)))
        elif details and i.result is not None:
            c.add(P["result_text"].format(year=year_label(i.result_year, q.language), indicator=i.name,
                                          evidence=quote(i.result.evidence, 160), cite=c.cite_indicator(p, i)))
        rows.append(indicator_row(p, i))
    if details and p.result_explanation:
        c.add(P["explanation"].format(quote=quote(p.result_explanation, 400), cite=c.cite_section(p, SECTION_EXPLANATION)))
    if Field.COMMENT in q.fields:
        for comment in p.council_comments:
            c.add(P["comment"].format(quote=quote(comment, 300), cite=c.cite(section_citation(p, SECTION_COMMENT, comment))))
        if not p.council_comments:
            c.add(P["no_comment"])
    ordered = [(p, 1.0)]
    if not sure:  # a guessed target: the close candidates come along
        ordered += [(r.project, min(r.score, 0.99)) for r in ranked if r.project.id != p.id][:4]
    return Result(c, projects=ordered, indicators=rows, frame=ctx.frame(q, frame, [p.id], plans=plans),
                  confidence=Confidence.LOW if low else Confidence.HIGH,
                  choices=tuple(P["choice"].format(name=r.project.name) for r in ranked[:3]) if low else ())


def _focus_missing(ctx: Context, q: Query, p: Project, frame: Frame | None, plans: Sequence[Plan],
                   P: Mapping[str, str]) -> Result:
    """The asked kind of fact (an amount, a date …) is not in the project's texts: say so, and what
    the document does hold about the project."""
    c = ctx.composer()
    c.add(P["focus_missing"].format(what=focus_name(q.language, q.focus.value),
                                    what_ja=T.FOCUS_NAMES.get(q.focus.value, T.ASKED_THING)), "")
    c.add(P["intro"].format(document=document_label(ctx.plan_of(p)), name=p.name, departments=depts(p)))
    c.add(P["content"].format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
    return Result(c, status=AnswerStatus.NO_ANSWER, projects=[(p, 1.0)],
                  frame=ctx.frame(q, frame, [p.id], plans=plans, fields=()))


def precheck(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result | None:
    """``qa.answerability.precheck`` for a framed question: a result of a year no loaded document
    reports is refused in the question's language; the rest as for Japanese."""
    later = A.later_years(ctx, q)
    if not later:
        return A.precheck(ctx, q, frame, plans)
    P = phrases(q.language)
    join = P["list_join"]
    have = join.join(year_label(y, q.language) for y in sorted({p.fiscal_year for p in ctx.plans}))
    c = ctx.composer()
    c.add(P["no_result_year"].format(have=have, year=join.join(year_label(y, q.language) for y in later)))
    targets = ctx.targets(q)
    return Result(c, status=AnswerStatus.NO_ANSWER, projects=[(p, 1.0) for p in targets],
                  frame=ctx.frame(q, frame, [p.id for p in targets], plans=plans))


def off_topic(ctx: Context, q: Query, ranked: Sequence[Ranked]) -> bool:
    """The question is about something the documents do not cover.

    English: a weak dense match (English sits lower against Japanese passages than Japanese).
    Chinese, Korean and Vietnamese: no word of the term base matched *and* a weak dense match (the
    dense score alone overlaps on- and off-topic questions by a hair, see
    ``benchmarks/multilingual.md``)."""
    if q.targets or q.filters.any:
        return False
    if not ranked:
        return True
    lang = q.language.split("-")[0]
    if lang not in TERM_BASE_LANGUAGES:
        return ranked[0].dense_score < A.OFF_TOPIC_DENSE_EN
    return not japanese_terms(q.text, lang) and ranked[0].dense_score < OFF_TOPIC_DENSE_TERMLESS


def understood(ctx: Context, q: Query, plans: Sequence[Plan]) -> Query:
    """What the Japanese understanding cannot read in a question of another language.

    Its subject (``Query.subject``, which the conversation weighs against the previous target) is
    the content words of the Japanese terms its words stand for, never its own words read as
    Japanese (它的, 哪個 in Japanese character forms are no subject); and a "what about X"
    question gets X as its target (``subject_of_ellipsis``)."""
    if q.language.startswith("zh") and not q.targets:
        q = _named_in_chinese(q, plans)
    terms = japanese_terms(q.text, q.language)
    q = q.with_(subject=own_subject(without_names(terms, ctx.targets(q))) if terms else ())
    return subject_of_ellipsis(ctx, q, plans)


def _named_in_chinese(q: Query, plans: Sequence[Plan]) -> Query:
    """A project named in Chinese characters (儿童馆, 兒童館) is named in the documents' character
    forms (児童館). Only the names are read that way: the question itself stays Chinese, so its
    asking words (多少钱, 负责部门) and pointing words are read as written."""
    projects = [p for plan in plans for p in plan.projects]
    named = [m for m in named_projects(normalize(japanese_forms(q.text)), projects) if m.score >= NAME_STRONG]
    if any(m.bracket for m in named):
        named = [m for m in named if m.bracket]  # （幼稚園）: that one, not its sibling
    if not named:
        return q
    return q.with_(targets=tuple(Target(m.project_id, min(1.0, m.score), "name") for m in named))


def subject_of_ellipsis(ctx: Context, q: Query, plans: Sequence[Plan]) -> Query:
    """「那儿童馆呢？」「아동관은요?」「Còn nhà thiếu nhi thì sao?」: another subject, nothing asked of it.

    Read as a fragment, as 「じゃあ児童館は？」 is in Japanese, so the conversation asks the previous
    question about it. A subject in the reader's own words names no project by itself: the one
    retrieval finds for it becomes the target, unless the question is off topic."""
    if q.fields or q.focus is not None or q.filters.any or not lx.FOREIGN_ELLIPSIS(q.text):
        return q
    if q.targets:
        return q.with_(fragment=True)
    ranked = ctx.retrieve(q.retrieval_text, plans, k=3)
    if not ranked or off_topic(ctx, q, ranked):
        return q
    return q.with_(targets=(Target(ranked[0].project.id, min(1.0, ranked[0].score), "retrieval"),), fragment=True,
                   operation=Operation.LOOKUP)


def in_japanese(q: Query, res: Result) -> Result:
    """A whole-document answer (a list, a count, a ranking) for a question in another language:
    written as for Japanese, which names everything as the document does anyway, and introduced by
    a line in the question's language saying so."""
    res.composer.lines.insert(0, phrases(q.language)["in_japanese"])
    return res


def only_instructions(lang: str) -> str:
    """The message for a text that held nothing but orders to the assistant."""
    return phrases(lang)["only_instructions"]


def no_history(lang: str) -> str:
    """The message for a reference (它的, 그 사업, nó) with no earlier question to point at."""
    return phrases(lang)["no_history"]
