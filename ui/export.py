"""Downloads the page offers: CSV for spreadsheets and a conversation as Markdown.

CSV is UTF-8 with a byte-order mark, because Excel opens BOM-less UTF-8 as Shift_JIS and
shows Japanese as garbage; every file has a header row. Files are offered as ``data:`` links
built here, so nothing is written on the server and nothing needs a second request.

Every CSV goes through ``csv_text``, which makes it safe to open in a spreadsheet: a text cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (spaces before them
included) would be run as a formula (``=HYPERLINK(…)``, ``+1+cmd|…``), so it gets a leading
apostrophe and stays text; control characters (terminal escape sequences) are dropped. Numbers are written as numbers, without separators, and a figure's
unit goes in its own column, so a spreadsheet can sum them (「98,875人」 -> 98875 and 人).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from corpus.records import STATUS_LABELS
from qa.types import IndicatorRow

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula
# control characters (escape sequences, bidi overrides) have no place in a cell; line breaks and tabs stay
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FIGURE = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(.*)$")


def safe_cell(value: object) -> object:
    """A value as a spreadsheet may read it: numbers as numbers, text never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    text = _CONTROL.sub("", str(value))
    if text.lstrip(" \u3000\n").startswith(FORMULA_START) or text.startswith(FORMULA_START):
        return "'" + text
    return text


def formula_leading(cell: str) -> bool:
    """Whether a CSV cell as written would start a formula (a plain number such as -5 does not)."""
    stripped = cell.lstrip(" \u3000\n")
    if not (stripped.startswith(FORMULA_START) or cell.startswith(FORMULA_START)):
        return False
    try:
        float(cell)
        return False
    except ValueError:
        return True


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a BOM and a header row (CRLF line ends, as spreadsheets expect); every cell through ``safe_cell``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for r in rows:
        writer.writerow([safe_cell(v) for v in r])
    return BOM + buf.getvalue()


def split_figure(text: str | None, unit: str | None) -> object:
    """A printed figure as a number when what follows it is the unit of its column (or nothing):
    「98,875人」 with unit 人 -> 98875; 「漸増」 or 「64機関/64機関」 stay text."""
    if text is None:
        return None
    m = _FIGURE.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return text
    rest = m.group(2)
    if rest and rest != unicodedata.normalize("NFKC", unit or ""):
        return text
    number = float(m.group(1).replace(",", ""))
    return int(number) if number.is_integer() else number


def data_url(text: str, mime: str) -> str:
    return f"data:{mime};charset=utf-8," + quote(text, safe="")


def csv_url(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    return data_url(csv_text(header, rows), "text/csv")


def indicator_header(rows: Sequence[IndicatorRow]) -> tuple[str, ...]:
    base = rows[0].baseline_year if rows else "H30"
    year = rows[0].result_year if rows else "R2"
    return ("資料", "事業", "指標", "単位", f"{base}（基準）", f"{year}計画", f"{year}実績", "判定", "判定の理由", "ページ")


def indicator_rows(rows: Sequence[IndicatorRow]) -> list[list[object]]:
    """One row per indicator; H30, plan and result figures as numbers, their unit in the 単位 column."""
    out = []
    for r in rows:
        status = next((label for st, label in STATUS_LABELS.items() if st.value == r.status), r.status)
        out.append([r.document, r.project, r.name, r.unit, split_figure(r.baseline, r.unit),
                    split_figure(r.plan.get(r.result_year), r.unit), split_figure(r.result, r.unit),
                    status, r.reason, r.page])
    return out


def indicators_csv_url(rows: Sequence[IndicatorRow]) -> str:
    return csv_url(indicator_header(rows), indicator_rows(rows))


def download_link(url: str, filename: str, label: str, *, elem_class: str = "planqa-download") -> str:
    """An <a download> styled as a button (all parts escaped by the caller's rules here)."""
    from ui.markup import escape

    return (f'<a class="{elem_class}" href="{escape(url)}" download="{escape(filename)}">'
            f'<span aria-hidden="true">⬇</span> {escape(label)}</a>')


__all__ = ["BOM", "FORMULA_START", "csv_text", "csv_url", "data_url", "download_link", "formula_leading",
           "indicator_header", "indicator_rows", "indicators_csv_url", "safe_cell", "split_figure"]
