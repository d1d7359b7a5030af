"""Conversation: the reading of a turn.

A question is first understood on its own (``qa.understand``); the conversation then supplies
only what the question leaves open, and says what it supplied (``Reading.carried``):

* a narrowing of the last list (「その中で保育課のは？」): the list becomes a condition;
* an ordinal into the last list (「二つ目の」「最後に挙げた」「最初に聞いた」);
* the department of the last target (「同じ課が担当しているほかの事業」「ほかの課にも」);
* every item of the last answer (「それぞれ」「両方」);
* no subject of its own (「その担当課は？」「会議の意見は？」「じゃあH30は？」): the last target;
* an ellipsis with a new subject and no ask of its own (「じゃあ児童館は？」): the last ask.

A question that names its own target or states its own conditions is answered on its own.
One with content words of its own but no name is decided by evidence: the retrieval of the
question alone against how well the last target covers its words. A citizen describing a new
situation is a new topic.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from corpus.records import Plan, Project
from index.text import normalize
from qa.compose import templates as T
from qa.execute.context import Context, Ranked
from qa.frame import Frame
from qa.query import Field, Focus, Operation, Query, Target
from qa.understand import SPECIFIC_FOCUS
from qa.understand import lexicon as lx
from qa.understand.features import doing_words, has_nouns
from qa.understand.vocabulary import longest_common, name_forms, one_by_part

LIST_OPERATIONS = frozenset({Operation.LIST.value, Operation.COUNT.value, Operation.GROUP.value})
PART_MIN_RUN = 2
SIBLING_SHARED = 6  # characters of name two sibling projects share (施設等利用給付の上乗せ)
CARRY_COVERAGE = 0.5  # share of the question's own (rarity-weighted) words the previous target must hold  # 「認可外のほう」: a distinctive run of two characters picks one of the candidates


@dataclass(frozen=True)
class Reading:
    """A question as it is answered: the query with what the conversation supplied."""

    query: Query
    carried: tuple[str, ...] = ()  # what was taken from earlier turns, as short Japanese phrases
    needs_subject: bool = False  # points back with nothing to point at: ask which project is meant


def read(ctx: Context, q: Query, frame: Frame | None, plans: Sequence[Plan], *, same_message: bool = False) -> Reading:
    """The reading of one turn: ``q`` understood alone, completed from ``frame`` where it leaves a gap.

    ``same_message``: ``q`` is a later part of the message whose earlier part left ``frame``; a
    part that fits the earlier part's subject as well as a new one stays with it."""
    points_back = q.refers or q.subset or q.plural_ref or q.same_department or q.other_departments
    if frame is None or not (frame.project_ids or frame.listed):
        lacks = points_back and not q.targets and not q.filters.any and not q.subject and q.operation is not Operation.MORE
        return Reading(q, needs_subject=lacks)
    if q.operation is Operation.MORE:
        return Reading(q, carried=(T.CARRIED_MORE,))
    if q.subset and len(frame.listed) > 1 and frame.operation in LIST_OPERATIONS:
        return _narrowing(ctx, q, frame)
    if q.subset and not q.targets:
        # 「そのうち泊まりの利用は？」 after one programme's figures: a part of what was just shown
        return _carry(ctx, q.with_(operation=Operation.LOOKUP), frame, frame.project_ids[:1])
    if q.plural_ref and not q.targets and (frame.listed or len(frame.project_ids) > 1):
        # 「その3つについて…」: every item of the previous list, its conditions kept for their indicators
        return _carry(ctx, q, frame, frame.listed or frame.project_ids)
    if q.ordinal is not None and not q.targets:
        picked = _ordinal(ctx, q, frame)
        if picked is not None:
            return picked
    if (q.same_department or q.other_departments) and not q.targets:
        moved = _department(ctx, q, frame)
        if moved is not None:
            return moved
    candidates = list(dict.fromkeys((*frame.listed, *frame.project_ids)))
    if q.refers and (not q.targets or all(t.via == "indicator" for t in q.targets)):
        # 「認可外のほうの受給者数は？」: a distinctive part of one of the previous projects' names (among
        # the projects the question's own indicator words name, when it names some)
        own = {t.project_id for t in q.targets}
        picked = _pick_by_part(ctx, q.text, [c for c in candidates if not own or c in own])
        if picked is not None:
            return _carry(ctx, q, frame, (picked,))
        if q.elliptic and not q.targets:
            sibling = _sibling_by_part(ctx, q, frame)
            if sibling is not None:
                return _sibling_ellipsis(ctx, q, frame, sibling)
    if q.targets:
        return _ellipsis(ctx, q, frame) if _only_a_subject(q) and frame.fields else Reading(q)
    if (same_message and q.operation in (Operation.LIST, Operation.COUNT) and not q.filters.any and not q.subject
            and frame.operation in LIST_OPERATIONS):
        # 「…はいくつ？事業名を一覧にして」: the second ask shows the set the first one counted
        return Reading(q.with_(filters=frame.filters), carried=(T.CARRIED_LIST.format(n=len(frame.listed)),))
    if q.filters.any or q.operation in (Operation.LIST, Operation.COUNT, Operation.GROUP, Operation.SUMMARY,
                                        Operation.EXTREME):
        return Reading(q)
    if q.each and len(frame.project_ids) > 1:
        return _carry(ctx, q, frame, frame.project_ids)
    if not any(not lx.is_focus_word(w) for w in q.subject):
        # 「料金は？」: the only noun is the kind of fact asked, about the topic
        if _asks_nothing(q):
            return Reading(q)  # 「ありがとう」「はい」: a line of the chat, not a question about the topic
        # no words of its own beyond the ask: 「その担当課は？」「会議の意見は？」「じゃあH30は？」
        return _carry(ctx, q, frame, _referent(ctx, q, frame))
    if q.need and not q.refers and not same_message:
        return Reading(q)  # a need told in words of its own is a new situation: a new topic
    # words of its own and no name: the better-supported reading; a reference, or a later part of
    # the same message, leans to the previous target
    ranked = ctx.retrieve(q.retrieval_text, plans, k=3)
    if _prefers_frame(ctx, q, frame, ranked, lean=q.refers or same_message):
        return _carry(ctx, q, frame, _referent(ctx, q, frame))
    return Reading(q)


