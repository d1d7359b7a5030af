"""Traceability: every value of the records must occur in the source document, in its own row.

Texts are compared after NFKC and with all whitespace removed, because the PDF extraction
breaks cells over lines. Figures are compared as digit strings with separators removed.

Occurring somewhere is not enough: 漸増 is printed dozens of times, and two indicators of one
page may swap their H30 figures without either leaving the source. So each value is also tied
to its own row or block, where the source prints it:

* **table cells** (H30 and R2–R6): each indicator names the lines its cells are printed on
  (``source_lines``; by default the line that prints its name). The cells of those lines, read
  in that order, must be the row's cells in column order; every line of table cells on a page
  is read by exactly one row, and a line that prints an indicator's name by that indicator
  (``corpus.table`` says why lines are the unit);
* **departments**: printed in brackets right after the project's name (and its sub-programme
  names) in the name cell of its page: 「児童館事業（児童青少年課）＜重点事業＞」;
* **results**: the sentence a result is quoted from lies in its own project's result block
  (``result_explanation``); a figure's sentence names its own indicator (「来館者数（人）
  51,840人」) better than any other indicator of the project; qualitative results are quoted
  in the order of their rows.

So any swap of two different values of one kind between rows of a page fails, naming both.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from corpus.records import YEARS, Cell, Indicator, Plan, Project
from corpus.table import PrintedCell, TableLine, figure_text, parse_ref, squash, table_lines

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_BRACKETS = re.compile(r"\([^()]*\)")
_LABEL_NOISE = re.compile(r"[・:、,。\s]")
_CIRCLED = re.compile(r"^\d{1,2}")  # ①..⑳ before a sub-programme name (NFKC makes them digits)
NAME_MATCH_MIN = 0.5  # a figure's sentence must name its indicator at least this well (see label_similarity)
COLUMNS = ("baseline", *(f"plan.{y}" for y in YEARS))

__all__ = ["Check", "check_plan", "failures", "label_similarity", "number_forms", "numbers_in", "row_lines",
           "source_pages", "squash"]


def numbers_in(text: str) -> set[str]:
    """Digit strings in a text, separators removed ('1,091' -> '1091', '100.0' -> '100.0')."""
    return set(_numbers_in(text))


@lru_cache(maxsize=64)
def _numbers_in(text: str) -> frozenset[str]:
    return frozenset(m.group().replace(",", "") for m in _NUM.finditer(unicodedata.normalize("NFKC", text)))


@lru_cache(maxsize=16384)
def _occurs(part: str, source: str) -> bool:
    return part in source


def number_forms(value: float) -> set[str]:
    """How a figure may be printed: 100.0 -> {'100', '100.0'}."""
    forms = {f"{value:g}"}
    if float(value).is_integer():
        forms |= {str(int(value)), f"{int(value)}.0"}
    return forms


def source_pages(text: str) -> list[str]:
    """The source split into pages (index 0 is page 1).

    Pages end at form feeds; without any, at each repeat of the document's first line (the
    header the PDF prints on every page). A source with neither is one page.
    """
    return list(_source_pages(text))


@lru_cache(maxsize=16)
def _source_pages(text: str) -> tuple[str, ...]:
    if "\f" in text:
        return tuple(text.split("\f"))
    lines = text.splitlines(keepends=True)
    header = next((ln for ln in lines if ln.strip()), None)
    starts = [i for i, ln in enumerate(lines) if header is not None and ln == header]
    if len(starts) < 2:
        return (text,)
    starts[0] = 0  # whatever precedes the first header belongs to page 1
    return tuple("".join(lines[a:b]) for a, b in zip(starts, starts[1:] + [len(lines)]))


@dataclass(frozen=True)
class Check:
    where: str  # e.g. "虐待対応事業 / indicators[0].result.evidence", or "page 2 / line 147"
    kind: str  # "text", "number", "row", "department" or "result"
    value: str
    ok: bool
    detail: str = ""  # for the ties: what differs, in a sentence

    def describe(self, source_file: str) -> str:
        """One line for an operator: where, what and why."""
        if self.detail:
            return f"{self.where}: {self.detail}"
        record, _, field = self.where.partition(" / ")
        where = f"record {record}, field {field}" if field else record
        return f"{where}: {self.kind} {self.value[:60]!r} does not occur in {source_file}"


# --- table rows ----------------------------------------------------------------------------------


def _cells(ind: Indicator) -> list[tuple[str, Cell]]:
    return [("baseline", ind.baseline), *((f"plan.{y}", ind.plan[y]) for y in YEARS)]


def _key(cell: Cell) -> str:
    return figure_text(cell.text) if cell.number is not None else squash(cell.text)


def _names_by_page(plan: Plan) -> dict[int, tuple[str, ...]]:
    names: dict[int, list[str]] = defaultdict(list)
    for p in plan.projects:
        names[p.page].extend(i.name for i in p.indicators)
    return {k: tuple(v) for k, v in names.items()}


def row_lines(lines: dict[int, TableLine], project: Project, ind: Indicator) -> tuple[int | str, ...]:
    """Where an indicator's cells are read from: its ``source_lines``, else the line(s) printing its name."""
    if ind.source_lines:
        return ind.source_lines
    name = squash(ind.name)
    return tuple(n for n, line in lines.items() if line.page == project.page and line.name == name)


