"""The printed table of a source page, line by line, as the PDF extraction left it.

The extraction writes each run of horizontally adjacent table cells as one line, but not in
the order of the rows: one row's H30 and plan cells may be split over several lines, far
apart (「73 漸増」 … 「漸増 漸増 漸増 漸増」), and a line may carry the row's indicator name
before its cells (「虐待相談件数（件） 615」). What does hold on every page read so far:

* a line of cells belongs to one row (the cells of one printed row share a baseline);
* a line that prints an indicator name before its cells is that indicator's row;
* a plan word whose note wraps (「拡充」 then 「（小学」「校４年」「生～６」「年生）」) is one cell.

``table_lines`` finds those lines. Which row a line without a name belongs to is not in the
text: a data file says it per indicator (``source_lines``), and ``corpus.trace`` proves that
reading against the lines.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from corpus.records import PlanWord

_WS = re.compile(r"\s+")
_PLAN_WORD = re.compile("|".join(re.escape(w.value) for w in PlanWord))
_TABLE_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
NO_PLAN_DASHES = frozenset({"-", "ー", "―", "‐", "－"})
_NOTE_LINE_MAX = 12  # a wrapped note's fragments are a few characters each (「校４年」)
_NOTE_LINES_MAX = 8


@lru_cache(maxsize=16384)  # the same record texts and source pages are squashed by every check
def squash(text: str) -> str:
    """NFKC, no whitespace: the form in which record texts are looked up in the source."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def figure_text(text: str) -> str:
    """A printed figure as digits and a decimal point: '98,875' -> '98875', '１００.０' -> '100.0'."""
    return unicodedata.normalize("NFKC", text).replace(",", "")


@dataclass(frozen=True)
class PrintedCell:
    """One table cell as printed: a plan word (with its note, if any) or a figure."""

    text: str  # as printed, e.g. "漸増", "98,875", "拡充（小学校４年生～６年生）"
    word: PlanWord | None = None
    figure: str | None = None  # figure_text of a figure cell

    @property
    def key(self) -> str:
        """What two cells must share to be the same value."""
        return self.figure if self.figure is not None else squash(self.text)


@dataclass(frozen=True)
class TableLine:
    """A line of the source that holds table cells (and maybe the name of their row)."""

    number: int  # 1-based, as an editor shows it
    page: int  # 1-based
    name: str | None  # squashed indicator name printed on the line, if any
    cells: tuple[PrintedCell, ...]
    named_from: int = 0  # cells from this index on follow the name (a cell glued before it may not)

    @property
    def words(self) -> tuple[PrintedCell, ...]:
        return tuple(c for c in self.cells if c.word is not None)

    @property
    def figures(self) -> tuple[PrintedCell, ...]:
        return tuple(c for c in self.cells if c.figure is not None)

    def shown(self) -> str:
        return " ".join(c.text for c in self.cells)


def text_lines(text: str) -> list[str]:
    """The source's lines, index 0 being line 1 (split at newlines only, as an editor numbers them)."""
    return text.split("\n")


def line_pages(text: str) -> list[int]:
    """The page (1-based) of every line, by the same page breaks as ``corpus.trace.source_pages``."""
    lines = text_lines(text)
    if "\f" in text:
        pages, page = [], 1
        for line in lines:
            page_here = page
            page += line.count("\f")
            pages.append(page_here if not line.startswith("\f") else page)
        return pages
    header = next((ln for ln in lines if ln.strip()), None)
    starts = [i for i, ln in enumerate(lines) if header is not None and ln == header]
    pages, page = [], 1
    for i in range(len(lines)):
        if len(starts) >= 2 and i in starts[1:]:
            page += 1
        pages.append(page)
    return pages


def parse_ref(ref: int | str) -> tuple[int, int | None, int | None]:
    """A ``source_lines`` entry as (line, first cell, last cell): 147 -> (147, None, None), "77:2" -> (77, 2, 2).

    Cells are numbered from 1 in the order the line prints them.
    """
    if isinstance(ref, int):
        return ref, None, None
    line, _, cells = str(ref).partition(":")
    first, _, last = cells.partition("-")
    return int(line), int(first), int(last or first)


