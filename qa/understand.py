"""Understanding one question (one part of a message) into a typed ``Query``.

Slots come from the documents' own vocabulary (project and indicator names, departments,
goals, policies, plan words, years) and from general grammar (interrogatives, counters,
comparatives, superlatives, "each/per", "only"). The operation is then chosen by scoring:
every feature adds named weights to the operations it supports (``OPERATION_WEIGHTS``), the
labelled-example vote of ``qa.intents`` adds its share, and the highest total wins. No branch
order decides; each weight says why it is there.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from corpus.records import Plan, PlanWord, Project, Status
from index.text import canonical_years, normalize
from qa import lexicon as lx
from qa import templates as T
from qa.query import Field, Filters, Focus, Kind, NumberCondition, Operation, Query, Target

# --- thresholds -----------------------------------------------------------------------------
NAME_MIN_RUN = 3  # a shared run shorter than this names nothing (「子育て」 is in eight names)
NAME_STRONG = 0.6  # share of a project name found in the question that names it for sure
INDICATOR_NAME_SHARE = 0.5  # share of an indicator's name (without unit) that names the indicator
INDICATOR_MIN_RUN = 4

_KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_GOAL = re.compile(r"目標\s*(?:第)?\s*([0-9]+|[一二三四五六七八九十])|第\s*([0-9]+|[一二三四五六七八九十])\s*目標|goal\s*([0-9]+)", re.I)
_GOAL_PAIR = re.compile(r"目標\s*([0-9])\s*[・、と,及びおよ]+\s*(?:目標)?\s*([0-9])(?![0-9-])")
_POLICY = re.compile(r"(?<![0-9.])([0-9]{1,2})\s*[-‐－ー−の]\s*([0-9]{1,2})(?![0-9])")
_COUNTER = re.compile(r"何\s*(" + "|".join(map(re.escape, lx.COUNTERS)) + r")")
_ORDINAL = re.compile(r"(?:([0-9一二三四五1-9])\s*(?:つ目|番目|個目|件目))|(最初|はじめ|初め)に?(?:聞いた|質問した|尋ねた|の)"
                      r"|\b(first|second|third)\b( one)?", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FY = re.compile(r"(?:FY|fiscal(?: year)?\s*)\s*(20[0-9]{2})|\bin (20[12][0-9])\b", re.I)
_OTHER_CITY = re.compile(r"([\u4e00-\u9fff]{2,4})(市|区|町|村)(?![民内外役立長議営有税政報場])")
_NUMBER_WITH_UNIT = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(%|件|人|回|世帯|団体|機関|園|か所|箇所)")
_GENERIC_SUFFIXES = ("事業", "の推進", "の拡充", "の改善", "の提供", "制度", "活動", "相談")

# --- operations chosen by scoring -------------------------------------------------------------
# feature -> {operation: weight}. Weights are on one scale: a named target (3) outweighs a
# generic list word (2); a superlative or "each" (3) outweighs everything but a name.
OPERATION_WEIGHTS: dict[str, dict[Operation, float]] = {
    "base": {Operation.SEARCH: 1.0},  # with no evidence at all, look for the programme
    "named": {Operation.LOOKUP: 3.0, Operation.SEARCH: 0.5, Operation.COMPARE: 0.5},
    "refers": {Operation.LOOKUP: 2.5},
    "field": {Operation.LOOKUP: 1.5},
    "project_filter": {Operation.LIST: 2.0, Operation.COUNT: 1.0, Operation.GROUP: 0.5},
    "indicator_filter": {Operation.LIST: 3.0, Operation.COUNT: 1.0},  # a status or plan-word condition is a structural ask
    "plural": {Operation.LIST: 2.0, Operation.COUNT: 0.5},
    "count_projects": {Operation.COUNT: 3.0},
    "each": {Operation.GROUP: 4.0},  # 「課ごとに数えて」: grouping subsumes counting
    "superlative": {Operation.EXTREME: 6.0},  # 「いちばん…どれ」 asks for one of a set: beats list words
    "comparative": {Operation.COMPARE: 4.5},  # 「どっち」 decides over a named lookup
    "trend": {Operation.TREND: 5.0},  # 「…の推移は？」 asks across years even when it names an indicator
    "summary": {Operation.SUMMARY: 3.0},
    "more": {Operation.MORE: 5.0},
    "need": {Operation.SEARCH: 1.5},
    "others": {Operation.LIST: 1.0, Operation.SEARCH: 1.0},  # 「ほかの…」: more of a set, not one target
    "subset": {Operation.LIST: 2.0},  # 「その中で」「そのうち」: a narrower list
}
# a named target argues against whole-document operations
NAMED_AGAINST = {Operation.LIST: -2.5, Operation.COUNT: -1.5, Operation.SUMMARY: -3.0, Operation.GROUP: -1.0}
EXAMPLE_VOTE_WEIGHT = 1.5  # the labelled-example vote (qa.intents) counts like a strong feature


def _num(text: str) -> int:
    return _KANJI_NUM.get(text) or int(text)


def has_any(text: str, words: Sequence[str]) -> bool:
    return any(w in text for w in words)


def input_problem(raw: object, max_chars: int = 2000) -> str | None:
    """A Japanese message when the input cannot be a question, else None."""
    if not isinstance(raw, str):
        return T.WRONG_TYPE
    if not raw.strip():
        return T.EMPTY_QUESTION
    if len(raw) > max_chars:
        return T.TOO_LONG.format(n=f"{len(raw):,}")
    if _CONTROL.search(raw) or "\ufffd" in raw or re.search(r"[\ud800-\udfff]", raw):
        return T.CONTROL_CHARS
    if not re.sub(r"<[^>]*>|[\s\W_]", "", raw):
        return T.EMPTY_QUESTION
    return None


def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def longest_common(a: str, b: str) -> str:
    """Longest common substring (short strings: simple dynamic programming)."""
    if len(a) >= 2 and len(b) >= 2 and not (_pairs(a) & _pairs(b)):
        return a[0] if a[0] in b else ""  # no shared pair of characters: at most one character in common
    best_len = best_end = 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        ai = a[i - 1]
        for j in range(1, len(b) + 1):
            if ai == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best_len:
                    best_len, best_end = cur[j], i
        prev = cur
    return a[best_end - best_len:best_end]


def name_forms(project: Project) -> list[str]:
    """Ways a question may name a project: its name, sub-programmes, the name without a generic tail."""
    forms = [project.name, *project.aliases]
    name = re.sub(r"（[^）]*）", "", project.name)
    for suffix in _GENERIC_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 3:
            forms.append(name[: -len(suffix)])
    return [unicodedata.normalize("NFKC", f) for f in forms]


@dataclass(frozen=True)
class NameMatch:
    project_id: str
    score: float
    matched: str


def named_projects(text: str, projects: Sequence[Project]) -> list[NameMatch]:
    """Projects whose name (or a long part of it) appears in the question, best first."""
    out: list[NameMatch] = []
    for p in projects:
        best: NameMatch | None = None
        for form in name_forms(p):
            common = longest_common(form, text)
            if len(common) < NAME_MIN_RUN:
                continue
            share = len(common) / len(form)
            if common == form or (len(common) >= 4 and share >= NAME_STRONG) or len(common) >= 6:
                cand = NameMatch(p.id, min(1.0, max(share, NAME_STRONG if len(common) >= 6 else 0.0)), common)
                if best is None or cand.score > best.score:
                    best = cand
        # the bracketed part tells 施設等利用給付の上乗せ（幼稚園） from （認可外保育施設）
        bracket = re.search(r"[（(]([^）)]*)[）)]", unicodedata.normalize("NFKC", p.name))
        if best is not None and bracket and bracket.group(1)[:3] in text:
            best = NameMatch(best.project_id, best.score + 0.2, best.matched)
        if best is not None:
            out.append(best)
    out.sort(key=lambda m: -m.score)
    return out


def indicator_matches(text: str, projects: Sequence[Project]) -> list[tuple[Project, str, float]]:
    """(project, indicator id, score) for indicators whose name largely appears in the question."""
    out = []
    for p in projects:
        for ind in p.indicators:
            name = normalize(re.sub(r"（[^）]*）$", "", ind.name))
            common = longest_common(name, text)
            share = len(common) / max(1, len(name))
            # 「民間保育園と公立保育園の障がい児入所人数」 names both: every pair of the name's characters is there
            pairs = _pairs(name)
            spread = len(pairs & _pairs(text)) / max(1, len(pairs))
            if len(common) >= INDICATOR_MIN_RUN and max(share, spread) >= INDICATOR_NAME_SHARE:
                out.append((p, ind.id, max(share, spread) + 0.02 * len(common)))  # a longer run wins ties
    out.sort(key=lambda t: -t[2])
    return out


def find_departments(text: str, departments: Sequence[str]) -> tuple[str, ...]:
    found = [d for d in departments if unicodedata.normalize("NFKC", d) in text]
    found = [d for d in found if not any(d != o and d in o for o in found)]
    return tuple(sorted(found, key=lambda d: text.index(unicodedata.normalize("NFKC", d))))


def find_goals(text: str) -> tuple[int, ...]:
    nums = [_num(next(g for g in m.groups() if g)) for m in _GOAL.finditer(text)]
    m = _GOAL_PAIR.search(text)
    if m:
        nums += [int(m.group(1)), int(m.group(2))]
    return tuple(dict.fromkeys(nums))


def find_policies(text: str) -> tuple[str, ...]:
    out = []
    for m in _POLICY.finditer(text):
        after = text[m.end():m.end() + 1]
        if after in ("歳", "年", "月", "日", "人", "件", "時"):
            continue
        before = text[max(0, m.start() - 4):m.start()]
        if "施策" in before or "施策" in text or "policy" in text.lower():
            out.append(f"{int(m.group(1))}-{int(m.group(2))}")
    return tuple(dict.fromkeys(out))


def find_years(raw: str) -> tuple[str, ...]:
    years = list(canonical_years(raw))
    for m in _FY.finditer(raw):
        y = int(m.group(1) or m.group(2))
        code = "H30" if y == 2018 else f"R{y - 2018}" if y >= 2019 else None
        if code == "R1" and y == 2019:
            code = "R1"
        if code and code not in years:
            years.append(code)
    return tuple(years)


def _focus(text: str, low: str, counter: str | None, years: tuple[str, ...], cities: tuple[str, ...]) -> Focus | None:
    if cities:
        return Focus.OTHER_CITY
    if has_any(text, lx.ASK_BREAKDOWN) or "breakdown" in low:
        return Focus.BREAKDOWN
    if has_any(text, lx.ASK_NAME) or re.search(r"\bwho (is|was|are|were)\b|\bname of\b", low):
        return Focus.NAME
    if has_any(text, lx.ASK_CONTACT) or re.search(r"phone|address|e-?mail|website|url", low):
        return Focus.CONTACT
    if has_any(text, lx.ASK_AMOUNT) or counter == "円" or re.search(r"how much|\bcost|\bfee|\bprice|\byen\b", low):
        return Focus.AMOUNT
    if re.search(r"何時|なんじ", text) or counter in ("時",) or re.search(r"what time|until when .*open|opening hours", low):
        return Focus.TIME
    if re.search(r"いつ|何月|何日|なんにち|何年から", text) or re.search(r"\bwhen\b|since when|\bdate\b", low):
        return Focus.DATE
    if counter is not None or re.search(r"how many|number of", low):
        return Focus.FIGURE
    return None


def understand(raw: str, text: str, plan: Plan, *, language: str = "ja", departments: Sequence[str] = (),
               projects: Sequence[Project] | None = None, city_names: Sequence[str] = (),
               example_vote: dict[Operation, float] | None = None) -> Query:
    """Read one (cleaned) question part into a Query; ``plan`` supplies vocabulary (goals, policies)."""
    projects = tuple(projects if projects is not None else plan.projects)
    text = normalize(text).replace("?", "?")
    text = re.sub(r"<[^>]*>", " ", text)
    low = text.lower()
    years = find_years(raw)
    goals = find_goals(text)
    policies = find_policies(text) if not goals or "施策" in text else ()
    depts = find_departments(text, departments or plan.departments)
    named = [m for m in named_projects(text, projects) if m.score >= NAME_STRONG]
    unit_m = re.search(r"単位が\s*[「『]?\s*(%|件|人|回|世帯|団体|機関|園)[」』]?", text) or \
        re.search(r"(割合|%|率)\s*[（(]?[%％]?[）)]?\s*(で|を)(示|表|測|管理|見)", text)
    # a unit named as a filter (「割合で示される指標」) names no indicator
    ind_hits = indicator_matches(text.replace(unit_m.group(0), " ") if unit_m else text, projects)
    counter_m = _COUNTER.search(text)
    counter = counter_m.group(1) if counter_m else None
    cities = tuple(m.group(0) for m in _OTHER_CITY.finditer(text)
                   if m.group(0) not in city_names and not any(m.group(0) in c or c in m.group(0) for c in city_names)
                   and not any(m.group(0) in p.name or m.group(0) in p.content for p in projects))
    focus = _focus(text, low, counter, years, cities)

    # --- fields asked ---------------------------------------------------------------------
    fields: list[Field] = []
    for fld, words in lx.FIELD_WORDS.items():
        if has_any(text, words) or any(re.search(w, low) for w in lx.FIELD_WORDS_EN.get(fld, ())):
            fields.append(Field(fld))
    if "会議" in text and has_any(text, lx.SAID_WORDS) and Field.COMMENT not in fields:
        fields.append(Field.COMMENT)
    if counter is not None and counter not in ("円", "時") and Field.VALUE not in fields:
        fields.append(Field.VALUE)
    if depts and Field.DEPARTMENT in fields:
        fields.remove(Field.DEPARTMENT)  # 「保育課が担当している事業」 names the department: it is a filter
    if "H30" in years and Field.BASELINE not in fields:
        fields.append(Field.BASELINE)

    # --- filters ----------------------------------------------------------------------------
    status = _status_filter(text)
    plan_word = next((w.value for w in PlanWord if w is not PlanWord.NONE and w.value in text
                      and re.search(rf"[「『]?{w.value}[」』]?\s*(に|と|の|が|で)?\s*(なって|である|だった|とされ|の指標|の事業|な|)", text)
                      and has_any(text, lx.PLAN_SLOT_WORDS)), None)
    kind = None
    kind_only = False
    if re.search(r"数値(ではなく|でなく|以外)|文言|文章(で|だけ)|定性", text):
        kind = Kind.QUALITATIVE
    elif re.search(r"数値指標|数値の指標|数値で(管理|示)|定量", text):
        kind = Kind.NUMERIC
    if kind is not None and has_any(text, ("だけ", "のみ", "only")):
        kind_only = True
    change = None
    change_context = ("H30", "実績より", "比べ", "から", "指標")
    if re.search(r"(増え|増加|伸び|上が|多くな)", text) and has_any(text, change_context):
        change = "increase"
    elif re.search(r"(減っ|減少|下が|少なくな|落ち)", text) and has_any(text, change_context):
        change = "decrease"
    result_cond = None
    m = _NUMBER_WITH_UNIT.search(text)
    if m and re.search(r"(だった|である|の指標|以上|以下|を超え|未満)", text[m.end():m.end() + 8]) and not named:
        value = float(m.group(1).replace(",", ""))
        tail = text[m.end():m.end() + 8]
        op = ">=" if "以上" in tail or "超え" in tail else "<=" if ("以下" in tail or "未満" in tail) else "="
        result_cond = NumberCondition(op, value, m.group(2))
    count_m = re.search(r"指標が\s*([0-9一二三四五]+)\s*(?:つ|個)\s*(しか|だけ|のみ|以上|以下)?|(複数)の指標|指標が(複数)", text)
    indicator_count = None
    if count_m:
        if count_m.group(3) or count_m.group(4):
            indicator_count = NumberCondition(">=", 2)
        else:
            n = _num(count_m.group(1)) if count_m.group(1) in _KANJI_NUM else int(count_m.group(1))
            tail = count_m.group(2) or ""
            indicator_count = NumberCondition(">=" if tail == "以上" else "<=" if tail == "以下" else "=", n)
    unit = None
    if unit_m:
        unit = "%" if unit_m.group(1) in ("割合", "率", "%") else unit_m.group(1)
    has_comment = None
    presence = re.search(r"(意見|記載)(が|の|は)?(ある|あった|ない|無い|なかった|つ(い|け)て|付いて|書かれて|出て)", text)
    if Field.COMMENT in fields and re.search(r"事業", text) and not named and (
            presence or has_any(text, lx.PLURAL_WORDS) or re.search(r"(いくつ|何件|何事業|どれ|どの)", text)):
        has_comment = not re.search(r"(意見|記載)(が|の|は)?(ない|無い|なかった|ついていない|付いていない)", text)
    others = bool(re.search(r"(ほか|他|別)の(重点)?(課|事業|部署)|(ほか|他)に(も|は)?", text)) or "other" in low
    exclude_depts: tuple[str, ...] = ()
    filters = Filters(goals=goals, policies=policies, departments=depts, status=status, plan_word=plan_word,
                      plan_years=tuple(y for y in years if y.startswith("R")) if plan_word else (),
                      kind=kind, kind_only=kind_only, change=change if not named else None, result=result_cond,
                      exclude_departments=exclude_depts, has_comment=has_comment,
                      indicator_count=indicator_count, unit=unit)

    # --- references to the conversation -------------------------------------------------------
    ordinal = None
    om = _ORDINAL.search(text)
    if om:
        if om.group(1):
            ordinal = _num(om.group(1))
        elif om.group(2):
            ordinal = -1
        else:
            ordinal = {"first": 1, "second": 2, "third": 3}[om.group(3).lower()]
    refers = bool(ordinal) or bool(re.search(lx.ANAPHORA_RE, text)) or bool(re.search(r"\b(it|its|they|them)\b", low))
    # an elliptic follow-up (「じゃあ二つ目のは？」「今後の課題は？」) names nothing and is short
    elliptic = not named and not ind_hits and not filters.any and len(text) <= lx.ELLIPTIC_MAX_CHARS

    # --- grammar features -----------------------------------------------------------------------
    feats: dict[str, float] = {"base": 1.0}
    if named or ind_hits and ind_hits[0][2] >= 0.75:
        feats["named"] = 1.0
    if fields:
        feats["field"] = 1.0
    if filters.on_projects:
        feats["project_filter"] = 1.0
    if filters.on_indicators:
        feats["indicator_filter"] = 1.0
    if has_any(text, lx.PLURAL_WORDS) or re.search(r"\b(which|list|all)\b.*\b(projects|programmes|programs)\b", low):
        feats["plural"] = 1.0
    if re.search(r"(いくつ|何件|何事業|何個|幾つ|件数|事業数|指標数|数は|数を)", text) and re.search(r"事業|指標", text) \
            and counter not in ("人", "回", "世帯", "団体", "機関", "園") and not ind_hits:
        feats["count_projects"] = 1.0
    group_by = None
    gm = re.search(r"(担当課|課|部署|目標|施策)(ごと|別|それぞれ|毎)|それぞれ.{0,12}(何件|いくつ|何事業)", text)
    if gm:
        feats["each"] = 1.0
        group_by = "goal" if (gm.group(1) or "").startswith(("目標", "施策")) or (goals and not depts) else "department"
    if re.search(r"(多い|少ない|多く)(の)?(は)?(どの|どこの)?(課|部署|担当課|目標|施策)", text) or \
            (len(depts) >= 2 or len(goals) >= 2) and re.search(r"(どちら|どっち|どの).{0,12}(多|少)", text):
        # 「未達成の指標がいちばん多い課は？」「健康課と保育課、どちらが多く担当？」: counts per group, compared
        feats["each"] = 1.0
        group_by = "goal" if re.search(r"(目標|施策)", text) and not depts else "department"
    extreme = measure = direction = None
    per_group_top = "each" in feats and re.search(r"(多い|少ない|多く)", text)
    if re.search(r"(いちばん|一番|最も|もっとも|最大|最小|最高|最低|トップ|1位)", text) or re.search(r"\b(most|largest|biggest|highest|lowest|smallest)\b", low):
        feats["superlative"] = 0.0 if per_group_top else 1.0  # 「いちばん多い課」 ranks groups, not indicators
        extreme = "min" if re.search(r"(最小|最低|小さ|少な)", text) and not re.search(r"減", text) else "max"
    if re.search(r"(どっち|どちら|比べ|比較|差は|違い)", text) or re.search(r"\b(compare|which is (bigger|larger|higher))\b", low):
        if not filters.change or len(named) + len(ind_hits) >= 2:
            feats["comparative"] = 1.0
    changes = re.search(r"(増え|増加|伸び|上が|減っ|減少|下が|落ち|減り|変化|差)", text)
    if "superlative" in feats and not changes and re.search(r"(多い|少ない|高い|低い|大きい|小さい|多かった|少なかった)", text):
        measure = "value"  # 「いちばん利用者が多い指標」: the result itself, not its change
        extreme = "min" if re.search(r"(少な|低|小さ)", text) else "max"
    elif re.search(r"(率|割合)", text) and ("superlative" in feats or "comparative" in feats):
        measure = "rate"
    elif "superlative" in feats or "comparative" in feats:
        measure = "abs"
    if re.search(r"(増え|増加|伸び|上が)", text):
        direction = "increase"
    elif re.search(r"(減っ|減少|下が|落ち|減)", text):
        direction = "decrease"
    if re.search(r"(推移|経年|年度ごと|毎年|年次|移り変わり)", text) or re.search(r"\b(trend|over the years)\b", low):
        feats["trend"] = 1.0
    if has_any(text, lx.SUMMARY_WORDS) and not named and not _has_subject(text):
        feats["summary"] = 1.0
    if text.strip().startswith(lx.MORE_PREFIXES) and len(text) <= 20 and not filters.any:
        feats["more"] = 1.0
    if others:
        feats["others"] = 1.0
    if re.search(r"(その中|そのうち|この中|これらのうち|それらのうち)", text):
        feats["subset"] = 1.0
    if re.search(r"(たい|ほしい|欲しい|困っ|大変|しんど|つらい|限界|ありますか|ある\?|できますか|もらえ|くれる)", text):
        feats["need"] = 1.0

    if "superlative" in feats and filters.change:
        # 「いちばん減った」: the direction is the ranking's, not a filter
        filters = replace(filters, change=None)
        feats.pop("indicator_filter", None) if not filters.on_indicators else None
    if has_any(text, lx.OVERVIEW_WORDS):
        fields = list(dict.fromkeys([*fields, Field.CONTENT, Field.INDICATORS, Field.EXPLANATION]))
        feats["field"] = 1.0
    # an elliptic follow-up has no ask of its own beyond a field: grouping, counting, ranking are asks
    whole_set = {"each", "plural", "count_projects", "superlative", "comparative", "summary", "trend", "more"}
    elliptic = elliptic and not (whole_set & set(feats))
    if refers or (elliptic and fields):
        feats["refers"] = 1.0
    if group_by == "department" and Field.DEPARTMENT in fields:
        fields.remove(Field.DEPARTMENT)  # the grouping key, not an asked field
        feats.pop("field", None) if not fields else None
    scores: dict[Operation, float] = {op: 0.0 for op in Operation}
    for feat, strength in feats.items():
        for op, w in OPERATION_WEIGHTS.get(feat, {}).items():
            scores[op] += w * strength
    if "named" in feats:
        for op, w in NAMED_AGAINST.items():
            scores[op] += w
    for op, share in (example_vote or {}).items():
        scores[op] += EXAMPLE_VOTE_WEIGHT * share
    operation = max(scores, key=lambda op: (scores[op], -list(Operation).index(op)))

    targets = tuple(Target(m.project_id, min(1.0, m.score), "name") for m in named)
    if not targets and ind_hits and ind_hits[0][2] >= 0.75:
        best = ind_hits[0][2]
        seen: dict[str, Target] = {}
        for p, _, s in ind_hits:
            if s >= best - 0.03 and p.id not in seen:
                seen[p.id] = Target(p.id, min(1.0, s), "indicator")
        targets = tuple(seen.values())
    # the best-named indicators, and every indicator whose whole name is there (「AとBを比べて」)
    indicator_ids = tuple(iid for p, iid, s in ind_hits if s >= (ind_hits[0][2] - 0.05) or s >= 1.0)
    return Query(raw=raw, text=text, language=language, operation=operation, fields=tuple(dict.fromkeys(fields)),
                 focus=focus, targets=targets, indicator_ids=indicator_ids, filters=filters, years=years,
                 counter=counter, group_by=group_by, extreme=extreme, measure=measure, direction=direction,
                 refers=refers or (elliptic and bool(fields or ordinal)), ordinal=ordinal, others=others,
                 scores={op.value: round(s, 2) for op, s in scores.items()})


def _has_subject(text: str) -> bool:
    """Whether the question names a subject other than the document itself (医療費, 助成 …)."""
    from index.text import analyse

    return any(m.pos1 == "名詞" and len(m.surface) >= 2 and re.search(r"[\u3400-\u9fff\u30a1-\u30ff]", m.surface)
               and m.surface not in lx.DOCUMENT_WORDS for m in analyse(text))


def _status_filter(text: str) -> str | None:
    if has_any(text, lx.UNCLEAR_WORDS):
        return Status.UNCLEAR.value
    if has_any(text, lx.BORDERLINE_WORDS):
        return Status.BORDERLINE.value
    if has_any(text, lx.SHORTFALL_WORDS):
        return Status.FELL_SHORT.value
    if has_any(text, lx.ACHIEVED_WORDS) and has_any(text, ("計画", "目標", "達成", "順調", "クリア")):
        return Status.MET.value
    return None
