"""The real app in headless Chromium: ``python -m ui`` on a free port, driven with Playwright.

Run with ``pytest -m browser``. Needs Debian's chromium (/usr/bin/chromium) and a working qa
(the first start builds a missing index, so allow for that; PLANQA_UI_START_TIMEOUT, seconds).

Every view is checked on a phone (390×844) and a desktop (1366×900), in light and dark: the
first line of an answer is in view, taps land in view, no text is under 4.5:1 contrast, axe-core
finds no serious or critical violation (start screen, an answer, the cited page, each tab),
buttons, tabs and links are at least 44 px (citation chips in a sentence 24 px), lang="ja",
citations open their page with the passage marked, CSV downloads, a 👎 reaches the SQLite
file, and 新しい会話 leaves nothing of a question in browser storage. Further tests: chart
bars to scale at 320, 390 and 1366 px, every tab reachable at 320 px (and by arrow keys), a
dropped connection keeps the log, the viewer's 閉じる in view at 360×640, furigana on every
kanji run in the やさしい日本語 mode, the carried-topic chip (with a fake engine that reads
questions as the conversation engine does), the skip link and the focus ring.
Set PLANQA_SCREENSHOTS=docs to also save the README's screenshots there.
"""
from __future__ import annotations

import csv
import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
AXE_IMPACTS = ("serious", "critical")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = float(os.environ.get("PLANQA_UI_START_TIMEOUT", "600"))
ANSWER_TIMEOUT_MS = 60_000
SCREENSHOTS = os.environ.get("PLANQA_SCREENSHOTS")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWS = [("phone", PHONE, "light"), ("phone", PHONE, "dark"), ("desktop", DESKTOP, "light"), ("desktop", DESKTOP, "dark")]

SHORTFALL = "R2で計画を下回った事業は？"
XSS_QUESTION = '<img src=x onerror="window.__xss=1">児童館<script>window.__xss=2</script>'

# Every visible text element: its colour against the background it is painted on (alpha blended).
CONTRAST_JS = """
(minimum) => {
  const parse = (c) => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== "none") return null;
      const c = parse(s.backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let color = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
    return color;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const failures = []; let checked = 0; let lowest = 99;
  const check = (el, fg, text) => {
    const bg = background(el);
    if (!bg || !fg) return;
    const r = ratio(over(fg, bg), bg);
    checked++; lowest = Math.min(lowest, r);
    if (r < minimum) failures.push({ text: text.slice(0, 40), ratio: Math.round(r * 100) / 100,
      fg: getComputedStyle(el).color, cls: (el.className || "").toString().slice(0, 60), tag: el.tagName });
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("[aria-hidden=true], .visually-hidden, .planqa-sr, [hidden]")) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    if (!own) continue;
    const s = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (s.visibility !== "visible" || s.display === "none" || rect.width < 2 || rect.height < 2 || s.opacity === "0") continue;
    if (el.closest("dialog:not([open])")) continue;
    check(el, parse(s.color), own);
  }
  for (const ta of document.querySelectorAll("textarea[placeholder]")) {
    if (!ta.value && ta.getBoundingClientRect().width > 2) check(ta, parse(getComputedStyle(ta, "::placeholder").color), ta.placeholder);
  }
  return { failures, checked, lowest };
}
"""


# Every visible control that is tapped: its size (inline citation chips may be 24 px, WCAG 2.5.8).
TARGETS_JS = """
() => {
  const small = []; let checked = 0;
  for (const el of document.querySelectorAll("button, a[href], [role=tab], summary, textarea, input, select")) {
    if (el.closest("[hidden], .planqa-sr, dialog:not([open]), [aria-hidden=true]")) continue;
    if (el.matches("input[type=hidden]")) continue;
    const s = getComputedStyle(el);
    let r = el.getBoundingClientRect();
    if (s.visibility !== "visible" || s.display === "none" || r.width === 0 || r.height === 0) continue;
    if (el.matches(".planqa-skip") && r.bottom < 0) continue;  // shown when focused (checked there)
    if (el.matches("input[type=checkbox], input[type=radio]") && el.closest("label")) r = el.closest("label").getBoundingClientRect();
    const min = el.matches("button.planqa-cite:not(.planqa-cite-item)") ? 24 : 44;
    checked++;
    if (r.height < min - 0.5 || r.width < min - 0.5)
      small.push({ tag: el.tagName, cls: (el.className || "").toString().slice(0, 50), text: (el.innerText || el.value || "").slice(0, 20),
                   w: Math.round(r.width), h: Math.round(r.height) });
  }
  return { small, checked };
}
"""


