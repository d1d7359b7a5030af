"""The documents' own vocabulary found in a question: projects, indicators, departments, goals,
policies, years and other cities.

Pure functions of the question text and the records; each returns what it found with how
surely (a share of a name), so the conversation stage can weigh a question's own subject
against what the conversation offers.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.records import Project
from index.text import analyse, normalize
from qa.understand import lexicon as lx
# years are read in every question language, Western and era forms alike, by one function
from qa.understand.years import find_years  # noqa: F401

NAME_MIN_RUN = 3  # a shared run shorter than this names nothing (「子育て」 is in eight names)
NAME_STRONG = 0.6  # share of a project name found in the question that names it for sure
NAME_LONG_RUN = 6  # a shared run this long names the project whatever share of the name it is
INDICATOR_NAME_SHARE = 0.5  # share of an indicator's name (without unit) that names the indicator
INDICATOR_MIN_RUN = 4
INDICATOR_NAMES_PROJECT = 0.75  # an indicator named this surely names its project too
BRACKET_BONUS = 0.2  # the bracketed part tells 施設等利用給付の上乗せ（幼稚園） from （認可外保育施設）

_KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_GOAL = re.compile(r"目標\s*(?:第)?\s*([0-9]+|[一二三四五六七八九十])|第\s*([0-9]+|[一二三四五六七八九十])\s*目標|goal\s*([0-9]+)", re.I)
_GOAL_PAIR = re.compile(r"目標\s*([0-9])\s*[・、と,及びおよ]+\s*(?:目標)?\s*([0-9])(?![0-9-])")
_GOAL_RANGE = re.compile(r"目標\s*([0-9])\s*(?:から|～|~|ー|-|−)\s*(?:目標)?\s*([0-9])(?:まで)?")
_GOAL_FROM = re.compile(r"目標\s*([0-9])\s*(?:以降|以上)")
_POLICY = re.compile(r"(?<![0-9.])([0-9]{1,2})\s*[-‐－ー−の]\s*([0-9]{1,2})(?![0-9])")
_POLICY_NOT_AFTER = ("歳", "年", "月", "日", "人", "件", "時")
_OTHER_CITY = re.compile(r"([\u4e00-\u9fff]{2,4})(市|区|町|村)(?![" + lx.CITY_WORD_TAILS + r"])")
_BRACKET = re.compile(r"[（(]([^）)]*)[）)]")


def kanji_number(text: str) -> int:
    return _KANJI_NUM.get(text) or int(text)


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
    for suffix in lx.GENERIC_NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 3:
            forms.append(name[: -len(suffix)])
    return [unicodedata.normalize("NFKC", f) for f in forms]


def without_names(text: str, projects: Sequence[Project]) -> str:
    """The question with the projects' names taken out (the rest names indicators or fields)."""
    for p in projects:
        for form in sorted(name_forms(p), key=len, reverse=True):
            text = text.replace(form, " ")
    return text


def one_by_part(text: str, projects: Sequence[Project], min_run: int = 2) -> Project | None:
    """The only one of ``projects`` whose name shares with ``text`` a run (``min_run``+ characters)
    that no other of them has in its name (幼稚園 among the two 施設等利用給付の上乗せ)."""
    if len(projects) < 2:
        return None
    def distinctive(form: str, others: list[str]) -> bool:
        return any(form[i:i + min_run] in text and not any(form[i:i + min_run] in o for o in others)
                   for i in range(len(form) - min_run + 1))

    found = []
    for p in projects:
        others = [form for o in projects if o.id != p.id for form in name_forms(o)]
        if any(distinctive(form, others) for form in name_forms(p)):
            found.append(p)
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class NameMatch:
    project_id: str
    score: float
    matched: str  # the run of the question that names it
    bracket: bool = False  # the bracketed part of the name (（幼稚園）) is in the question too


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
            if common == form or (len(common) >= 4 and share >= NAME_STRONG) or len(common) >= NAME_LONG_RUN:
                cand = NameMatch(p.id, min(1.0, max(share, NAME_STRONG if len(common) >= NAME_LONG_RUN else 0.0)), common)
                if best is None or cand.score > best.score:
                    best = cand
        bracket = _BRACKET.search(unicodedata.normalize("NFKC", p.name))
        if best is not None and bracket and bracket.group(1)[:3] in text:
            best = NameMatch(best.project_id, best.score + BRACKET_BONUS, best.matched, bracket=True)
        if best is not None:
            out.append(best)
    out.sort(key=lambda m: -m.score)
    return out


def bare_indicator_name(name: str) -> str:
    """An indicator's name without its unit in brackets, normalised (来館者数（人） -> 来館者数)."""
    return normalize(re.sub(r"（[^）]*）$", "", name))


def indicator_matches(text: str, projects: Sequence[Project]) -> list[tuple[Project, str, float]]:
    """(project, indicator id, score) for indicators whose name largely appears in the question."""
    out = []
    for p in projects:
        for ind in p.indicators:
            name = bare_indicator_name(ind.name)
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


