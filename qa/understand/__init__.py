"""Understanding: one question (one part of a message), on its own, into a typed ``Query``.

Slots come from the documents' own vocabulary (``vocabulary``: project and indicator names,
departments, goals, policies, years) and from general grammar (``features`` over the named cues
of ``lexicon``: interrogatives, counters, comparatives, superlatives, "each", "only",
demonstratives). The operation is chosen by scoring (``operation``). Nothing here looks at the
conversation: what the question leaves open is filled by ``qa.conversation``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from corpus.records import Plan, PlanWord, Project
from index.text import analyse, normalize
from qa.query import Field, Focus, Operation, Query, Target
from qa.understand import features as F
from qa.understand import lexicon as lx
from qa.understand import operation as O
from qa.understand.asking import asked_fields, asked_focus
from qa.understand.preprocess import input_problem
from qa.understand.vocabulary import (
    INDICATOR_MIN_RUN,
    INDICATOR_NAMES_PROJECT,
    NAME_STRONG,
    bare_indicator_name,
    find_departments,
    find_goals,
    find_policies,
    find_years,
    indicator_matches,
    longest_common,
    name_forms,
    named_projects,
    one_by_part,
    other_cities,
    field_text,
    topic_words,
    without_names,
)

__all__ = ["input_problem", "longest_common", "name_forms", "own_subject", "understand"]

# kinds of fact that must be stated in the texts (a date, an amount, a name …): one fact, not a list
SPECIFIC_FOCUS = frozenset({Focus.AMOUNT, Focus.TIME, Focus.DATE, Focus.NAME, Focus.TITLE, Focus.CONTACT, Focus.PROCEDURE,
                            Focus.BREAKDOWN})
_QUOTE = re.compile(r"[「『]([^」』]{2,80})[」』]")
_CONTENT = re.compile(r"[\u3400-\u9fff\u30a1-\u30ff]")
_KANJI = re.compile(r"[\u3400-\u9fff]")


def own_subject(text: str, extra_generic: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Content nouns of the question beyond field words and words for the document itself
    (「医療費」「助成」 in 「医療費助成は何年生まで？」; nothing in 「その担当課は？」)."""
    out = []
    for phrase in lx.FIELD_PHRASES:
        text = text.replace(phrase, " ")  # 子ども・子育て会議 names the comments, not a subject
    morphemes = analyse(text)
    for k, m in enumerate(morphemes):
        # a kana word the dictionary knows as a kanji noun (ともだち -> 友達) is a word of its own too
        word = m.surface if _KANJI.search(m.surface) or not _KANJI.search(m.lemma or "") else m.lemma
        pos = m.pos1
        following = morphemes[k + 1] if k + 1 < len(morphemes) else None
        if pos == "形状詞" and following is not None and following.pos1 == "接尾辞" and _KANJI.search(word):
            pos, word = "名詞", word + following.surface  # 幼稚+園: a noun made with a suffix
        if pos != "名詞" or len(word) < 2 or not _KANJI.search(word) and not re.fullmatch(r"[\u30a1-\u30ffー]{3,}", word):
            continue
        if (word in lx.DOCUMENT_WORDS or word in lx.GENERIC_NOUNS or word in lx.LIST_NOUNS or word in extra_generic
                or lx.is_field_word(word)):
            continue
        out.append(word)
    return tuple(dict.fromkeys(out))


def is_fragment(text: str, names: Sequence[str]) -> bool:
    """Only a subject, nothing asked of it: 「じゃあ児童館は？」「認可外のほうは？」."""
    rest = text
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name, "")
    for lead in sorted(lx.ELLIPSIS_LEAD, key=len, reverse=True):
        rest = rest.removeprefix(lead)
    return bool(lx.FRAGMENT_REST.fullmatch(rest.strip()))


def _also_by_indicator(text: str, named, ind_hits, projects: Sequence[Project]) -> list[str]:
    """Projects named by one of their indicators beside a project named by its name
    (「子育て総合相談と虐待相談の件数」 names 虐待対応事業 by 虐待相談件数)."""
    if not named:
        return []
    named_ids = {m.project_id for m in named}
    rest = without_names(text, [p for p in projects if p.id in named_ids])
    own = [normalize(i.name) for p in projects if p.id in named_ids for i in p.indicators]
    out = []
    for p, iid, score in ind_hits:
        if p.id in named_ids or p.id in out or score < INDICATOR_NAMES_PROJECT:
            continue
        name = normalize(next(i.name for i in p.indicators if i.id == iid))
        run = longest_common(name, rest)
        if len(run) >= INDICATOR_MIN_RUN and not any(run in n for n in own):
            out.append(p.id)
    return out


