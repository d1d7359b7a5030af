"""The printed pages of a source document, and where a passage sits on its page.

A page starts with the document's repeated header line (the first non-empty line of the
text) and ends with a line holding only its page number; the last page has no number line.
Passages are located ignoring whitespace and character width (NFKC), because the PDF
extraction breaks and pads lines; a record text spread over several lines may be found as
several pieces.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from corpus.records import Plan

_PAGE_NUMBER = re.compile(r"\s*[0-9０-９]{1,3}\s*")


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as printed (the last page gets the next number)
    text: str  # the page as extracted, header included, page-number line removed


def split_pages(source_text: str) -> tuple[Page, ...]:
    """The pages of a document's text; one page when no header line repeats."""
    lines = source_text.split("\n")
    header = next((ln for ln in lines if ln.strip()), None)
    if header is None:
        return ()
    starts = [i for i, ln in enumerate(lines) if ln == header]
    chunks = [lines[s:e] for s, e in zip(starts, starts[1:] + [len(lines)])]
    if starts[0] > 0 and any(ln.strip() for ln in lines[: starts[0]]):
        chunks[0] = lines[: starts[0]] + chunks[0]
    pages: list[Page] = []
    for i, chunk in enumerate(chunks, 1):
        body = list(chunk)
        while body and not body[-1].strip():
            body.pop()
        number = i
        if i < len(chunks) and body and _PAGE_NUMBER.fullmatch(body[-1]):
            number = int(unicodedata.normalize("NFKC", body[-1]).strip())
            body.pop()
        pages.append(Page(number, "\n".join(body).strip("\n")))
    return tuple(pages)


def plan_pages(plan: Plan) -> dict[int, str]:
    """Page number -> page text for a plan (empty when the plan has no source text)."""
    return {p.number: p.text for p in split_pages(plan.source_text)}


def _squashed(text: str) -> tuple[str, list[int]]:
    """NFKC per character with whitespace dropped, and each kept character's index in ``text``."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                out.append(c)
                origin.append(i)
    return "".join(out), origin


def locate(page_text: str, passage: str) -> list[tuple[int, int]]:
    """(start, end) spans of ``page_text`` holding ``passage``, in order; [] when not found.

    The passage is looked up whole first, then line by line (a cell broken over the page's
    columns); pieces of fewer than four characters are not looked up on their own.
    """
    hay, origin = _squashed(page_text)
    spans: list[tuple[int, int]] = []
    whole, _ = _squashed(passage)
    pieces = [whole] if whole and whole in hay else [_squashed(ln)[0] for ln in passage.split("\n")]
    pos = 0
    for piece in pieces:
        if len(piece) < 4 and piece != whole:
            continue
        at = hay.find(piece, pos)
        if at == -1:
            at = hay.find(piece)
            if at == -1:
                continue
        else:
            pos = at + len(piece)
        spans.append((origin[at], origin[at + len(piece) - 1] + 1))
    return merge_spans(spans)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans sorted, overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


__all__ = ["Page", "locate", "merge_spans", "plan_pages", "split_pages"]
