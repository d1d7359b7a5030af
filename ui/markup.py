"""The answer engine's small Markdown, turned into escaped HTML or readable plain text.

The engine writes only ``**bold**``, ``- `` bullets (nested by two spaces), ``> `` quotes,
blank lines and plain lines, with citations as ``[n]``. A general Markdown renderer gets
Japanese wrong (CommonMark will not close ``**…**`` before kana after 「）」, and a heading
line right after a bullet is folded into that bullet), so this module reads exactly that
subset, line by line: a plain line always ends a list, bold pairs within its line, and every
piece of text is escaped before any tag is added.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable

_BULLET = re.compile(r"^( *)[-・*] (.*)$")
_QUOTE = re.compile(r"^ *> ?(.*)$")
_TOKEN = re.compile(r"(\*\*|\[\d{1,3}\])")
_CITE = re.compile(r"\[(\d{1,3})\]")

CiteFn = Callable[[int], "str | None"]  # n -> HTML of the citation link, None when n is unknown
TextFn = Callable[[str], str]  # a piece of plain text -> its HTML (escaped; may add <ruby> or lang spans)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def inline_html(line: str, cite: CiteFn | None = None, text: TextFn | None = None) -> str:
    """One line: escaped text, ``**…**`` as <strong> when closed on the line, ``[n]`` via ``cite``.

    ``text`` turns each piece of plain text into HTML (default: escaped as it is); it must escape.
    """
    text = text or escape
    parts = _TOKEN.split(line)
    # a ** opens bold only if another ** follows it on the same line
    markers = [i for i, p in enumerate(parts) if p == "**"]
    paired = set(markers[: len(markers) - len(markers) % 2])
    out: list[str] = []
    bold = False
    for i, part in enumerate(parts):
        if part == "**":
            if i in paired:
                out.append("</strong>" if bold else "<strong>")
                bold = not bold
            continue  # a stray ** is dropped, never shown
        m = _CITE.fullmatch(part)
        if m:
            link = cite(int(m.group(1))) if cite else None
            out.append(link if link is not None else escape(part))
            continue
        if part:
            out.append(text(part))
    return "".join(out)


def to_html(text: str, cite: CiteFn | None = None, text_html: TextFn | None = None) -> str:
    """The whole answer as HTML blocks: <p> (lines joined by <br>), nested <ul>, <blockquote>.

    ``text_html`` renders each piece of plain text (see ``inline_html``).
    """
    out: list[str] = []
    para: list[str] = []
    quote: list[str] = []
    depth = -1  # deepest open list level; -1 when no list is open

    def close_para() -> None:
        if para:
            out.append("<p>" + "<br>".join(para) + "</p>")
            para.clear()

    def close_quote() -> None:
        if quote:
            out.append("<blockquote><p>" + "<br>".join(quote) + "</p></blockquote>")
            quote.clear()

    def close_list() -> None:
        nonlocal depth
        while depth >= 0:
            out.append("</li></ul>")
            depth -= 1

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            close_para(), close_quote(), close_list()
            continue
        bullet = _BULLET.match(line)
        if bullet:
            close_para(), close_quote()
            level = min(len(bullet.group(1)) // 2, depth + 1)
            if level > depth:
                out.append("<ul><li>")
                depth = level
            else:
                while depth > level:
                    out.append("</li></ul>")
                    depth -= 1
                out.append("</li><li>")
            out.append(inline_html(bullet.group(2), cite, text_html))
            continue
        q = _QUOTE.match(line)
        if q:
            close_para(), close_list()
            quote.append(inline_html(q.group(1), cite, text_html))
            continue
        close_quote(), close_list()
        para.append(inline_html(line.strip(), cite, text_html))
    close_para(), close_quote(), close_list()
    return "".join(out)


def to_plain(text: str) -> str:
    """Readable text for copying: no ``**``; bullets, quotes and [n] kept as written."""
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        bullet = _BULLET.match(line)
        if bullet:
            line = f"{bullet.group(1)}・{bullet.group(2)}"
        lines.append(line.replace("**", ""))
    return "\n".join(lines).strip()


def number_citations(text: str, labels: list[str]) -> str:
    """Text with ``[n]`` added after each printed citation label that has none yet.

    ``labels[n-1]`` is how source n is printed in the text, e.g. 「（p.2 児童館事業・事業の内容）」.
    Answers that already number their citations are returned unchanged.
    """
    if _CITE.search(text):
        return text
    first: dict[str, int] = {}
    for n, label in enumerate(labels, 1):
        first.setdefault(label, n)
    for label, n in sorted(first.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(re.escape(label) + r"(?!\[)", lambda m, n=n: f"{m.group(0)}[{n}]", text)
    return text


__all__ = ["escape", "inline_html", "number_citations", "to_html", "to_plain"]