def axe(pg, where: str) -> None:
    """axe-core (the axe-playwright-python package's copy) over the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(pg, options={"resultTypes": ["violations"]}).response
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in results["violations"]
           if v["impact"] in AXE_IMPACTS]
    assert not bad, f"{where}: axe-core {results['testEngine']['version']}: {bad}"


def targets(pg, where: str) -> None:
    res = pg.evaluate(TARGETS_JS)
    assert res["checked"] > 3, where
    assert not res["small"], f"{where}: tap targets under 44 px (chips 24 px): {res['small'][:8]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real server as a subprocess; yields (URL, feedback file), then stops that process."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    port = _free_port()
    tmp = tmp_path_factory.mktemp("ui")
    log_path = tmp / "server.log"
    db = tmp / "feedback.sqlite3"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ui", "--port", str(port), "--feedback-db", str(db)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"python -m ui exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"python -m ui did not answer on {url} within {START_TIMEOUT:.0f}s:\n"
                            f"{log_path.read_text()[-4000:]}")
            time.sleep(0.5)
        yield url, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # Errors in the server log mean a handler failed even if the page looked fine.
    text = log_path.read_text()
    assert "Traceback" not in text, text[text.find("Traceback") - 2000:][:5000]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, url, viewport, scheme, locale="en-US"):
    # an English browser on purpose: the page must still say lang="ja"
    context = browser.new_context(viewport=viewport, color_scheme=scheme, locale=locale, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(url)
    pg.wait_for_selector("#planqa-question textarea")
    pg.wait_for_function("() => window.planqa && document.querySelector('#planqa-start .planqa-example')")
    return context, pg, errors


def contrast(pg, where: str) -> float:
    res = pg.evaluate(CONTRAST_JS, 4.5)
    assert res["checked"] > 10, where
    assert not res["failures"], f"{where}: text under 4.5:1: {res['failures'][:8]}"
    print(f"contrast {where}: {res['checked']} texts, lowest {res['lowest']:.2f}:1")
    return res["lowest"]


def in_view(pg, selector: str) -> bool:
    """The element's first line is inside the window and not under the input bar."""
    return pg.evaluate("""(sel) => {
        const el = document.querySelector(sel); if (!el) return false;
        const r = el.getBoundingClientRect();
        const bar = document.querySelector('#planqa-composer').getBoundingClientRect();
        return r.top >= 0 && r.top + 24 <= Math.min(window.innerHeight, bar.top);
    }""", selector)


def wait_answer(pg, n_turns: int) -> None:
    pg.wait_for_function("n => document.querySelectorAll('#planqa-log .planqa-turn[data-turn]').length >= n",
                         arg=n_turns, timeout=ANSWER_TIMEOUT_MS)


def last(sel: str) -> str:
    return f"#planqa-log .planqa-turn:last-child {sel}"


def read_csv(download) -> tuple[bytes, list[list[str]]]:
    raw = Path(download.path()).read_bytes()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("kind, viewport, scheme", VIEWS, ids=[f"{k}-{s}" for k, _, s in VIEWS])
