"""Answerability: is what the question asks for in the documents at all?

Before an operation runs, ``precheck`` refuses what no loaded document can answer (a goal or
policy the plan does not have, another city, a year no evaluation reports). While a project is
answered, ``focus_sentences`` / ``uncovered_nouns`` decide whether its texts contain the asked
kind of fact (a date, an amount, a name, a breakdown, a counted thing); when they do not,
``focus_missing`` says so and what the document does hold about the project. ``off_topic``
judges a question that matches no project well.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from corpus.records import Plan, Project
from index.text import normalize, split_sentences
from qa.compose import templates as T
from qa.compose.lines import SECTION_CONTENT, SECTION_EXPLANATION, depts, one_line, plan_values_line, result_text, section_text
from qa.execute.context import Context, Ranked, Result, short_title
from qa.frame import Frame
from qa.query import Field, Focus, Operation, Query
from qa.types import AnswerStatus
from qa.understand import SPECIFIC_FOCUS  # noqa: F401 (the kinds of fact checked here)
from qa.understand import lexicon as lx
from qa.understand.vocabulary import noun_phrases

# Off-topic evidence: e5 cosines bunch in 0.80-0.93 on this corpus. Over the tuning questions that
# have a word the documents never use, every off-topic one has its best passage below 0.855 and
# every answerable one (colloquial needs, long stories) at 0.862 or above; the BM25/dense
# disagreement and term coverage, used before, flagged long colloquial needs as off-topic.
OFF_TOPIC_DENSE = 0.855
# ... or when almost none of the question's term weight is in its best project and the retrievers
# disagree on it (放課後子ども教室: 7 %; the answerable long stories with unknown words hold 18 % or more).
OFF_TOPIC_COVERAGE = 0.15
# Both retrievers ranking one project first is evidence of its own: a weak passage then makes the
# question off-topic only when the project holds under 30 % of the question's term weight
# (「ガイドブックのような冊子」: 41 %, answered; a ramen shop near the station: 10 %), or when the
# unknown word is what the question is about (「図書館の開館時間」: 65 %, but about a library).
OFF_TOPIC_AGREED_COVERAGE = 0.3
OFF_TOPIC_DENSE_EN = 0.81  # English questions sit lower against Japanese passages
_KANJI = re.compile(r"[\u3400-\u9fff]")
_FOCUS_PATTERNS = {
    Focus.AMOUNT: re.compile(r"[0-9０-９][0-9０-９,，]*\s*円"),
    Focus.TIME: re.compile(r"[0-9０-９]{1,2}\s*時"),
    Focus.DATE: re.compile(r"([0-9０-９元]{1,4}\s*年\s*)?[0-9０-９]{1,2}\s*月(\s*[0-9０-９]{1,2}\s*日)?|年度(から|まで|より)"),
    # a surname with 氏 or さん (様 is mostly 同様, 多様 in these texts)
    Focus.NAME: re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{1,4}\s*(氏|さん)(?![\u4e00-\u9fff])"),
    Focus.CONTACT: re.compile(r"[0-9]{2,4}-[0-9]{2,4}-[0-9]{3,4}|https?://|@"),
    Focus.PROCEDURE: re.compile(r"申込|申し込|申請|手続|予約|登録"),
    Focus.BREAKDOWN: re.compile(r"[0-9０-９]"),
    Focus.TITLE: re.compile(r"[「『][^」』]{2,}[」』]"),
}


# --- before an operation ----------------------------------------------------------------------------------
def precheck(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result | None:
    """A no-answer for what the loaded documents cannot contain, else None."""
    if lx.NOT_A_QUESTION(q.text) and not q.targets:
        return ctx.no(T.NOT_A_QUESTION, reading=T.READING_TASK)
    goals = {g.number for p in plans for g in p.goals}
    for g in q.filters.goals:
        if g not in goals:
            return ctx.no(T.NO_SUCH_GOAL.format(goal=g, goals="、".join(f"目標{n}" for n in sorted(goals))))
    policies = {x.code for p in plans for x in p.policies}
    for code in q.filters.policies:
        if code not in policies:
            return ctx.no(T.NO_SUCH_POLICY.format(policy=code, policies="、".join(sorted(policies))))
    if q.focus is Focus.OTHER_CITY:
        m = re.search(r"[\u4e00-\u9fff]{2,4}(市|区|町|村)", q.text)
        cities = "、".join(dict.fromkeys(p.city for p in plans))
        return ctx.no(T.OTHER_CITY.format(city=cities, other=m.group(0) if m else T.ANOTHER_CITY))
    later = later_years(ctx, q)
    if later:
        return later_year(ctx, q, frame, plans, later)
    return None


def later_years(ctx: Context, q: Query) -> list[str]:
    """Result years asked that no loaded document reports (R3 results when only R2 is loaded)."""
    if not q.years or (Field.PLAN in q.fields and not lx.ASKS_RESULT(q.text)):
        return []
    if q.operation in (Operation.LIST, Operation.COUNT) and q.filters.plan_word:
        return []
    have = {p.fiscal_year for p in ctx.plans}
    newest = max(p.year_number for p in ctx.plans)
    later = []
    for y in q.years:
        if not y.startswith("R"):
            continue
        n = 1 if y == "R1" else int(y[1:])
        if y not in have and (n > newest or (n < newest and Field.VALUE in q.fields)):
            later.append(y)
    asks_result = bool({Field.VALUE, Field.STATUS, Field.EXPLANATION} & set(q.fields)) or q.focus is Focus.FIGURE \
        or q.filters.status is not None or lx.ASKS_RESULT(q.text)
    return later if asks_result else []


def later_year(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan], years: list[str]) -> Result:
    """No result for that year; for reference, the plan values the document has for it."""
    from qa.execute.indicators import pick_indicators
    from qa.compose.lines import indicator_row

    have = "、".join(sorted({T.YEAR_OF_CITY.format(year=p.fiscal_year, city=p.city) for p in ctx.plans}))
    c = ctx.composer()
    c.add(T.NO_RESULT_YEAR.format(have=have, year="、".join(years)), T.NOT_IN_DOCUMENT)
    targets = ctx.targets(q)
    rows = []
    if targets:
        plan_years = [y for y in years if y in ctx.plan_of(targets[0]).plan_years]
        picked = pick_indicators(q, targets)
        if plan_years and picked:
            c.add("", T.FOR_REFERENCE)
            for p, i in picked:
                r = result_text(i)
                r2 = T.WITH_RESULT.format(year=i.result_year, result=r) if r and i.result and i.result.text else ""
                c.add(T.PLAN_REFERENCE_LINE.format(project=p.name, indicator=i.name, result=r2,
                                                   plans=plan_values_line(i, tuple(plan_years)), cite=c.cite_indicator(p, i)))
                rows.append(indicator_row(p, i))
    return Result(c, status=AnswerStatus.NO_ANSWER, projects=[(p, 1.0) for p in targets], indicators=rows,
                  frame=ctx.frame(q, frame, [p.id for p in targets], plans=plans))


# --- while answering one project --------------------------------------------------------------------------
def plan_answers_when(q: Query) -> bool:
    """「計画ではいつ実施される？」: the plan's years answer a question of time about the plan."""
    return q.focus is Focus.DATE and Field.PLAN in q.fields