def quotations(text: str, projects: Sequence[Project], plan: Plan) -> tuple[str, ...]:
    """Quoted passages of the question that are not the documents' own terms (a plan word, a project,
    goal or policy name, a status): text the question refers to (「場所の拡充」を課題に入れてほしい)."""
    known = {w.value for w in PlanWord} | {g.title for g in plan.goals} | {p.title for p in plan.policies}
    known |= {"達成", "未達成", "ほぼ達成", "判定不能"}
    out = []
    for m in _QUOTE.finditer(text):
        quoted = m.group(1).strip()
        if quoted in known or any(n.score >= NAME_STRONG and len(n.matched) >= len(quoted) - 1
                                  for n in named_projects(quoted, projects)):
            continue
        out.append(quoted)
    return tuple(out)


def _with_topic(text: str, flt, plan: Plan, projects: Sequence[Project], depts: Sequence[str],
                quotes: Sequence[str] = ()):
    """A list question's subject words as a condition on the projects' texts (never applied silently:
    the condition is stated with the list). A quoted passage found in the texts is one, literally."""
    for place in ("comment", "explanation", "about"):
        literal = tuple(qt for qt in quotes if any(qt in field_text(p, place) for p in projects))
        if literal:
            return replace(flt, topic=literal, topic_field=place)
    where = "explanation" if lx.TOPIC_IN_EXPLANATION(text) else "comment" if lx.TOPIC_IN_COMMENT(text) else "about"
    titles = [g.title for g in plan.goals if g.number in flt.goals] + [
        pol.title for pol in plan.policies if pol.code in flt.policies]
    plan_words = [w.value for w in PlanWord]  # 「計画が拡充の指標」: a plan word is its own condition
    # 「人数・件数・割合のような数値ではなく」: what comes before ではなく is excluded, not the subject
    asked = lx.NEGATED_SPAN.sub(" ", text)
    words = topic_words(asked, projects, where, ignore=(*depts, *titles, *plan_words))
    return replace(flt, topic=words, topic_field=where) if words else flt


def _indicator_name(p: Project, iid: str) -> str:
    return bare_indicator_name(next(i.name for i in p.indicators if i.id == iid))


def _beside_names(ind_hits: list, text: str, named: Sequence) -> list:
    """Indicator hits whose name is only a named project's own name (子どもの居場所づくりの推進 is a
    project and one of its indicators): the question names the project, not that indicator."""
    runs = [m.matched for m in named if m.matched]

    def only_the_name(name: str) -> bool:  # said no more often than the names that hold it
        held = sum(1 for run in runs if name in run)
        return held > 0 and text.count(name) <= held

    return [(p, iid, s) for p, iid, s in ind_hits if not only_the_name(_indicator_name(p, iid))]


_NO_BETWEEN_KANJI = re.compile(r"(?<=[\u3400-\u9fff])の(?=[\u3400-\u9fff])")


def _indicator_hits(text: str, projects: Sequence[Project]) -> list:
    """Indicator name matches, also with the の people put inside a compound name taken out
    (虐待の相談件数 for 虐待相談件数); each indicator keeps its better score."""
    best: dict[str, tuple] = {}
    for variant in dict.fromkeys((text, _NO_BETWEEN_KANJI.sub("", text))):
        for p, iid, score in indicator_matches(variant, projects):
            if iid not in best or score > best[iid][2]:
                best[iid] = (p, iid, score)
    return sorted(best.values(), key=lambda t: -t[2])


def _not_inside_indicators(named: list, ind_hits: list) -> list:
    """A part of a name (ネットワーク) that is only a word of another named project's indicator
    (子どもの居場所に関するネットワークづくり) names no project of its own."""
    whole = {m.project_id for m in named if m.score >= 1.0}
    words = [_indicator_name(p, iid) for p, iid, s in ind_hits if p.id in whole and s >= INDICATOR_NAMES_PROJECT]
    return [m for m in named if m.score >= 1.0 or not any(m.matched in w for w in words)]


def _named_indicators(ind_hits: list, text: str) -> tuple[str, ...]:
    """The best-named indicators, and every indicator whose whole name is in the question, unless
    that name is only part of another one there (受給者数 inside 受給資格者における受給者数の割合)."""
    if not ind_hits:
        return ()
    whole = {iid: _indicator_name(p, iid) for p, iid, _ in ind_hits if _indicator_name(p, iid) in text}
    inside = {iid for iid, name in whole.items() if any(name != other and name in other for other in whole.values())}
    top = ind_hits[0][2]
    return tuple(iid for _, iid, s in ind_hits if (s >= top - 0.05 or iid in whole) and iid not in inside)