def _asks_nothing(q: Query) -> bool:
    """Nothing named and no field, figure, year, reference, condition or situation: thanks, a
    greeting, a yes (「次の版は？」 names something, and is a follow-up)."""
    return (q.operation in (Operation.SEARCH, Operation.LOOKUP) and not q.fields and q.focus is None and not q.years
            and not q.refers and not q.filters.any and not q.need and not doing_words(q.text)
            and not has_nouns(q.text))


# --- the kinds of completion ---------------------------------------------------------------------------
def _narrowing(ctx: Context, q: Query, frame: Frame) -> Reading:
    """「その中で…」: the previous list becomes a condition; the question's own conditions stay."""
    flt = replace(q.filters, within=frame.listed)
    op = q.operation if q.operation in (Operation.LIST, Operation.COUNT, Operation.GROUP, Operation.EXTREME) else Operation.LIST
    return Reading(q.with_(filters=flt, operation=op), carried=(T.CARRIED_LIST.format(n=len(frame.listed)),))


def _ordinal(ctx: Context, q: Query, frame: Frame) -> Reading | None:
    pool = frame.first if q.ordinal == -1 else (frame.listed or frame.project_ids)
    idx = 0 if q.ordinal == -1 else (len(pool) - 1 if q.ordinal == 0 else q.ordinal - 1)
    if not 0 <= idx < len(pool):
        return None
    p = ctx.project(pool[idx])
    if p is None:
        return None
    fields = q.fields or tuple(Field(f) for f in frame.fields)
    # an ordinal picks one item: whatever else the words suggested, it is a lookup of that item
    op = q.operation if q.operation in (Operation.TREND, Operation.COMPARE) else Operation.LOOKUP
    phrase = T.CARRIED_FIRST.format(name=p.name) if q.ordinal == -1 else T.CARRIED_TARGET.format(name=p.name)
    return Reading(q.with_(targets=(Target(p.id, 1.0, "ordinal"),), fields=fields, operation=op), carried=(phrase,))


def _department(ctx: Context, q: Query, frame: Frame) -> Reading | None:
    """「同じ課が担当しているほかの事業」 lists the department; 「ほかの課にも…」 searches outside it."""
    depts = tuple(dict.fromkeys(d for p in ctx.projects(frame.project_ids) for d in p.departments))
    if not depts:
        return None
    phrase = T.CARRIED_DEPARTMENT.format(departments="・".join(depts))
    if q.other_departments:
        if frame.operation in LIST_OPERATIONS and not q.filters.any and not q.subject:
            # 「ほかの課にもある？」 after a list: the same conditions, other departments
            depts = frame.filters.departments or depts
            flt = replace(frame.filters, departments=(), within=(), exclude_departments=depts)
            return Reading(q.with_(filters=flt, operation=Operation(frame.operation)),
                           carried=(T.CARRIED_LIST_CONDITIONS, T.CARRIED_DEPARTMENT.format(departments="・".join(depts))))
        return Reading(q.with_(filters=replace(q.filters, exclude_departments=depts)), carried=(phrase,))
    if not (q.others or "事業" in q.text):
        return None  # 「その担当課は？」 asks for the department itself
    flt = replace(q.filters, departments=q.filters.departments or depts,
                  exclude_projects=frame.project_ids if q.others else ())
    return Reading(q.with_(filters=flt, operation=Operation.LIST), carried=(phrase,))