def _extras(plan: Plan, page: int) -> set[str]:
    """Figures a line may print besides its row's cells: the page number and the projects' numbers (番号)."""
    return {str(page)} | {str(p.number) for p in plan.projects if p.page == page}


def _check_row(plan: Plan, lines: dict[int, TableLine], p: Project, j: int, ind: Indicator,
               claimed: dict[tuple[int, int], str]) -> list[Check]:
    base = f"{p.name} / indicators[{j}]"
    refs = row_lines(lines, p, ind)
    src = plan.source_file
    if not refs:
        return [Check(f"{base}.source_lines", "row", "", False,
                      f"no line of page {p.page} of {src} prints 「{ind.name}」 with its cells; give source_lines, "
                      f"the lines that print this row's H30 and plan cells ({_candidates(lines, p.page)})")]
    problems: list[Check] = []
    printed: list[tuple[int, PrintedCell]] = []
    for ref in refs:
        n, first, last = parse_ref(ref)
        line = lines.get(n)
        if line is None or line.page != p.page:
            what = "holds no table cells" if line is None else f"is on page {line.page}"
            problems.append(Check(f"{base}.source_lines", "row", str(ref), False,
                                  f"line {n} of {src} {what}, not a row of page {p.page} ({_candidates(lines, p.page)})"))
            continue
        span = range(len(line.cells)) if first is None else range(first - 1, min(last, len(line.cells)))
        if first is not None and (last > len(line.cells) or first > last):
            problems.append(Check(f"{base}.source_lines", "row", str(ref), False,
                                  f"line {n} of {src} prints {len(line.cells)} cell(s) ({line.shown()}), "
                                  f"there are no cells {first}-{last}"))
            continue
        if line.name is not None and line.name != squash(ind.name) and any(k >= line.named_from for k in span):
            problems.append(Check(f"{base}.source_lines", "row", str(ref), False,
                                  f"line {n} of {src} prints the row of 「{line.name}」, not of 「{ind.name}」"))
        for k in span:
            if (n, k) in claimed:
                problems.append(Check(f"{base}.source_lines", "row", str(ref), False,
                                      f"cell {k + 1} of line {n} of {src} ({line.cells[k].text}) is also read by "
                                      f"{claimed[n, k]}; each printed cell belongs to one row"))
            claimed.setdefault((n, k), base)
            printed.append((n, line.cells[k]))
    if problems:
        return problems
    where_lines = ", ".join(map(str, refs))  # as the data file writes them
    # plan words (and notes) in column order
    record_words = [(col, c) for col, c in _cells(ind) if c.word is not None]
    printed_words = [(n, c) for n, c in printed if c.word is not None]
    for k, (col, cell) in enumerate(record_words):
        if k >= len(printed_words):
            problems.append(Check(f"{base}.{col}", "row", cell.text, False,
                                  f"{cell.text} is not printed: {_lines(refs, src)} "
                                  f"{len(printed_words)} plan word(s) for this row, the record has {len(record_words)}"))
        elif _key(cell) != printed_words[k][1].key:
            n, c = printed_words[k]
            problems.append(Check(f"{base}.{col}", "row", cell.text, False,
                                  f"{cell.text}, but this row's cell there is {c.text} (line {n} of {src}; the row is "
                                  f"read from lines {where_lines})"))
    for n, c in printed_words[len(record_words):]:
        problems.append(Check(f"{base}.source_lines", "row", c.text, False,
                              f"line {n} of {src} prints {c.text} in this row, but the record has no cell for it"))
    # figures in column order; a line may also print the page number or a project's number (番号)
    record_figures = [(col, c) for col, c in _cells(ind) if c.number is not None]
    printed_figures = [(n, c) for n, c in printed if c.figure is not None]
    extras = _extras(plan, p.page)
    k = 0
    mismatched = False
    for col, cell in record_figures:
        while k < len(printed_figures) and printed_figures[k][1].key != _key(cell) \
                and printed_figures[k][1].key in extras:
            k += 1
        if k < len(printed_figures) and printed_figures[k][1].key == _key(cell):
            k += 1
            continue
        shown = " ".join(c.text for _, c in printed_figures if c.key not in extras) or "no figure"
        mismatched = True
        problems.append(Check(f"{base}.{col}", "row", cell.text, False,
                              f"{cell.text}, but {_lines(refs, src)} {shown} in this row"))
    for n, c in printed_figures[k:]:
        if not mismatched and c.key not in extras:
            problems.append(Check(f"{base}.source_lines", "row", c.text, False,
                                  f"line {n} of {src} prints {c.text} in this row, but the record has no cell for it"))
    return problems


