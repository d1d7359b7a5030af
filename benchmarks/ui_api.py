"""Latency of the chat through the web server's HTTP API, and the server's cold start.

Starts ``python -m ui`` on a free loopback port (with the index already built), then:

* cold start: from process start to the first successful answer of ``/ask``;
* latency with 1 client and with 10 concurrent clients (each a separate session), a bounded
  number of requests per configuration, through Gradio's REST API
  (``POST /gradio_api/call/ask`` then the event stream ``GET /gradio_api/call/ask/{id}``).

Prints the figures and writes them to ``benchmarks/ui_api.md``.

    python benchmarks/ui_api.py [--requests 30] [--clients 1 10] [--concurrency 4]

Targets: p50 <= 150 ms with one client; every request answered with 10 clients; cold start <= 15 s.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "ui_api.md"
TARGET_P50_MS = 150.0
TARGET_COLD_S = 15.0

STRUCTURED = [
    "R2で計画を下回った事業は？",
    "保育課の事業一覧",
    "施策3-2の事業と指標の状況",
    "児童館事業の会議意見を教えて",
    "母子保健健康相談事業の結果の説明は？",
    "じどうかんは なんじまで あいてるの？",
    "ひとり親で家事が大変です",
]


def questions() -> list[str]:
    """The held-out retrieval questions of the project plus a few structured ones."""
    qs = list(STRUCTURED)
    path = ROOT / "benchmarks" / "questions_retrieval.json"
    if path.exists():
        qs += [q["question"] for q in json.loads(path.read_text(encoding="utf-8"))["questions"]]
    return qs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(client: httpx.Client, base: str, question: str) -> str:
    """One answer through the REST API; returns the answer Markdown or raises."""
    r = client.post(f"{base}/gradio_api/call/ask", json={"data": [question]})
    r.raise_for_status()
    event_id = r.json()["event_id"]
    event = None
    with client.stream("GET", f"{base}/gradio_api/call/ask/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = line.split(":", 1)[1].strip()
                if event == "error":
                    raise RuntimeError(f"/ask returned an error: {data}")
                out = json.loads(data)
                if not out or not isinstance(out[0], str) or not out[0].strip():
                    raise RuntimeError(f"/ask returned no answer: {data[:200]}")
                return out[0]
    raise RuntimeError("/ask stream ended without a result")


@dataclass
class Run:
    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        if not xs:
            return float("nan")
        k = (len(xs) - 1) * p / 100
        lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run_clients(base: str, n_clients: int, n_requests: int, qs: list[str]) -> Run:
    """``n_requests`` in total, spread over ``n_clients`` threads that all start together."""
    run = Run(n_clients)
    lock = threading.Lock()
    per_client = [n_requests // n_clients + (1 if i < n_requests % n_clients else 0) for i in range(n_clients)]
    barrier = threading.Barrier(n_clients)

    def worker(i: int) -> None:
        with httpx.Client(timeout=120) as client:
            ask(client, base, qs[i % len(qs)])  # warm this connection; not counted
            barrier.wait()
            for j in range(per_client[i]):
                q = qs[(i * 7 + j) % len(qs)]
                t = time.perf_counter()
                try:
                    ask(client, base, q)
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        run.latencies_ms.append(ms)
                except Exception as e:  # recorded and reported, the run goes on
                    with lock:
                        run.errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.wall_s = time.perf_counter() - start
    return run


def start_server(port: int, concurrency: int, log_path: Path) -> tuple[subprocess.Popen, float, float]:
    """Start the server; return it, seconds until HTTP 200, seconds until the first answer."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    base = f"http://127.0.0.1:{port}"
    log = open(log_path, "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ui", "--port", str(port), "--concurrency", str(concurrency)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    up = None
    with httpx.Client(timeout=30) as client:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}; log: {log_path}")
            if time.perf_counter() - t0 > 600:
                proc.terminate()
                raise SystemExit(f"server not answering after 600 s; log: {log_path}")
            try:
                if up is None:
                    if client.get(base + "/").status_code == 200:
                        up = time.perf_counter() - t0
                        continue
                else:
                    ask(client, base, "児童館の来館者数は？")
                    return proc, up, time.perf_counter() - t0
            except (httpx.HTTPError, RuntimeError):
                pass
            time.sleep(0.05)