def _ellipsis(ctx: Context, q: Query, frame: Frame) -> Reading:
    """「じゃあ児童館は？」: a new subject asked the same thing as before."""
    fields = tuple(Field(f) for f in frame.fields)
    labels = "・".join(T.FIELD_LABELS.get(f.value, f.value) for f in fields)
    return Reading(q.with_(fields=fields, operation=Operation.LOOKUP), carried=(T.CARRIED_ASK.format(fields=labels),))


def _sibling_by_part(ctx: Context, q: Query, frame: Frame) -> Project | None:
    """「じゃあ幼稚園のほうは？」 after 施設等利用給付の上乗せ（認可外保育施設）: the project whose name is
    the previous target's but for the part the question says."""
    current = ctx.projects(frame.project_ids[:1])
    if not current:
        return None
    name = normalize(current[0].name)
    siblings = [p for plan in ctx.plans for p in plan.projects
                if p.id != current[0].id and len(longest_common(name, normalize(p.name))) >= SIBLING_SHARED]
    picked = one_by_part(normalize(q.text), [current[0], *siblings])
    return picked if picked is not None and picked.id != current[0].id else None


def _sibling_ellipsis(ctx: Context, q: Query, frame: Frame, sibling: Project) -> Reading:
    """The previous ask, of the sibling project: its indicators of the same names."""
    asked = {i.name for p in ctx.projects(frame.project_ids) for i in p.indicators if i.id in frame.indicator_ids}
    indicator_ids = tuple(i.id for i in sibling.indicators if i.name in asked)
    reading = _ellipsis(ctx, q, frame)
    return Reading(reading.query.with_(targets=(Target(sibling.id, 1.0, "name"),), indicator_ids=indicator_ids),
                   carried=reading.carried)


def _carry(ctx: Context, q: Query, frame: Frame, project_ids: Sequence[str]) -> Reading:
    """The question is about the previous target(s); an ask it does not make is the previous one."""
    projects = ctx.projects(project_ids)
    if not projects:
        return Reading(q, needs_subject=True)
    targets = tuple(Target(p.id, 1.0, "frame") for p in projects)
    carried = [T.CARRIED_TARGET.format(name="・".join(p.name for p in projects))]
    fields, op = q.fields, q.operation
    asked_own = set(fields) - {Field.BASELINE}  # H30 named adds BASELINE: a year, not an ask of its own
    if not asked_own and q.focus in (None, Focus.FIGURE) and frame.fields and (q.elliptic or q.years):
        # 「じゃあH30は？」「じゃあR4は？」: the same ask of the same indicators, in another year
        fields = _ask_in_years(tuple(Field(f) for f in frame.fields), q.years, projects[0])
    if op in (Operation.SEARCH, Operation.LOOKUP) or q.focus in SPECIFIC_FOCUS:
        op = Operation.LOOKUP  # 「料金は？」: one kind of fact about the topic
    # the previous indicators stay the subject of a figure asked of 「それ」, not of the project
    # (「その事業の結果の説明」) or of a field of the project as a whole
    figures = {Field.VALUE, Field.BASELINE, Field.PLAN, Field.STATUS}
    keep = (bool(figures & set(fields)) and not (set(fields) - figures) and "事業" not in q.text
            and not q.indicator_ids)
    indicator_ids = _indicator_by_part(ctx, q, frame) or q.indicator_ids or (frame.indicator_ids if keep else ())
    return Reading(q.with_(targets=targets, fields=fields, operation=op, indicator_ids=indicator_ids), carried=tuple(carried))


