"""The real app in headless Chromium: ``python -m ui`` on a free port, driven with Playwright.

Run with ``pytest -m browser``. Needs Debian's chromium (/usr/bin/chromium) and a working qa
(the first start builds a missing index, so allow for that; PLANQA_UI_START_TIMEOUT, seconds).

Every view is checked on a phone (390×844) and a desktop (1366×900), in light and dark: the
first line of an answer is in view, taps land in view, no text is under 4.5:1 contrast,
lang="ja", citations open their page with the passage marked, CSV downloads, a 👎 reaches
the SQLite file, and 新しい会話 leaves nothing of a question in browser storage.
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
        table = pg.locator(last("table.planqa-indicators"))
        assert "未達成" in table.inner_text()
        contrast(pg, f"{kind}-{scheme} shortfall answer")
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
        with pg.expect_download() as d:
            pg.locator("#planqa-projects a.planqa-download").click()
        raw, rows = read_csv(d.value)
        assert raw.startswith(b"\xef\xbb\xbf") and rows[0][3] == "事業名" and len(rows) == 21
        pg.get_by_role("tab", name="グラフ").click()
        pg.locator("#planqa-chart .planqa-chart-row").first.wait_for()
        contrast(pg, f"{kind}-{scheme} chart")
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
    finally:
        context.close()
    assert not errors, errors


def test_input_behaviour(server, browser):
    """Counting, the limit keeping the text, empty submit, IME Enter, HTML in a question, saving."""
    url, _ = server
    context, pg, errors = open_page(browser, url, DESKTOP, "light", locale="ja-JP")
    try:
        box = pg.locator("#planqa-question textarea")
        # empty submit says so and asks nothing
        pg.click("#planqa-send")
        pg.locator("#planqa-client-notice", has_text="質問を入力してください").wait_for()
        assert pg.locator("#planqa-log .planqa-turn").count() == 0

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