def _lines(refs: tuple[int | str, ...], source_file: str) -> str:
    """「line 317 of X prints」 / 「lines 147, 131 of X print」."""
    one = len(refs) == 1
    return f"{'line' if one else 'lines'} {', '.join(map(str, refs))} of {source_file} {'prints' if one else 'print'}"


def _candidates(lines: dict[int, TableLine], page: int) -> str:
    shown = [f"{n}: {line.shown()}" for n, line in lines.items() if line.page == page]
    return "lines of cells on that page: " + "; ".join(shown[:40]) if shown else "that page prints no table cells"


def check_rows(plan: Plan) -> list[Check]:
    """Every indicator's H30 and plan cells against the table lines of its page, and every line read once."""
    lines = table_lines(plan.source_text, _names_by_page(plan))
    pages = len(source_pages(plan.source_text))
    checks: list[Check] = []
    claimed: dict[tuple[int, int], str] = {}
    for p in plan.projects:
        if p.page > pages:
            checks.append(Check(f"{p.name} / page", "row", str(p.page), False,
                                f"the source {plan.source_file} has {pages} page(s), there is no page {p.page}"))
            continue
        for j, ind in enumerate(p.indicators):
            problems = _check_row(plan, lines, p, j, ind, claimed)
            checks.extend(problems or [Check(f"{p.name} / indicators[{j}]", "row", ind.name, True)])
    pages_with_rows = {p.page for p in plan.projects}
    for n, line in lines.items():
        if line.page not in pages_with_rows:
            continue
        extras = _extras(plan, line.page)
        unread = [c for k, c in enumerate(line.cells) if (n, k) not in claimed]
        # a page number or a project's number (番号) is no row's cell
        if any(c.word is not None or c.key not in extras for c in unread):
            checks.append(Check(f"page {line.page} / line {n}", "row", line.shown(), False,
                                f"line {n} of {plan.source_file} prints 「{line.shown()}」 in the table, but no indicator "
                                f"reads {' '.join(c.text for c in unread)}; add it to the source_lines of the row it "
                                f"belongs to"))
    return checks


# --- departments ----------------------------------------------------------------------------------


def _after_aliases(rest: str, aliases: tuple[str, ...]) -> str:
    """``rest`` without the sub-programme names printed under a project's name (「①乳幼児保健相談②…」)."""
    names = sorted((squash(a) for a in aliases), key=len, reverse=True)
    while True:
        stripped = _CIRCLED.sub("", rest)
        alias = next((a for a in names if a and stripped.startswith(a)), None)
        if alias is None:
            return rest
        rest = stripped[len(alias):]


def check_departments(plan: Plan) -> list[Check]:
    """Each project's departments are the brackets printed right after its name on its page."""
    pages = source_pages(plan.source_text)
    checks: list[Check] = []
    for p in plan.projects:
        where = f"{p.name} / departments"
        wanted = "(" + "・".join(squash(d) for d in p.departments) + ")"
        if p.page > len(pages):
            continue  # reported by the row check
        page = squash(pages[p.page - 1])
        name = squash(p.name)
        printed = []
        for m in re.finditer(re.escape(name), page):
            rest = _after_aliases(page[m.end():], p.aliases)
            if rest.startswith("("):
                printed.append(rest[: rest.find(")") + 1] if ")" in rest else rest[:20])
        if wanted in printed:
            checks.append(Check(where, "department", "・".join(p.departments), True))
        elif printed:
            checks.append(Check(where, "department", "・".join(p.departments), False,
                                f"（{'・'.join(p.departments)}）, but page {p.page} of {plan.source_file} prints "
                                f"{' / '.join(dict.fromkeys('（' + x.strip('()') + '）' for x in printed))} after the "
                                f"name 「{p.name}」"))
        else:
            checks.append(Check(where, "department", "・".join(p.departments), False,
                                f"page {p.page} of {plan.source_file} does not print the name 「{p.name}」 followed by "
                                f"its department in brackets"))
    return checks


# --- results --------------------------------------------------------------------------------------


def _core(text: str) -> str:
    """An indicator name or a sentence's label without brackets and separators: 「受給者数（人）：」 -> 受給者数."""
    t = squash(text)
    while True:
        shorter = _BRACKETS.sub("", t)
        if shorter == t:
            break
        t = shorter
    return _LABEL_NOISE.sub("", t)


