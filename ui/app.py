"""The Gradio app: a chat over ``qa.answer`` plus staff views of the plan records.

``build_app()`` builds the Blocks and returns it; nothing is loaded or launched on import. The
chat is also the public API endpoint ``/ask`` (input: the question and, optionally, the
document; first output: the answer in Markdown, second: the answer as JSON).

The server keeps no conversation: a session holds only the last answer's ``Frame`` (what a
follow-up needs). Each new exchange is sent to the page as one rendered ``<article>``, which
the page's script (``static/chat.js``) appends to a log that lives only in that page.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from corpus.loader import load_plans
from corpus.records import Plan
from qa.frame import Frame
from qa.types import Answer, DocumentRef
from ui import browse, chart, examples, guard, head, render
from ui import strings as S
from ui.feedback import Context, FeedbackDesk, FeedbackStore, Signer
from ui.render import PageIndex, Turn
from ui.style import CSS, theme

log = logging.getLogger(__name__)

AnswerFn = Callable[..., Answer]  # (question, *, frame, plan_ids) -> Answer

MAX_QUESTION_CHARS = 2000
DEFAULT_CONCURRENCY = 8  # at most half of them on long questions (ui.guard.LongQuestions)
DEFAULT_MAX_QUEUE = 100
ALL_DOCUMENTS = ""  # selector value: search every loaded document

_SCRIPT = Path(__file__).with_name("static") / "chat.js"


def qa_answer(question: str, *, frame: Frame | None = None, plan_ids: tuple[str, ...] | None = None) -> Answer:
    """The real engine, imported on first use so building the app loads no model."""
    import qa

    return qa.answer(question, frame=frame, plan_ids=plan_ids)


def qa_documents() -> list[DocumentRef]:
    import qa

    return list(qa.documents())


def page_script() -> str:
    """The page's script with its texts and limits filled in."""
    config = {
        "limit": MAX_QUESTION_CHARS,
        "text": {
            "counter": S.COUNTER.replace(":,", ""), "counterOver": S.COUNTER_OVER.replace(":,", ""),
            "empty": S.EMPTY_QUESTION, "tooLong": S.TOO_LONG_SHORT.format(limit=MAX_QUESTION_CHARS),
            "pending": S.PENDING, "failed": S.PENDING_FAILED, "you": S.YOU, "copied": S.COPIED,
            "thanks": S.FEEDBACK_THANKS, "commentThanks": S.FEEDBACK_COMMENT_THANKS,
            "feedbackFailed": S.FEEDBACK_FAILED, "viewerHint": S.VIEWER_HINT, "viewerNotFound": S.VIEWER_NOT_FOUND,
            "saveTitle": S.SAVE_TITLE, "savedAt": S.SAVED_AT, "saveFile": S.SAVE_CHAT_FILE,
            "nothingToSave": S.NOTHING_TO_SAVE, "connectionLost": S.CONNECTION_LOST,
            "reconnected": S.RECONNECTED, "resend": S.RESEND, "tabList": S.TAB_LIST_LABEL,
        },
    }
    js = _SCRIPT.read_text(encoding="utf-8").replace("__PLANQA_CONFIG__", json.dumps(config, ensure_ascii=False))
    return js.replace("</", "<\\/")


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch`` that belong to the app's look and privacy."""
    return {
        "theme": theme(),
        "css": CSS,
        "head": f'<meta name="color-scheme" content="light dark"><script>{page_script()}</script>',
        # Nothing of a question may stay in the browser: no run history, no developer panels.
        "run_history": False,
        "footer_links": [],
    }


def notice_html(text: str) -> str:
    return f'<p role="alert">{render.escape(text)}</p>' if text else ""


