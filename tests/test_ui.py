"""Fast tests of the web UI: rendering (escaping, highlighting, tables), filters, the chat handler.

A fake engine stands in for qa; nothing here loads a model or an index.
"""
from __future__ import annotations

import logging
import re
import socket

import pytest

from corpus.evaluate import project_status
from corpus.loader import load_plan
from corpus.records import Status
from qa.types import Answer, AnswerStatus, Citation, IndicatorRow
from tests.ui_fakes import FakeEngine, make_answer
from ui import browse, chart, render
from ui import strings as S
from ui.render import Turn

XSS = '<img src=x onerror="window.__xss=1">児童館<script>alert(1)</script>'


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def row(project="児童館事業", name="来館者数（人）", status="fell_short", result="51,840人") -> IndicatorRow:
    return IndicatorRow(project=project, name=name, unit="人", baseline="98,875人",
                        plan={"R2": "漸増", "R3": "漸増"}, result=result, status=status,
                        reason="漸増の計画に対し、H30 98,875人 → R2 51,840人と減少", page=2)


def no_raw_tags(html: str, allowed: set[str]) -> bool:
    tags = {t.lower() for t in re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", html)}
    return tags <= allowed


# --- escaping -----------------------------------------------------------------------------


def test_user_markdown_shows_html_and_markdown_as_text():
    md = render.user_markdown(XSS + " **太字** [link](javascript:x)")
    assert "<" not in md and ">" not in md
    assert "&lt;img src=x onerror=&quot;window.\\_\\_xss=1&quot;&gt;" in md
    assert "\\*\\*太字\\*\\*" in md and "\\[link\\](javascript:x)" in md


@pytest.mark.parametrize("text, expected", [
    ("施策3-2の事業。R2.", "施策3-2の事業。R2."),
    ("# 見出し\n- 箇条\n1. 番号\n  > 引用\n===", "\\# 見出し\n\\- 箇条\n1\\. 番号\n  \\> 引用\n\\==="),
    ("`code` ~~x~~ a|b", "\\`code\\` \\~\\~x\\~\\~ a\\|b"),
])
def test_markdown_literal_escapes_only_active_markup(text, expected):
    assert render.markdown_literal(text) == expected


def test_user_markdown_truncates_very_long_questions():
    md = render.user_markdown("あ" * 5000)
    assert md.startswith("あ" * render.QUESTION_DISPLAY_CHARS)
    assert "全5,000文字" in md and len(md) < 400


def test_safe_markdown_neutralises_raw_html_but_keeps_markdown():
    out = render.safe_markdown(f"**回答**「{XSS}」\n- 項目")
    assert "<" not in out
    assert "**回答**" in out and "- 項目" in out


def test_answer_markdown_lists_each_cited_place_once():
    c = Citation("児童館事業", "結果の説明", 2, "…")
    a = make_answer("q", "本文", sources=(c, c, Citation("児童館事業", "事業の内容", 2, "…")))
    md = render.answer_markdown(a)
    assert md.startswith("本文")
    assert md.count("結果の説明") == 1
    assert md.endswith("*出典：児童館事業・結果の説明（p.2） ／ 児童館事業・事業の内容（p.2）*")


# --- highlighting -------------------------------------------------------------------------


def test_highlight_escapes_then_marks():
    out = render.highlight("a<b> 児童館 & 来館者数", ["児童館", "来館"])
    assert out == "a&lt;b&gt; <mark>児童館</mark> &amp; <mark>来館</mark>者数"


def test_highlight_never_matches_inside_an_entity():
    # "amp" must not match the "&amp;" produced by escaping.
    assert render.highlight("A & B", ["amp", "&"]) == "A <mark>&amp;</mark> B"


def test_highlight_terms_that_are_html_are_escaped():
    out = render.highlight("x <img src=x onerror=alert(1)> y", ["<img src=x onerror=alert(1)>"])
    assert out == "x <mark>&lt;img src=x onerror=alert(1)&gt;</mark> y"
    assert no_raw_tags(out, {"mark"})


def test_highlight_merges_overlaps_and_ignores_blank_terms():
    assert render.highlight("子育て支援課", ["子育て", "育て支援", "", "  "]) == "<mark>子育て支援</mark>課"


def test_highlight_folds_width_and_case():
    # the document prints full-width digits and letters; questions often use half-width
    assert render.highlight("Ｒ２の実績は１００％", ["r2", "100%"]) == "<mark>Ｒ２</mark>の実績は<mark>１００％</mark>"


def test_highlight_without_terms_is_just_escaped():
    assert render.highlight("<b>", []) == "&lt;b&gt;"


# --- sources panel ------------------------------------------------------------------------


def test_sources_html_shows_project_section_page_and_marks():
    a = make_answer("q", sources=(Citation("児童館事業", "結果の説明", 2, "来館者数は<約6割>", ("来館者数",)),))
    html = render.sources_html(a)
    assert "児童館事業" in html and "結果の説明" in html and "p.2" in html
    assert "<mark>来館者数</mark>は&lt;約6割&gt;" in html


def test_sources_html_escapes_everything_from_the_answer():
    a = make_answer("q", sources=(Citation(XSS, XSS, 1, XSS, (XSS, "児童館")),))
    html = render.sources_html(a)
    assert no_raw_tags(html, {"div", "article", "header", "span", "p", "mark"})
    assert "onerror=" not in html.replace("onerror=&quot;", "")


def test_sources_html_placeholders():
    assert S.NO_SOURCES in render.sources_html(None)
    assert S.SOURCES_NONE_FOR_ANSWER in render.sources_html(make_answer("q"))


def test_passage_text_shortens_padding():
    assert render.passage_text("来館者数（人）\u3000\u3000\u300051,840人\n\n  次 ") == "来館者数（人）\u300051,840人\n次"


# --- indicator table ----------------------------------------------------------------------


def test_indicator_table_empty_without_rows():
    assert render.indicator_table_html(()) == ""


def test_indicator_table_columns_icons_and_status_classes():
    html = render.indicator_table_html([
        row(), row(name="開館延長時の利用者数（人）"), row("虐待対応事業", "虐待相談件数（件）", "met", "1,091件"),
        row("子育て情報の提供", "連携", "unclear", None), row("X", "Y", "borderline"),
    ])
    for head in (S.COL_BASELINE, S.COL_PLAN, S.COL_RESULT, S.COL_STATUS):
        assert head in html
    assert "× 未達成" in html and "○ 達成" in html and "？ 判定不能" in html and "△ ほぼ達成（要注意）" in html
    assert "planqa-st-fell_short" in html and "planqa-st-met" in html
    assert "98,875人" in html and "漸増" in html and "51,840人" in html
    assert S.NO_RESULT in html  # the unclear row has no result
    assert 'rowspan="2"' in html and html.count("児童館事業") == 1
    assert "title=" in html  # the reason is on the badge as well


def test_indicator_table_unknown_status_is_unclear_and_text_is_escaped():
    html = render.indicator_table_html([row(project=XSS, name=XSS, status="weird")])
    assert "？ 判定不能" in html
    assert no_raw_tags(html, {"table", "thead", "tbody", "tr", "th", "td", "span", "div"})


# --- chat handler -------------------------------------------------------------------------


def test_chat_history_passes_prior_answers_only():
    engine = FakeEngine()
    handler = __import__("ui.app", fromlist=["ChatHandler"]).ChatHandler(engine)
    t1 = handler.reply("児童館の来館者数は？", [])
    refused = handler.reply("あ" * 3000, [t1])
    t3 = handler.reply("会議意見は？", [t1, refused])
    assert refused.answer is None and "3,000文字" in refused.reply
    assert [q for q, _ in engine.calls] == ["児童館の来館者数は？", "会議意見は？"]  # the long one never reached qa
    assert engine.calls[1][1] == [t1.answer]
    assert t3.answer is not None


def test_engine_failure_is_logged_and_shown_politely(caplog):
    from ui.app import ChatHandler

    handler = ChatHandler(FakeEngine(fail=True))
    with caplog.at_level(logging.ERROR, logger="ui.app"):
        turn = handler.reply("児童館", [])
    assert turn.reply == S.ERROR and turn.answer is None and turn.refusal == "error"
    assert any(r.exc_info and "engine exploded" in str(r.exc_info[1]) for r in caplog.records)


def test_handler_outputs_after_an_answer():
    import gradio as gr

    from ui.app import N_FOLLOWUPS, ChatHandler

    out = ChatHandler(FakeEngine())("R2で計画を下回った事業は？", [])
    md, data, messages, turns, sources, indicators, heading, *buttons = out
    assert md.startswith("R2で計画を下回った") and data["status"] == "answered"
    assert [m["role"] for m in messages] == ["user", "assistant"] and len(turns) == 1
    assert "planqa-source" in sources
    assert indicators["visible"] is True and "× 未達成" in indicators["value"]
    assert heading == S.FOLLOWUPS_HEADING
    assert len(buttons) == N_FOLLOWUPS
    assert [b["visible"] for b in buttons] == [True, True] + [False] * (N_FOLLOWUPS - 2)
    # an empty question changes nothing on screen
    empty = ChatHandler(FakeEngine())("  ", turns)
    assert empty[0] == S.EMPTY_QUESTION and all(isinstance(v, type(gr.skip())) for v in empty[2:])


def test_xss_question_is_escaped_in_the_chat():
    from ui.app import ChatHandler

    _, _, messages, *_ = ChatHandler(FakeEngine())(XSS, [])
    assert "<" not in messages[0]["content"]
    assert "<img" not in messages[1]["content"] and "<script" not in messages[1]["content"]


def test_session_keeps_a_bounded_number_of_turns():
    from ui.app import MAX_TURNS, ChatHandler

    handler = ChatHandler(lambda q, h: make_answer(q))
    turns: list[Turn] = []
    for i in range(MAX_TURNS + 5):
        turns = handler(f"質問{i}", turns)[3]
    assert len(turns) == MAX_TURNS and turns[-1].question == f"質問{MAX_TURNS + 4}"


# --- staff views --------------------------------------------------------------------------


def test_project_rows_all_and_filters(plan):
    assert len(browse.project_rows(plan)) == len(plan.projects) == 20
    goal3 = browse.project_rows(plan, browse.ProjectFilter(goal="3"))
    assert goal3 and all(r[0] == "目標3" for r in goal3)
    hoiku = browse.project_rows(plan, browse.ProjectFilter(department="保育課"))
    assert {r[2] for r in hoiku} == {p.name for p in plan.projects if "保育課" in p.departments}
    short = browse.project_rows(plan, browse.ProjectFilter(status="fell_short"))
    assert {r[2] for r in short} == {p.name for p in plan.projects if project_status(p) is Status.FELL_SHORT}
    assert "児童館事業" in {r[2] for r in short}
    assert all(r[5] == "× 未達成" for r in short)
    both = browse.project_rows(plan, browse.ProjectFilter(goal="3", department="健康課", status="fell_short"))
    assert [r[2] for r in both] == ["母子保健健康相談事業"]


def test_project_status_is_the_worst_indicator(plan):
    rows = {r[2]: r for r in browse.project_rows(plan)}
    assert rows["虐待対応事業"][5] == "× 未達成" and rows["虐待対応事業"][4] == "2件（○1 ×1）"
    assert rows["虐待防止啓発事業"][5] == "△ ほぼ達成（要注意）"


def test_filter_choices(plan):
    assert browse.goal_choices(plan)[0] == (S.FILTER_ALL, browse.ALL)
    assert ("保育課", "保育課") in browse.department_choices(plan)
    assert [v for _, v in browse.status_choices()][1:] == [s.value for s in Status]


def test_comments_html_lists_every_project(plan):
    html = browse.comments_html(plan)
    for p in plan.projects:
        assert p.name in html
    without = sum(1 for p in plan.projects if not p.council_comments)
    assert html.count(S.NO_COMMENTS) == without > 0
    assert "コロナ禍でも出来ることを模索" in html
    assert "4 事業" in html


def test_project_detail(plan):
    html = browse.project_detail_html(plan.project_by_name("児童館事業"))
    assert S.DETAIL_RESULT in html and "51,840人" in html and "× 未達成" in html and "コロナ禍" in html
    assert S.PROJECT_DETAIL_HINT in browse.project_detail_html(None)


def test_chart_rows_and_svg(plan):
    rows = chart.numeric_rows(plan)
    assert len(rows) == 20
    hall = next(r for r in rows if r.name.startswith("来館者数"))
    assert (hall.baseline, hall.result, hall.status) == (98875, 51840, Status.FELL_SHORT)
    svg = chart.indicator_chart_svg(rows)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="planqa-chart-row planqa-st-fell_short"') == sum(r.status is Status.FELL_SHORT for r in rows)
    assert "× 未達成" in svg and "H30比 52%" in svg
    only = chart.chart_html(plan, only_short=True)
    assert "planqa-st-met" not in only and "planqa-st-fell_short" in only


def test_chart_escapes_labels():
    r = chart.ChartRow(XSS, XSS, "<u>", 1, 0, "1", "0", Status.FELL_SHORT)
    svg = chart.indicator_chart_svg([r])
    assert "<img" not in svg and "<script" not in svg and "<u>" not in svg
    assert "H30比 0%" in svg
    assert S.CHART_EMPTY in chart.indicator_chart_svg([])


# --- the app ------------------------------------------------------------------------------


def test_build_app_exposes_ask(plan):
    import gradio as gr

    from ui.app import build_app

    demo = build_app(FakeEngine(), plan=plan)
    assert isinstance(demo, gr.Blocks)
    public = [d for d in demo.fns.values() if d.api_visibility == "public"]
    assert [d.api_name for d in public] == ["ask"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_api_round_trip_in_process(plan):
    """The /ask endpoint through gradio_client: question in, Markdown answer first out."""
    from gradio_client import Client

    from ui.app import build_app

    demo = build_app(FakeEngine(), plan=plan)
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        md, data, *_ = client.predict("児童館の来館者数は？", api_name="/ask")
        assert "児童館事業" in md and S.CITATION_LINE in md
        assert data["status"] == "answered" and data["sources"]
        md2, data2, *_ = client.predict("あ" * 2001, api_name="/ask")
        assert data2["status"] == "refused" and "2,001文字" in md2
    finally:
        demo.close()
