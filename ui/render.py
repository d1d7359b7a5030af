"""Pure rendering of answers for the web UI: chat messages, the sources panel, the indicator table.

Everything that reaches the browser as HTML is escaped here, first, from plain text; only the
markup these functions add themselves is left unescaped. Nothing here imports Gradio.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from corpus.records import STATUS_LABELS, Status
from corpus.views import STATUS_ICONS
from qa.types import Answer, Citation, IndicatorRow
from ui import strings as S

# Chat display of a refused over-long question stops here; the whole text is never needed.
QUESTION_DISPLAY_CHARS = 300

# Markdown that acts anywhere in a line, and block markers that act only at a line's start
# (escaping just these keeps ordinary text such as "施策3-2" or "R2." free of backslashes).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]~|])")
_LINE_START_SPECIAL = re.compile(r"^([ \t]*)(?:([#>+=\-])|(\d+)([.)]))", re.MULTILINE)
_SPACE_RUN = re.compile(r"\s{2,}")
_EMPHASIS_SPECIAL = re.compile(r"([\\`*_\[\]])")


@dataclass(frozen=True)
class Turn:
    """One exchange of a chat session: the question as typed, the reply shown, and qa's answer.

    ``answer`` is None when the UI replied by itself (input refused, engine error); such turns
    are shown but never passed back to qa as history.
    """

    question: str
    reply: str  # Markdown, already safe to render
    answer: Answer | None = None
    refusal: str | None = None  # "refused" (input not accepted) or "error" when answer is None


def escape(text: str) -> str:
    """HTML-escape plain text (quotes included, so it is safe inside attributes too)."""
    return html.escape(text, quote=True)


def user_markdown(question: str) -> str:
    """A typed question as Markdown that renders as exactly the typed text.

    Markdown punctuation is backslash-escaped and HTML is escaped, so ``<img onerror=...>``
    or ``**bold**`` in a question shows as those characters and never becomes markup.
    """
    if len(question) > QUESTION_DISPLAY_CHARS:
        shown = question[:QUESTION_DISPLAY_CHARS]
        suffix = S.TRUNCATED_QUESTION.format(n=len(question))
    else:
        shown, suffix = question, ""
    return escape(markdown_literal(shown)) + suffix


def markdown_literal(text: str) -> str:
    """Backslash-escape what Markdown would interpret in ``text`` (HTML is escaped separately)."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START_SPECIAL.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), text
    )


def safe_markdown(text: str) -> str:
    """The engine's Markdown with any raw HTML shown as text rather than interpreted.

    qa writes Markdown, not HTML, but an answer may quote the question; turning ``<`` into an
    entity keeps a quoted tag inert even if the chat's own sanitiser were switched off.
    """
    return text.replace("<", "&lt;")


def citation_label(c: Citation) -> str:
    return f"{c.project}・{c.section}（{S.PAGE.format(page=c.page)}）"


def unique_citations(sources: Iterable[Citation]) -> list[Citation]:
    """Citations with repeated (project, section, page) dropped, order kept."""
    seen: set[tuple[str, str, int]] = set()
    out: list[Citation] = []
    for c in sources:
        key = (c.project, c.section, c.page)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def answer_markdown(answer: Answer) -> str:
    """The chat reply for an answer: its text, then a one-line list of the cited places."""
    body = safe_markdown(answer.text.strip())
    cites = unique_citations(answer.sources)
    if not cites:
        return body
    labels = " ／ ".join(_md_text(citation_label(c)) for c in cites)
    return f"{body}\n\n*{S.CITATION_LINE}{labels}*"


def _md_text(text: str) -> str:
    """Plain text (a project name, a section) for use inside an emphasised Markdown line."""
    return escape(_EMPHASIS_SPECIAL.sub(r"\\\1", text))