class ChatHandler:
    """Turns a question, the session's frame and the chosen document into what the page shows.

    Kept apart from the Blocks so tests can call it directly with a fake engine.
    """

    def __init__(self, answer_fn: AnswerFn, pages: PageIndex, signer: Signer | None = None, *,
                 max_chars: int = MAX_QUESTION_CHARS, long_questions: guard.LongQuestions | None = None):
        self.answer_fn = answer_fn
        self.pages = pages
        self.signer = signer or Signer()
        self.max_chars = max_chars
        self.long_questions = long_questions or guard.LongQuestions(DEFAULT_CONCURRENCY // 2)

    def reply(self, question: str, frame: Frame | None = None, plan_ids: tuple[str, ...] | None = None) -> Turn:
        """The next turn for an accepted question; never raises for an engine failure."""
        turn_id = uuid.uuid4().hex
        try:
            answer = self.long_questions.answer(self.answer_fn, guard.plain_question(question), frame=frame,
                                                plan_ids=plan_ids)
        except Exception:
            # The user sees a plain apology; the operator gets the traceback.
            log.exception("qa.answer failed for a question of %d characters", len(question))
            return Turn(turn_id, question, None, S.ERROR)
        return Turn(turn_id, question, answer)

    def token(self, turn: Turn, plan_ids: tuple[str, ...] | None) -> str:
        a = turn.answer
        if a is None:
            return ""
        return self.signer.sign(Context(
            turn.id, turn.question, a.status.value, getattr(a.confidence, "value", str(a.confidence)),
            tuple(render.citation_label(c) for c in a.sources), tuple(plan_ids or ()),
        ))

    def refusal(self, question: str) -> str | None:
        if not question.strip():
            return S.EMPTY_QUESTION
        if len(question) > self.max_chars:
            return S.TOO_LONG.format(n=len(question), limit=self.max_chars)
        return None

    def __call__(self, question: str | None, frame: Frame | None, document: str | None) -> tuple:
        """Gradio handler -> (answer Markdown, answer JSON, new turn HTML, frame, question box, notice)."""
        question = question or ""
        refused = self.refusal(question)
        if refused:
            # The typed text stays in the box so it can be shortened, not lost. The page has said
            # why already (it checks before sending), so the notice is cleared, not said twice.
            data = {"question": question[:200], "status": "refused", "answer": refused}
            return refused, data, gr.skip(), gr.skip(), gr.skip(), ""
        plan_ids = (document,) if document else None
        with self.long_questions.admit(question) as admitted:
            if not admitted:
                busy = self.long_questions.refusal()
                return busy, {"question": question[:200], "status": "refused", "answer": busy}, gr.skip(), \
                    gr.skip(), gr.skip(), notice_html(busy)
            turn = self.reply(question, frame, plan_ids)
        html = render.turn_html(turn, self.pages, self.token(turn, plan_ids))
        if turn.answer is None:
            data = {"question": question[:200], "status": "error", "answer": turn.message}
            return turn.message, data, html, gr.skip(), "", ""
        a = turn.answer
        return render.answer_markdown(a), a.to_json(), html, a.frame, "", ""

    def standalone(self, request: str | None, document: str | None) -> tuple:
        """The same question asked again without the conversation: (turn HTML replacing the old one, frame).

        ``request`` is the page's JSON {"question", "turn"}: the question as first asked and the
        id of the turn its new answer replaces. The session's frame becomes the new answer's.
        """
        try:
            payload = json.loads(request or "")
            question, old = str(payload["question"]), str(payload["turn"])
        except (ValueError, KeyError, TypeError):
            log.warning("a re-ask without {question, turn} was ignored")
            return gr.skip(), gr.skip()
        if self.refusal(question):
            return gr.skip(), gr.skip()
        plan_ids = (document,) if document else None
        turn = self.reply(question, None, plan_ids)
        html = render.turn_html(turn, self.pages, self.token(turn, plan_ids), replaces=old)
        return html, (turn.answer.frame if turn.answer is not None else None)


def static_log_html(pages: PageIndex) -> str:
    """The log the script fills, the cited-page viewer, and the page texts it shows.

    The log is a ``role="log"`` that does not read itself aloud (an answer can be thousands of
    characters); ``#planqa-announce`` says one short line per answer instead.
    """
    return (
        f'<div id="planqa-log" role="log" aria-live="off" aria-label="{render.escape(S.CHAT_LABEL)}"></div>'
        '<div id="planqa-announce" class="planqa-sr" role="status" aria-live="polite"></div>'
        '<dialog id="planqa-viewer" aria-labelledby="planqa-viewer-title">'
        '<div class="planqa-viewer-head"><div>'
        '<h2 class="planqa-viewer-title" id="planqa-viewer-title"></h2>'
        '<p class="planqa-viewer-doc"></p><p class="planqa-viewer-note"></p></div>'
        f'<button type="button" class="planqa-viewer-close">{render.escape(S.VIEWER_CLOSE)}</button></div>'
        '<pre class="planqa-page-text" tabindex="0"></pre></dialog>'
        f'<div id="planqa-pages" hidden data-json="{render.escape(pages.json())}"></div>'
    )


def status_html() -> str:
    return ('<div id="planqa-status"><span id="planqa-counter" aria-live="polite">'
            f'{render.escape(S.COUNTER.format(n=0, limit=MAX_QUESTION_CHARS))}</span>'
            f'<span class="planqa-hint">{render.escape(S.ENTER_HINT)}</span>'
            '<span id="planqa-client-notice" role="alert"></span></div>')


def header_html() -> str:
    """Skip link (the first Tab stop), the title, and the やさしい日本語 switch (off by default)."""
    return (f'<a class="planqa-skip" href="#planqa-composer">{render.escape(S.SKIP_TO_QUESTION)}</a>'
            f'<div class="planqa-title-row"><h1>{render.escape(S.HEADER_TITLE)}</h1>'
            '<button type="button" id="planqa-plain-toggle" aria-pressed="false" '
            f'title="{render.escape(S.PLAIN_TOGGLE_HINT)}">{render.ruby_html(S.PLAIN_TOGGLE)}</button></div>')


def start_for(plans: Sequence[Plan], docs: Sequence[DocumentRef], choice: str) -> str:
    chosen = [p for p in plans if p.id == choice]
    if chosen:
        doc = next((d for d in docs if d.plan_id == choice), None)
        lead = S.LEAD_ONE.format(label=doc.label if doc else chosen[0].title)
        groups = examples.examples_for(chosen[0])
    elif len(docs) == 1:
        lead = S.LEAD_ONE.format(label=docs[0].label)
        groups = examples.examples_for_all(plans)
    else:
        lead = S.LEAD_MANY.format(n=len(docs))
        groups = examples.examples_for_all(plans)
    return render.start_html(lead, groups)


def build_app(
    answer_fn: AnswerFn | None = None,
    *,
    plans: Sequence[Plan] | None = None,
    documents: Sequence[DocumentRef] | None = None,
    feedback: FeedbackStore | None = None,
    concurrency_limit: int = DEFAULT_CONCURRENCY,
    max_queue: int = DEFAULT_MAX_QUEUE,
) -> gr.Blocks:
    """Build the app. ``answer_fn(question, frame=, plan_ids=)`` defaults to ``qa.answer``.

    ``plans`` (page texts, staff tabs, examples) default to the loaded data files, ``documents``
    (the selector) to ``qa.documents()``, ``feedback`` to the SQLite file under PLANQA_HOME.
    """
    plans = list(plans or load_plans())
    docs = list(documents if documents is not None else qa_documents())
    pages = PageIndex(plans)
    signer = Signer()
    store = feedback or FeedbackStore()
    # long questions of the real engine are answered in a process of their own (see ui.guard)
    handler = ChatHandler(answer_fn or qa_answer, pages, signer,
                          long_questions=guard.LongQuestions(
                              max(1, concurrency_limit // 2), worker=guard.answer_in_worker if answer_fn is None else None))
    head.install(head.page_head(docs))
    first = plans[0]
    doc_choices = [(S.DOCUMENT_ALL.format(n=len(docs)), ALL_DOCUMENTS)] + [(d.label, d.plan_id) for d in docs]
    default_doc = ALL_DOCUMENTS

    desk = FeedbackDesk(store, signer)

    def send_feedback(payload: Any = None, request: gr.Request = None) -> dict:
        """Store one 👍/👎 sent by the page as {token, vote, comment}: {"ok", "message"} (Japanese), never an error."""
        client = request.client.host if request is not None and request.client else ""
        return desk.receive(payload, client)

    with gr.Blocks(title=S.TITLE, analytics_enabled=False) as demo:
        frame_state = gr.State(None)
        # the selector's choice, as state so that the API takes the question alone
        document_state = gr.State(default_doc)
        with gr.Row(elem_id="planqa-header", equal_height=False):
            gr.HTML(header_html(), elem_id="planqa-title", container=False, js_on_load=None, min_width=240)
            # one document: nothing to choose, so no selector taking a phone's screen
            document = gr.Dropdown(doc_choices, value=default_doc, label=S.DOCUMENT_LABEL, elem_id="planqa-document",
                                   interactive=True, scale=0, min_width=260, filterable=False, visible=len(docs) > 1)
        # "wrap": every tab stays in the tab list on a small phone (no overflow menu)
        with gr.Tabs(elem_id="planqa-tabs", overflow_behavior="wrap"):
            with gr.Tab(S.TAB_CHAT, id="chat", elem_id="planqa-tab-chat"):
                start = gr.HTML(start_for(plans, docs, default_doc), elem_id="planqa-start", js_on_load=None)
                gr.HTML(static_log_html(pages), elem_id="planqa-conversation", js_on_load=None)
                latest = gr.HTML(
                    "", elem_id="planqa-latest", visible="hidden",
                    js_on_load="window.planqa && window.planqa.attach(element, server, watch);",
                    server_functions=[send_feedback],
                )
                with gr.Row(elem_id="planqa-tools"):
                    new_chat = gr.Button(S.NEW_CHAT, variant="secondary", size="sm", elem_id="planqa-new-chat",
                                         scale=0, min_width=120)
                    save_chat = gr.Button(S.SAVE_CHAT, variant="secondary", size="sm", elem_id="planqa-save",
                                          scale=0, min_width=160)
                with gr.Column(elem_id="planqa-composer"):
                    with gr.Row(elem_classes="planqa-composer-row"):
                        question = gr.Textbox(
                            label=S.QUESTION_LABEL, placeholder=S.QUESTION_PLACEHOLDER, show_label=False,
                            lines=1, max_lines=6, scale=5, elem_id="planqa-question", container=False,
                        )
                        send = gr.Button(S.SEND, variant="primary", scale=0, min_width=80, elem_id="planqa-send")
                    gr.HTML(status_html(), js_on_load=None, container=False)
                    notice = gr.HTML("", elem_id="planqa-notice", js_on_load=None, container=False)
                # Outputs only the API reads: the reply as Markdown and the answer as JSON.
                answer_md = gr.Markdown(visible=False, label="回答")
                answer_data = gr.JSON(visible=False, label="回答JSON")
                # The page's way to ask a question again without the conversation (the carried-topic chip)
                reask_request = gr.Textbox(visible="hidden", elem_id="planqa-reask-request", label="reask")
                reask_send = gr.Button(visible="hidden", elem_id="planqa-reask-send")

            with gr.Tab(S.TAB_PROJECTS, id="projects", elem_id="planqa-tab-projects"):
                with gr.Row():
                    goal_filter = gr.Dropdown(browse.goal_choices(first), value=browse.ALL, label=S.FILTER_GOAL,
                                              filterable=False)
                    dept_filter = gr.Dropdown(browse.department_choices(first), value=browse.ALL,
                                              label=S.FILTER_DEPARTMENT, filterable=False)
                    status_filter = gr.Dropdown(browse.status_choices(), value=browse.ALL, label=S.FILTER_STATUS,
                                                filterable=False)
                project_list = gr.HTML(browse.project_list_html(first), elem_id="planqa-projects", js_on_load=None)

            with gr.Tab(S.TAB_COMMENTS, id="comments", elem_id="planqa-tab-comments"):
                comments = gr.HTML(browse.comments_html(first), elem_id="planqa-comments", js_on_load=None)

            with gr.Tab(S.TAB_CHART, id="chart", elem_id="planqa-tab-chart"):
                only_short = gr.Checkbox(False, label=S.CHART_ONLY_SHORT)
                chart_view = gr.HTML(chart.chart_html(first), elem_id="planqa-chart", js_on_load=None)

        chat_outputs = [answer_md, answer_data, latest, frame_state, question, notice]
        triggers = [question.submit, send.click]
        # In the page at once: the question, 「回答を作成中…」, the send button disabled.
        gr.on(triggers=triggers, fn=None, inputs=[question], outputs=None,
              js="(q) => { window.planqa && window.planqa.pending(q); }", api_visibility="private")
        gr.on(
            triggers=triggers,
            fn=handler,
            inputs=[question, frame_state, document_state],
            outputs=chat_outputs,
            api_name="ask",
            api_description="質問（日本語）に答えます。1つ目の出力が回答のMarkdown、2つ目が回答のJSONです。",
            show_progress="hidden",
        ).then(fn=None, js="() => { window.planqa && window.planqa.settle(); }", api_visibility="private")

        reask_send.click(handler.standalone, [reask_request, document_state], [latest, frame_state],
                         api_visibility="private", show_progress="hidden").then(
            fn=None, js="() => { window.planqa && window.planqa.settle(); }", api_visibility="private")

        def reset() -> tuple:
            return None, "", "", ""

        new_chat.click(reset, None, [frame_state, latest, question, notice], api_visibility="private", queue=False,
                       js="() => { window.planqa && window.planqa.clear(); }")
        save_chat.click(None, None, None, js="() => { window.planqa && window.planqa.save(); }",
                        api_visibility="private")

        def plan_for(choice: str | None) -> Plan:
            """The staff views show the chosen document (the first one when all are chosen)."""
            return next((p for p in plans if p.id == choice), first)

        def choose_document(choice: str) -> tuple:
            # another document means another conversation: the frame refers to the old one
            choice = choice or ALL_DOCUMENTS
            plan = plan_for(choice)
            return (start_for(plans, docs, choice), None, choice, browse.project_list_html(plan),
                    browse.comments_html(plan), chart.chart_html(plan), False,
                    gr.update(choices=browse.goal_choices(plan), value=browse.ALL),
                    gr.update(choices=browse.department_choices(plan), value=browse.ALL),
                    gr.update(value=browse.ALL))

        document.change(choose_document, document,
                        [start, frame_state, document_state, project_list, comments, chart_view, only_short,
                         goal_filter, dept_filter, status_filter],
                        api_visibility="private", queue=False)

        def filter_projects(goal: str, department: str, status: str, choice: str) -> str:
            flt = browse.ProjectFilter(goal or browse.ALL, department or browse.ALL, status or browse.ALL)
            return browse.project_list_html(plan_for(choice), flt)

        filters = [goal_filter, dept_filter, status_filter]
        for f in filters:
            f.change(filter_projects, [*filters, document_state], project_list, api_visibility="private", queue=False)
        only_short.change(lambda v, choice: chart.chart_html(plan_for(choice), only_short=v), [only_short, document_state],
                          chart_view, api_visibility="private", queue=False)

    demo.queue(default_concurrency_limit=concurrency_limit, max_size=max_queue)
    return demo
