"""Slots of a question read one at a time: the fields asked, the focus, the list conditions, the
references to the conversation and the grammar features that choose an operation.

Each function reads one thing from the normalised text (and the vocabulary found in it) and
returns a typed value; ``qa.understand.understand`` puts them together into a ``Query``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.records import PlanWord, Status
from index.text import analyse
from qa.query import Field, Filters, Focus, Kind, NumberCondition
from qa.understand import lexicon as lx
from qa.understand.vocabulary import kanji_number


def counter(text: str) -> str | None:
    """The counter of 「何人」「何件」 (人, 件 …), if the question asks a count of something."""
    m = lx.COUNTER.search(text)
    return m.group(1) if m else None


def focus(text: str, counted: str | None, cities: tuple[str, ...]) -> Focus | None:
    """What exactly is asked for, when it is a kind of fact the evidence must contain."""
    if cities:
        return Focus.OTHER_CITY
    for cue, value in ((lx.ASK_BREAKDOWN, Focus.BREAKDOWN), (lx.ASK_NAME, Focus.NAME), (lx.ASK_CONTACT, Focus.CONTACT),
                       (lx.ASK_PROCEDURE, Focus.PROCEDURE),
                       (lx.ASK_TITLE, Focus.TITLE)):
        if cue(text):
            return value
    if lx.ASK_AMOUNT(text) or counted == "円":
        return Focus.AMOUNT
    if lx.ASK_TIME(text) or counted == "時":
        return Focus.TIME
    if lx.ASK_DATE(text):
        return Focus.DATE
    if counted is not None or lx.ASK_FIGURE(text):
        return Focus.FIGURE
    return None


def fields(text: str, counted: str | None, departments: tuple[str, ...], years: tuple[str, ...]) -> list[Field]:
    out = [Field(name) for name, cue in lx.FIELDS.items() if cue(text)]
    if "会議" in text and lx.COUNCIL_SAID(text) and Field.COMMENT not in out:
        out.append(Field.COMMENT)
    if counted is not None and counted not in ("円", "時") and Field.VALUE not in out:
        out.append(Field.VALUE)
    if departments and Field.DEPARTMENT in out:
        out.remove(Field.DEPARTMENT)  # 「保育課が担当している事業」 names the department: it is a filter
    if lx.EACH_ASKED(text) and Field.STATUS not in out:
        out.append(Field.STATUS)
    if "H30" in years and Field.BASELINE not in out:
        out.append(Field.BASELINE)
    if years == ("H30",) and Field.VALUE in out and not (lx.CHANGE_WORDS(text) or lx.COMPARATIVE(text) or lx.ASKS_RATIO(text)):
        out.remove(Field.VALUE)  # 「平成30年度の来館者数は？」: the baseline is the figure asked
    if lx.OVERVIEW(text):
        out = list(dict.fromkeys([*out, Field.CONTENT, Field.INDICATORS, Field.EXPLANATION]))
    if lx.INTENTION(text) and counted is None and Field.VALUE not in out and not years:
        # 「児童館をふやす予定は？」: the plan words, what the programme means to do and what comes next
        out = list(dict.fromkeys([*out, Field.CONTENT, Field.PLAN, Field.EXPLANATION]))
    return out


def status(text: str) -> str | None:
    """A status condition (fell short, met …) named by the question (a comparison with the
    baseline, 「H30を上回った」, is a change condition instead)."""
    text = lx.VERSUS_BASELINE.sub(" ", text)
    if lx.UNCLEAR(text):
        return Status.UNCLEAR.value
    if lx.BORDERLINE(text):
        return Status.BORDERLINE.value
    if lx.SHORTFALL(text):
        return Status.FELL_SHORT.value
    if lx.ACHIEVED(text) and lx.ACHIEVED_CONTEXT(text):
        return Status.MET.value
    return None


def plan_word(text: str) -> str | None:
    """A plan word (漸増, 維持 …) used as a condition on the plan column."""
    if not lx.PLAN_SLOT(text):
        return None
    for w in PlanWord:
        if w is not PlanWord.NONE and w.value in text and re.search(lx.PLAN_WORD_AS_CONDITION.format(word=w.value), text):
            return w.value
    return None


def kind(text: str) -> tuple[Kind | None, bool]:
    """Numeric or qualitative indicators asked for, and whether *only* such (「だけ」)."""
    found = Kind.QUALITATIVE if lx.QUALITATIVE(text) else Kind.NUMERIC if lx.NUMERIC(text) else None
    return found, found is not None and lx.ONLY(text)


def change(text: str) -> str | None:
    """A change condition: the result went up / down against the baseline."""
    versus = lx.VERSUS_BASELINE.search(text)
    if versus:
        return "increase" if versus.group(versus.lastindex) in lx.UPWARD_VERBS else "decrease"
    text = lx.AGAINST_PLAN.sub(" ", text)
    if not lx.CHANGE_AGAINST(text):
        return None
    if lx.INCREASE(text):
        return "increase"
    if lx.DECREASE(text):
        return "decrease"
    return None


def direction(text: str) -> str | None:
    """The direction a ranking or comparison is about (any increase / decrease word)."""
    if lx.INCREASE(text):
        return "increase"
    if lx.DECREASE_ANY(text):
        return "decrease"
    return None


def result_condition(text: str) -> NumberCondition | None:
    """「100%だった指標」「50人以上」: a figure as a condition on results."""
    m = lx.NUMBER_WITH_UNIT.search(text)
    if not m:
        return None
    tail = text[m.end():m.end() + 8]
    if not lx.RESULT_CONDITION_TAIL(tail):
        return None
    op = ">=" if lx.AT_LEAST(tail) else "<=" if lx.AT_MOST(tail) else "="
    return NumberCondition(op, float(m.group(1).replace(",", "")), m.group(2))


def indicator_count(text: str) -> NumberCondition | None:
    """「指標が一つしかない事業」「複数の指標」: a condition on a project's number of indicators."""
    m = lx.INDICATOR_COUNT.search(text)
    if not m:
        return None
    if m.group(3) or m.group(4):
        return NumberCondition(">=", 2)
    tail = m.group(2) or ""
    return NumberCondition(">=" if tail == "以上" else "<=" if tail == "以下" else "=", kanji_number(m.group(1)))


