"""Pure rendering for the web UI: conversation turns, cited passages, tables, the start screen.

Everything that reaches the browser as HTML is escaped here, first, from plain text; only the
markup these functions add themselves is left unescaped. Nothing here imports Gradio.
"""
from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.pages import locate, plan_pages
from corpus.records import STATUS_LABELS, Plan, Status
from corpus.views import STATUS_ICONS
from corpus.pages import merge_spans
from qa import plain
from qa.types import Answer, AnswerStatus, Citation, Confidence, IndicatorRow
from ui import export, markup
from ui import strings as S

# The conversation shows at most this much of a question (longer ones are refused anyway).
QUESTION_DISPLAY_CHARS = 2000
_SPACE_RUN = re.compile(r"\s{2,}")


@dataclass(frozen=True)
class Turn:
    """One exchange as the page shows it: the question as typed and qa's answer.

    ``answer`` is None when the UI replied by itself (``message``: the engine failed).
    """

    id: str
    question: str
    answer: Answer | None = None
    message: str | None = None


def escape(text: str) -> str:
    """HTML-escape plain text (quotes included, so it is safe inside attributes too)."""
    return html.escape(text, quote=True)


def text_html(text: str) -> str:
    """Plain text as HTML, line breaks kept."""
    return escape(text).replace("\n", "<br>")


def citation_label(c: Citation) -> str:
    return f"{c.project}・{c.section}（{S.PAGE.format(page=c.page)}）"


def printed_label(c: Citation) -> str:
    """How the engine prints a citation inside its text: 「（p.2 児童館事業・事業の内容）」."""
    return f"（{S.PAGE.format(page=c.page)} {c.project}・{c.section}）"


def numbered_text(answer: Answer) -> str:
    """The answer text with every citation numbered [n] (added where the engine printed labels only)."""
    return markup.number_citations(answer.text.strip(), [printed_label(c) for c in answer.sources])


def chip_text(answer: Answer) -> str:
    """The numbered text as the page shows it: a printed label right before its own [n] is dropped.

    The chip [n] names the same project, section and page (in its label and in the 出典 list),
    so 「…と減少） （p.7 児童館事業・結果の説明）[2]」 reads 「…と減少）[2]」 on the page.
    """
    text = numbered_text(answer)
    for n, c in enumerate(answer.sources, 1):
        text = re.sub(r"[ \u3000]*" + re.escape(printed_label(c)) + re.escape(f"[{n}]"), f"[{n}]", text)
    return text


def reading_and_body(answer: Answer, text: str) -> tuple[str | None, str]:
    """(how the question was read, the rest of the text): the reading is the text's first line."""
    reading = answer.interpretation.text.strip() if answer.interpretation and answer.interpretation.text else None
    if not reading:
        return None, text
    first, _, rest = text.partition("\n")
    if first.strip() == reading:
        return reading, rest.lstrip("\n")
    return reading, text


def _with_sources(answer: Answer) -> str:
    body = numbered_text(answer)
    if not answer.sources:
        return body
    lines = [f"[{n}] {citation_label(c)}" for n, c in enumerate(answer.sources, 1)]
    return body + "\n\n" + S.CITATION_LINE + "\n" + "\n".join(lines)


def answer_markdown(answer: Answer) -> str:
    """The answer as Markdown for the API and for saving: text, then the numbered sources.

    Raw HTML (a question quoted back) is written as ``&lt;``, so rendering it runs no markup.
    """
    return _with_sources(answer).replace("<", "&lt;")


def answer_plain(answer: Answer) -> str:
    """What 「回答をコピー」 puts on the clipboard: readable text, no Markdown marks."""
    return markup.to_plain(_with_sources(answer))


def turn_markdown(turn: Turn) -> str:
    """One exchange for the saved conversation (the question quoted, shown literally)."""
    quoted = "\n".join("> " + markup_literal(line) for line in turn.question.split("\n"))
    reply = answer_markdown(turn.answer) if turn.answer is not None else (turn.message or "")
    return f"## {S.YOU}\n\n{quoted}\n\n## {S.ASSISTANT}\n\n{reply}\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def markup_literal(text: str) -> str:
    """Backslash-escape Markdown punctuation so a question reads as typed in any viewer."""
    return _MD_SPECIAL.sub(r"\\\1", text)


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
    return merge_spans(spans)


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


def scroll_box(inner: str, label: str) -> str:
    """A sideways-scrolling box for a wide table, reachable and scrollable by keyboard too."""
    return f'<div class="planqa-table-scroll" tabindex="0" role="region" aria-label="{escape(label)}">{inner}</div>'