BREAKDOWN = r"""
import json, time
t = time.perf_counter(); out = {}
def mark(name):
    out[name] = round(time.perf_counter() - t, 2)
import gradio; mark("import gradio")
import qa; qa.warm_up(progress=False); mark("+ qa.warm_up (records, index, query engine)")
import sys; mark("  (torch loaded: %s)" % ("torch" in sys.modules))
from ui.app import build_app; demo = build_app(); mark("+ build_app")
print(json.dumps(out))
"""


def startup_breakdown() -> dict[str, float]:
    """Cumulative seconds of each start-up step, measured in a fresh interpreter."""
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    r = subprocess.run([sys.executable, "-c", BREAKDOWN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return {"failed": float("nan")}
    return json.loads(r.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=30, help="timed requests per client configuration")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 10])
    ap.add_argument("--concurrency", type=int, default=4, help="the server's --concurrency")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {OUT.relative_to(ROOT)}")
    args = ap.parse_args(argv)

    import gradio

    port = free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"planqa-ui-bench-{port}.log"
    print(f"starting python -m ui on 127.0.0.1:{port} (log {log_path})", flush=True)
    proc, up_s, cold_s = start_server(port, args.concurrency, log_path)
    print(f"cold start: page served after {up_s:.1f} s, first answer after {cold_s:.1f} s", flush=True)
    base = f"http://127.0.0.1:{port}"
    qs = questions()
    runs = []
    try:
        for n in args.clients:
            run = run_clients(base, n, args.requests, qs)
            runs.append(run)
            print(f"{n:>2} client(s): {len(run.latencies_ms)} answered, {len(run.errors)} errors, "
                  f"p50 {run.pct(50):.0f} ms, p95 {run.pct(95):.0f} ms, max {max(run.latencies_ms, default=0):.0f} ms, "
                  f"{len(run.latencies_ms) / run.wall_s:.1f} answers/s", flush=True)
            for e in run.errors[:5]:
                print("   error:", e)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    breakdown = startup_breakdown()
    print("start-up steps (cumulative s):", breakdown, flush=True)

    single = next((r for r in runs if r.clients == 1), None)
    many = next((r for r in runs if r.clients >= 10), None)
    checks = [
        ("p50 with 1 client", f"≤ {TARGET_P50_MS:.0f} ms",
         f"{single.pct(50):.0f} ms" if single else "not run", bool(single) and single.pct(50) <= TARGET_P50_MS),
        ("10 concurrent clients", "all answered, no error",
         f"{len(many.latencies_ms)}/{len(many.latencies_ms) + len(many.errors)} answered" if many else "not run",
         bool(many) and not many.errors),
        ("cold start (process start → first answer)", f"≤ {TARGET_COLD_S:.0f} s", f"{cold_s:.1f} s", cold_s <= TARGET_COLD_S),
    ]
    lines = [
        "# Web API latency (`benchmarks/ui_api.py`)",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}, Gradio {gradio.__version__}; "
        f"server `python -m ui --concurrency {args.concurrency}` on loopback, index already built. "
        f"Each request is one question through Gradio's REST API (`POST /gradio_api/call/ask`, then its event stream), "
        f"{args.requests} timed requests per configuration after one untimed request per client; "
        f"{len(qs)} questions in rotation (the held-out retrieval questions plus structured ones).",
        "",
        "| clients | answered | errors | p50 ms | p95 ms | max ms | answers/s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(f"| {r.clients} | {len(r.latencies_ms)} | {len(r.errors)} | {r.pct(50):.0f} | {r.pct(95):.0f} | "
                     f"{max(r.latencies_ms, default=0):.0f} | {len(r.latencies_ms) / r.wall_s:.1f} |")
    lines += [
        "",
        f"Cold start: the page is served {up_s:.1f} s after the process starts; the first answer arrives after {cold_s:.1f} s.",
        "Where start-up time goes (cumulative seconds, same steps as `python -m ui`, in a fresh interpreter):",
        "",
        "| step | s |",
        "|---|---:|",
        *[f"| {name} | {secs:.1f} |" for name, secs in breakdown.items()],
        "",
        f"Load average when the run ended: {load:.2f} on {os.cpu_count()} CPUs (other work on the machine slows start-up).",
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {name} | {goal} | {got} | {'yes' if ok else '**no**'} |" for name, goal, got, ok in checks]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if not args.no_write:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