def focus_sentences(q: Query, p: Project) -> list[tuple[str, str]]:
    """Sentences of the project that state what the focus asks (a date, an amount …), best first.

    A sentence is evidence when it states that kind of fact *about what the question asks*: when
    the question has words of its own beyond the project's name (所得制限, 年収), the sentence must
    share one (an amount of the copay does not answer an income threshold). A breakdown needs a
    figure next to a qualifier the indicators' names do not have (新規の相談 of 虐待相談件数)."""
    pattern = _FOCUS_PATTERNS.get(q.focus)
    if pattern is None:
        return []
    from index.text import terms

    qterms = set(terms(q.text))
    own = [w for w in q.subject if w not in normalize(" ".join([p.name, *p.aliases]))]
    if q.focus is Focus.BREAKDOWN:
        names = normalize(" ".join(i.name for i in p.indicators))
        own = [w for w in own if w not in names]
        if not own:
            return []
    found = []
    for section in (SECTION_CONTENT, SECTION_EXPLANATION):
        text = section_text(p, section)
        if not text:
            continue
        for sent in split_sentences(text):
            norm = normalize(sent)
            if pattern.search(unicodedata.normalize("NFKC", sent)) and (not own or any(w in norm for w in own)):
                found.append((len(qterms & set(terms(sent))), section, sent.strip()))
    found.sort(key=lambda t: -t[0])
    return [(sec, s) for _, sec, s in found[:3]]