def unit(text: str) -> tuple[str | None, str]:
    """A unit named as a filter (単位が件, 割合で示される) and the text without it (it names no indicator)."""
    m = lx.UNIT_FILTER.search(text)
    if not m:
        return None, text
    found = m.group(1) or m.group(2)
    return ("%" if found in ("割合", "率", "%") else found), text.replace(m.group(0), " ")


def has_comment(text: str, asked: list[Field], named: bool) -> bool | None:
    """Projects with (True) or without (False) a council comment, when that is a list condition."""
    if Field.COMMENT not in asked or "事業" not in text or named:
        return None
    if lx.COMMENT_PRESENCE(text) or lx.PLURAL(text) or lx.WHICH_OR_HOW_MANY(text):
        return not lx.COMMENT_ABSENCE(text)
    return None


def ratio_condition(text: str) -> tuple[NumberCondition | None, str]:
    """The result against its baseline as a ratio (半分未満, 2倍以上, 20%以上増えた), and the text
    without it (its figure is not a condition on the result itself)."""
    m = lx.RATIO_CONDITION.search(text)
    if not m:
        return None, text
    rest = text.replace(m.group(0), " ")
    if m.group(1):
        return NumberCondition("<" if m.group(2) != "以下" else "<=", 0.5), rest
    if m.group(3):
        return NumberCondition(">=", float(m.group(3))), rest
    share = float(m.group(5)) / (100 if m.group(6) == "%" else 10)
    up = m.group(8)[0] in "増伸上"
    return NumberCondition(">=" if up else "<=", 1 + share if up else 1 - share), rest


def plan_years_of(years: tuple[str, ...]) -> tuple[str, ...]:
    """Plan years named, a range (令和2年度から令和6年度まで) filled in."""
    codes = [y for y in years if y.startswith("R") and y[1:].isdigit()]
    if len(codes) == 2:
        a, b = sorted(int(y[1:]) for y in codes)
        return tuple(f"R{n}" for n in range(a, b + 1))
    return tuple(codes)


def filters(text: str, asked: list[Field], *, goals: tuple[int, ...], policies: tuple[str, ...],
            departments: tuple[str, ...], years: tuple[str, ...], named: bool) -> Filters:
    """Every list condition the question states."""
    word = plan_word(text)
    found_kind, only = kind(text)
    found_unit, _ = unit(text)
    ratio, text = ratio_condition(text)
    each = lx.EACH_ASKED(text)  # 「それぞれ計画どおりだったか」 asks every item's status: not a filter
    return Filters(goals=goals, policies=policies, departments=departments, status=None if each else status(text),
                   plan_word=word, not_started=lx.NOT_STARTED(text),
                   plan_years=plan_years_of(years) if word else (), plan_all=bool(word) and lx.PLAN_ALL_YEARS(text),
                   kind=found_kind, kind_only=only, change=None if named else (change(text) or _direction_of(ratio)),
                   ratio=None if named else ratio, baseline_none=lx.BASELINE_NONE(text),
                   result=None if named else result_condition(text), has_comment=has_comment(text, asked, named),
                   indicator_count=indicator_count(text), unit=found_unit)


