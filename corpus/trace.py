"""Traceability: every text and every figure of the records must occur in the source document.

Texts are compared after NFKC and with all whitespace removed, because the PDF extraction
breaks cells over lines. Figures are compared as digit strings with separators removed.

A plan word such as 漸増 or 維持 occurs all over the document, so finding it somewhere proves
nothing. The table cells are therefore also checked per page, the way the records were
reconstructed: the plan words a page's indicators use (H30 and R2..R6 columns) must be exactly
the plan words printed in that page's table, as a multiset, and their figures must be among the
figures printed on that page. Swapping one indicator's 漸増 for 維持 changes the count and fails.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from corpus.records import Plan, PlanWord, Project

_WS = re.compile(r"\s+")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def squash(text: str) -> str:
    """NFKC, no whitespace: the form in which record texts are looked up in the source."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def numbers_in(text: str) -> set[str]:
    """Digit strings in a text, separators removed ('1,091' -> '1091', '100.0' -> '100.0')."""
    return {m.group().replace(",", "") for m in _NUM.finditer(unicodedata.normalize("NFKC", text))}


def number_forms(value: float) -> set[str]:
    """How a figure may be printed: 100.0 -> {'100', '100.0'}."""
    forms = {f"{value:g}"}
    if float(value).is_integer():
        forms |= {str(int(value)), f"{int(value)}.0"}
    return forms


_PLAN_WORD = re.compile("|".join(re.escape(w.value) for w in PlanWord))
_TABLE_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
_NO_PLAN_DASHES = frozenset({"-", "ー", "―", "‐"})


def source_pages(text: str) -> list[str]:
    """The source split into pages (index 0 is page 1).

    Pages end at form feeds; without any, at each repeat of the document's first line (the
    header the PDF prints on every page). A source with neither is one page.
    """
    if "\f" in text:
        return text.split("\f")
    lines = text.splitlines(keepends=True)
    header = next((ln for ln in lines if ln.strip()), None)
    starts = [i for i, ln in enumerate(lines) if header is not None and ln == header]
    if len(starts) < 2:
        return [text]
    starts[0] = 0  # whatever precedes the first header belongs to page 1
    return ["".join(lines[a:b]) for a, b in zip(starts, starts[1:] + [len(lines)])]