def _td(cell: str | tuple[str, int]) -> str:
    if isinstance(cell, tuple):
        content, span = cell
        attr = f' rowspan="{span}"' if span > 1 else ""
        return f'<td class="planqa-project-cell"{attr}>{content}</td>'
    return f"<td>{cell}</td>"


# --- cited pages ------------------------------------------------------------------------


def _utf16(text: str, index: int) -> int:
    """A code-point index as the UTF-16 offset the browser's string functions use."""
    return len(text[:index].encode("utf-16-le")) // 2


class PageIndex:
    """The printed pages of the loaded documents, for showing a citation in its page.

    The page texts go to the browser once (``json``); each citation link carries its plan,
    page and the passage's spans on that page, so opening it needs no request.
    """

    def __init__(self, plans: Sequence[Plan]):
        self.default_plan = plans[0].id if plans else ""
        self.titles = {p.id: f"{p.city} {p.title} {p.fiscal_year}" for p in plans}
        self.pages: dict[str, dict[int, str]] = {p.id: plan_pages(p) for p in plans}

    def json(self) -> str:
        data = {pid: {str(n): t for n, t in pages.items()} for pid, pages in self.pages.items()}
        return json.dumps({"pages": data, "titles": self.titles}, ensure_ascii=False)

    def spans(self, c: Citation) -> tuple[str, list[tuple[int, int]]]:
        """(plan id, UTF-16 spans of the passage on its page); no spans when not found."""
        pid = c.plan_id or self.default_plan
        page = self.pages.get(pid, {}).get(c.page)
        if not page or not c.text.strip():
            return pid, []
        return pid, [(_utf16(page, s), _utf16(page, e)) for s, e in locate(page, c.text)]

    def cite_attrs(self, n: int, c: Citation) -> str:
        pid, spans = self.spans(c)
        span_text = ",".join(f"{s}-{e}" for s, e in spans)
        return (f'data-n="{n}" data-plan="{escape(pid)}" data-page="{c.page}" data-spans="{span_text}" '
                f'data-label="{escape(citation_label(c))}" data-passage="{escape(passage_text(c.text))}"')


def cite_button(n: int, c: Citation, pages: PageIndex) -> str:
    label = S.CITE_LABEL.format(n=n, label=citation_label(c))
    return (f'<button type="button" class="planqa-cite" {pages.cite_attrs(n, c)} '
            f'aria-label="{escape(label)}" title="{escape(label)}">[{n}]</button>')


# --- one turn ---------------------------------------------------------------------------


def ask_button(question: str, cls: str = "planqa-ask") -> str:
    """A button that asks ``question`` as if typed (handled in the browser)."""
    return f'<button type="button" class="{cls}" data-ask="{escape(question)}">{escape(question)}</button>'


SOURCES_OPEN_MAX = 3  # a longer 出典 list starts folded (its [n] chips in the text open each page)


def sources_list_html(answer: Answer, pages: PageIndex) -> str:
    if not answer.sources:
        return ""
    items = []
    for n, c in enumerate(answer.sources, 1):
        items.append(
            f'<li class="planqa-source"><button type="button" class="planqa-cite planqa-cite-item" '
            f'{pages.cite_attrs(n, c)} aria-label="{escape(S.CITE_LABEL.format(n=n, label=citation_label(c)))}">'
            f'<span class="planqa-source-no">[{n}]</span> '
            f'<span class="planqa-source-project">{escape(c.project)}</span>・'
            f'<span class="planqa-source-section">{escape(c.section)}</span>'
            f'<span class="planqa-source-page">（{escape(S.PAGE.format(page=c.page))}）</span></button>'
            f'<p class="planqa-source-text">{highlight(passage_text(c.text), c.terms)}</p></li>'
        )
    is_open = " open" if len(answer.sources) <= SOURCES_OPEN_MAX else ""
    return (f'<details class="planqa-sources"{is_open}><summary><h2 class="planqa-h">'
            f'{escape(S.SOURCES_HEADING.format(n=len(answer.sources)))}</h2></summary>'
            f'<ol class="planqa-source-list">{"".join(items)}</ol></details>')