def _ask_in_years(fields: tuple[Field, ...], years: Sequence[str], project: Project) -> tuple[Field, ...]:
    """The previous ask moved to the years now named: the baseline year asks the baseline, the
    result year the result, a later plan year the plan."""
    if not years:
        return fields
    figures = {Field.VALUE, Field.BASELINE, Field.PLAN}
    if not figures & set(fields):
        return fields
    result_year = project.indicators[0].result_year if project.indicators else ""
    baseline_year = project.indicators[0].baseline_year if project.indicators else ""
    moved = [Field.BASELINE if y == baseline_year else Field.VALUE if y == result_year else Field.PLAN for y in years]
    return tuple(dict.fromkeys([*(f for f in fields if f not in figures), *moved]))


def _referent(ctx: Context, q: Query, frame: Frame) -> tuple[str, ...]:
    """What 「それ」「そちら」「認可外のほう」 point at among the previous answer's projects."""
    candidates = list(dict.fromkeys((*frame.listed, *frame.project_ids)))
    picked = _pick_by_part(ctx, q.text, candidates)
    if picked:
        return (picked,)
    if q.each and len(frame.project_ids) > 1:
        return frame.project_ids
    return frame.project_ids[:1]


def _pick_by_part(ctx: Context, text: str, candidates: Sequence[str]) -> str | None:
    """The one candidate whose name shares a distinctive run (2+ characters) with the question."""
    found = []
    for pid in candidates:
        p = ctx.project(pid)
        if p is None:
            continue
        others = [o for o in ctx.projects([c for c in candidates if c != pid])]
        best = ""
        for form in name_forms(p):
            common = longest_common(form, text)
            if len(common) >= PART_MIN_RUN and not any(common in o.name for o in others) and len(common) > len(best):
                best = common
        if best:
            found.append((len(best), pid))
    found.sort()
    if len(found) == 1 or (len(found) > 1 and found[-1][0] > found[-2][0]):
        return found[-1][1]
    return None


def _indicator_by_part(ctx: Context, q: Query, frame: Frame) -> tuple[str, ...]:
    """「出張でやっている相談のほうは？」: the one previous indicator a distinctive run names."""
    if len(frame.indicator_ids) < 2:
        return ()
    names = {}
    for p in ctx.projects(frame.project_ids):
        for i in p.indicators:
            if i.id in frame.indicator_ids:
                names[i.id] = normalize(i.name)
    runs = []
    for iid, name in names.items():
        common = longest_common(name, q.text)
        if len(common) >= PART_MIN_RUN and not any(common in n for other, n in names.items() if other != iid):
            runs.append((len(common), iid))
    runs.sort()
    if len(runs) == 1 or (len(runs) > 1 and runs[-1][0] > runs[-2][0]):
        return (runs[-1][1],)
    return ()


# --- evidence ----------------------------------------------------------------------------------------------
def _only_a_subject(q: Query) -> bool:
    """A named subject and nothing asked of it (「じゃあ児童館は？」「ファミサポのほうは？」)."""
    return q.fragment and not q.fields and q.focus is None and q.operation in (Operation.LOOKUP, Operation.SEARCH)


def _project_text(project: Project) -> str:
    return normalize(" ".join([project.name, *project.aliases, project.content, project.result_explanation or "",
                               *project.council_comments, *(i.name for i in project.indicators)]))


def _covers(ctx: Context, project: Project, words: Sequence[str]) -> float:
    """Share of the question's own words found in the project's texts, each word weighted by how
    rare it is among the projects (子ども, in nearly all of them, says almost nothing)."""
    if not words:
        return 0.0
    texts = [_project_text(p) for plan in ctx.plans for p in plan.projects]
    mine = _project_text(project)
    total = found = 0.0
    for w in words:
        df = sum(1 for t in texts if w in t)
        weight = math.log((len(texts) + 1) / (df + 1))
        total += weight
        found += weight if w in mine else 0.0
    return found / total if total > 0 else 0.0


def _prefers_frame(ctx: Context, q: Query, frame: Frame, ranked: Sequence[Ranked], *, lean: bool) -> bool:
    """Whether the previous target explains the question's own words better than a new search
    (as well as it, when the question leans to it)."""
    current = ctx.projects(frame.project_ids[:1])
    if not current:
        return False
    if not ranked:
        return lean
    if ranked[0].project.id == current[0].id:
        return lean  # the question alone finds the same project; a reference says so too
    before, new = _covers(ctx, current[0], q.subject), _covers(ctx, ranked[0].project, q.subject)
    if lean:
        # a reference keeps its referent when that explains the question's own words as well as a
        # new search does, or holds most of them (a sibling using the same words is no reason to move)
        return before >= new or before >= CARRY_COVERAGE
    # without a reference, the previous target must hold most of the question's own words: a new
    # situation told in words few projects use is a new topic
    return before > new and before >= CARRY_COVERAGE