def uncovered_nouns(q: Query, p: Project, place: str = "") -> list[str]:
    """Nouns of the question that neither name the project (or the document's ``place``) nor occur
    anywhere in its texts.

    A compound counts as a whole first (来場者 is a paraphrase of 来館者数 though 来場 alone is not)."""
    texts = normalize(" ".join([place, p.name, *p.aliases, p.content, p.result_explanation or "", *p.council_comments,
                                *(i.name for i in p.indicators)]))

    names = [normalize(n) for n in (p.name, *p.aliases)]

    def covered(word: str) -> bool:
        return (word in texts or any(paraphrases(word, i.name) for i in p.indicators)
                or any(pieces_of(word, n) for n in names))

    out: list[str] = []
    kept: list[str] = []
    for word in noun_phrases(q.text):
        if any(word in k for k in kept):
            continue  # part of a compound the project covers
        if covered(word):
            kept.append(word)
        elif len(word) >= 2 and _KANJI.search(word) and word not in lx.GENERIC_NOUNS and word not in lx.DOCUMENT_WORDS:
            out.append(word)
    # a compound the project lacks is reported whole (待機児童数, not 待機)
    return [w for w in out if not any(o != w and w in o for o in out)]


def pieces_of(word: str, name: str, least: int = 2) -> bool:
    """The word is pieces of the name put in another order (上乗せ給付 of 施設等利用給付の上乗せ), each
    piece ``least`` characters or more: a way of saying the project's name."""
    i = 0
    while i < len(word):
        j = next((j for j in range(len(word), i + least - 1, -1) if word[i:j] in name), None)
        if j is None:
            return False
        i = j
    return bool(word)


def paraphrases(word: str, name: str) -> bool:
    """A paraphrase of a word of the indicator's name: the same first and last kanji around another
    middle (来場者 for 来館者数), within a word's length."""
    kanji = "".join(ch for ch in word if _KANJI.match(ch))
    if len(kanji) < 3:
        return False
    return re.search(re.escape(kanji[0]) + r"[\u3400-\u9fff]{0,%d}" % (len(kanji) - 1) + re.escape(kanji[-1]), name) is not None


def focus_missing(ctx: Context, q: Query, p: Project, frame: Frame | None, plans: Sequence[Plan],
                  what: str | None = None) -> Result:
    """「この資料には金額についての記載がありません」 and what the document does hold about ``p``."""
    what = what or T.FOCUS_NAMES.get(q.focus.value, T.ASKED_THING)
    c = ctx.composer()
    c.add(T.FOCUS_MISSING.format(what=what))
    more = T.HOLDS_INDICATORS if p.indicators else ""
    more += T.HOLDS_EXPLANATION if p.result_explanation else ""
    c.add("", T.WHAT_IT_HOLDS.format(project=p.name, departments=depts(p), more=more))
    c.add(T.CONTENT_LINE.format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
    return Result(c, status=AnswerStatus.NO_ANSWER, projects=[(p, 1.0)],
                  frame=ctx.frame(q, frame, [p.id], plans=plans, fields=()),
                  followups=(T.FOLLOW_INDICATORS.format(name=p.name), T.FOLLOW_EXPLANATION.format(name=p.name)))


# --- a question that matches nothing well ------------------------------------------------------------------
def off_topic(ctx: Context, q: Query, ranked: Sequence[Ranked]) -> bool:
    """The question is about something the documents do not cover.

    Colloquial questions often use words the document does not (費用, 仕事), so an unknown
    word alone is not enough: it takes an unknown kanji noun *and* a weak best passage.
    Questions in other languages are judged by ``qa.execute.foreign.off_topic``."""
    if q.targets or q.filters.any:
        return False
    if not ranked:
        return True
    unknown = ctx.unknown_nouns(q.text)
    if not unknown:
        return False
    top = ranked[0]
    supported = top.agreed and top.coverage >= OFF_TOPIC_AGREED_COVERAGE and not _is_topic(q.text, unknown)
    return (top.dense_score < OFF_TOPIC_DENSE and not supported) or (not top.agreed and top.coverage < OFF_TOPIC_COVERAGE)


def _is_topic(text: str, words: Sequence[str]) -> bool:
    """Whether an unknown word is what the question is about (図書館の開館時間, 待機児童数は), not a
    word beside it (ガイドブックのような冊子)."""
    return any(re.match(r"[^の、。?？]{0,4}?(の(?!よう|みたい|ような)|は|って|とは)", text[i + len(w):])
               for w in words for i in [text.find(w)] if i >= 0)


def off_topic_result(ctx: Context, q: Query, plans: Sequence[Plan]) -> Result:
    docs = "、".join(T.DOCUMENT_SHORT.format(city=p.city, title=short_title(p), year=p.fiscal_year) for p in plans)
    return ctx.no(T.OFF_TOPIC.format(documents=docs))