def test_view(server, browser, kind, viewport, scheme):
    url, db = server
    context, pg, errors = open_page(browser, url, viewport, scheme)
    try:
        assert pg.evaluate("document.documentElement.lang") == "ja"
        # start screen: one example of every kind of user above the fold, and the input
        groups = pg.locator("#planqa-start .planqa-example-group")
        assert groups.count() == 3
        for i in range(3):
            box = groups.nth(i).locator(".planqa-example").first.bounding_box()
            assert box and box["y"] + box["height"] <= viewport["height"], f"examples of group {i} below the fold"
        assert pg.locator("#planqa-question textarea").bounding_box()["y"] < viewport["height"] - 30
        contrast(pg, f"{kind}-{scheme} start")
        axe(pg, f"{kind}-{scheme} start")
        targets(pg, f"{kind}-{scheme} start")
        if SCREENSHOTS and scheme == "light" and kind == "phone":
            pg.screenshot(path=str(ROOT / SCREENSHOTS / f"screenshot-{kind}-start.png"))

        # an example tap: the question at once with 「回答を作成中…」, then the answer from its first line
        pg.locator("#planqa-start .planqa-example", has_text=SHORTFALL).click()
        pg.wait_for_selector("#planqa-log .planqa-turn")
        wait_answer(pg, 1)
        assert in_view(pg, last(".planqa-answer-text > :first-child")), "first line of the answer not in view"
        text = pg.locator(last(".planqa-answer-text")).inner_text()
        assert "児童館事業" in text and "**" not in text
        # a heading after a bullet stays its own line, not part of the bullet above
        assert pg.locator(last(".planqa-answer-text li"), has_text="児童館事業（").count() == 0
        # the text lists the indicators; the same rows as a table are one tap away, not shown twice
        table = pg.locator(last("table.planqa-indicators"))
        assert not table.is_visible()
        pg.locator(last(".planqa-table-details > summary")).click()
        assert table.is_visible() and "未達成" in table.inner_text()
        # chips without the printed label in front of them
        assert "（p.1 虐待対応事業・結果の説明）" not in text and "[1]" in text
        contrast(pg, f"{kind}-{scheme} shortfall answer")
        axe(pg, f"{kind}-{scheme} shortfall answer")
        targets(pg, f"{kind}-{scheme} shortfall answer")
        assert pg.evaluate("document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"

        # the indicator table as CSV: BOM, header row, Japanese intact
        with pg.expect_download() as d:
            pg.locator(last(".planqa-indicators a.planqa-download")).click()
        raw, rows = read_csv(d.value)
        assert raw.startswith(b"\xef\xbb\xbf")
        assert rows[0][:4] == ["資料", "事業", "指標", "単位"] and any("児童館事業" in r for r in rows[1:])

        # a citation opens its page with the passage marked
        cite = pg.locator(last("button.planqa-cite")).first
        cite.click()
        viewer = pg.locator("#planqa-viewer[open]")
        viewer.wait_for()
        mark = viewer.locator(".planqa-page-text mark").first
        mark.wait_for()
        assert mark.is_visible() and len(mark.inner_text()) >= 4
        assert viewer.locator(".planqa-viewer-title").inner_text().startswith("[1]")
        contrast(pg, f"{kind}-{scheme} cited page")
        axe(pg, f"{kind}-{scheme} cited page")
        if SCREENSHOTS and scheme == "light" and kind == "desktop":
            pg.screenshot(path=str(ROOT / SCREENSHOTS / f"screenshot-{kind}-citation.png"))
        viewer.locator(".planqa-viewer-close").click()
        pg.wait_for_selector("#planqa-viewer[open]", state="detached")

        # a follow-up tap lands in view too
        follow = pg.locator(last(".planqa-followup")).first
        follow.click()
        wait_answer(pg, 2)
        assert in_view(pg, last(".planqa-answer-text > :first-child")), "follow-up answer not in view"
        if SCREENSHOTS:
            pg.locator("#planqa-log .planqa-turn").first.scroll_into_view_if_needed()
            pg.evaluate("document.querySelector('#planqa-log .planqa-turn').scrollIntoView({block: 'start'})")
            pg.screenshot(path=str(ROOT / SCREENSHOTS / f"screenshot-{kind}-{scheme}.png"))

        # 👎 lands in the SQLite file
        asked = pg.locator(last(".planqa-q p")).inner_text()
        pg.locator(last(".planqa-vote[data-vote=down]")).click()
        pg.locator(last(".planqa-action-status"), has_text="ありがとう").wait_for()
        with sqlite3.connect(db) as con:
            rows = con.execute("SELECT vote, question, status FROM feedback").fetchall()
        assert ("down", asked, "answered") in rows

        # 新しい会話: nothing of a question remains in the page or in browser storage
        pg.click("#planqa-new-chat")
        pg.wait_for_function("() => document.querySelectorAll('#planqa-log .planqa-turn').length === 0")
        stored = pg.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
        for fragment in ("計画を下回った", "児童館事業の結果", "会議意見は"):
            assert fragment not in stored, f"{fragment!r} left in browser storage: {stored[:300]}"
        pg.reload()
        pg.wait_for_selector("#planqa-question textarea")
        stored = pg.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
        assert "計画を下回った" not in stored

        # staff tabs: project list and chart, readable and downloadable
        pg.get_by_role("tab", name="事業一覧").click()
        pg.locator("#planqa-projects details.planqa-project").first.wait_for()
        pg.locator("#planqa-projects summary", has_text="児童館事業").click()
        pg.locator("#planqa-projects details[open]").get_by_text("結果の説明").first.wait_for()
        contrast(pg, f"{kind}-{scheme} project list")
        axe(pg, f"{kind}-{scheme} project list")
        targets(pg, f"{kind}-{scheme} project list")
        with pg.expect_download() as d:
            pg.locator("#planqa-projects a.planqa-download").click()
        raw, rows = read_csv(d.value)
        assert raw.startswith(b"\xef\xbb\xbf") and rows[0][3] == "事業名" and len(rows) == 21
        pg.get_by_role("tab", name="グラフ").click()
        pg.locator("#planqa-chart .planqa-chart-row").first.wait_for()
        contrast(pg, f"{kind}-{scheme} chart")
        axe(pg, f"{kind}-{scheme} chart")
        targets(pg, f"{kind}-{scheme} chart")
        assert pg.evaluate("document.documentElement.scrollWidth <= innerWidth"), "the chart scrolls sideways"
        label = pg.locator("#planqa-chart .planqa-chart-name").first
        assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 12
        with pg.expect_download() as d:
            pg.locator("#planqa-chart a.planqa-download").click()
        raw, rows = read_csv(d.value)
        assert raw.startswith(b"\xef\xbb\xbf") and rows[0][:2] == ["事業", "指標"] and len(rows) > 5
        pg.get_by_role("tab", name="会議意見").click()
        pg.locator("#planqa-comments").get_by_text("会議意見の記載はありません").first.wait_for()
        contrast(pg, f"{kind}-{scheme} comments")
        axe(pg, f"{kind}-{scheme} comments")
    finally:
        context.close()
    assert not errors, errors


def test_input_behaviour(server, browser):
    """Counting, the limit keeping the text, empty submit, IME Enter, HTML in a question, saving."""
    url, _ = server
    context, pg, errors = open_page(browser, url, DESKTOP, "light", locale="ja-JP")
    try:
        box = pg.locator("#planqa-question textarea")
        # empty submit says so once, asks nothing, and the notice goes as soon as one types
        pg.click("#planqa-send")
        pg.locator("#planqa-client-notice", has_text="質問を入力してください").wait_for()
        pg.wait_for_timeout(600)  # the server's reply to the empty question has arrived by now
        said = pg.evaluate("() => [...document.querySelectorAll('#planqa-composer *')].filter((e) => e.offsetParent"
                           " && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.includes('質問を入力してください')))"
                           ".length")
        assert said == 1, f"the empty-question notice is shown {said} times"
        assert pg.locator("#planqa-log .planqa-turn").count() == 0
        box.press_sequentially("じ")
        assert pg.locator("#planqa-client-notice").inner_text() == ""
        box.fill("")

        # live count; over the limit the text stays and nothing is sent
        box.fill("児童館" * 700)
        pg.locator("#planqa-counter", has_text="2,100 / 2,000文字").wait_for()
        assert pg.locator("#planqa-send").is_disabled()
        box.press("Enter")
        pg.wait_for_timeout(400)
        assert box.input_value() == "児童館" * 700
        assert pg.locator("#planqa-log .planqa-turn").count() == 0

        # Enter that confirms an input-method conversion does not send
        box.fill("じどうかん")
        pg.locator("#planqa-counter", has_text="5 / 2,000文字").wait_for()
        box.dispatch_event("compositionstart")
        box.evaluate("""el => {
            for (const type of ['keydown', 'keypress']) el.dispatchEvent(new KeyboardEvent(type,
                {key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true}));
        }""")
        pg.wait_for_timeout(400)
        assert pg.locator("#planqa-log .planqa-turn").count() == 0 and box.input_value() == "じどうかん"
        box.dispatch_event("compositionend")
        pg.wait_for_timeout(150)

        # HTML in a question is text: shown at once (pending) and after the answer, never run
        box.fill(XSS_QUESTION)
        started = time.monotonic()
        box.press("Enter")
        pg.wait_for_selector("#planqa-log .planqa-turn")
        wait_answer(pg, 1)
        assert time.monotonic() - started < 30
        assert pg.evaluate("document.activeElement === document.querySelector('#planqa-question textarea')")
        assert XSS_QUESTION in pg.locator("#planqa-log .planqa-q p").first.inner_text()
        assert pg.locator("#planqa-log img, #planqa-log script").count() == 0
        pg.wait_for_timeout(300)
        assert pg.evaluate("typeof window.__xss") == "undefined"
        assert box.input_value() == ""

        # the pending state: question shown and send disabled before the answer arrives
        pg.evaluate("() => { window.__seen = null; new MutationObserver((m, o) => {"
                    " const t = document.querySelector('#planqa-log .planqa-pending');"
                    " if (t) { window.__seen = [t.innerText, document.querySelector('#planqa-send').disabled]; o.disconnect(); }"
                    " }).observe(document.querySelector('#planqa-log'), {childList: true, subtree: true}); }")
        box.fill("児童館の来館者数は？")
        box.press("Enter")
        wait_answer(pg, 2)
        seen = pg.evaluate("window.__seen")
        assert seen and "児童館の来館者数は？" in seen[0] and "回答を作成中" in seen[0] and seen[1] is True
        assert not pg.locator("#planqa-send").is_disabled()

        # a weak match is said plainly, with the close candidates as buttons that ask
        box.fill("あそぶところ")
        box.press("Enter")
        wait_answer(pg, 3)
        if pg.locator(last(".planqa-lowconf")).count():
            choices = pg.locator(last(".planqa-choice"))
            assert pg.locator(last(".planqa-lowconf")).is_visible() and choices.count() >= 1
            choices.first.click()
            wait_answer(pg, 4)
            assert in_view(pg, last(".planqa-answer-text > :first-child"))

        # copy gives readable text; the conversation saves as Markdown
        copy = pg.locator("#planqa-log .planqa-turn:last-child").get_attribute("data-copy")
        assert "**" not in copy and "出典" in copy
        with pg.expect_download() as d:
            pg.click("#planqa-save")
        saved = Path(d.value.path()).read_text(encoding="utf-8")
        assert saved.startswith("# ") and "児童館の来館者数は？" in saved and "## 回答" in saved
        assert "あそぶところ" in saved
    finally:
        context.close()
    assert not errors, errors


# --- each fault class on its own ------------------------------------------------------------

BAR_WIDTHS_JS = """
() => [...document.querySelectorAll('#planqa-chart .planqa-chart-row')].map((row) => {
  const bars = [...row.querySelectorAll('.planqa-bar')];
  const values = bars.map((b) => Number(b.dataset.value));
  const top = Math.max(...values);
  return bars.map((b, i) => ({ value: values[i], top,
    share: b.getBoundingClientRect().width / b.parentElement.getBoundingClientRect().width,
    track: b.parentElement.getBoundingClientRect().width }));
})
"""


def test_chart_bars_are_drawn_to_scale(server, browser):
    """Every bar's length is its value's share of the row's larger value, within 2 %, at three widths."""
    url, _ = server
    context, pg, errors = open_page(browser, url, {"width": 320, "height": 800}, "light")
    try:
        pg.get_by_role("tab", name="グラフ").click()
        pg.locator("#planqa-chart .planqa-chart-row").first.wait_for()
        for width in (320, 390, 1366):
            pg.set_viewport_size({"width": width, "height": 800})
            pg.wait_for_timeout(100)
            rows = pg.evaluate(BAR_WIDTHS_JS)
            assert len(rows) == 20
            tracks = set()
            for bars in rows:
                for b in bars:
                    expected = b["value"] / b["top"] if b["top"] else 0
                    assert abs(b["share"] - expected) <= 0.02, f"{width}px: {b['value']} of {b['top']} drawn as {b['share']:.3f}"
                    tracks.add(round(b["track"]))
            assert min(tracks) >= 60, f"{width}px: bar tracks too short to read: {sorted(tracks)[:3]}"
    finally:
        context.close()
    assert not errors, errors


def test_every_tab_is_reachable_on_a_small_phone(server, browser):
    """At 320 px every tab is in the tab list, tappable and shows its view; arrow keys move between tabs."""
    url, _ = server
    context, pg, errors = open_page(browser, url, {"width": 320, "height": 640}, "light")
    try:
        views = {"事業一覧": "#planqa-projects details", "会議意見": "#planqa-comments .planqa-goal",
                 "グラフ": "#planqa-chart .planqa-chart-row", "質問": "#planqa-start .planqa-example"}
        for name, inside in views.items():
            tab = pg.get_by_role("tab", name=name, exact=True)
            box = tab.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, f"tab {name} outside the window: {box}"
            tab.click()
            pg.locator(inside).first.wait_for(state="visible")
        assert pg.get_by_text("More tabs").count() == 0 and pg.locator("[aria-label='More tabs']").count() == 0
        # keyboard: one Tab stop for the tab list, arrows move and show the next view
        first = pg.get_by_role("tab", name="質問", exact=True)
        first.focus()
        pg.keyboard.press("ArrowRight")
        pg.locator("#planqa-projects details").first.wait_for(state="visible")
        assert pg.evaluate("document.activeElement.textContent") == "事業一覧"
        pg.keyboard.press("End")
        pg.locator("#planqa-chart .planqa-chart-row").first.wait_for(state="visible")
        pg.keyboard.press("ArrowRight")  # wraps to the first
        pg.locator("#planqa-start .planqa-example").first.wait_for(state="visible")
        tabindex = pg.evaluate("[...document.querySelectorAll('#planqa-tabs [role=tab]')].map((t) => t.tabIndex)")
        assert sorted(tabindex) == [-1, -1, -1, 0]
    finally:
        context.close()
    assert not errors, errors


def test_a_dropped_connection_keeps_the_conversation(server, browser):
    """A question sent while the connection is down: a Japanese message, then the log and the question back."""
    url, _ = server
    context, pg, errors = open_page(browser, url, PHONE, "light")
    try:
        box = pg.locator("#planqa-question textarea")
        box.fill("児童館の来館者数は？")
        box.press("Enter")
        wait_answer(pg, 1)
        context.set_offline(True)
        box.fill("児童館事業の会議意見は？")
        box.press("Enter")
        pg.locator("#planqa-client-notice", has_text="接続が切れました").wait_for(timeout=15_000)
        assert not pg.get_by_text("Connection to the server was lost").is_visible()
        pg.wait_for_timeout(2000)
        with pg.expect_navigation(timeout=30_000):  # Gradio reloads the page once the server answers again
            context.set_offline(False)
        pg.wait_for_selector("#planqa-question textarea")
        pg.wait_for_function("() => document.querySelectorAll('#planqa-log .planqa-turn[data-turn]').length === 1")
        assert "児童館の来館者数は？" in pg.locator("#planqa-log .planqa-q").first.inner_text()
        assert "児童館事業" in pg.locator("#planqa-log .planqa-answer-text").first.inner_text()
        pg.wait_for_function("() => document.querySelector('#planqa-question textarea').value === '児童館事業の会議意見は？'",
                             timeout=5_000)
        pg.locator("#planqa-client-notice", has_text="もう一度送信").wait_for()
        notice = pg.locator("#planqa-client-notice").inner_text()
        assert "接続が戻りました" in notice and "もう一度送信" in notice
        # the page still works: the question is answered, and citations in the restored log open
        pg.locator("#planqa-send").click()
        wait_answer(pg, 2)
        pg.locator("#planqa-log .planqa-turn").first.locator(".planqa-answer-text button.planqa-cite").first.click()
        pg.locator("#planqa-viewer[open] .planqa-page-text mark").first.wait_for()
        pg.locator(".planqa-viewer-close").click()
        # only this tab keeps it: 新しい会話 empties the tab's storage, another tab never had it
        other = context.new_page()
        other.goto(url)
        other.wait_for_selector("#planqa-question textarea")
        assert other.evaluate("JSON.stringify(Object.entries(localStorage))").find("児童館") == -1
        pg.click("#planqa-new-chat")
        pg.wait_for_function("() => document.querySelectorAll('#planqa-log .planqa-turn').length === 0")
        assert pg.evaluate("JSON.stringify(Object.entries(sessionStorage))").find("児童館") == -1
    finally:
        context.close()
    assert not [e for e in errors if "Failed to fetch" not in e and "network" not in e.lower()], errors


def test_the_cited_page_opens_with_its_close_button_in_view(server, browser):
    """At 360×640 the viewer's title and 閉じる stay in view; only the page text scrolls to the passage."""
    url, _ = server
    context, pg, errors = open_page(browser, url, {"width": 360, "height": 640}, "dark")
    try:
        box = pg.locator("#planqa-question textarea")
        box.fill("母子保健健康相談事業の結果の説明は？")
        box.press("Enter")
        wait_answer(pg, 1)
        cites = pg.locator(last(".planqa-answer-text button.planqa-cite"))
        for i in range(min(cites.count(), 3)):
            cites.nth(i).click()
            viewer = pg.locator("#planqa-viewer[open]")
            viewer.wait_for()
            close = viewer.locator(".planqa-viewer-close")
            b = close.bounding_box()
            assert b and b["y"] >= 0 and b["y"] + b["height"] <= 640 and b["height"] >= 44, f"閉じる at {b}"
            title = viewer.locator(".planqa-viewer-title").bounding_box()
            assert title["y"] >= 0, f"the viewer's title is above the window: {title}"
            mark = viewer.locator(".planqa-page-text mark").first
            if mark.count():
                m = mark.bounding_box()
                assert 0 <= m["y"] < 640, f"the marked passage is not in view: {m}"
            axe(pg, "viewer 360x640")
            close.click()
            pg.wait_for_selector("#planqa-viewer[open]", state="detached")
    finally:
        context.close()
    assert not errors, errors


def test_plain_japanese_has_furigana_on_every_kanji(server, browser):
    """The やさしい日本語 switch: furigana over every kanji run of an answer, figures as written; off in a new tab."""
    url, _ = server
    context, pg, errors = open_page(browser, url, PHONE, "light")
    try:
        assert pg.locator("#planqa-plain-toggle").get_attribute("aria-pressed") == "false"
        for n, q in enumerate(("ひとり親で家事が大変", SHORTFALL), 1):
            pg.locator("#planqa-question textarea").fill(q)
            pg.locator("#planqa-question textarea").press("Enter")
            wait_answer(pg, n)
        pg.click("#planqa-plain-toggle")
        assert pg.locator("#planqa-plain-toggle").get_attribute("aria-pressed") == "true"
        report = pg.evaluate("""() => [...document.querySelectorAll('#planqa-log .planqa-answer-plain')].map((el) => {
            const bare = [];
            const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
              if (n.parentElement.closest('ruby')) continue;
              const kanji = n.textContent.match(/[\u3005\u4e00-\u9fff]+/g);
              if (kanji) bare.push(...kanji);
            }
            const rubies = [...el.querySelectorAll('ruby')];
            return { visible: el.offsetParent !== null, bare, rubies: rubies.length,
                     empty: rubies.filter((r) => !(r.querySelector('rt') || {}).textContent).length,
                     text: el.innerText };
        })""")
        assert len(report) == 2
        for r in report:
            assert r["visible"] and r["rubies"] > 10 and not r["bare"] and not r["empty"], r
        assert "98,875" in report[1]["text"] and "51,840" in report[1]["text"]
        assert not pg.locator("#planqa-log .planqa-answer-text").first.is_visible()
        axe(pg, "plain mode")
        targets(pg, "plain mode")
        if SCREENSHOTS:
            pg.evaluate("document.querySelector('#planqa-log .planqa-turn').scrollIntoView({block: 'start'})")
            pg.screenshot(path=str(ROOT / SCREENSHOTS / "screenshot-phone-plain.png"))
        # remembered for this page only: a new tab starts without it
        other = context.new_page()
        other.goto(url)
        other.wait_for_selector("#planqa-plain-toggle")
        assert other.locator("#planqa-plain-toggle").get_attribute("aria-pressed") == "false"
    finally:
        context.close()
    assert not errors, errors


def test_keyboard_skip_link_focus_ring_and_head(server, browser):
    """The first Tab stop skips to the question box; focus is visible; the served HTML is Japanese."""
    url, _ = server
    with urllib.request.urlopen(url, timeout=10) as r:
        served = r.read().decode("utf-8")
    assert '<html\n\tlang="ja"' in served or 'lang="ja"' in served.split("<head>")[0]
    assert "Gradio" not in served.split("<script")[0] and 'og:title" content="計画資料 Q&amp;A' in served
    assert "Click to try out the app" not in served and "og:description" in served
    context, pg, errors = open_page(browser, url, DESKTOP, "light")
    try:
        pg.keyboard.press("Tab")
        skip = pg.evaluate("() => [document.activeElement.className, document.activeElement.getBoundingClientRect().top]")
        assert skip[0] == "planqa-skip" and skip[1] >= 0
        pg.keyboard.press("Enter")
        assert pg.evaluate("document.activeElement === document.querySelector('#planqa-question textarea')")
        ring = pg.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                           " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
        assert ring[0] != "none" and ring[1] >= 2, ring
        size = pg.evaluate("parseFloat(getComputedStyle(document.querySelector('#planqa-question textarea')).fontSize)")
        assert size >= 16
        assert pg.locator("#planqa-log").get_attribute("role") == "log"
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory):
    """The app over a fake engine that fills in how each question was read (carried topics)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from corpus.loader import load_plan
    from tests.ui_fakes import FakeEngine, documents
    from ui.app import build_app, launch_options
    from ui.feedback import FeedbackStore

    engine = FakeEngine()
    demo = build_app(engine, plans=[load_plan()], documents=documents(),
                     feedback=FeedbackStore(tmp_path_factory.mktemp("fake") / "f.sqlite3"))
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False,
                **launch_options())
    try:
        yield f"http://127.0.0.1:{port}/", engine
    finally:
        demo.close()


def test_the_carried_topic_chip_asks_again_on_its_own(fake_server, browser):
    url, engine = fake_server
    context, pg, errors = open_page(browser, url, PHONE, "light")
    try:
        box = pg.locator("#planqa-question textarea")
        for n, q in enumerate(("児童館の来館者数は？", "その会議意見は？"), 1):
            box.fill(q)
            box.press("Enter")
            wait_answer(pg, n)
        turn = pg.locator("#planqa-log .planqa-turn").nth(1)
        reading = turn.locator(".planqa-reading")
        assert "会議意見として読みました" in reading.inner_text()
        assert float(reading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) < 16
        first_line = turn.locator(".planqa-answer-text > :first-child").inner_text()
        assert "読みました" not in first_line  # not said twice
        chip = turn.locator("button.planqa-carried")
        assert chip.inner_text().startswith("前の質問の 児童館事業")
        old_id = turn.get_attribute("data-turn")
        calls = len(engine.calls)
        chip.click()
        pg.wait_for_function("id => !document.querySelector(`[data-turn='${id}']`)", arg=old_id)
        assert engine.calls[calls] == ("その会議意見は？", None, None)
        turns = pg.locator("#planqa-log .planqa-turn")
        assert turns.count() == 2  # replaced in place, not appended
        assert "この質問だけで読みました" in turns.nth(1).locator(".planqa-reading").inner_text()
        assert turns.nth(1).locator("button.planqa-carried").count() == 0
        # the session's frame is now the new answer's: a follow-up has nothing to carry
        box.fill("その会議意見は？")
        box.press("Enter")
        wait_answer(pg, 3)
        assert engine.calls[-1][1] == engine("その会議意見は？").frame
        axe(pg, "reading line and chip")
        targets(pg, "reading line and chip")
    finally:
        context.close()
    assert not errors, errors
