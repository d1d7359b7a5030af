"""The Gradio app: a chat over ``qa.answer`` plus staff views of the plan records.

``build_app()`` builds the Blocks and returns it; nothing is loaded or launched on import. The
chat is also the public API endpoint ``/ask`` (input: the question; first output: the answer
in Markdown, second: the answer as JSON).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr

from corpus.loader import load_plan
from corpus.records import Plan
from qa.types import Answer
from ui import browse, chart, render
from ui import strings as S
from ui.render import Turn
from ui.style import CSS, theme

log = logging.getLogger(__name__)

AnswerFn = Callable[[str, list[Answer]], Answer]

MAX_QUESTION_CHARS = 2000
MAX_TURNS = 50  # a session keeps (and passes to qa) at most this many exchanges
N_FOLLOWUPS = 4
DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_QUEUE = 100


def qa_answer(question: str, history: list[Answer]) -> Answer:
    """The real engine, imported on first use so building the app loads no model."""
    import qa

    return qa.answer(question, history=history)


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch`` that belong to the app's look."""
    return {"theme": theme(), "css": CSS}


class ChatHandler:
    """Turns a question and the session's turns into everything the chat shows.

    Kept apart from the Blocks so tests can call it directly with a fake engine.
    """

    def __init__(self, answer_fn: AnswerFn, *, max_chars: int = MAX_QUESTION_CHARS):
        self.answer_fn = answer_fn
        self.max_chars = max_chars

    def reply(self, question: str, turns: Sequence[Turn]) -> Turn:
        """The next turn for ``question``; never raises for a bad question or an engine failure."""
        if len(question) > self.max_chars:
            return Turn(question, S.TOO_LONG.format(n=len(question), limit=self.max_chars), refusal="refused")
        try:
            answer = self.answer_fn(question, render.history(turns))
        except Exception:
            # The user sees a plain apology; the operator gets the traceback.
            log.exception("qa.answer failed for a question of %d characters: %r", len(question), question[:200])
            return Turn(question, S.ERROR, refusal="error")
        return Turn(question, render.answer_markdown(answer), answer)

    def __call__(self, question: str | None, turns: list[Turn] | None) -> tuple:
        """Gradio handler: (question, turns) -> outputs listed in ``chat_outputs``."""
        turns = list(turns or [])
        question = question or ""
        if not question.strip():
            return (S.EMPTY_QUESTION, {"status": "refused", "answer": S.EMPTY_QUESTION}) + tuple(
                gr.skip() for _ in range(5 + N_FOLLOWUPS)
            )
        turn = self.reply(question, turns)
        turns = (turns + [turn])[-MAX_TURNS:]
        return outputs_for(turns)


def answer_json(turn: Turn) -> dict:
    """The second API output: qa's JSON contract, or the same keys for a turn the UI answered."""
    if turn.answer is not None:
        return turn.answer.to_json()
    return {"question": turn.question[:render.QUESTION_DISPLAY_CHARS], "status": turn.refusal, "answer": turn.reply}


def outputs_for(turns: list[Turn]) -> tuple:
    """Values for the chat outputs after ``turns`` (the last turn is the one just answered)."""
    last = turns[-1] if turns else None
    answer = last.answer if last else None
    table = render.indicator_table_html(answer.indicators) if answer else ""
    followups = list(answer.followups[:N_FOLLOWUPS]) if answer else []
    buttons = [
        gr.update(value=followups[i], visible=True) if i < len(followups) else gr.update(value="", visible=False)
        for i in range(N_FOLLOWUPS)
    ]
    return (
        last.reply if last else "",
        answer_json(last) if last else {},
        render.chat_messages(turns),
        turns,
        render.sources_html(answer) if last else render.sources_html(None),
        gr.update(value=(f"<h3>{render.escape(S.INDICATORS_HEADING)}</h3>" + table) if table else "",
                  visible=bool(table)),
        S.FOLLOWUPS_HEADING if followups else "",
        *buttons,
    )