def _lcs(a: str, b: str) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for k, other in enumerate(b):
            cur.append(prev[k] + 1 if ch == other else max(prev[k + 1], cur[k]))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=4096)
def label_similarity(label: str, name: str) -> float:
    """How well a sentence's label names an indicator: common subsequence over the longer core (0..1).

    「総合相談延件数（件）」 names 「相談件数（件）」 at 4/7; 「受給資格者における受給者数の割合」 names
    「受給者数（人）」 at 4/16, its own indicator at 1.
    """
    a, b = _core(label), _core(name)
    return _lcs(a, b) / max(len(a), len(b)) if a and b else 0.0


def result_label(evidence: str, printed: str) -> str | None:
    """The words before a result's figure in its sentence, back to the previous figure: the row's label."""
    ev, fig = squash(evidence), squash(printed)
    at = ev.find(fig)
    if at < 0:
        return None
    before = ev[:at]
    last = None
    for last in _NUM.finditer(before):
        pass
    return before[last.end():] if last else before


def _explanations(plan: Plan) -> Iterator[tuple[Project, str]]:
    for p in plan.projects:
        if p.result_explanation:
            yield p, squash(p.result_explanation)


def check_results(plan: Plan) -> list[Check]:
    """Each result's sentence is in its project's result block and names its own row."""
    checks: list[Check] = []
    blocks = list(_explanations(plan))
    for p in plan.projects:
        own = squash(p.result_explanation or "")
        qualitative: list[tuple[int, int]] = []  # (indicator, where its sentence starts in the block)
        for j, ind in enumerate(p.indicators):
            r = ind.result
            if r is None:
                continue
            where = f"{p.name} / indicators[{j}].result.evidence"
            ev = squash(r.evidence)
            at = own.find(ev) if own else -1
            if at < 0:
                others = [q for q, text in blocks if q.page == p.page and q is not p and ev in text]
                elsewhere = f"; it is in {others[0].name} / result_explanation" if others else ""
                checks.append(Check(where, "result", r.evidence, False,
                                    f"this sentence is not in {p.name} / result_explanation, the project's own result "
                                    f"block{elsewhere}"))
                continue
            if r.value is None:
                counted = next((c for _, c in _cells(ind) if c.number is not None), None)
                if counted is not None:
                    checks.append(Check(where, "result", r.evidence, False,
                                        f"this row is counted (its table cells print {counted.text}), so its result "
                                        f"is a figure; the sentence 「{r.evidence[:40]}」 gives none"))
                    continue
                qualitative.append((j, at))
                checks.append(Check(where, "result", r.evidence, True))
                continue
            label = result_label(r.evidence, r.text or f"{r.value:g}")
            if label is None:
                continue  # the figure is not in its sentence: the text check says so
            mine = label_similarity(label, ind.name)
            rivals = [(k, other, label_similarity(label, other.name)) for k, other in enumerate(p.indicators)
                      if k != j and squash(other.name) != squash(ind.name)]
            better = [(k, other) for k, other, score in rivals if score >= mine]
            if better or mine < NAME_MATCH_MIN:
                named = (f"names {p.name} / indicators[{better[0][0]}] 「{better[0][1].name}」"
                         if better else f"does not name 「{ind.name}」")
                checks.append(Check(where, "result", r.evidence, False,
                                    f"the figure's sentence 「{r.evidence[:40]}」 {named}, not this row"))
            else:
                checks.append(Check(where, "result", r.evidence, True))
        # qualitative results are quoted from the block in the order of their rows
        for a, (j1, at1) in enumerate(qualitative):
            for j2, at2 in qualitative[a + 1:]:
                if at2 < at1:
                    checks.append(Check(f"{p.name} / indicators[{j2}].result.evidence", "result", "", False,
                                        f"quoted from before the sentence of {p.name} / indicators[{j1}].result in "
                                        f"the result block; results are quoted in the order of their rows"))
    return checks


# --- all checks -----------------------------------------------------------------------------------


def check_plan(plan: Plan) -> list[Check]:
    """Every traceable field of a plan, with whether it occurs in the source, in its own row or block."""
    src = squash(plan.source_text)
    src_numbers = numbers_in(plan.source_text)
    checks: list[Check] = []

    def text(where: str, value: str | None) -> None:
        if value:
            for part in value.split("\n"):
                if part.strip():
                    checks.append(Check(where, "text", part, _occurs(squash(part), src)))

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
    return checks + check_rows(plan) + check_departments(plan) + check_results(plan)


def failures(plan: Plan) -> list[Check]:
    return [c for c in check_plan(plan) if not c.ok]
