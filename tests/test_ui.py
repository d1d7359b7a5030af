"""Fast tests of the web UI: rendering (escaping, highlighting, tables), filters, the chat handler.

A fake engine stands in for qa; nothing here loads a model or an index.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import socket
import sqlite3
from urllib.parse import unquote

import pytest

from corpus.evaluate import project_status
from corpus.loader import load_plan
from corpus.records import Status
from qa.frame import Frame
from qa.types import Citation, Confidence, IndicatorRow
from tests.ui_fakes import FakeEngine, documents, make_answer
from ui import browse, chart, markup, render
from ui import strings as S
from ui.feedback import Context, FeedbackError, FeedbackStore, Signer
from ui.render import PageIndex, Turn

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


def test_chart_rows_and_html(plan):
    rows = chart.numeric_rows(plan)
    assert len(rows) == 20
    hall = next(r for r in rows if r.name.startswith("来館者数"))
    assert (hall.baseline, hall.result, hall.status) == (98875, 51840, Status.FELL_SHORT)
    html = chart.indicator_chart_html(rows)
    assert html.count('class="planqa-chart-row planqa-st-fell_short"') == sum(r.status is Status.FELL_SHORT for r in rows)
    assert "× 未達成" in html and "H30比 52%" in html
    only = chart.chart_html(plan, only_short=True)
    assert "planqa-chart-row planqa-st-met" not in only and "planqa-st-fell_short" in only


def test_chart_escapes_labels():
    r = chart.ChartRow(XSS, XSS, "<u>", 1, 0, "1", "0", Status.FELL_SHORT)
    html = chart.indicator_chart_html([r])
    assert "<img" not in html and "<script" not in html and "<u>" not in html
    assert "H30比 0%" in html
    assert S.CHART_EMPTY in chart.indicator_chart_html([])


def test_chart_csv(plan):
    header, *rows = csv_rows(chart.chart_csv_url(chart.numeric_rows(plan)))
    assert header == list(S.CHART_CSV_COLUMNS) and len(rows) == 20
    assert ["児童館事業", "来館者数（人）", "人", "98875", "51840", "52", "未達成"] in rows  # numbers, unit apart


def csv_rows(url: str) -> list[list[str]]:
    prefix = "data:text/csv;charset=utf-8,"
    assert url.startswith(prefix)
    text = unquote(url[len(prefix):])
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_project_list_html_and_csv(plan):
    html = browse.project_list_html(plan, browse.ProjectFilter(department="保育課"))
    names = {p.name for p in plan.projects if "保育課" in p.departments}
    assert html.count('<details class="planqa-project">') == len(names)
    assert S.PROJECTS_COUNT.format(shown=len(names), total=20) in html and "事業一覧.csv" in html
    header, *rows = csv_rows(browse.projects_csv_url(plan, browse.ProjectFilter(department="保育課")))
    assert header == list(S.PROJECTS_CSV_COLUMNS) and {r[3] for r in rows} == names


# --- the answer's Markdown ----------------------------------------------------------------


def test_bold_closes_after_japanese_brackets():
    # CommonMark leaves this literal: ** after 「）」 followed by kana does not close
    html = markup.to_html("**施設等利用給付の上乗せ（認可外保育施設）**などの記載を確認しました")
    assert html == "<p><strong>施設等利用給付の上乗せ（認可外保育施設）</strong>などの記載を確認しました</p>"


def test_a_heading_after_a_bullet_is_not_folded_into_it():
    html = markup.to_html("**虐待対応事業**（子育て支援課）\n- × 指標A\n**児童館事業**（児童青少年課）\n- × 指標B")
    assert html == ("<p><strong>虐待対応事業</strong>（子育て支援課）</p><ul><li>× 指標A</li></ul>"
                    "<p><strong>児童館事業</strong>（児童青少年課）</p><ul><li>× 指標B</li></ul>")


def test_nested_bullets_quotes_and_paragraphs():
    html = markup.to_html("前文\n続き\n\n- 一\n  - 一の一\n  - 一の二\n- 二\n> 引用\n> 続き\n後文")
    assert html == ("<p>前文<br>続き</p><ul><li>一<ul><li>一の一</li><li>一の二</li></ul></li><li>二</li></ul>"
                    "<blockquote><p>引用<br>続き</p></blockquote><p>後文</p>")


def test_markup_escapes_everything_and_drops_stray_bold_marks():
    html = markup.to_html(f"**{XSS}** と ** だけ")
    assert no_raw_tags(html, {"p", "strong"}) and "&lt;img" in html
    assert "**" not in html and html.count("<strong>") == 1


def test_citations_become_links_only_when_known():
    html = markup.to_html("本文[1]と[2]と[9]", lambda n: f'<button data-n="{n}">[{n}]</button>' if n <= 2 else None)
    assert html == '<p>本文<button data-n="1">[1]</button>と<button data-n="2">[2]</button>と[9]</p>'


def test_plain_text_for_copy():
    assert markup.to_plain("**児童館**の結果\n- **来館者数** 51,840人[1]\n  - 内訳") == (
        "児童館の結果\n・来館者数 51,840人[1]\n  ・内訳")


def test_printed_labels_are_numbered_when_the_engine_does_not_number_them():
    a = make_answer("q", "内容（p.2 児童館事業・事業の内容）と結果（p.2 児童館事業・結果の説明）。",
                    sources=(Citation("児童館事業", "事業の内容", 2, "…"), Citation("児童館事業", "結果の説明", 2, "…")))
    assert render.numbered_text(a) == "内容（p.2 児童館事業・事業の内容）[1]と結果（p.2 児童館事業・結果の説明）[2]。"
    numbered = make_answer("q", "すでに番号付き（p.2 児童館事業・事業の内容）[2]", sources=a.sources)
    assert render.numbered_text(numbered) == numbered.text


# --- one turn as the page shows it --------------------------------------------------------


@pytest.fixture(scope="module")
def pages(plan):
    return PageIndex([plan])


def test_turn_html_one_numbering_for_text_and_sources(pages):
    a = FakeEngine()("児童館の来館者数は？")
    html = render.turn_html(Turn("t1", "児童館の来館者数は？", a), pages, "tok")
    normal = html.split('class="planqa-answer-text planqa-normal"')[1].split('class="planqa-answer-plain')[0]
    text_cites = re.findall(r'class="planqa-cite" data-n="(\d)"', normal)
    list_cites = re.findall(r'class="planqa-cite planqa-cite-item" data-n="(\d)"', html)
    assert text_cites == ["2", "1"] and list_cites == ["1", "2"]
    # each link carries the passage's place on its page
    first = re.search(r'data-n="1" data-plan="koganei-r2" data-page="2" data-spans="(\d+)-(\d+)"', html)
    s, e = int(first.group(1)), int(first.group(2))
    page = pages.pages["koganei-r2"][2]
    assert page[s:e].replace("\n", "").startswith("子どもの健全育成")
    assert 'data-feedback="tok"' in html and "data-copy=" in html and "data-md=" in html
    assert "**" not in re.sub(r'data-(md|copy)="[^"]*"', "", html)


def test_turn_html_escapes_the_question_everywhere(pages):
    a = make_answer(XSS, f"「{XSS}」について", sources=(Citation(XSS, XSS, 1, XSS, (XSS,)),))
    html = render.turn_html(Turn("t", XSS, a), pages)
    assert "<img" not in html and "<script" not in html
    assert no_raw_tags(html, {"article", "div", "span", "p", "strong", "button", "section", "h2", "ol", "li", "details",
                              "summary", "mark", "form", "label", "textarea", "br", "ruby", "rt"})


def test_low_confidence_is_said_plainly_with_choices(pages):
    a = FakeEngine()("あかちゃんをあずけたい")
    assert a.confidence is Confidence.LOW
    html = render.turn_html(Turn("t", a.question, a), pages)
    assert S.LOW_CONFIDENCE in html and 'class="planqa-lowconf"' in html
    assert html.count('class="planqa-ask planqa-choice"') == 2 and 'data-ask="一時預かりの事業はありますか？"' in html
    high = FakeEngine()("児童館")
    assert "planqa-lowconf" not in render.turn_html(Turn("t", "児童館", high), pages)


def test_indicator_csv_in_an_answer(pages):
    a = FakeEngine()("R2で計画を下回った事業は？")
    html = render.turn_html(Turn("t", a.question, a), pages)
    url = html.split('class="planqa-download" href="')[1].split('"')[0]
    header, *rows = csv_rows(url.replace("&amp;", "&"))
    assert header[:4] == ["資料", "事業", "指標", "単位"] and header[4] == "H30（基準）"
    assert any(r[1] == "児童館事業" and r[7] == "未達成" for r in rows)


def test_saved_turn_markdown_shows_the_question_literally():
    t = Turn("t", "**太字** <b>\n二行目", make_answer("q", "**回答**", sources=(Citation("児童館事業", "結果の説明", 2, "…"),)))
    md = render.turn_markdown(t)
    assert "> \\*\\*太字\\*\\* \\<b\\>\n> 二行目" in md
    assert "**回答**" in md and "[1] 児童館事業・結果の説明（p.2）" in md


def test_start_screen_examples_per_kind(plan):
    html = render.start_html("説明", [("市民", ["質問A"]), ("職員", [XSS])])
    assert html.count('class="planqa-example-group"') == 2 and 'data-ask="質問A"' in html and "<img" not in html
    assert S.PRIVACY_NOTE in html


# --- the chat handler ---------------------------------------------------------------------


def handler(engine=None):
    from ui.app import ChatHandler

    return ChatHandler(engine or FakeEngine(), PageIndex([load_plan()]), Signer(b"k" * 32))


def test_handler_keeps_only_the_frame_and_passes_it_on():
    engine = FakeEngine()
    h = handler(engine)
    md, data, html, frame, box, notice = h("児童館の来館者数は？", None, "")
    assert isinstance(frame, Frame) and frame.project_ids and box == "" and notice == ""
    assert data["status"] == "answered" and S.CITATION_LINE in md and 'class="planqa-turn"' in html
    h("その会議意見は？", frame, "koganei-r2")
    assert engine.calls[1] == ("その会議意見は？", frame, ("koganei-r2",))
    assert engine.calls[0][2] is None  # all documents


def test_handler_refuses_empty_and_long_questions_and_keeps_the_text():
    import gradio as gr

    engine = FakeEngine()
    h = handler(engine)
    for q, words in (("  ", S.EMPTY_QUESTION), ("あ" * 2001, "2,001文字")):
        md, data, html, frame, box, notice = h(q, None, "")
        # the page says why before sending; the server's notice is cleared so it is not said twice
        assert words in md and data["status"] == "refused" and notice == ""
        assert all(isinstance(v, type(gr.skip())) for v in (html, frame, box))  # the typed text stays
    assert engine.calls == []


def test_engine_failure_is_logged_and_shown_politely(caplog):
    h = handler(FakeEngine(fail=True))
    with caplog.at_level(logging.ERROR, logger="ui.app"):
        md, data, html, _frame, box, _notice = h("児童館", None, "")
    assert md == S.ERROR and data["status"] == "error" and S.ERROR in html and box == ""
    assert any(r.exc_info and "engine exploded" in str(r.exc_info[1]) for r in caplog.records)


# --- feedback -----------------------------------------------------------------------------


def test_feedback_round_trip(tmp_path):
    signer = Signer()
    ctx = Context("t1", "児童館の来館者数は？", "answered", "high", ("児童館事業・結果の説明（p.2）",), ("koganei-r2",))
    store = FeedbackStore(tmp_path / "f.sqlite3")
    assert store.entries() == []
    store.record(signer.verify(signer.sign(ctx)), "down")
    store.record(signer.verify(signer.sign(ctx)), "down", "数字が古い")  # the comment replaces the row
    (e,) = store.entries()
    assert (e.vote, e.comment, e.question, e.sources) == ("down", "数字が古い", ctx.question, ctx.sources)
    cols = [r[1] for r in sqlite3.connect(tmp_path / "f.sqlite3").execute("PRAGMA table_info(feedback)")]
    assert not {"ip", "user_agent", "session", "name"} & set(cols)


def test_feedback_refuses_forged_tokens_and_bad_votes(tmp_path):
    signer = Signer()
    token = signer.sign(Context("t", "q", "answered", "high", ()))
    store = FeedbackStore(tmp_path / "f.sqlite3")
    with pytest.raises(FeedbackError):
        signer.verify(token[:-2] + "00")
    with pytest.raises(FeedbackError):
        Signer().verify(token)  # another server start
    with pytest.raises(FeedbackError):
        store.record(signer.verify(token), "maybe")
    with pytest.raises(FeedbackError):
        store.record(signer.verify(token), "up", "あ" * 1001)


def test_feedback_cli_lists_and_exports(planqa_env, capsys):
    from ui.__main__ import main

    assert main(["feedback"]) == 0 and "評価はまだありません" in capsys.readouterr().out
    s = Signer()
    FeedbackStore().record(s.verify(s.sign(Context("t", "保育料は？", "no_answer", "high", ()))), "down", "載せてほしい")
    assert main(["feedback"]) == 0
    out = capsys.readouterr().out
    assert "👎" in out and "保育料は？" in out and "載せてほしい" in out
    assert main(["feedback", "--csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff") and out.splitlines()[0].lstrip("\ufeff").split(",") == list(S.CLI_FEEDBACK_COLUMNS)


# --- the app ------------------------------------------------------------------------------


def test_build_app_exposes_only_ask_and_keeps_nothing_in_the_browser(plan):
    import gradio as gr

    from ui.app import build_app, launch_options

    demo = build_app(FakeEngine(), plans=[plan], documents=documents())
    assert isinstance(demo, gr.Blocks)
    public = [d for d in demo.fns.values() if d.api_visibility == "public" and d.api_name != "send_feedback"]
    assert [d.api_name for d in public] == ["ask"]
    opts = launch_options()
    assert opts["run_history"] is False and "settings" not in opts["footer_links"]
    assert "localStorage" not in opts["head"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_api_round_trip_in_process(plan, planqa_env):
    """The /ask endpoint through gradio_client: question in, Markdown answer first out."""
    from gradio_client import Client

    from ui.app import build_app

    demo = build_app(FakeEngine(), plans=[plan], documents=documents())
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        md, data, *_ = client.predict("児童館の来館者数は？", api_name="/ask")
        assert "児童館事業" in md and S.CITATION_LINE in md and "[1] 児童館事業・事業の内容（p.2）" in md
        assert data["status"] == "answered" and data["sources"][0]["n"] == 1
        md2, data2, *_ = client.predict("あ" * 2001, api_name="/ask")
        assert data2["status"] == "refused" and "2,001文字" in md2
    finally:
        demo.close()


def test_api_markdown_never_carries_raw_html():
    md = render.answer_markdown(make_answer("q", f"「{XSS}」", sources=(Citation("児童館事業", "結果の説明", 2, "…"),)))
    assert "<" not in md and "&lt;img" in md and md.endswith("[1] 児童館事業・結果の説明（p.2）")


# --- every reader: chips, one of list or table, reading line, languages, plain Japanese ----------


def test_chips_replace_the_printed_label_before_them(pages):
    a = FakeEngine()("R2で計画を下回った事業は？")
    assert "（p.1 虐待対応事業・結果の説明）[1]" in a.text
    text = render.chip_text(a)
    assert "（p.1 虐待対応事業・結果の説明）" not in text and "[1]" in text
    assert not re.search(r"（p\.\d+ [^）]*）\[\d+\]", text)
    # the label is still what the chip says to a screen reader and in the 出典 list
    html = render.turn_html(Turn("t", a.question, a), pages)
    assert 'aria-label="出典1：虐待対応事業・結果の説明（p.1）（資料のページを表示）"' in html
    # the API and a saved conversation keep the engine's text as it is
    assert "（p.1 虐待対応事業・結果の説明）[1]" in render.answer_markdown(a)


def test_an_answer_shows_its_indicators_once(pages):
    listed = FakeEngine()("R2で計画を下回った事業は？")
    html = render.answer_html(listed, pages)
    # the text lists every row: the table is folded away (one tap), its CSV stays
    assert '<details class="planqa-table-details">' in html and 'class="planqa-download"' in html
    assert html.count("<table") == 1 and "<details class=\"planqa-table-details\" open" not in html
    only_table = make_answer("q", "指標の状況です。", indicators=(row(),))
    html = render.answer_html(only_table, pages)
    assert "planqa-table-details" not in html and "<table" in html


def test_the_reading_line_stands_apart_from_the_answer(pages):
    engine = FakeEngine()
    first = engine("児童館の来館者数は？")
    a = engine("その会議意見は？", frame=first.frame)
    html = render.answer_html(a, pages)
    reading = a.interpretation.text
    assert f'<span class="planqa-normal">{reading}</span>' in html and 'class="planqa-reading"' in html
    normal = html.split('class="planqa-answer-text planqa-normal">')[1]
    assert not normal.startswith(f"<p>{reading}")  # not repeated as the answer's first line
    chip = re.search(r'<button type="button" class="planqa-carried" data-reask="([^"]*)"[^>]*>([^<]*)', html)
    assert chip.group(1) == "その会議意見は？" and chip.group(2).startswith("前の質問の 児童館事業")
    alone = engine("その会議意見は？")
    assert alone.interpretation.carried == () and "planqa-carried" not in render.answer_html(alone, pages)


def test_the_chip_asks_again_on_its_own_and_replaces_the_turn():
    engine = FakeEngine()
    h = handler(engine)
    *_, frame, _box, _n = h("児童館の来館者数は？", None, "")
    *_, carried_frame, _box, _n = h("その会議意見は？", frame, "")
    assert engine.calls[-1][1] == frame
    html, new_frame = h.standalone('{"question": "その会議意見は？", "turn": "t-old"}', "")
    assert engine.calls[-1] == ("その会議意見は？", None, None)  # frame=None: on its own
    assert 'data-replaces="t-old"' in html and "planqa-carried" not in html
    assert new_frame == engine("その会議意見は？").frame and new_frame != carried_frame
    import gradio as gr

    for bad in ("", "not json", '{"question": 1}', '{"question": "  ", "turn": "x"}'):
        assert all(isinstance(v, type(gr.skip())) for v in h.standalone(bad, ""))


def test_answers_in_other_languages_say_so(pages):
    a = FakeEngine()("What does the children's hall do?")
    html = render.turn_html(Turn("t", a.question, a), pages)
    assert '<div class="planqa-a" role="region" aria-label="回答" lang="en">' in html
    assert '<span lang="ja">児童館事業</span>' in html and "planqa-answer-plain" not in html
    assert render.lang_ja_html("丁寧 of 児童館", "zh") == "丁寧 of 児童館"  # Han alone is Chinese too
    assert render.lang_ja_html("の児童館 <b>", "zh") == '<span lang="ja">の児童館</span> &lt;b&gt;'
    ja = FakeEngine()("児童館の来館者数は？")
    assert ' lang="' not in render.turn_html(Turn("t", ja.question, ja), pages).split('class="planqa-a"')[1][:60]


def test_plain_japanese_rendering_has_furigana_on_every_kanji(pages):
    a = FakeEngine()("R2で計画を下回った事業は？")
    html = render.answer_html(a, pages)
    plain_html = html.split('class="planqa-answer-plain planqa-plain">')[1].split('<section class="planqa-indicators')[0]
    outside_ruby = re.sub(r"<ruby>.*?</ruby>", "", plain_html)
    text_outside = re.sub(r"<[^>]+>", "", outside_ruby)
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r'aria-label="[^"]*"|title="[^"]*"', "", text_outside))
    assert "<ruby>虐待<rt>ぎゃくたい</rt></ruby>" in plain_html and "R2で" in plain_html
    assert "漸増（少しずつ増やす）" in re.sub(r"<rt>[^<]*</rt>|</?ruby>", "", plain_html)


def test_one_short_announcement_per_answer(pages):
    a = FakeEngine()("R2で計画を下回った事業は？")
    html = render.turn_html(Turn("t", a.question, a), pages)
    said = re.search(r'data-announce="([^"]*)"', html).group(1)
    assert said.startswith("回答が届きました。") and len(said) <= len("回答が届きました。") + render.ANNOUNCE_CHARS
    assert "[" not in said


def test_the_served_head_is_japanese():
    from ui import head

    template = ('<!doctype html><html\n\tlang="en" style="x"><head><meta charset="utf-8" />'
                '<meta property="og:title" content="Gradio" />\n<meta\n property="og:image"\n content="https://x/y.jpg"\n />'
                '<meta name="twitter:title" content="{{ config[\'title\'] }}" /><script>{{ config }}</script></head><body></body></html>')
    info = head.page_head(documents())
    out = head.rewrite(template, info)
    assert 'lang="ja"' in out and 'lang="en"' not in out and "Gradio" not in out and "https://" not in out
    assert f"<title>計画資料 Q&amp;A｜{documents()[0].label}</title>" in out
    assert 'property="og:description" content="「小金井市' in out and "{{ config }}" in out
    with pytest.raises(ValueError):
        head.rewrite("<html><body></body></html>", info)
