"""The chat as a person sees it: Enter → answer in the browser, and how long answers are on a phone.

Starts ``python -m ui`` on a free loopback port (index already built) and drives Debian's
chromium with Playwright:

* Enter → answer: for each question, the time from the Enter key (typed into the question box)
  to the answer's article being in the page's log (``performance.now()`` in the page, so it
  includes Gradio's round trip, the engine, rendering both renderings of the answer and the
  page's script), one untimed warm-up question first;
* answer length on a 390×844 phone: the height of each answer (the ``.planqa-a`` block, what
  one scrolls through) in screens, against the window's height and against the part of it
  above the input bar.

Prints the figures and writes them to ``benchmarks/ui_browser.md``.

    python benchmarks/ui_browser.py [--rounds 2]

Targets: median Enter → answer ≤ 150 ms; 「R2で計画を下回った事業は？」 ≤ 3 screens on a 390 px phone.
"""
from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "ui_browser.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_MEDIAN_MS = 150.0
TARGET_SCREENS = 3.0
SHORTFALL = "R2で計画を下回った事業は？"
QUESTIONS = [
    SHORTFALL,
    "児童館の来館者数は？",
    "ひとり親で家事が大変",
    "あかちゃんをあずけたい",
    "保育課が担当する事業の一覧",
    "施策3-2の事業と指標の状況",
    "児童館事業の子ども・子育て会議意見を教えて",
    "母子保健健康相談事業の結果の説明は？",
    "虐待対応事業のケース検討会の回数はなぜ減ったの？",
    "What does the children's hall do?",
]
PHONE = {"width": 390, "height": 844}

# Timestamps in the page: Enter on the question box, and the arrival of each answer in the log.
PROBE_JS = """
() => {
  window.__enter = []; window.__arrived = [];
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.isComposing) window.__enter.push(performance.now()); }, true);
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes)
      if (n.nodeType === 1 && n.matches('.planqa-turn[data-turn]')) window.__arrived.push(performance.now());
  }).observe(document.querySelector('#planqa-log'), { childList: true });
}
"""

HEIGHTS_JS = """
() => {
  const bar = document.querySelector('#planqa-composer').getBoundingClientRect().height;
  return [...document.querySelectorAll('#planqa-log .planqa-turn[data-turn]')].map((t) => ({
    question: t.querySelector('.planqa-q p').innerText,
    height: t.querySelector('.planqa-a').getBoundingClientRect().height,
    window: innerHeight, above_bar: innerHeight - bar }));
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "ui", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"python -m ui exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    sys.exit("python -m ui did not start within 300 s")


def measure(url: str, rounds: int) -> tuple[list[float], list[dict]]:
    from playwright.sync_api import sync_playwright

    latencies: list[float] = []
    heights: list[dict] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, locale="ja-JP")
        pg = context.new_page()
        pg.goto(url)
        pg.wait_for_function("() => window.planqa && document.querySelector('#planqa-log')")
        pg.evaluate(PROBE_JS)
        box = pg.locator("#planqa-question textarea")
        asked = 0
        for question in ["児童館"] + QUESTIONS * rounds:  # the first one warms up the page and the server
            box.fill(question)
            box.press("Enter")
            asked += 1
            pg.wait_for_function("n => window.__arrived.length >= n", arg=asked, timeout=60_000)
            if asked > 1:
                enter, arrived = pg.evaluate("[window.__enter.at(-1), window.__arrived.at(-1)]")
                latencies.append(arrived - enter)
            pg.wait_for_timeout(150)  # the page settles (send button back) before the next Enter
            if asked == len(QUESTIONS) + 1:
                heights = pg.evaluate(HEIGHTS_JS)[1:]
        browser.close()
    return latencies, heights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="times each question is asked (default 2)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-ipafont-gothic")
    port = free_port()
    proc = start_server(port)
    try:
        latencies, heights = measure(f"http://127.0.0.1:{port}/", args.rounds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    ordered = sorted(latencies)
    median = statistics.median(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    shortfall = next(h for h in heights if h["question"] == SHORTFALL)
    screens = shortfall["height"] / shortfall["window"]
    screens_bar = shortfall["height"] / shortfall["above_bar"]
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Enter → answer in the browser, and answer length on a phone (`benchmarks/ui_browser.py`)",
        "",
        f"Measured {now} on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; `python -m ui` on loopback with the index built, Debian's chromium "
        f"(headless) at {PHONE['width']}×{PHONE['height']}. Enter → answer: from the Enter key in the question "
        "box to the answer's article in the page's log (`performance.now()` in the page), "
        f"{len(latencies)} questions ({len(QUESTIONS)} questions × {args.rounds}) after one untimed warm-up.",
        "",
        "| | median ms | p95 ms | min ms | max ms |",
        "|---|---:|---:|---:|---:|",
        f"| Enter → answer | {median:.0f} | {p95:.0f} | {ordered[0]:.0f} | {ordered[-1]:.0f} |",
        "",
        "Answer length on the phone (the answer block's height; a screen is the window, "
        f"{shortfall['window']} px, or the part above the input bar, {shortfall['above_bar']:.0f} px):",
        "",
        "| question | height px | screens | screens above the input bar |",
        "|---|---:|---:|---:|",
    ]
    for h in heights:
        lines.append(f"| {h['question']} | {h['height']:.0f} | {h['height'] / h['window']:.2f} | "
                     f"{h['height'] / h['above_bar']:.2f} |")
    lines += [
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
        f"| median Enter → answer | ≤ {TARGET_MEDIAN_MS:.0f} ms | {median:.0f} ms | "
        f"{'yes' if median <= TARGET_MEDIAN_MS else 'no'} |",
        f"| 「{SHORTFALL}」 on a 390 px phone | ≤ {TARGET_SCREENS:.0f} screens | {screens:.2f} "
        f"({screens_bar:.2f} above the input bar) | {'yes' if screens_bar <= TARGET_SCREENS else 'no'} |",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
