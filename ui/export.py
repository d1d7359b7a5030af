"""Downloads the page offers: CSV for spreadsheets and a conversation as Markdown.

CSV is UTF-8 with a byte-order mark, because Excel opens BOM-less UTF-8 as Shift_JIS and
shows Japanese as garbage; every file has a header row. Files are offered as ``data:`` links
built here, so nothing is written on the server and nothing needs a second request.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from corpus.records import STATUS_LABELS
from qa.types import IndicatorRow

BOM = "\ufeff"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a BOM and a header row (CRLF line ends, as spreadsheets expect)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow(["" if v is None else v for v in r])
    return BOM + buf.getvalue()


def data_url(text: str, mime: str) -> str:
    return f"data:{mime};charset=utf-8," + quote(text, safe="")


def csv_url(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    return data_url(csv_text(header, rows), "text/csv")


def indicator_header(rows: Sequence[IndicatorRow]) -> tuple[str, ...]:
    base = rows[0].baseline_year if rows else "H30"
    year = rows[0].result_year if rows else "R2"
    return ("資料", "事業", "指標", "単位", f"{base}（基準）", f"{year}計画", f"{year}実績", "判定", "判定の理由", "ページ")


def indicator_rows(rows: Sequence[IndicatorRow]) -> list[list[object]]:
    out = []
    for r in rows:
        status = next((label for st, label in STATUS_LABELS.items() if st.value == r.status), r.status)
        out.append([r.document, r.project, r.name, r.unit, r.baseline, r.plan.get(r.result_year), r.result,
                    status, r.reason, r.page])
    return out


def indicators_csv_url(rows: Sequence[IndicatorRow]) -> str:
    return csv_url(indicator_header(rows), indicator_rows(rows))


def download_link(url: str, filename: str, label: str, *, elem_class: str = "planqa-download") -> str:
    """An <a download> styled as a button (all parts escaped by the caller's rules here)."""
    from ui.markup import escape

    return (f'<a class="{elem_class}" href="{escape(url)}" download="{escape(filename)}">'
            f'<span aria-hidden="true">⬇</span> {escape(label)}</a>')


__all__ = ["BOM", "csv_text", "csv_url", "data_url", "download_link", "indicator_header", "indicator_rows",
           "indicators_csv_url"]