def _split_token(token: str) -> tuple[list[PrintedCell], str]:
    """Leading cells of a whitespace token ("漸増漸増" -> two, "維持4" -> 維持 and 4) and the rest."""
    cells: list[PrintedCell] = []
    rest = token
    while rest:
        m = _PLAN_WORD.match(rest)
        if m:
            cells.append(PrintedCell(m.group(), word=PlanWord(m.group())))
        else:
            m = _TABLE_NUMBER.match(rest)
            if not m:
                break
            cells.append(PrintedCell(m.group(), figure=figure_text(m.group())))
        rest = rest[m.end():]
    return cells, rest


def _parse(line: str, names: tuple[str, ...]) -> tuple[str, list[PrintedCell], int] | None:
    """(printed prefix, cells, index of the first cell after the prefix) when the line is a run of
    table cells, else None (prose, headings)."""
    prefix: list[str] = []
    cells: list[PrintedCell] = []
    named_from = 0
    for token in line.split():
        if token in NO_PLAN_DASHES:  # "－" printed with another dash, as the loader also reads it
            cells.append(PrintedCell(token, word=PlanWord.NONE))
            continue
        found, rest = _split_token(token)
        if found and not rest:
            cells.extend(found)
            continue
        if found and found[-1].word is not None and rest.startswith("（"):  # 拡充（小学校４年生～
            cells.extend(found[:-1])
            cells.append(PrintedCell(found[-1].text + rest, word=found[-1].word))
            continue
        glued = [c for c in found if c.word is not None] and len(rest) >= 4 and any(
            n.startswith(squash(rest)[:8]) for n in names)
        if glued:  # 「漸増開館延長時の利用者数（人）」: the cell before the row's name
            cells.extend(found)
            prefix.append(rest)
            named_from = len(cells)
            continue
        if cells:
            return None  # text after cells: a sentence, not a table line
        prefix.append(token)
    if not cells:
        return None
    return "".join(prefix), cells, named_from


def _wrapped_note(lines: list[str], start: int) -> tuple[str, int]:
    """A plan word's note printed on the lines from ``start`` (「（小学」「校４年」…「年生）」), and the lines used."""
    parts: list[str] = []
    i = start
    while i < len(lines) and len(parts) < _NOTE_LINES_MAX:
        text = lines[i].strip()
        i += 1
        if not text:
            continue
        if (not parts and not text.startswith("（")) or len(text) > _NOTE_LINE_MAX:
            return "", 0
        parts.append(text)
        if "）" in text:
            return "".join(parts), i - start
    return "", 0


def table_lines(text: str, names_by_page: dict[int, tuple[str, ...]]) -> dict[int, TableLine]:
    """Every line of ``text`` that prints table cells, by line number.

    ``names_by_page`` are the indicator names of each page's records: a line that prints one
    before its cells (whole, or the end of a name whose start is on the lines above) is that
    row's line; a line with any other text before its cells is not a table line.
    """
    return dict(_table_lines(text, tuple(sorted(names_by_page.items()))))


@lru_cache(maxsize=8)  # parsed once per source and set of names, however many checks run
def _table_lines(text: str, names_by_page: tuple[tuple[int, tuple[str, ...]], ...]) -> tuple[tuple[int, TableLine], ...]:
    lines = text_lines(text)
    pages = line_pages(text)
    squashed = {page: tuple(squash(n) for n in names) for page, names in names_by_page}
    found: dict[int, TableLine] = {}
    for i, line in enumerate(lines):
        page = pages[i]
        names = squashed.get(page, ())
        parsed = _parse(line, names)
        if parsed is None:
            continue
        printed, cells, named_from = parsed
        prefix = squash(printed)
        name = None
        if prefix:
            if prefix in names:
                name = prefix
            else:
                above = squash("".join(lines[max(0, i - 3):i]))
                name = next((n for n in names if n.endswith(prefix) and len(prefix) >= 2
                             and above.endswith(n[: -len(prefix)])), None)
                if name is None:
                    continue
        last = cells[-1]
        if last.word is not None and last.text == last.word.value:
            note, _ = _wrapped_note(lines, i + 1)
            if note:
                cells[-1] = PrintedCell(last.text + note, word=last.word)
        found[i + 1] = TableLine(i + 1, page, name, tuple(cells), named_from if name else 0)
    return tuple(found.items())


__all__ = ["NO_PLAN_DASHES", "PrintedCell", "TableLine", "figure_text", "line_pages", "parse_ref", "squash",
           "table_lines", "text_lines"]