def understand(raw: str, text: str, plan: Plan, *, language: str = "ja", departments: Sequence[str] = (),
               projects: Sequence[Project] | None = None, city_names: Sequence[str] = (),
               example_vote: dict[Operation, float] | None = None, respelled: str | None = None,
               search_text: str = "") -> Query:
    """Read one (cleaned) question part into a Query; ``plan`` supplies vocabulary (goals, policies).

    ``respelled`` is the question with kana words written in the documents' kanji (the index's
    respeller: じどうかん -> 児童館), read for names and subject words; ``search_text`` what retrieval
    reads for a question in another language (its Japanese terms added)."""
    projects = tuple(projects if projects is not None else plan.projects)
    typed = re.sub(r"<[^>]*>", " ", normalize(text))
    spelled = re.sub(r"<[^>]*>", " ", normalize(respelled)) if respelled else typed
    # kana words the documents write in kanji, and input-method slips (民感), read as the documents
    # spell them; names are looked for in both
    full = spelled
    years = find_years(raw)
    goals = find_goals(full, tuple(g.number for g in plan.goals))
    policies = find_policies(full) if not goals or "施策" in full else ()
    depts = find_departments(full, departments or plan.departments)
    named = [m for m in named_projects(full, projects) if m.score >= NAME_STRONG]
    if not named and spelled != full:
        named = [m for m in named_projects(spelled, projects) if m.score >= NAME_STRONG]
    if not named and typed != full:
        named = [m for m in named_projects(typed, projects) if m.score >= NAME_STRONG]
    if any(m.bracket for m in named):
        # 「施設等利用給付の上乗せ（幼稚園）」 names that one, not its sibling with another bracket
        named = [m for m in named if m.bracket]
    _, text_for_indicators = F.unit(full)
    ind_hits = _beside_names(_indicator_hits(text_for_indicators, projects), text_for_indicators, named)
    named = _not_inside_indicators(named, ind_hits)
    # a passage quoted from the document (「前年度と比べると大きく増加」と書かれている) is text to find, not
    # wording to read for what is asked
    quotes = quotations(full, projects, plan)
    text = full
    for quoted in quotes:
        text = text.replace(quoted, " ")
    ref = F.reference(text)
    if ref.ordinal is not None:
        # 「最後に挙げた事業」 picks one item: its words (挙げた) ask for no list
        text = lx.ORDINAL.sub(" ", text)
    counted = F.counter(text)
    cities = other_cities(text, city_names, projects)
    asked = F.fields(text, counted, depts, years)
    asked += [f for f in map(Field, asked_fields(text, language)) if f not in asked]  # Chinese, Korean, Vietnamese
    own_focus = asked_focus(text, language)
    focus = Focus(own_focus) if own_focus and not cities else F.focus(text, counted, cities)
    flt = F.filters(text, asked, goals=goals, policies=policies, departments=depts, years=years, named=bool(named))
    names_target = bool(named) or bool(ind_hits) and ind_hits[0][2] >= INDICATOR_NAMES_PROJECT

    # --- grammar features ------------------------------------------------------------------------------
    feats: dict[str, float] = {"base": 1.0}
    if names_target:
        feats["named"] = 1.0
    if asked:
        feats["field"] = 1.0
    if flt.on_projects:
        feats["project_filter"] = 1.0
    if flt.on_indicators:
        feats["indicator_filter"] = 1.0
    if lx.PLURAL(text):
        feats["plural"] = 1.0
    if lx.COUNT_WORDS(text) and lx.COUNTED_SET(text) and counted not in lx.NON_PROJECT_COUNTERS and not ind_hits:
        feats["count_projects"] = 1.0
    grouping = O.group_by(text, goals, depts)
    if grouping:
        feats["each"] = 1.0
    extreme = measure = None
    per_group_top = "each" in feats and lx.MANY_FEW(text)
    if lx.SUPERLATIVE(text):
        feats["superlative"] = 0.0 if per_group_top else 1.0  # 「いちばん多い課」 ranks groups, not indicators
        extreme = "min" if lx.SMALLEST(text) and "減" not in text else "max"
    # 「合計するとH30と比べて」 compares a total with its baseline: a lookup with a computed total
    if lx.COMPARATIVE(text) and (not flt.change or len(named) + len(ind_hits) >= 2) and not lx.TOTAL(text):
        feats["comparative"] = 1.0
    if "superlative" in feats and not lx.CHANGE_WORDS(text) and lx.SIZE_WORDS(text):
        measure = "value"  # 「いちばん利用者が多い指標」: the result itself, not its change
        extreme = "min" if lx.LOW_WORDS(text) else "max"
    elif lx.RATE_WORDS(text) and ("superlative" in feats or "comparative" in feats):
        measure = "rate"
    elif "superlative" in feats or "comparative" in feats:
        measure = "abs"
    if lx.TREND(text):
        feats["trend"] = 1.0
    if lx.SUMMARY(text) and not named and not own_subject(text):
        feats["summary"] = 1.0
    if (text.strip().startswith(lx.MORE_PREFIXES) and len(text) <= lx.MORE_MAX_CHARS and not flt.any
            and not lx.MORE_DETAIL(text)):
        feats["more"] = 1.0
    others = lx.OTHERS(text)
    if others:
        feats["others"] = 1.0
    if ref.subset:
        feats["subset"] = 1.0
    if lx.NEED(text):
        feats["need"] = 1.0
    if "superlative" in feats and flt.change:
        # 「いちばん減った」: the direction is the ranking's, not a filter
        flt = replace(flt, change=None)
        if not flt.on_indicators:
            feats.pop("indicator_filter", None)
    # an elliptic follow-up (「じゃあ二つ目のは？」「今後の課題は？」) names nothing, is short and asks
    # nothing of a whole set
    elliptic = (not named and not ind_hits and not flt.any and len(text) <= lx.ELLIPTIC_MAX_CHARS
                and not (O.WHOLE_SET_FEATURES & set(feats)))
    if ref.anaphora or ref.ordinal is not None or (elliptic and asked):
        feats["refers"] = 1.0
    if grouping == "department" and Field.DEPARTMENT in asked:
        asked.remove(Field.DEPARTMENT)  # the grouping key, not an asked field
        if not asked:
            feats.pop("field", None)
    scores = O.score(feats, example_vote)
    op = O.best(scores)
    if focus in SPECIFIC_FOCUS and op in (Operation.LIST, Operation.COUNT) and not ({"plural", "count_projects"} & set(feats)):
        op = Operation.LOOKUP  # 「子育て支援課の課長の名前は？」 asks one fact, not the department's list
    if op in (Operation.LIST, Operation.COUNT, Operation.GROUP) and not names_target:
        flt = _with_topic(text, flt, plan, projects, depts, quotes)

    targets = tuple(Target(m.project_id, min(1.0, m.score), "name") for m in named)
    targets += tuple(Target(pid, 1.0, "indicator") for pid in _also_by_indicator(text, named, ind_hits, projects))
    if not targets and ind_hits and ind_hits[0][2] >= INDICATOR_NAMES_PROJECT:
        top = ind_hits[0][2]
        seen: dict[str, Target] = {}
        for p, _, s in ind_hits:
            if s >= top - 0.03 and p.id not in seen:
                seen[p.id] = Target(p.id, min(1.0, s), "indicator")
        targets = tuple(seen.values())
        # sibling projects sharing the indicator's name: a part of only one's name says which
        # (「幼稚園の上乗せ給付の受給者数」)
        alone = one_by_part(full, [p for p in projects if p.id in seen])
        if alone is not None:
            targets = (seen[alone.id],)
            ind_hits = [h for h in ind_hits if h[0].id == alone.id]
    # the best-named indicators, and every indicator whose whole name is there (「AとBを比べて」)
    indicator_ids = _named_indicators(ind_hits, text_for_indicators)
    if not targets and quotes:
        quoted_in = [p for p in projects if any(qt in field_text(p, where) for qt in quotes
                                                 for where in ("about", "explanation", "comment"))]
        if len(quoted_in) == 1:
            targets = (Target(quoted_in[0].id, 1.0, "quote"),)
    mine = [p for p in projects if p.id in {t.project_id for t in targets}]
    subject = own_subject(without_names(search_text or spelled, mine))
    return Query(raw=raw, text=text, language=language, operation=op, fields=tuple(dict.fromkeys(asked)),
                 focus=focus, targets=targets, indicator_ids=indicator_ids, filters=flt,
                 years=years, counter=counted, group_by=grouping, extreme=extreme, measure=measure,
                 direction=F.direction(text), refers=ref.anaphora or ref.ordinal is not None or (elliptic and bool(asked)),
                 ordinal=ref.ordinal, others=others, subset=ref.subset, each=ref.each, plural_ref=ref.plural,
                 same_department=ref.same_department, other_departments=ref.other_departments, elliptic=elliptic, subject=subject,
                 need="need" in feats, fragment=bool(named) and is_fragment(spelled, [m.matched for m in named]), search_text=search_text,
                 scores={o.value: round(s, 2) for o, s in scores.items()})