def chat_messages(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """Gradio Chatbot messages for a session's turns."""
    messages: list[dict[str, str]] = []
    for t in turns:
        messages.append({"role": "user", "content": user_markdown(t.question)})
        messages.append({"role": "assistant", "content": t.reply})
    return messages


def history(turns: Sequence[Turn]) -> list[Answer]:
    """The prior answers qa receives, oldest first."""
    return [t.answer for t in turns if t.answer is not None]


# --- highlighting -----------------------------------------------------------------------


def _fold(text: str) -> tuple[str, list[int]]:
    """NFKC + casefold per character, with the original index of every folded character.

    Per character so that a match in the folded text maps back to an exact span of the
    printed text (full-width digits and letters in the document match half-width terms).
    """
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        parts.append(folded)
        origin.extend([i] * len(folded))
    return "".join(parts), origin


def match_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Merged, sorted (start, end) spans of ``text`` where any of ``terms`` occurs."""
    folded, origin = _fold(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        t, _ = _fold(term.strip())
        if not t:
            continue
        start = folded.find(t)
        while start != -1:
            end = start + len(t)
            spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(t, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, terms: Iterable[str]) -> str:
    """HTML of ``text`` with every occurrence of ``terms`` wrapped in ``<mark>``.

    Matches are found on the plain text and every piece is escaped on its own, so a term can
    never match inside an entity such as ``&amp;`` and no input reaches the page unescaped.
    """
    out: list[str] = []
    pos = 0
    for s, e in match_spans(text, terms):
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


# --- sources panel ----------------------------------------------------------------------


def passage_text(text: str) -> str:
    """A passage tidied for display: blank lines dropped, runs of (full-width) spaces shortened.

    The document's table rows are padded with many U+3000 spaces, which ``pre-line`` keeps.
    """
    lines = (_SPACE_RUN.sub("\u3000", line.strip()) for line in text.strip().splitlines())
    return "\n".join(line for line in lines if line)


def sources_html(answer: Answer | None) -> str:
    """The sources panel: each cited passage with project, section, page and matched words."""
    if answer is None:
        return f'<p class="planqa-empty">{escape(S.NO_SOURCES)}</p>'
    if not answer.sources:
        return f'<p class="planqa-empty">{escape(S.SOURCES_NONE_FOR_ANSWER)}</p>'
    items = []
    for i, c in enumerate(answer.sources, 1):
        text = passage_text(c.text)
        items.append(
            '<article class="planqa-source">'
            '<header>'
            f'<span class="planqa-source-no">[{i}]</span> '
            f'<span class="planqa-source-project">{escape(c.project)}</span>'
            f'<span class="planqa-source-section">{escape(c.section)}</span>'
            f'<span class="planqa-source-page">{escape(S.PAGE.format(page=c.page))}</span>'
            '</header>'
            f'<p class="planqa-source-text">{highlight(text, c.terms)}</p>'
            '</article>'
        )
    return '<div class="planqa-sources">' + "".join(items) + "</div>"


# --- indicator table --------------------------------------------------------------------


def status_of(value: str) -> Status:
    """The Status for a status string from qa; anything unknown counts as unclear."""
    try:
        return Status(value)
    except ValueError:
        return Status.UNCLEAR


def status_badge(value: str, title: str = "") -> str:
    status = status_of(value)
    tip = f' title="{escape(title)}"' if title else ""
    return (
        f'<span class="planqa-badge planqa-st-{status.value}"{tip}>'
        f"{STATUS_ICONS[status]} {escape(STATUS_LABELS[status])}</span>"
    )


def indicator_table_html(rows: Sequence[IndicatorRow], *, show_project: bool = True) -> str:
    """An HTML table of indicators (H30 baseline, R2 plan, R2 result, status); "" when none."""
    if not rows:
        return ""
    head = [S.COL_INDICATOR, S.COL_BASELINE, S.COL_PLAN, S.COL_RESULT, S.COL_STATUS]
    if show_project:
        head.insert(0, S.COL_PROJECT)
    out = ['<table class="planqa-indicators"><thead><tr>']
    out.extend(f"<th>{escape(h)}</th>" for h in head)
    out.append("</tr></thead><tbody>")
    for i, r in enumerate(rows):
        status = status_of(r.status)
        cells = []
        if show_project and (i == 0 or rows[i - 1].project != r.project):
            # one cell per run of rows of the same project
            span = 1
            while i + span < len(rows) and rows[i + span].project == r.project:
                span += 1
            cells.append((escape(r.project), span))
        cells.append(escape(r.name))
        cells.append(escape(r.baseline or "－"))
        cells.append(escape(r.plan.get("R2") or "－"))
        cells.append(escape(r.result) if r.result else f'<span class="planqa-muted">{escape(S.NO_RESULT)}</span>')
        cells.append(status_badge(r.status, r.reason) + f'<div class="planqa-reason">{escape(r.reason)}</div>')
        out.append(f'<tr class="planqa-row-{status.value}">' + "".join(_td(c) for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _td(cell: str | tuple[str, int]) -> str:
    if isinstance(cell, tuple):
        content, span = cell
        attr = f' rowspan="{span}"' if span > 1 else ""
        return f'<td class="planqa-project-cell"{attr}>{content}</td>'
    return f"<td>{cell}</td>"