def _direction_of(ratio: NumberCondition | None) -> str | None:
    if ratio is None:
        return None
    return "increase" if ratio.value > 1 else "decrease" if ratio.value < 1 else None


@dataclass(frozen=True)
class Reference:
    """How the question points back at the conversation."""

    anaphora: bool = False  # その事業, それ, そこ, 先ほどの
    ordinal: int | None = None  # 1-based; -1 the conversation's first target; 0 the last listed
    subset: bool = False  # その中で
    each: bool = False  # それぞれ, 両方
    plural: bool = False  # その3つ, それら: every item of the previous list
    same_department: bool = False  # 同じ課, その課
    other_departments: bool = False  # ほかの課: departments other than the previous target's

    @property
    def any(self) -> bool:
        return self.anaphora or self.ordinal is not None or self.subset or self.same_department or self.other_departments


def points_back(text: str) -> bool:
    """A demonstrative word that points at something said before (その事業, それ, そこの課)."""
    morphemes = analyse(text)
    for k, m in enumerate(morphemes):
        if m.surface in lx.DEMONSTRATIVES and m.pos1 in lx.DEMONSTRATIVE_POS:
            if _joined_to_a_noun(morphemes[:k]):
                continue  # 「計画を下回ったものとその理由」: its antecedent is in the question
            after = morphemes[k + 1].surface if k + 1 < len(morphemes) else ""
            if after == "ら":  # これら, それら: the previous list
                return True
            compound = ""
            for n in morphemes[k + 1:]:
                if n.pos1 not in ("名詞", "接尾辞"):
                    break
                compound += n.surface
            rest = "".join(n.surface for n in morphemes[k + 1:k + 4])
            if after not in lx.NOT_POINTING_AFTER and compound not in lx.NOT_POINTING_AFTER \
                    and not lx.SETTING_ASIDE.match(rest):
                return True
    return False


def _joined_to_a_noun(before: list) -> bool:
    """The words before a demonstrative end in a noun and a joining particle (「AとそのB」「AやそのB」):
    the demonstrative points at that noun of the same question, not at the conversation."""
    words = [m for m in before if m.pos1 != "補助記号"]
    if len(words) < 2 or words[-1].surface not in lx.JOINING_PARTICLES or words[-1].pos1 != "助詞":
        return False
    noun = words[-2]
    return noun.pos1 in ("名詞", "接尾辞") and noun.surface not in lx.DEMONSTRATIVES


def has_nouns(text: str) -> bool:
    """Whether the text names anything at all (「次の版は？」 does, 「ありがとう」 does not)."""
    return any(m.pos1 in ("名詞", "代名詞") for m in analyse(text))


def doing_words(text: str) -> tuple[str, ...]:
    """Verbs and adjectives that tell a situation (たたかれて, つらい, たすけて), as dictionary forms:
    a question without nouns of its own may still ask for help."""
    return tuple(dict.fromkeys(m.lemma for m in analyse(text)
                               if m.pos1 in ("動詞", "形容詞") and m.lemma and m.lemma not in lx.LIGHT_PREDICATES))


def reference(text: str) -> Reference:
    ordinal = None
    m = lx.ORDINAL.search(text)
    if m:
        if m.group(1):
            ordinal = kanji_number(m.group(1))
        elif m.group(2):
            ordinal = -1
        elif m.group(3):
            ordinal = 0
        else:
            ordinal = {"first": 1, "second": 2, "third": 3, "last": 0}[(m.group(4) or m.group(5)).lower()]
    subset = lx.SUBSET(text) and not lx.SOME_DAY(text)
    return Reference(anaphora=(points_back(text) or lx.ANAPHORA(text)) and not subset, ordinal=ordinal, subset=subset,
                     each=lx.EACH_OF_THEM(text), plural=lx.PLURAL_REFERENCE(text), same_department=lx.SAME_DEPARTMENT(text),
                     other_departments=lx.OTHER_DEPARTMENTS(text))