def build_app(
    answer_fn: AnswerFn | None = None,
    *,
    plan: Plan | None = None,
    concurrency_limit: int = DEFAULT_CONCURRENCY,
    max_queue: int = DEFAULT_MAX_QUEUE,
) -> gr.Blocks:
    """Build the app. ``answer_fn(question, history)`` defaults to ``qa.answer``.

    ``plan`` (for the staff tabs) defaults to the plan in the data folders.
    """
    plan = plan or load_plan()
    handler = ChatHandler(answer_fn or qa_answer)

    with gr.Blocks(title=S.TITLE, analytics_enabled=False) as demo:
        turns_state = gr.State([])
        gr.Markdown(S.HEADER)
        with gr.Tabs():
            with gr.Tab(S.TAB_CHAT, id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5):
                        chatbot = gr.Chatbot(
                            label=S.CHAT_LABEL,
                            elem_id="planqa-chat",
                            height=520,
                            sanitize_html=True,
                            allow_tags=False,
                            render_markdown=True,
                            latex_delimiters=[],
                            feedback_options=None,
                            placeholder=S.CHAT_PLACEHOLDER,
                            buttons=["copy"],
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                label=S.QUESTION_LABEL,
                                placeholder=S.QUESTION_PLACEHOLDER,
                                show_label=False,
                                lines=1,
                                max_lines=6,
                                scale=5,
                                elem_id="planqa-question",
                            )
                            send = gr.Button(S.SEND, variant="primary", scale=1, min_width=80, elem_id="planqa-send")
                        followup_heading = gr.Markdown("", label="次の質問の候補", elem_id="planqa-followups-heading")
                        with gr.Row(elem_classes="planqa-followups"):
                            followup_buttons = [
                                gr.Button("", visible=False, size="sm", elem_id=f"planqa-followup-{i}")
                                for i in range(N_FOLLOWUPS)
                            ]
                        new_chat = gr.Button(S.NEW_CHAT, variant="secondary", size="sm", elem_id="planqa-new-chat")
                        gr.Markdown(S.EXAMPLES_HEADING)
                        example_buttons: list[gr.Button] = []
                        for group, examples in S.EXAMPLE_GROUPS:
                            gr.Markdown(group, elem_classes="planqa-example-group")
                            with gr.Row(elem_classes="planqa-examples"):
                                example_buttons += [gr.Button(q, size="sm") for q in examples]
                    with gr.Column(scale=4):
                        indicators = gr.HTML("", visible=False, label="指標", elem_id="planqa-indicators", js_on_load=None)
                        gr.Markdown(S.SOURCES_HEADING)
                        sources = gr.HTML(render.sources_html(None), label="出典", elem_id="planqa-sources", js_on_load=None)
                # Outputs only the API reads: the reply as Markdown and the answer as JSON.
                answer_md = gr.Markdown(visible=False, label="回答")
                answer_data = gr.JSON(visible=False, label="回答JSON")

            with gr.Tab(S.TAB_PROJECTS, id="projects"):
                with gr.Row():
                    goal_filter = gr.Dropdown(browse.goal_choices(plan), value=browse.ALL, label=S.FILTER_GOAL)
                    dept_filter = gr.Dropdown(browse.department_choices(plan), value=browse.ALL, label=S.FILTER_DEPARTMENT)
                    status_filter = gr.Dropdown(browse.status_choices(), value=browse.ALL, label=S.FILTER_STATUS)
                rows = browse.project_rows(plan)
                project_count = gr.Markdown(S.PROJECTS_COUNT.format(shown=len(rows), total=len(plan.projects)))
                project_table = gr.Dataframe(
                    value=rows,
                    headers=list(S.PROJECT_COLUMNS),
                    datatype=["str", "str", "str", "str", "str", "str", "number"],
                    interactive=False,
                    wrap=True,
                    elem_id="planqa-projects",
                    column_widths=["7%", "8%", "28%", "17%", "16%", "16%", "8%"],
                    max_height=760,
                )
                project_detail = gr.HTML(browse.project_detail_html(None), elem_id="planqa-project-detail", js_on_load=None)

            with gr.Tab(S.TAB_COMMENTS, id="comments"):
                gr.HTML(browse.comments_html(plan), elem_id="planqa-comments", js_on_load=None)

            with gr.Tab(S.TAB_CHART, id="chart"):
                only_short = gr.Checkbox(False, label=S.CHART_ONLY_SHORT)
                chart_view = gr.HTML(chart.chart_html(plan), elem_id="planqa-chart", js_on_load=None)

        chat_outputs = [
            answer_md, answer_data, chatbot, turns_state, sources, indicators, followup_heading, *followup_buttons,
        ]
        gr.on(
            triggers=[question.submit, send.click],
            fn=handler,
            inputs=[question, turns_state],
            outputs=chat_outputs,
            api_name="ask",
            api_description="質問（日本語）に答えます。1つ目の出力が回答のMarkdown、2つ目が回答のJSONです。",
            show_progress="minimal",
        ).then(lambda: "", None, question, api_visibility="private", queue=False)
        for button in example_buttons + followup_buttons:
            # A button's value is its label: the question to ask.
            button.click(handler, [button, turns_state], chat_outputs, api_visibility="private", show_progress="minimal")
        # The chat's own clear button must forget the session too, not only the messages shown.
        for clear in (new_chat.click, chatbot.clear):
            clear(lambda: outputs_for([]), None, chat_outputs, api_visibility="private", queue=False).then(
                lambda: "", None, question, api_visibility="private", queue=False
            )

        def filter_projects(goal: str, department: str, status: str) -> tuple:
            flt = browse.ProjectFilter(goal or browse.ALL, department or browse.ALL, status or browse.ALL)
            shown = browse.project_rows(plan, flt)
            return shown, S.PROJECTS_COUNT.format(shown=len(shown), total=len(plan.projects))

        filters = [goal_filter, dept_filter, status_filter]
        for f in filters:
            f.change(filter_projects, filters, [project_table, project_count], api_visibility="private", queue=False)

        def show_project(evt: gr.SelectData) -> str:
            row = evt.row_value or []
            name = row[2] if len(row) > 2 else None
            return browse.project_detail_html(plan.project_by_name(name) if name else None)

        project_table.select(show_project, None, project_detail, api_visibility="private", queue=False)
        only_short.change(lambda v: chart.chart_html(plan, only_short=v), only_short, chart_view,
                          api_visibility="private", queue=False)

    demo.queue(default_concurrency_limit=concurrency_limit, max_size=max_queue)
    return demo
