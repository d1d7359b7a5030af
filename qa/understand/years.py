"""Fiscal years in any question language, as the documents' era codes, and back for display.

The documents count fiscal years in eras (平成30年度 = H30, 令和2年度 = R2, April to March);
residents write Western years in their own language: FY2020, 2020年度, 2020年, 2020년(도),
năm 2020, 2020财年, 2020ねんど. ``find_years`` turns every such mention into its code (2018 -> H30,
2019 -> R1, 2020 -> R2 … 2024 -> R6) with the era forms ``index.text.canonical_years`` already
reads (令和2年度, R2, Ｒ２, 平成31年度 …), in order of first mention. ``year_label`` writes a code
for an answer in the reader's language, always with the Japanese era year the document prints.

A month makes a date, and a date's fiscal year starts in April: 2021年3月 and 令和3年3月 are in R2
(``canonical_years`` alone reports 令和3年3月 as R3, the calendar year).
"""
from __future__ import annotations

import re
import unicodedata

from index.text import canonical_years

__all__ = ["code_of", "find_years", "western_year", "year_label"]

_YEAR = r"(?P<y>(?:19|20)\d{2})"
# A Western year with its month, in the orders the languages write dates; the month decides the
# fiscal year (January to March belong to the year before).
_DATE = re.compile(
    rf"{_YEAR}\s*(?:年|년|ねん|[/.-])\s*(?P<m>1[0-2]|0?[1-9])\s*(?:月|월|がつ)"
    rf"|{_YEAR.replace('y>', 'y2>')}\s*[/.-]\s*(?P<m2>1[0-2]|0?[1-9])(?![\d/.-])"
    rf"|(?:th[aá]ng)\s*(?P<m3>1[0-2]|0?[1-9])\s*(?:n[aă]m|/)\s*{_YEAR.replace('y>', 'y3>')}"
    rf"|(?P<mname>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    rf"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+{_YEAR.replace('y>', 'y4>')}",
    re.IGNORECASE)
