"""Understanding a question: years, departments, goals, policies, named projects and intent.

Pure functions over the normalised question and the plan records; retrieval is not used
here, so every decision can be tested without a model.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum

from corpus.records import Plan, Project
from index.text import canonical_years, normalize
from qa import lexicon as lx


class Intent(str, Enum):
    SEARCH = "search"  # find a programme
    COMMENT = "comment"  # 子ども・子育て会議意見 of a project
    EXPLANATION = "explanation"  # 結果の説明 of a project
    INDICATOR = "indicator"  # an indicator's value / baseline / plan / status
    DEPARTMENT = "department"  # which department runs a project
    LIST = "list"  # projects of a goal / policy / department
    SHORTFALL = "shortfall"  # projects that fell short in R2
    UNCLEAR = "unclear"  # indicators whose R2 status cannot be judged
    BORDERLINE = "borderline"  # indicators that nearly met their plan
    ACHIEVED = "achieved"  # projects that met their R2 plan
    SUMMARY = "summary"  # overall status counts
    MORE = "more"  # 「ほかには？」
    PLAN_VALUE = "plan_value"  # indicators whose plan (for a year) is 拡充, 維持 …


@dataclass(frozen=True)
class NameMatch:
    project_id: str
    score: float  # share of the matched name found in the question, 0..1
    matched: str  # the text that matched


@dataclass(frozen=True)
class Query:
    raw: str
    text: str  # normalised
    intent: Intent
    years: tuple[str, ...] = ()
    goal: int | None = None
    policy: str | None = None
    department: str | None = None
    goals: tuple[int, ...] = ()  # all goals named (goal is the first)
    departments: tuple[str, ...] = ()  # all departments named (department is the first)
    named: tuple[NameMatch, ...] = ()  # projects named in the question, best first
    counter: str | None = None  # 園 for 何園
    plan_word: str | None = None  # 拡充 in 「R3の計画が拡充の事業」
    count: bool = False  # asks "how many projects"
    asks_plan: bool = False
    asks_baseline: bool = False
    asks_past: bool = False
    anaphora: bool = False
    cues: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_filter(self) -> bool:
        return self.goal is not None or self.policy is not None or self.department is not None


_KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_GOAL = re.compile(r"目標\s*(?:第)?\s*([0-9]+|[一二三四五六七八九十])")
_GOAL_ALT = re.compile(r"第\s*([0-9]+|[一二三四五六七八九十])\s*目標")
_POLICY = re.compile(r"(?:施策\s*)?(?<![0-9.])([0-9]{1,2})\s*[-‐－ー−の]\s*([0-9]{1,2})(?![0-9])")
_POLICY_WORD = re.compile(r"施策")
_COUNTER = re.compile(r"何\s*(" + "|".join(map(re.escape, lx.COUNTERS)) + r")")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_GENERIC_SUFFIXES = ("事業", "の推進", "の拡充", "の改善", "の提供", "制度", "活動", "相談")


def _num(text: str) -> int:
    return _KANJI_NUM.get(text) or int(text)


def has_any(text: str, cues: tuple[str, ...]) -> bool:
    return any(c in text for c in cues)


def input_problem(raw: object, max_chars: int = 2000) -> str | None:
    """A Japanese message when the input cannot be a question, else None."""
    if not isinstance(raw, str):
        return lx.WRONG_TYPE
    if not raw.strip():
        return lx.EMPTY_QUESTION
    if len(raw) > max_chars:
        return lx.TOO_LONG.format(n=f"{len(raw):,}")
    if _CONTROL.search(raw):
        return lx.CONTROL_CHARS
    if "\ufffd" in raw:
        return lx.CONTROL_CHARS
    stripped = re.sub(r"<[^>]*>", " ", raw)
    if not _JAPANESE.search(stripped):
        if _LATIN_WORD.search(stripped) or not re.search(r"[RH]\d|目標|施策", stripped):
            return lx.NOT_JAPANESE
    return None


def longest_common(a: str, b: str) -> str:
    """Longest common substring (short strings: simple dynamic programming)."""
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


def _name_forms(project: Project) -> list[str]:
    """Ways a question may name a project: its name, sub-programmes, the name without a generic tail."""
    forms = [project.name, *project.aliases]
    name = re.sub(r"（[^）]*）", "", project.name)
    for suffix in _GENERIC_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 3:
            forms.append(name[: -len(suffix)])
    return [unicodedata.normalize("NFKC", f) for f in forms]


def named_projects(text: str, plan: Plan) -> list[NameMatch]:
    """Projects whose name (or a long part of it) appears in the question."""
    out: list[NameMatch] = []
    for p in plan.projects:
        best: NameMatch | None = None
        for form in _name_forms(p):
            common = longest_common(form, text)
            if len(common) < 3:
                continue
            share = len(common) / len(form)
            # the whole (short) name, most of a name, or a long shared run: 「子育て」 alone names nothing
            if common == form or (len(common) >= 4 and share >= 0.6) or len(common) >= 6:
                # a run of six or more characters of a name names it, even when the rest is paraphrased
                cand = NameMatch(p.id, min(1.0, max(share, 0.6 if len(common) >= 6 else 0.0)), common)
                if best is None or cand.score > best.score:
                    best = cand
        # the bracketed part distinguishes 施設等利用給付の上乗せ（幼稚園） from （認可外保育施設）
        bracket = re.search(r"（([^）]*)）", unicodedata.normalize("NFKC", p.name).replace("(", "（").replace(")", "）"))
        if best is not None and bracket and bracket.group(1)[:3] in text:
            best = NameMatch(best.project_id, best.score + 0.2, best.matched)
        if best is not None:
            out.append(best)
    out.sort(key=lambda m: -m.score)
    return out


def find_departments(text: str, plan: Plan) -> tuple[str, ...]:
    """Departments named in the question, in the order they appear (保育課と健康課)."""
    found = [d for d in plan.departments if unicodedata.normalize("NFKC", d) in text]
    # 子育て支援課 contains no other name here, but keep the longest when one name holds another
    found = [d for d in found if not any(d != o and d in o for o in found)]
    return tuple(sorted(found, key=lambda d: text.index(unicodedata.normalize("NFKC", d))))


def find_department(text: str, plan: Plan) -> str | None:
    found = find_departments(text, plan)
    return found[0] if found else None


def find_goals(text: str) -> tuple[int, ...]:
    """Goals named in the question: 目標1と目標2, 目標１・２."""
    nums = [_num(m.group(1)) for m in _GOAL.finditer(text)] + [_num(m.group(1)) for m in _GOAL_ALT.finditer(text)]
    m = re.search(r"目標\s*([0-9])\s*[・、と,]\s*([0-9])(?![0-9-])", text)
    if m:
        nums += [int(m.group(1)), int(m.group(2))]
    return tuple(dict.fromkeys(nums))


def find_goal(text: str) -> int | None:
    goals = find_goals(text)
    return goals[0] if goals else None


def find_policy(text: str) -> str | None:
    for m in _POLICY.finditer(text):
        start = m.start()
        before = text[max(0, start - 3):start]
        # 令和2年4月 etc. never reach here (no dash); avoid 1-2歳 style ages
        after = text[m.end():m.end() + 1]
        if after in ("歳", "年", "月", "日", "人", "件"):
            continue
        if "施策" in text or before.endswith(("施策", "策")) or re.fullmatch(r"\s*[0-9]{1,2}-[0-9]{1,2}\s*", m.group(0)) or "の重点" in text or "事業" in text:
            return f"{int(m.group(1))}-{int(m.group(2))}"
    return None


def understand(raw: str, plan: Plan) -> Query:
    """Read a (valid) question into a Query."""
    text = normalize(raw).replace("?", "?")
    text = re.sub(r"<[^>]*>", " ", text)
    years = tuple(canonical_years(raw))
    goals = find_goals(text)
    goal = goals[0] if goals else None
    policy = find_policy(text) if goal is None or "施策" in text else None
    departments = find_departments(text, plan)
    department = departments[0] if departments else None
    named = tuple(named_projects(text, plan))
    counter_m = _COUNTER.search(text)
    counter = counter_m.group(1) if counter_m else ("円" if has_any(text, lx.ASK_AMOUNT) else None)
    cues: set[str] = set()

    def cue(name: str, words: tuple[str, ...]) -> bool:
        hit = has_any(text, words)
        if hit:
            cues.add(name)
        return hit

    # 会議 here is the 子ども・子育て会議 when something was said (not ケース検討会議の回数)
    is_comment = cue("comment", lx.COMMENT_CUES) or (
        "会議" in text and has_any(text, ("意見", "言わ", "言って", "言った", "指摘", "コメント", "評価され")))
    is_short = cue("shortfall", lx.SHORTFALL_CUES)
    is_achieved = cue("achieved", lx.ACHIEVED_CUES)
    is_list = cue("list", lx.LIST_CUES)
    is_count = cue("count", lx.COUNT_CUES)
    is_dept = cue("department", lx.DEPARTMENT_CUES)
    is_expl = cue("explanation", lx.EXPLANATION_CUES)
    is_ind = cue("indicator", lx.INDICATOR_CUES) or counter is not None
    is_summary = cue("summary", lx.SUMMARY_CUES)
    asks_plan = cue("plan", lx.PLAN_CUES)
    asks_baseline = cue("baseline", lx.BASELINE_CUES) or "H30" in years
    asks_past = cue("past", lx.PAST_CUES)
    anaphora = cue("anaphora", lx.ANAPHORA)
    more = text.strip().startswith(lx.FOLLOWUP_PREFIXES) and len(text) <= 20

    strong_name = bool(named) and named[0].score >= 0.6
    filt = goal is not None or policy is not None or department is not None

    plan_word = next((w for w in lx.PLAN_WORDS if w in text), None)
    is_unclear = cue("unclear", lx.UNCLEAR_CUES)
    is_border = cue("borderline", lx.BORDERLINE_CUES)
    if more and not strong_name:
        intent = Intent.MORE
    elif (is_unclear or is_border) and not strong_name:
        intent = Intent.UNCLEAR if is_unclear else Intent.BORDERLINE
    elif is_comment:
        intent = Intent.COMMENT
    elif (is_short or is_achieved) and not strong_name and (filt or has_any(text, lx.LISTISH)) \
            and (not is_ind_specific(text) or has_any(text, ("事業", "どれ", "指標は", "一覧"))):
        intent = Intent.SHORTFALL if is_short or "できなかった" in text else Intent.ACHIEVED
        if is_achieved and not is_short and has_any(text, ("達成できな", "達成しな", "未達")):
            intent = Intent.SHORTFALL
    elif is_dept and (strong_name or anaphora or not filt) and not (filt and is_list):
        intent = Intent.DEPARTMENT if (strong_name or anaphora or len(text) <= 25) else Intent.SEARCH
    elif filt and not strong_name and (is_list or is_count or "事業" in text or "指標" in text or len(text) <= 15):
        intent = Intent.LIST
    elif plan_word is not None and not strong_name and asks_plan and has_any(text, lx.LISTISH):
        intent = Intent.PLAN_VALUE
    elif is_count and not strong_name and "事業" in text and not is_ind_specific(text):
        intent = Intent.LIST
    elif is_summary and not strong_name and not filt and ("事業" in text or "計画" in text or "進捗" in text or "全体" in text):
        intent = Intent.SUMMARY
    elif is_expl and has_any(text, lx.STRONG_EXPLANATION_CUES) and counter is None and not is_ind_specific(text) \
            and (strong_name or anaphora or named):
        intent = Intent.EXPLANATION
    elif is_ind or is_short or is_achieved or asks_plan and (strong_name or anaphora):
        intent = Intent.INDICATOR
    elif is_expl and (strong_name or anaphora):
        intent = Intent.EXPLANATION
    elif (is_list or is_count) and ("重点事業" in text or "事業一覧" in text) and not strong_name:
        intent = Intent.LIST
    else:
        intent = Intent.SEARCH
    if intent is Intent.SEARCH and is_dept and strong_name:
        intent = Intent.DEPARTMENT
    return Query(
        raw=raw,
        text=text,
        intent=intent,
        years=years,
        goal=goal,
        policy=policy,
        department=department,
        goals=goals,
        departments=departments,
        named=named,
        counter=counter,
        plan_word=plan_word,
        count=is_count,
        asks_plan=asks_plan,
        asks_baseline=asks_baseline,
        asks_past=asks_past,
        anaphora=anaphora,
        cues=frozenset(cues),
    )


def is_ind_specific(text: str) -> bool:
    """The question names a measured quantity (来館者数, 利用者数 …), so a status question is about it."""
    return bool(re.search(r"(者数|件数|人数|回数|世帯数|団体数|機関数|割合|率)", text))