def find_goals(text: str, known: Sequence[int] = ()) -> tuple[int, ...]:
    """Goals named one by one (目標2), as a pair (目標1と2) or a range (目標3から6まで, 目標2以降)."""
    nums = [kanji_number(next(g for g in m.groups() if g)) for m in _GOAL.finditer(text)]
    m = _GOAL_PAIR.search(text)
    if m:
        nums += [int(m.group(1)), int(m.group(2))]
    ranged = False
    m = _GOAL_RANGE.search(text)
    if m and int(m.group(1)) < int(m.group(2)):
        span = range(int(m.group(1)), int(m.group(2)) + 1)
        nums += [g for g in span if not known or g in known]  # a range covers the goals the plan has
        ranged = True
    m = _GOAL_FROM.search(text)
    if m and known:
        nums += [g for g in known if g >= int(m.group(1))]
        ranged = True
    return tuple(sorted(set(nums))) if ranged else tuple(dict.fromkeys(nums))


def find_policies(text: str) -> tuple[str, ...]:
    out = []
    for m in _POLICY.finditer(text):
        if text[m.end():m.end() + 1] in _POLICY_NOT_AFTER:
            continue
        if "施策" in text or "policy" in text.lower():
            out.append(f"{int(m.group(1))}-{int(m.group(2))}")
    return tuple(dict.fromkeys(out))


def other_cities(text: str, city_names: Sequence[str], projects: Sequence[Project]) -> tuple[str, ...]:
    """Municipalities named that are not the documents' own (and not a word of a project's text)."""
    return tuple(m.group(0) for m in _OTHER_CITY.finditer(text)
                 if m.group(0) not in city_names and not any(m.group(0) in c or c in m.group(0) for c in city_names)
                 and not any(m.group(0) in p.name or m.group(0) in p.content for p in projects))


def field_text(p: Project, where: str) -> str:
    """The normalised text a topic condition reads: what the project is ("about": name, content,
    indicator names), its result explanation or its council comments."""
    if where == "explanation":
        parts = [p.result_explanation or ""]
    elif where == "comment":
        parts = list(p.council_comments)
    else:
        parts = [p.name, *p.aliases, p.content, *(i.name for i in p.indicators)]
    return normalize(" ".join(parts))


_TOPIC_CHARS = re.compile(r"[\u3400-\u9fff\u30a1-\u30ffー]")


def noun_phrases(text: str) -> list[str]:
    """Compound nouns of the question (医療費, 新型コロナ) and the nouns inside them, longest first."""
    out: list[str] = []
    run: list[str] = []
    for m in (*analyse(text), None):
        if (m is not None and (m.pos1 == "名詞" or (m.pos1 in ("接頭辞", "接尾辞") and run)) and m.pos2 != "数詞"
                and m.surface not in lx.FUNCTION_NOUNS):
            # a kana word the dictionary knows as a kanji noun (しょうがい -> 障害) keeps its written form
            run.append(m.surface)
            continue
        if run:
            while len(run) > 1 and run[-1] in lx.TOPIC_NOISE:
                run.pop()  # 「家庭向け」 is about 家庭
            if len(run) > 1:
                out.append("".join(run))
            out += [w for w in run if len(w) >= 2]
            run = []
    return [w for w in dict.fromkeys(out) if _TOPIC_CHARS.search(w)]


def topic_words(text: str, projects: Sequence[Project], where: str, ignore: Sequence[str] = ()) -> tuple[str, ...]:
    """Words that narrow a list to its subject (「障がいのある子ども向けの事業」 -> 障がい).

    A subject word occurs in the ``where`` text of some projects (at most half of them for "about");
    words every project shares (子ども, 事業), the question's list and field words and the names
    of its other conditions (``ignore``: departments, goal titles) say nothing about the subject.
    A compound (医療費) is preferred over its parts; several words must all hold when some
    project has them all, else the rarest one decides."""
    texts = [field_text(p, where) for p in projects]
    # what a project is about: a word most projects share says nothing; what an explanation or a
    # comment says was asked for explicitly, however many say it
    limit = max(1, len(projects) // 2) if where == "about" else len(projects)
    found: list[tuple[str, int]] = []
    # the phrases that ask a field (子ども・子育て会議, 結果の説明) name no subject
    for phrase in sorted(lx.field_words(), key=len, reverse=True):
        if len(phrase) >= 3:
            text = text.replace(phrase, " ")
    for word in noun_phrases(text):
        if (word in lx.LIST_NOUNS or word in lx.DOCUMENT_WORDS or word in lx.GENERIC_NOUNS or word in lx.TOPIC_NOISE
                or lx.is_field_word(word) or any(word in x or x in word for x in ignore)):
            continue
        if any(word in longer for longer, _ in found):
            continue  # a part of a compound already kept
        df = sum(1 for t in texts if word in t)
        if 0 < df <= limit:
            found.append((word, df))
    if not found:
        return ()
    words = tuple(w for w, _ in found)
    if any(all(w in t for w in words) for t in texts):
        return words
    return (min(found, key=lambda f: f[1])[0],)