def _figure(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(",", "")


def table_tokens(page: str, row_names: tuple[str, ...] = ()) -> tuple[Counter, Counter]:
    """Plan words and figures printed as table cells on a page: (words, figures) multisets.

    A cell is a whitespace-separated token made of plan words and figures only ("漸増",
    "維持4", "漸増漸増", "615"), a plan word with a note ("拡充（小学校４年生～"), or a plan word
    glued to the name of the next indicator row (``row_names``), as the PDF extraction left
    some. Prose ("継続的検討", "実施した。") is not a cell.
    """
    words: Counter = Counter()
    figures: Counter = Counter()
    names = tuple(_WS.sub("", unicodedata.normalize("NFKC", n)) for n in row_names if n)
    for token in page.split():
        if token in _NO_PLAN_DASHES:  # "－" printed with another dash, as the loader also reads it
            words[PlanWord.NONE.value] += 1
            continue
        found_words: list[str] = []
        found_figures: list[str] = []
        rest = token
        while rest:
            m = _PLAN_WORD.match(rest) or _TABLE_NUMBER.match(rest)
            if not m:
                break
            (found_words if _PLAN_WORD.match(m.group()) else found_figures).append(m.group())
            rest = rest[m.end():]
        glued = bool(found_words) and len(rest) >= 4 and any(
            n.startswith(unicodedata.normalize("NFKC", rest)[:8]) for n in names)
        if not rest or (found_words and rest.startswith("（")) or glued:
            words.update(found_words)
            figures.update(_figure(f) for f in found_figures)
    return words, figures


@dataclass(frozen=True)
class Check:
    where: str  # e.g. "虐待対応事業 / indicators[0].result.evidence", or "page 2 / plan words"
    kind: str  # "text", "number", "plan words" or "figures"
    value: str
    ok: bool
    detail: str = ""  # for page checks: what differs, in a sentence

    def describe(self, source_file: str) -> str:
        """One line for an operator: where, what and why."""
        if self.detail:
            return f"{self.where}: {self.detail}"
        record, _, field = self.where.partition(" / ")
        where = f"record {record}, field {field}" if field else record
        return f"{where}: {self.kind} {self.value[:60]!r} does not occur in {source_file}"


def _cells(project: Project):
    """(field, cell) for the H30 and plan columns of a project's indicators."""
    for j, ind in enumerate(project.indicators):
        yield f"{project.name} / indicators[{j}].baseline", ind.baseline
        for year, cell in ind.plan.items():
            yield f"{project.name} / indicators[{j}].plan.{year}", cell


def _count_text(counter: Counter) -> str:
    return "、".join(f"{k}×{v}" for k, v in sorted(counter.items())) or "none"


def check_pages(plan: Plan) -> list[Check]:
    """Per page: the records' plan words equal the page's, and their figures are on the page."""
    pages = source_pages(plan.source_text)
    checks: list[Check] = []
    by_page: dict[int, list[Project]] = {}
    for p in plan.projects:
        by_page.setdefault(p.page if len(pages) > 1 else 1, []).append(p)
    for page_no, projects in sorted(by_page.items()):
        where = f"page {page_no}"
        if page_no > len(pages):
            names = ", ".join(p.name for p in projects)
            checks.append(Check(where, "plan words", "", False,
                                f"{names}: the source has {len(pages)} page(s), there is no page {page_no}"))
            continue
        row_names = tuple(i.name for p in projects for i in p.indicators)
        printed_words, printed_figures = table_tokens(pages[page_no - 1], row_names)
        used_words: Counter = Counter()
        cells_by_word: dict[str, list[str]] = {}
        left = Counter(printed_figures)
        figures_ok = True
        for p in projects:
            for field, cell in _cells(p):
                if cell.word is not None:
                    used_words[cell.word.value] += 1
                    cells_by_word.setdefault(cell.word.value, []).append(field)
                if cell.number is not None:
                    figure = _figure(cell.text)
                    if left[figure] > 0:
                        left[figure] -= 1
                    else:
                        figures_ok = False
                        checks.append(Check(field, "figures", figure, False,
                                            f"figure {figure} is not printed (or printed fewer times than the "
                                            f"records use it) in the table on page {page_no} of {plan.source_file}"))
            page_numbers = numbers_in(pages[page_no - 1])
            for j, ind in enumerate(p.indicators):
                if ind.result and ind.result.value is not None and not number_forms(ind.result.value) & page_numbers:
                    figures_ok = False
                    checks.append(Check(f"{p.name} / indicators[{j}].result.value", "figures", f"{ind.result.value:g}",
                                        False, f"{ind.result_year} result {ind.result.value:g} is not printed on page {page_no} "
                                               f"of {plan.source_file}"))
        ok = used_words == printed_words
        detail = ""
        if not ok:
            over, under = used_words - printed_words, printed_words - used_words
            suspects = [f for w in over for f in cells_by_word.get(w, [])]
            detail = (f"plan words of the records ({_count_text(over)} too many, {_count_text(under)} too few) "
                      f"differ from the table printed on page {page_no} of {plan.source_file}; "
                      f"check the cells with {'/'.join(sorted(over)) or 'those words'}: " + ", ".join(suspects[:8]))
        checks.append(Check(f"{where} / plan words", "plan words", _count_text(used_words), ok, detail))
        if figures_ok:
            checks.append(Check(f"{where} / figures", "figures", _count_text(printed_figures), True))
    return checks


def check_plan(plan: Plan) -> list[Check]:
    """Every traceable field of a plan, with whether it occurs in the plan's source text."""
    src = squash(plan.source_text)
    src_numbers = numbers_in(plan.source_text)
    checks: list[Check] = []

    def text(where: str, value: str | None) -> None:
        if value:
            for part in value.split("\n"):
                if part.strip():
                    checks.append(Check(where, "text", part, squash(part) in src))

    def number(where: str, value: float | None) -> None:
        if value is not None:
            checks.append(Check(where, "number", f"{value:g}", bool(number_forms(value) & src_numbers)))

    text("plan.title", plan.title)
    for g in plan.goals:
        text(f"goal {g.number}.title", g.title)
    for pol in plan.policies:
        text(f"policy {pol.code}.title", pol.title)
    for p in plan.projects:
        base = p.name
        text(f"{base} / name", p.name)
        for d in p.departments:
            text(f"{base} / departments", d)
        for a in p.aliases:
            text(f"{base} / aliases", a)
        text(f"{base} / content", p.content)
        text(f"{base} / result_explanation", p.result_explanation)
        for k, c in enumerate(p.council_comments):
            text(f"{base} / council_comments[{k}]", c)
        for j, ind in enumerate(p.indicators):
            w = f"{base} / indicators[{j}]"
            text(f"{w}.name", ind.name)
            text(f"{w}.baseline", ind.baseline.text)
            number(f"{w}.baseline", ind.baseline.number)
            for year, cell in ind.plan.items():
                text(f"{w}.plan.{year}", cell.text)
                number(f"{w}.plan.{year}", cell.number)
            if ind.result:
                text(f"{w}.result.evidence", ind.result.evidence)
                text(f"{w}.result.text", ind.result.text)
                number(f"{w}.result.value", ind.result.value)
                if ind.result.text:
                    inside = squash(ind.result.text) in squash(ind.result.evidence)
                    checks.append(Check(f"{w}.result.text in evidence", "text", ind.result.text, inside))
    return checks + check_pages(plan)


def failures(plan: Plan) -> list[Check]:
    return [c for c in check_plan(plan) if not c.ok]