_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_JA_RUN = re.compile(r"[\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e\u3000-\u303f・ー]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_JA_CHARS = re.compile(r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def answer_lang(answer: Answer) -> str:
    """The answer's language as an HTML lang value ("ja" when unknown or malformed)."""
    lang = (answer.language or "ja").strip()
    return lang if _LANG.fullmatch(lang) else "ja"


def lang_ja_html(text: str, lang: str) -> str:
    """Escaped text of an answer in another language, with its Japanese quotes marked lang="ja".

    A screen reader then reads 児童館事業 with a Japanese voice inside an English sentence. In a
    Chinese answer only runs with kana are Japanese (Han characters alone are Chinese too).
    """
    out: list[str] = []
    pos = 0
    for m in _JA_RUN.finditer(text):
        run = m.group()
        japanese = _KANA.search(run) if lang.startswith("zh") else _JA_CHARS.search(run)
        if not japanese:
            continue
        out.append(escape(text[pos:m.start()]))
        out.append(f'<span lang="ja">{escape(run)}</span>')
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def ruby_html(text: str) -> str:
    """Escaped text with furigana: every piece written with kanji as <ruby>…<rt>reading</rt></ruby>."""
    out = []
    for p in plain.furigana(text):
        if p.reading:
            out.append(f"<ruby>{escape(p.text)}<rt>{escape(p.reading)}</rt></ruby>")
        else:
            out.append(escape(p.text))
    return "".join(out)


def shows_rows_as_list(text: str, rows: Sequence[IndicatorRow]) -> bool:
    """Whether the text already lists every indicator row on a bullet line of its own."""
    bullets = [line for line in text.split("\n") if line.lstrip().startswith(("- ", "・"))]
    return bool(rows) and all(any(r.name in b and (r.project in b or r.project in text) for b in bullets) for r in rows)


def indicators_html(answer: Answer, text: str) -> str:
    """The indicator table and its CSV; folded away when the text already lists the same rows.

    An answer shows its indicators once: as the text's list (with its citations) when it has
    one, the table a tap away for those who want the columns; otherwise as the table.
    """
    rows = list(answer.indicators)
    if not rows:
        return ""
    table = scroll_box(indicator_table_html(rows), S.INDICATORS_HEADING)
    csv = export.download_link(export.indicators_csv_url(rows), S.CSV_INDICATORS_FILE, S.CSV_INDICATORS)
    if shows_rows_as_list(text, rows):
        return (f'<section class="planqa-indicators planqa-indicators-folded"><details class="planqa-table-details">'
                f'<summary>{escape(S.TABLE_SHOW.format(n=len(rows)))}</summary>{table}</details>{csv}</section>')
    return f'<section class="planqa-indicators"><h2 class="planqa-h">{escape(S.INDICATORS_HEADING)}</h2>{table}{csv}</section>'


def carried_chip(answer: Answer) -> str:
    """「前の質問の〇〇について ✕」: one tap asks the same question again on its own."""
    carried = answer.interpretation.carried if answer.interpretation else ()
    if not carried:
        return ""
    topic = "・".join(carried)
    label = S.CARRIED_CHIP.format(topic=topic)
    return (f'<button type="button" class="planqa-carried" data-reask="{escape(answer.question)}" '
            f'aria-label="{escape(S.CARRIED_CHIP_ACTION.format(topic=topic))}">'
            f'{escape(label)} <span aria-hidden="true">✕</span></button>')


def announcement(answer: Answer, text: str) -> str:
    """What a screen reader hears when the answer arrives: its first line, shortened."""
    first = next((line for line in markup.to_plain(text).split("\n") if line.strip()), "")
    first = re.sub(r"\[\d+\]", "", first).strip(" ・-")
    if len(first) > ANNOUNCE_CHARS:
        first = first[: ANNOUNCE_CHARS - 1] + "…"
    return S.ANNOUNCE.format(text=first)


ANNOUNCE_CHARS = 80


def answer_html(answer: Answer, pages: PageIndex) -> str:
    """The answer's body: reading line, confidence note, text with [n] links, choices, table, sources.

    Japanese answers carry a second rendering of the text in plain Japanese (furigana, shorter
    sentences), shown instead of the first when the page's やさしい日本語 switch is on.
    """
    sources = answer.sources

    def cite(n: int) -> str | None:
        return cite_button(n, sources[n - 1], pages) if 1 <= n <= len(sources) else None

    lang = answer_lang(answer)
    reading, text = reading_and_body(answer, chip_text(answer))
    out = []
    if reading:
        out.append(f'<p class="planqa-reading"><span class="planqa-sr">{escape(S.READING_LABEL)}</span>'
                   + (f'<span class="planqa-normal">{escape(reading)}</span><span class="planqa-plain">{ruby_html(reading)}</span>'
                      if lang == "ja" else escape(reading))
                   + "</p>")
    out.append(carried_chip(answer))
    low = getattr(answer.confidence, "value", answer.confidence) == Confidence.LOW.value
    if low:
        out.append(f'<p class="planqa-lowconf" role="note"><span aria-hidden="true">⚠</span> {escape(S.LOW_CONFIDENCE)}</p>')
    # the choices come first: they are what to do next when the match is weak
    if low and answer.choices:
        out.append(f'<div class="planqa-choices" role="group" aria-label="{escape(S.CHOICES_HEADING)}">'
                   f'<p class="planqa-choices-heading">{escape(S.CHOICES_HEADING)}</p>'
                   + "".join(ask_button(q, "planqa-ask planqa-choice") for q in answer.choices) + "</div>")
    if lang == "ja":
        out.append(f'<div class="planqa-answer-text planqa-normal">{markup.to_html(text, cite)}</div>')
        out.append(f'<div class="planqa-answer-plain planqa-plain">{markup.to_html(plain.simplify(text), cite, ruby_html)}</div>')
    else:
        out.append(f'<div class="planqa-answer-text">{markup.to_html(text, cite, lambda t: lang_ja_html(t, lang))}</div>')
    out.append(indicators_html(answer, text))
    out.append(sources_list_html(answer, pages))
    if answer.followups:
        out.append(f'<div class="planqa-followups" role="group" aria-label="{escape(S.FOLLOWUPS_HEADING)}">'
                   f'<p class="planqa-followups-heading">{escape(S.FOLLOWUPS_HEADING)}</p>'
                   + "".join(ask_button(q, "planqa-ask planqa-followup") for q in answer.followups[:4]) + "</div>")
    return "".join(out)


def actions_html() -> str:
    return (
        '<div class="planqa-actions">'
        f'<button type="button" class="planqa-copy">{escape(S.COPY)}</button>'
        f'<button type="button" class="planqa-vote" data-vote="up" aria-pressed="false" ><span aria-hidden="true">👍</span> {escape(S.VOTE_UP)}</button>'
        f'<button type="button" class="planqa-vote" data-vote="down" aria-pressed="false" ><span aria-hidden="true">👎</span> {escape(S.VOTE_DOWN)}</button>'
        '<span class="planqa-action-status" role="status" aria-live="polite"></span>'
        '</div>'
        '<form class="planqa-feedback-form" hidden>'
        f'<label>{escape(S.FEEDBACK_COMMENT)}<textarea maxlength="1000" rows="2"></textarea></label>'
        f'<button type="submit">{escape(S.FEEDBACK_SEND)}</button></form>'
    )


def question_html(question: str) -> str:
    shown = question[:QUESTION_DISPLAY_CHARS]
    return (f'<div class="planqa-q"><span class="planqa-sr">{escape(S.YOU)}：</span>'
            f'<p>{text_html(shown)}</p></div>')


def turn_html(turn: Turn, pages: PageIndex, feedback_token: str = "", *, replaces: str = "") -> str:
    """One exchange as an <article>: question, answer, and what copy/save/feedback need.

    ``replaces`` names the turn this one takes the place of (the same question asked again on
    its own); ``data-announce`` is the short line a screen reader hears when it arrives.
    """
    lang = ""
    if turn.answer is not None:
        a = turn.answer
        status = a.status.value if isinstance(a.status, AnswerStatus) else str(a.status)
        body = answer_html(a, pages) + actions_html()
        extra = (f' data-status="{escape(status)}" data-copy="{escape(answer_plain(a))}"'
                 f' data-feedback="{escape(feedback_token)}"'
                 f' data-announce="{escape(announcement(a, reading_and_body(a, chip_text(a))[1]))}"')
        if answer_lang(a) != "ja":
            lang = f' lang="{escape(answer_lang(a))}"'
    else:
        body = f'<p class="planqa-error" role="alert">{escape(turn.message or S.ERROR)}</p>'
        extra = f' data-status="error" data-announce="{escape(turn.message or S.ERROR)}"'
    if replaces:
        extra += f' data-replaces="{escape(replaces)}"'
    return (
        f'<article class="planqa-turn" data-turn="{escape(turn.id)}" data-md="{escape(turn_markdown(turn))}"{extra}>'
        + question_html(turn.question)
        + f'<div class="planqa-a" role="region" aria-label="{escape(S.ASSISTANT)}"{lang}>{body}</div></article>'
    )


# --- start screen -----------------------------------------------------------------------


def start_html(lead: str, groups: Sequence[tuple[str, Sequence[str]]]) -> str:
    """What one can ask, by kind of user, shown before the first question."""
    cols = []
    for title, questions in groups:
        cols.append(f'<section class="planqa-example-group"><h3>{escape(title)}</h3>'
                    + "".join(ask_button(q, "planqa-ask planqa-example") for q in questions) + "</section>")
    return (f'<div class="planqa-start"><p class="planqa-lead">{escape(lead)}</p>'
            f'<h2 class="planqa-examples-heading">{escape(S.EXAMPLES_HEADING)}</h2>'
            f'<div class="planqa-example-groups">{"".join(cols)}</div>'
            f'<p class="planqa-privacy">{escape(S.PRIVACY_NOTE)}</p></div>')