# An era date (令和3年3月, レイワ is read by _ERA_NAMES first): the same fiscal rule as a Western one
_ERA_DATE = re.compile(r"(?P<era>令和|平成)\s*(?P<n>元|\d{1,2})\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# A Western (fiscal) year marked as a year in one of the question languages.
_WESTERN = re.compile(
    rf"\bFY\s*'?{_YEAR}"                                                # FY2020
    rf"|\bFY\s*'?(?P<yy>[0-3]\d)\b"                                   # FY20
    rf"|\bfiscal\s+(?:year\s+)?{_YEAR.replace('y>', 'y2>')}"          # fiscal (year) 2020
    rf"|(?<![\d.,]){_YEAR.replace('y>', 'y3>')}\s*(?:"
    r"年度|年|ねんど|ねん|財年|财年|會計年度|会计年度|財政年度|财政年度|学年度|學年度"
    r"|년도|년|회계\s*연도|학년도|fiscal year|financial year)"     # 2020年度, 2020 년, 2020 fiscal year
    rf"|\bn[aă]m\s+(?:t[aà]i\s+(?:ch[ií]nh|kh[oó]a|kho[aá])\s+)?{_YEAR.replace('y>', 'y4>')}"  # năm (tài chính) 2020
    rf"|\b(?:in|for|during|of)\s+(?:the\s+)?{_YEAR.replace('y>', 'y5>')}(?![\d,.]\d)"  # in 2020
    rf"|\b{_YEAR.replace('y>', 'y6>')}\s+(?=(?:results?|figures?|data|numbers?|plans?|evaluation|report)\b)",  # 2020 results
    re.IGNORECASE)
# Era names as Korean, romanised or kana readings write them
_ERA_NAMES = re.compile(r"(레이와|reiwa|れいわ|レイワ|헤이세이|heisei|へいせい|ヘイセイ)\s*(원|元|gan|がん|\d{1,2})\s*(년도|년|ねんど|ねん)?",
                        re.IGNORECASE)
_REIWA = {"레이와", "reiwa", "れいわ", "レイワ"}
_ERA_LABEL = {"H": "平成", "R": "令和"}


def code_of(year: int) -> str | None:
    """The era code of a Western fiscal year: 2018 -> "H30", 2019 -> "R1", 2020 -> "R2"."""
    if year >= 2019:
        return f"R{year - 2018}"
    if year >= 1989:
        return f"H{year - 1988}"
    return None


def western_year(code: str) -> int:
    """The Western year a fiscal year starts in: "R2" -> 2020, "R1" -> 2019, "H30" -> 2018."""
    m = re.fullmatch(r"([RH])(\d{1,2})", code.strip().upper())
    if not m:
        raise ValueError(f"{code!r} is not an era code such as R2 or H30")
    era, n = m.group(1), int(m.group(2))
    return 2018 + n if era == "R" else 1988 + n


def _date_code(m: re.Match[str]) -> str | None:
    year = int(m["y"] or m["y2"] or m["y3"] or m["y4"])
    month = int(m["m"] or m["m2"] or m["m3"]) if not m["mname"] else _MONTHS.index(m["mname"][:3].lower()) + 1
    return code_of(year - 1 if month <= 3 else year)


def _era_date_code(m: re.Match[str]) -> str | None:
    n = 1 if m["n"] == "元" else int(m["n"])
    year = (2018 if m["era"] == "令和" else 1988) + n
    return code_of(year - 1 if int(m["m"]) <= 3 else year)


def _western_code(m: re.Match[str]) -> str | None:
    if m["yy"]:
        return code_of(2000 + int(m["yy"]))
    return code_of(int(next(m[g] for g in ("y", "y2", "y3", "y4", "y5", "y6") if m[g])))


def _era_code(m: re.Match[str]) -> str | None:
    number = 1 if m.group(2).lower() in ("원", "元", "gan", "がん") else int(m.group(2))
    return f"R{number}" if m.group(1).lower() in _REIWA else (f"R{number - 30}" if number >= 31 else f"H{number}")


def find_years(text: str) -> tuple[str, ...]:
    """Fiscal-year codes a question mentions, in any of its languages, in order, without repeats.

    ``find_years("2020년 아동관 방문자 수와 FY2019")`` is ``("R2", "R1")``.
    """
    text = unicodedata.normalize("NFKC", text)

    def mark(code: str | None, original: str) -> str:
        # replaced by the code itself, so one pass of canonical_years keeps the order of mention
        return f" {code} " if code else original

    text = _ERA_DATE.sub(lambda m: mark(_era_date_code(m), m.group()), text)
    text = _DATE.sub(lambda m: mark(_date_code(m), m.group()), text)
    text = _ERA_NAMES.sub(lambda m: mark(_era_code(m), m.group()), text)
    text = _WESTERN.sub(lambda m: mark(_western_code(m), m.group()), text)
    return tuple(canonical_years(text))


def year_label(code: str, lang: str = "ja") -> str:
    """A fiscal year for an answer: the reader's way first, the document's era year beside it.

    ``year_label("R2", "ja")`` is 「令和2年度（2020年度）」, ``year_label("R2", "en")`` is
    "FY2020 (令和2年度)"; R1 is 令和元年度.
    """
    year = western_year(code)
    era, n = code.strip().upper()[0], int(code.strip()[1:])
    era_text = f"{_ERA_LABEL[era]}{'元' if n == 1 and era == 'R' else n}年度"
    lang = {"zh-Hans": "zh", "zh-Hant": "zh"}.get(lang, lang)
    if lang == "ja":
        return f"{era_text}（{year}年度）"
    if lang == "zh":
        return f"{year}年度（{era_text}）"
    if lang == "ko":
        return f"{year}년도({era_text})"
    if lang == "vi":
        return f"năm tài chính {year} ({era_text})"
    return f"FY{year} ({era_text})"
