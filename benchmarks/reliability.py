"""Fault injection and bad input against every entry point; prints the reliability table.

Reruns the classes of the reliability probe, all on loopback, each with a bounded number of
requests, all stopping by themselves:

* CLI input: undecodable bytes (argument and stdin), empty, oversized, control characters, a
  mixed ``--jsonl`` batch, ``LC_ALL=C``, ``| head -1``;
* bad data files (missing field, figure not in the source, a swapped plan word, invalid YAML,
  not UTF-8, empty, a list, duplicate plan id, missing source text, missing data folder) at
  ``corpus check``, ``qa ask``, ``qa ask --jsonl``, ``index status`` and ``python -m ui``;
* unusable homes: a home below a file, a read-only home without an index (qa, index build,
  ui) and a read-only home with a valid index (must answer);
* the web API of a real server: malformed input, upload attempts, path traversal, RSS before
  and after 30 oversized requests, 10/30/60 concurrent clients;
* kill -9 at several moments of an index build: the old index must stay usable;
* the guard's refusals: empty and deeply nested bodies, extra data, fn_index types, internal
  handlers by name, unknown events and sessions, unused routes, a foreign Host header, a
  non-ASCII feedback signature, an HTML-wrapped question;
* every CSV the app writes, with formulas planted in questions and comments: no cell that a
  spreadsheet would start as a formula, figures as numbers;
* idle sockets: half-sent requests closed by the head timeout, a flood beyond the caps;
* the feedback store made a folder, damaged, cut short, locked over 5 s, full, read-only, and
  one client voting over its rate;
* Milvus: a damaged segment, a second process on the milvus-lite file, the first fill's output;
* index build on a full disk and Ctrl+C during a build;
* the swap matrix: every same-page swap of two values of one kind must be refused;
* load: RSS of a server under 10 clients for 5 minutes (growth at 5,000 calls), and a normal
  client's latency alone and beside 4 clients sending 2,000-character questions;
  ``--before-root`` runs these against older code too.

Counts every output for ``Traceback``. Writes the tables to ``benchmarks/reliability.md``.

    python benchmarks/reliability.py [--skip-kill] [--skip-web] [--skip-load] [--only web load …]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "reliability.md"
DATA = ROOT / "corpus" / "data" / "koganei_r2.yaml"
SOURCE = ROOT / "corpus" / "data" / "000_125627a5caafc882.txt"
RSS_BUDGET_MB = 20.0
RSS_LOAD_BUDGET_MB = 50.0  # growth after 5,000 API calls


@dataclass
class Probe:
    group: str
    name: str
    clear: bool  # the expected outcome with a precise message (or a correct answer)
    traceback: bool
    detail: str = ""


@dataclass
class Report:
    probes: list[Probe] = field(default_factory=list)
    rss: dict = field(default_factory=dict)
    clients: list[tuple[int, int, int, int]] = field(default_factory=list)  # clients, requests, errors, mixed-up
    kills: list[tuple[float, bool, str]] = field(default_factory=list)  # moment, old index intact, state
    csv: dict = field(default_factory=dict)
    sockets: dict = field(default_factory=dict)
    swaps: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)  # "after" / "before": steady load figures
    fair: dict = field(default_factory=dict)  # "after" / "before": fairness figures

    def add(self, group: str, name: str, clear: bool, out: bytes | str, detail: str = "") -> None:
        text = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
        self.probes.append(Probe(group, name, bool(clear), "Traceback" in text, detail))
        mark = "ok " if clear and "Traceback" not in text else "BAD"
        print(f"  {mark} {group}: {name}{(' — ' + detail) if detail else ''}", flush=True)


def env_with(**values: str) -> dict:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    for k, v in values.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run(args: list[str], env: dict, stdin: bytes = b"", timeout: int = 300, shell_prefix: list[str] | None = None):
    cmd = (shell_prefix or []) + [sys.executable, *args]
    try:
        return subprocess.run(cmd, input=stdin, capture_output=True, cwd=ROOT, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(cmd, -9, exc.stdout or b"", (exc.stderr or b"") + b"\n[timeout]")


def valid_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- CLI input ------------------------------------------------------------------------------------


def cli_inputs(rep: Report, home: str) -> None:
    env = env_with(PLANQA_HOME=home)
    g = "CLI input"
    p = run(["-m", "qa", "ask", os.fsdecode(b"\xff\xfe" + "児童館".encode())], env)
    rep.add(g, "argument with bytes \\xff\\xfe", p.returncode == 2 and "UTF-8".encode() in p.stdout, p.stdout + p.stderr)
    lines = [
        ("question", "児童館の来館者数は？".encode(), "answered"),
        ("bytes \\xff\\xfe", b"\xff\xfe" + "児童館".encode(), "no_answer"),
        ("latin-1 byte", b"caf\xe9", "no_answer"),
        ("truncated UTF-8", "児童".encode() + "館".encode()[:2], "no_answer"),
        ("empty line", b"", "no_answer"),
        ("spaces", "　 ".encode(), "no_answer"),
        ("control characters", "児童館\x07\x1b[31m".encode(), "no_answer"),
        ("2,001 characters", ("あ" * 2001).encode(), "no_answer"),
        ("10 MB line", ("あ" * 3_500_000).encode(), "no_answer"),
        ("HTML", "<script>alert(1)</script>児童館".encode(), None),
        ("NUL byte", "児童\x00館".encode(), "no_answer"),
        ("question after the bad ones", "ひとり親で家事が大変".encode(), "answered"),
    ]
    for locale in ("C.UTF-8", "C"):
        p = run(["-m", "qa", "ask", "--jsonl"], env_with(PLANQA_HOME=home, LC_ALL=locale, LANG=None),
                stdin=b"\n".join(raw for _, raw, _ in lines) + b"\n")
        out = p.stdout.decode("utf-8", "replace").splitlines()
        ok_utf8 = valid_utf8(p.stdout)
        for i, (name, _, want) in enumerate(lines):
            try:
                obj = json.loads(out[i])
                clear = ok_utf8 and obj["answer"].strip() and (want is None or obj["status"] == want) \
                    and len(out[i]) < 20_000
            except (IndexError, ValueError, KeyError):
                clear = False
            rep.add(g, f"--jsonl ({locale}) {name}", clear, p.stderr if i == 0 else b"")
    p = subprocess.run(f'yes 児童館 | head -200 | "{sys.executable}" -m qa ask --jsonl | head -1',
                       shell=True, capture_output=True, cwd=ROOT, env=env, timeout=300)
    rep.add(g, "--jsonl | head -1", p.returncode == 0 and p.stdout.count(b"\n") == 1 and not p.stderr.strip(),
            p.stdout + p.stderr, p.stderr.decode("utf-8", "replace").strip()[:120])
    p = run(["-m", "qa", "ask", "--json", "児童館の来館者数は？"], env_with(PLANQA_HOME=home, LC_ALL="C", LANG=None))
    rep.add(g, "--json under LC_ALL=C", p.returncode == 0 and valid_utf8(p.stdout) and b"51,840" in p.stdout,
            p.stdout + p.stderr)


# --- bad data files -----------------------------------------------------------------------------------


def _indicator(d: dict, name: str, j: int = 0) -> dict:
    return next(p for p in d["projects"] if p["name"] == name)["indicators"][j]


def _copy(folder: Path, mutate, plan_id: str | None = "broken-copy", source: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    d = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    mutate(d)
    if plan_id:
        d["plan"]["id"] = plan_id
    if source:
        shutil.copy(SOURCE, folder / SOURCE.name)
    (folder / "copy.yaml").write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")


def data_cases(tmp: Path) -> dict[str, Path]:
    cases: dict[str, Path] = {}

    def raw(name: str, content: bytes) -> None:
        folder = tmp / name.replace(" ", "_")
        folder.mkdir(parents=True)
        (folder / "bad.yaml").write_bytes(content)
        cases[name] = folder

    def mutated(name: str, mutate, **kw) -> None:
        folder = tmp / name.replace(" ", "_")
        _copy(folder, mutate, **kw)
        cases[name] = folder

    mutated("missing field", lambda d: d["projects"][2].pop("name"))
    mutated("unknown key", lambda d: d["projects"][0].update(departmnts=["x"]))
    mutated("figure not in source", lambda d: _indicator(d, "児童館事業").update(baseline="98,876"))
    mutated("R2 plan 漸増→維持", lambda d: _indicator(d, "児童館事業")["plan"].update(R2="維持"))
    mutated("duplicate plan id", lambda d: None, plan_id=None)
    mutated("source text missing", lambda d: None, source=False)
    raw("invalid YAML", b"schema_version: 1\nplan: [\n")
    raw("not UTF-8", b"\xff\xfe\x00plan")
    raw("empty file", b"")
    raw("a list", b"- a\n- b\n")
    cases["data folder missing"] = tmp / "no-such-folder"
    return cases


def bad_data(rep: Report, home: str, tmp: Path) -> None:
    g = "bad data file"
    for name, folder in data_cases(tmp).items():
        env = env_with(PLANQA_HOME=home, PLANQA_DATA_DIRS=str(folder))
        check = run(["-m", "corpus", "check"], env)
        message = check.stderr.decode("utf-8", "replace").strip()
        rep.add(g, f"{name}: corpus check", check.returncode in (1, 2) and b"check ok" not in check.stdout
                and message.startswith("error: "), check.stdout + check.stderr)
        for label, args, stdin in (("qa ask", ["-m", "qa", "ask", "児童館"], b""),
                                   ("qa ask --jsonl", ["-m", "qa", "ask", "--jsonl"], "児童館\n子育て\n".encode()),
                                   ("index status", ["-m", "index", "status"], b"")):
            p = run(args, env, stdin=stdin)
            same = message.startswith("error: ") and p.stderr.decode("utf-8", "replace").strip() == message
            rep.add(g, f"{name}: {label}", p.returncode == 2 and same and not p.stdout, p.stdout + p.stderr)
        p = run(["-m", "ui", "--port", str(free_port()), "--no-warm-up"], env, timeout=120)
        same = p.stderr.decode("utf-8", "replace").strip().endswith(message)
        rep.add(g, f"{name}: python -m ui refuses to start", p.returncode == 2 and same, p.stdout + p.stderr)


# --- unusable homes -------------------------------------------------------------------------------


def read_only(path: Path) -> list[str] | None:
    """A command prefix running with ``path`` bind-mounted read-only, or None where impossible."""
    if shutil.which("unshare") is None:
        return None
    prefix = ["unshare", "-rm", "sh", "-c",
              'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', str(path)]
    probe = subprocess.run(prefix + ["sh", "-c", f'! touch "{path}/.probe" 2>/dev/null'], capture_output=True)
    return prefix if probe.returncode == 0 else None


def homes(rep: Report, home: str, tmp: Path) -> None:
    g = "unusable home"
    blocker = tmp / "a-file"
    blocker.write_text("x")
    env = env_with(PLANQA_HOME=str(blocker / "home"))
    for label, args, stdin in (("qa ask", ["-m", "qa", "ask", "児童館"], b""),
                               ("qa ask --jsonl", ["-m", "qa", "ask", "--jsonl"], "児童館\n".encode()),
                               ("index build", ["-m", "index", "build", "--quiet"], b""),
                               ("ui", ["-m", "ui", "--port", str(free_port())], b"")):
        p = run(args, env, stdin=stdin, timeout=180)
        rep.add(g, f"home below a file: {label}", p.returncode == 2 and b"is a file, not a folder" in p.stderr,
                p.stdout + p.stderr)
    empty = tmp / "ro-empty"
    empty.mkdir()
    prefix = read_only(empty)
    if prefix is None:
        print("  (read-only mounts not available: read-only home probes skipped)")
        return
    env = env_with(PLANQA_HOME=str(empty))
    for label, args in (("qa ask", ["-m", "qa", "ask", "児童館"]), ("index build", ["-m", "index", "build", "--quiet"]),
                        ("ui", ["-m", "ui", "--port", str(free_port())])):
        p = run(args, env, shell_prefix=prefix, timeout=300)
        rep.add(g, f"read-only home, no index: {label}", p.returncode == 2 and b"is not writable" in p.stderr,
                p.stdout + p.stderr)
    prefix = read_only(Path(home))
    if prefix is not None:
        p = run(["-m", "qa", "ask", "--json", "児童館の来館者数は？"], env_with(PLANQA_HOME=home), shell_prefix=prefix)
        rep.add(g, "read-only home with a valid index: qa ask answers", p.returncode == 0 and b"51,840" in p.stdout,
                p.stdout + p.stderr)


# --- the web API ------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ask_outputs(client: httpx.Client, base: str, question: str) -> list:
    """All outputs of one /ask call (Markdown, JSON, the page's HTML, …); RuntimeError on an error event."""
    r = client.post(f"{base}/gradio_api/call/ask", json={"data": [question]})
    r.raise_for_status()
    event, data = None, None
    with client.stream("GET", f"{base}/gradio_api/call/ask/{r.json()['event_id']}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = line.split(":", 1)[1].strip()
                break
    if event != "complete":
        raise RuntimeError(f"event {event}: {data}")
    return json.loads(data)


def ask(client: httpx.Client, base: str, question: str) -> dict:
    return ask_outputs(client, base, question)[1]


def start_server(home: str, log_path: Path, *, root: Path = ROOT, args: tuple[str, ...] = (),
                 prefix: list[str] | None = None, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """``python -m ui`` of the code at ``root`` on a free port, once it answers a question."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(log_path, "wb")
    cmd = (prefix or []) + [sys.executable, "-m", "ui", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=root, env=env or env_with(PLANQA_HOME=home, PYTHONDONTWRITEBYTECODE="1"),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 600
    with httpx.Client(timeout=30) as client:
        while time.time() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}; log: {log_path}")
            try:
                ask(client, base, "児童館の来館者数は？")
                return proc, base
            except (httpx.HTTPError, RuntimeError, KeyError, ValueError):
                time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"server not answering; log: {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def open_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def web(rep: Report, home: str, tmp: Path) -> None:
    g = "web API"
    log_path = tmp / "server.log"
    existing = set(Path(tempfile.gettempdir()).glob("planqa-gradio-*"))
    feedback_db = tmp / "web-feedback.sqlite3"
    proc, base = start_server(home, log_path, args=("--feedback-db", str(feedback_db)))
    temp_dirs = sorted(set(Path(tempfile.gettempdir()).glob("planqa-gradio-*")) - existing)  # the server's own
    try:
        with httpx.Client(timeout=120) as c:
            bad = [
                ('{"data": []}', b'{"data": []}'),
                ('{"data": ["\\ud800児童館"]}', b'{"data": ["\\ud800\\u5150\\u7ae5\\u9928"]}'),
                ('{"data": [["児童館"]]}', json.dumps({"data": [["児童館"]]}).encode()),
                ('{"data": [{"q": "児童館"}]}', json.dumps({"data": [{"q": "児童館"}]}).encode()),
                ('{"data": [42]}', b'{"data": [42]}'),
                ('{"data": "児童館"}', json.dumps({"data": "児童館"}).encode()),
                ("no data key", b"{}"),
                ("not UTF-8", b'{"data": ["\xff\xfe"]}'),
                ("not JSON", b'{"data": ['),
            ]
            for name, body in bad:
                r = c.post(f"{base}/gradio_api/call/ask", content=body, headers={"content-type": "application/json"})
                try:
                    message = r.json().get("error") or ""
                except ValueError:
                    message = ""
                japanese = any("\u3040" <= ch <= "\u30ff" for ch in message)
                rep.add(g, f"POST /call/ask {name}", r.status_code == 400 and japanese, r.text, f"{r.status_code}")
            for name, q in (("question", "R2で計画を下回った事業は？"), ("HTML question", "<img src=x onerror=alert(1)>児童館"),
                            ("2,001 characters", "あ" * 2001)):
                try:
                    data = ask(c, base, q)
                    clear = bool(data.get("answer"))
                except Exception as exc:  # noqa: BLE001 - recorded as a failed probe
                    clear, data = False, {"error": str(exc)}
                rep.add(g, f"ask: {name}", clear, json.dumps(data, ensure_ascii=False))
            r = c.post(f"{base}/gradio_api/upload", files={"files": ("a.txt", b"x" * 100)})
            rep.add(g, "upload of a small file", r.status_code == 403, r.text, f"{r.status_code}")
            try:
                r = c.post(f"{base}/gradio_api/upload", files={"files": ("big.bin", b"\0" * (50 << 20))})
                status = r.status_code
            except httpx.HTTPError as exc:  # the server may close before the whole body is sent
                status = type(exc).__name__
            stored = [p for d in temp_dirs for p in d.rglob("*") if p.is_file()]
            rep.add(g, "upload of a 50 MB file", status in (403, 413, "WriteError", "RemoteProtocolError")
                    and not stored, "", f"{status}, files stored: {len(stored)}")
            for path in ("/gradio_api/file=../../../../etc/passwd", "/gradio_api/file=/etc/passwd",
                         "/gradio_api/file=%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/file=../../etc/passwd",
                         "/gradio_api/file=" + str(ROOT / "corpus" / "data" / "koganei_r2.yaml")):
                r = c.get(base + path)
                rep.add(g, f"GET {path[:48]}", r.status_code in (400, 403, 404) and b"root:" not in r.content,
                        "", f"{r.status_code}")
        # memory: 30 requests of 3.5 million characters (10.5 MB each)
        body = json.dumps({"data": ["あ" * 3_500_000]}, ensure_ascii=False).encode()
        before = rss_mb(proc.pid)
        statuses = []
        for _ in range(30):
            try:
                with httpx.Client(timeout=120) as c:
                    statuses.append(c.post(f"{base}/gradio_api/call/ask", content=body,
                                           headers={"content-type": "application/json"}).status_code)
            except httpx.HTTPError as exc:
                statuses.append(type(exc).__name__)
        time.sleep(1)
        after = rss_mb(proc.pid)
        rep.rss = {"before": before, "after": after, "statuses": sorted(set(map(str, statuses)))}
        print(f"  RSS {before:.0f} MB -> {after:.0f} MB after 30 oversized requests ({rep.rss['statuses']})")
        for n in (10, 30, 60):
            rep.clients.append(concurrent(base, n))
            print(f"  {n} clients: {rep.clients[-1]}", flush=True)
        print("web API guard", flush=True)
        guard_probes(rep, base)
        print("CSV", flush=True)
        rep.csv = csv_probes(rep, base, home, feedback_db)
        print("idle sockets", flush=True)
        rep.sockets = idle_sockets(rep, base, proc.pid)
    finally:
        stop_server(proc)
    log = log_path.read_bytes()
    rep.add(g, "server log", b"Traceback" not in log, log)
    left = [d for d in temp_dirs if d.exists()]
    rep.add(g, "temp folder removed when the server stops", len(temp_dirs) == 1 and not left, "",
            f"{len(temp_dirs)} created, {len(left)} left")


QUESTIONS = ["児童館の来館者数は？", "R2で計画を下回った事業は？", "ひとり親で家事が大変", "保育課の事業一覧",
             "施策3-2の事業と指標の状況", "じどうかんは なんじまで あいてるの？"]


def concurrent(base: str, n: int, per_client: int = 2) -> tuple[int, int, int, int]:
    """(clients, requests, errors, answers to another client's question)."""
    errors, mixed, done = [], [], []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def worker(i: int) -> None:
        with httpx.Client(timeout=300) as c:
            barrier.wait()
            for j in range(per_client):
                q = f"{QUESTIONS[(i + j) % len(QUESTIONS)]}"
                try:
                    data = ask(c, base, q)
                    with lock:
                        done.append(1)
                        if data.get("question") != q:
                            mixed.append((q, data.get("question")))
                except Exception as exc:  # noqa: BLE001 - counted
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n, len(done) + len(errors), len(errors), len(mixed)


# --- the web API's remaining gaps ------------------------------------------------------------------------


def japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" for ch in text or "")


def guard_probes(rep: Report, base: str) -> None:
    """Bodies, ids, names and hosts the guard must refuse in Japanese (never a 500, never a stream that fails)."""
    g = "web API guard"
    deep = ("[" * 3000 + "]" * 3000).encode()
    posts = [
        ("empty body to /call/ask", "/gradio_api/call/ask", b"", 400),
        ("JSON nested 3,000 deep to /call/ask", "/gradio_api/call/ask", deep, 400),
        ("JSON nested 3,000 deep to /queue/join", "/gradio_api/queue/join", b'{"data": ' + deep + b', "fn_index": 1}', 400),
        ("JSON nested 3,000 deep to /cancel", "/gradio_api/cancel", b'{"x": ' + deep + b"}", 400),
        ('{"data": [q, "x"]}', "/gradio_api/call/ask", json.dumps({"data": ["児童館", "x"]}).encode(), 400),
        ('fn_index "1"', "/gradio_api/queue/join", b'{"data": ["x", null, null], "fn_index": "1", "session_hash": "b1"}', 400),
        ("fn_index 1.0", "/gradio_api/queue/join", b'{"data": ["x", null, null], "fn_index": 1.0, "session_hash": "b1"}', 400),
        ("fn_index 99999", "/gradio_api/queue/join", b'{"data": ["x"], "fn_index": 99999, "session_hash": "b1"}', 400),
        ("unknown component", "/gradio_api/component_server",
         b'{"session_hash": "b1", "component_id": 99999, "fn_name": "send_feedback", "data": []}', 404),
    ] + [(f"internal handler {n} by name", f"/gradio_api/{route}/{n}", b'{"data": []}', 404)
         for n in ("reset", "choose_document", "filter_projects") for route in ("call", "run")]
    with httpx.Client(timeout=60) as c:
        for name, path, body, status in posts:
            r = c.post(base + path, content=body, headers={"content-type": "application/json"})
            try:
                message = r.json().get("error") or ""
            except ValueError:
                message = ""
            rep.add(g, name, r.status_code == status and japanese(message), r.text[:300], str(r.status_code))
        for name, path, status in (("/monitoring/summary", "/monitoring/summary", 404),
                                   ("/gradio_api/deep_link", "/gradio_api/deep_link?session_hash=x", 404),
                                   ("result of an unknown event", "/gradio_api/call/ask/nosuchevent", 404),
                                   ("queue data of an unknown session", "/gradio_api/queue/data?session_hash=nosuch", 404)):
            r = c.get(base + path)
            rep.add(g, f"GET {name}", r.status_code == status and japanese(r.text), r.text[:300], str(r.status_code))
        r = c.get(base + "/config", headers={"host": "evil.example"})
        rep.add(g, "Host: evil.example", r.status_code == 421 and "evil.example" not in r.text.replace(
            '「evil.example」', ""), r.text[:300], str(r.status_code))
        outputs = ask_outputs(c, base, "児童館の来館者数は？")
        token = outputs[2].split('data-feedback="', 1)[1].split('"', 1)[0] if 'data-feedback="' in outputs[2] else ""
        component = feedback_component(c, base)
        r = c.post(base + "/gradio_api/component_server", json={"session_hash": "b2", "component_id": component,
                                                               "fn_name": "send_feedback",
                                                               "data": [{"token": "abc.ｘｙｚ", "vote": "up"}]})
        rep.add(g, "feedback with a non-ASCII signature", r.status_code == 200 and r.json().get("ok") is False
                and japanese(r.json().get("message", "")), r.text[:300], str(r.status_code))
        data = ask(c, base, "<img src=x onerror=alert(1)>児童館")
        rep.add(g, "<img src=x onerror=…>児童館 read as Japanese", data.get("status") == "answered"
                and "児童館" in data.get("answer", ""), json.dumps(data, ensure_ascii=False)[:300])
        rep.add(g, "a valid token was issued", bool(token), outputs[2][:200])


def feedback_component(client: httpx.Client, base: str) -> int:
    """The id of the component whose server function takes the page's 👍/👎 (from the page's config)."""
    config = client.get(base + "/config").json()
    for comp in config.get("components", []):
        if "send_feedback" in (comp.get("props", {}).get("server_fns") or []):
            return int(comp["id"])
    raise RuntimeError("no component with send_feedback in /config")


# --- sessions and memory under steady load ----------------------------------------------------------------


def steady_load(base: str, pid: int, seconds: float, clients: int = 10, calls: int = 5000) -> dict:
    """``clients`` clients asking without pause (each question unique) for ``seconds`` and at least
    ``calls`` calls (at most twice as long); RSS every 10 s."""
    done = [0]
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(k: int) -> None:
        with httpx.Client(timeout=300) as c:
            i = 0
            while not stop.is_set():
                q = f"{QUESTIONS[(k + i) % len(QUESTIONS)]}（{k}-{i}）"
                try:
                    ask(c, base, q)
                    with lock:
                        done[0] += 1
                except Exception as exc:  # noqa: BLE001 - counted
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                i += 1

    start_rss = rss_mb(pid)
    samples = [(0.0, 0, start_rss)]
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    at_5000 = None
    while time.time() - t0 < seconds or (done[0] < calls and time.time() - t0 < 2 * seconds):
        time.sleep(2)
        rss, n = rss_mb(pid), done[0]
        if at_5000 is None and n >= 5000:
            at_5000 = rss
        if time.time() - t0 >= samples[-1][0] + 10:
            samples.append((round(time.time() - t0), n, rss))
            print(f"    {samples[-1][0]:>4} s: {n:>6} calls, RSS {rss:.0f} MB", flush=True)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.time() - t0
    end = rss_mb(pid)
    return {"seconds": round(elapsed), "calls": done[0], "errors": len(errors), "error_kinds": sorted(set(errors))[:3],
            "rss_start": start_rss, "rss_5000": at_5000, "rss_end": end, "samples": samples,
            "per_s": done[0] / elapsed if elapsed else 0.0}


# --- fairness: normal questions while long ones are asked ----------------------------------------------------

LONG_QUESTION = ("子どもが小さくて毎日の家事と育児がとても大変です。近くに頼れる親族もいません。"
                 "仕事も続けたいのですが、どこに相談すればいいのか分かりません。" * 40)[:1990]
NORMAL = ["児童館の来館者数は？", "R2で計画を下回った事業は？", "ひとり親で家事が大変", "保育課の事業一覧",
          "施策3-2の事業と指標の状況", "虐待相談件数は？"]


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def fairness(base: str, long_clients: int = 4, seconds: float = 60.0) -> dict:
    """A normal client's latency alone, then while ``long_clients`` clients send 2,000-character questions."""
    def normal_run(stop_after: float, limit: int) -> list[float]:
        lat: list[float] = []
        t0 = time.time()
        with httpx.Client(timeout=300) as c:
            while len(lat) < limit and time.time() - t0 < stop_after:
                t = time.perf_counter()
                ask(c, base, NORMAL[len(lat) % len(NORMAL)])
                lat.append(time.perf_counter() - t)
                time.sleep(0.2)
        return lat

    idle = normal_run(90, 200)
    stop = threading.Event()
    longs: list[float] = []
    refused = [0]
    errors: list[str] = []

    def long_client(k: int) -> None:
        with httpx.Client(timeout=600) as c:
            i = 0
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    data = ask(c, base, f"{k}-{i} {LONG_QUESTION}")
                    if data.get("status") == "refused":
                        refused[0] += 1
                    else:
                        longs.append(time.perf_counter() - t)
                except Exception as exc:  # noqa: BLE001 - counted
                    errors.append(str(exc)[:100])
                i += 1

    threads = [threading.Thread(target=long_client, args=(k,)) for k in range(long_clients)]
    for t in threads:
        t.start()
    time.sleep(5)  # the long questions are being answered
    loaded = normal_run(seconds, 10_000)
    stop.set()
    for t in threads:
        t.join()
    return {"idle_p50": _pct(idle, .5), "idle_p95": _pct(idle, .95), "loaded_p50": _pct(loaded, .5),
            "loaded_p95": _pct(loaded, .95), "loaded_max": max(loaded) if loaded else float("nan"),
            "idle_n": len(idle), "normal_n": len(loaded), "long_n": len(longs), "long_p50": _pct(longs, .5), "long_refused": refused[0],
            "long_errors": len(errors), "clients": long_clients}


# --- idle and half-sent connections -------------------------------------------------------------------------


def idle_sockets(rep: Report, base: str, pid: int, n_half: int = 250, n_flood: int = 2000) -> dict:
    """Half-sent requests are closed after the head timeout; a flood beyond the caps is refused at once."""
    g = "idle sockets"
    port = int(base.rsplit(":", 1)[1])
    fds_before = open_fds(pid)
    half = []
    for _ in range(n_half):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /gradio_api/call/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n")
        half.append(s)
    fds_half = open_fds(pid)
    with httpx.Client(timeout=60) as c:
        t = time.perf_counter()
        try:
            served = ask(c, base, "児童館の来館者数は？").get("status") == "answered"
        except Exception:  # noqa: BLE001 - recorded
            served = False
        during = time.perf_counter() - t
    rep.add(g, f"a question answered while {n_half} requests are half-sent", served, "", f"{during:.2f} s")
    time.sleep(12)  # head timeout 10 s
    closed = 0
    for s in half:
        s.settimeout(1)
        try:
            data = s.recv(100)
            closed += data == b"" or data.startswith(b"HTTP/1.1 408")
        except OSError:
            pass
        s.close()
    rep.add(g, f"{n_half} half-sent requests closed after the head timeout", closed == n_half, "",
            f"{closed}/{n_half} closed (408 or EOF)")
    flood, refused = [], 0
    for _ in range(n_flood):
        try:
            flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            refused += 1
    time.sleep(1)
    fds_flood = open_fds(pid)
    for s in flood:
        s.close()
    time.sleep(1)
    with httpx.Client(timeout=60) as c:
        try:
            served_after = ask(c, base, "保育課の事業一覧").get("status") == "answered"
        except Exception:  # noqa: BLE001 - recorded
            served_after = False
    rep.add(g, f"{n_flood} idle connections at once: descriptors bounded", fds_flood < fds_before + 400, "",
            f"open descriptors {fds_before} -> {fds_flood}")
    rep.add(g, "answers again after the flood", served_after, "")
    return {"half": n_half, "closed": closed, "flood": n_flood, "fds_before": fds_before, "fds_half": fds_half,
            "fds_flood": fds_flood, "during_s": during}


# --- CSV: nothing a spreadsheet would run ----------------------------------------------------------------------

PLANTED = ["=HYPERLINK(\"http://evil.example\",\"クリック\")", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "  =1+1"]


def csv_cells(text: str) -> list[str]:
    import csv  # noqa: PLC0415

    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


def formula_leading(cell: str) -> bool:
    """A cell a spreadsheet would start as a formula (a plain number such as -5 is not one).

    Written here on purpose rather than imported from ``ui.export``: the probe judges the CSVs of
    any tree (``--before-root`` too) by its own rule, not by the rule of the code it checks."""
    stripped = cell.lstrip(" \u3000\n")
    if not (stripped[:1] in ("=", "+", "-", "@") or cell[:1] in ("\t", "\r", "=", "+", "-", "@")):
        return False
    try:
        float(cell)
        return False
    except ValueError:
        return True


def data_csvs(html: str) -> list[str]:
    from html import unescape  # noqa: PLC0415
    from urllib.parse import unquote  # noqa: PLC0415

    out = []
    for part in html.split('href="data:text/csv;charset=utf-8,')[1:]:
        out.append(unquote(unescape(part.split('"', 1)[0])))
    return out


def csv_probes(rep: Report, base: str, home: str, feedback_db: Path) -> dict:
    """Every CSV the app writes, with planted formulas in questions and comments: no formula-leading cell."""
    g = "CSV"
    counts = {"files": 0, "cells": 0, "formula": 0}

    def count(name: str, text: str) -> None:
        cells = csv_cells(text)
        bad = [c for c in cells if formula_leading(c)]
        counts["files"] += 1
        counts["cells"] += len(cells)
        counts["formula"] += len(bad)
        rep.add(g, name, not bad and text.startswith("\ufeff"), "", f"{len(cells)} cells, {len(bad)} formula-leading")

    with httpx.Client(timeout=120) as c:
        component = feedback_component(c, base)
        for i, planted in enumerate(PLANTED):
            outputs = ask_outputs(c, base, f"{planted} R2で計画を下回った事業は？")
            token = outputs[2].split('data-feedback="', 1)[1].split('"', 1)[0]
            c.post(base + "/gradio_api/component_server", json={
                "session_hash": f"csv{i}", "component_id": component, "fn_name": "send_feedback",
                "data": [{"token": token, "vote": "down", "comment": planted}]})
        outputs = ask_outputs(c, base, "R2で計画を下回った事業は？")
        answer_csvs = data_csvs(outputs[2])
        page = c.get(base + "/config").text
    for k, text in enumerate(answer_csvs):
        count(f"an answer's indicator table ({k + 1})", text)
    if answer_csvs:
        cells = csv_cells(answer_csvs[0])
        rep.add(g, "figures as numbers, unit apart (98,875人 -> 98875, 人)", "98875" in cells and "98,875人" not in cells,
                "", "")
    from urllib.parse import unquote  # noqa: PLC0415
    from html import unescape  # noqa: PLC0415

    # in /config the pages' HTML is a JSON string: the link ends at an escaped quote
    page_csvs = [unquote(unescape(p.split('"', 1)[0].rstrip("\\"))) for p in page.split("data:text/csv;charset=utf-8,")[1:]]
    for k, text in enumerate(page_csvs):
        count(f"a page CSV ({k + 1}: 事業一覧 / グラフ)", text)
    p = run(["-m", "ui", "feedback", "--csv", "--file", str(feedback_db)], env_with(PLANQA_HOME=home))
    count("ui feedback --csv with planted comments", p.stdout.decode("utf-8", "replace"))
    p = run(["-m", "ui", "feedback", "--file", str(feedback_db)], env_with(PLANQA_HOME=home))
    out = p.stdout.decode("utf-8", "replace")
    rep.add(g, "ui feedback text: no control characters", "\x1b" not in out and "\r" not in out, p.stdout + p.stderr)
    return counts


# --- the feedback store's faults -----------------------------------------------------------------------------------


def vote(client: httpx.Client, base: str, component: int, comment: str = "意見") -> tuple[int, dict]:
    outputs = ask_outputs(client, base, "児童館の来館者数は？")
    token = outputs[2].split('data-feedback="', 1)[1].split('"', 1)[0]
    r = client.post(base + "/gradio_api/component_server", json={
        "session_hash": f"fb{time.time_ns()}", "component_id": component, "fn_name": "send_feedback",
        "data": [{"token": token, "vote": "down", "comment": comment}]})
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, {"raw": r.text[:200]}


def feedback_faults(rep: Report, home: str, tmp: Path) -> None:
    """The feedback file made a folder, damaged, cut short, locked, full, read-only; then the CLI on it."""
    import sqlite3  # noqa: PLC0415

    g = "feedback store"
    folder = tmp / "fb"
    folder.mkdir()
    db = folder / "feedback.sqlite3"
    proc, base = start_server(home, tmp / "fb-server.log", args=("--feedback-db", str(db)))
    try:
        with httpx.Client(timeout=60) as c:
            component = feedback_component(c, base)
            status, out = vote(c, base, component)
            rep.add(g, "a vote is stored", status == 200 and out.get("ok") is True, json.dumps(out, ensure_ascii=False))
            good = db.read_bytes()
            faults = {
                "a folder at the path": (lambda: (db.unlink(), db.mkdir()), "開けない"),
                "a damaged header": (lambda: db.write_bytes(b"not a database" * 300), "壊れている"),
                "a file cut short": (lambda: db.write_bytes(good[:1500]), "壊れている"),
            }
            for name, (make, expect) in faults.items():
                make()
                status, out = vote(c, base, component)
                rep.add(g, f"{name}: refused in Japanese", status == 200 and out.get("ok") is False
                        and expect in out.get("message", ""), json.dumps(out, ensure_ascii=False), out.get("message", ""))
                p = run(["-m", "ui", "feedback", "--file", str(db)], env_with(PLANQA_HOME=home))
                rep.add(g, f"{name}: ui feedback says so in one line", p.returncode == 2
                        and p.stderr.decode().startswith("error: ") and p.stderr.count(b"\n") == 1, p.stdout + p.stderr)
                if db.is_dir():
                    db.rmdir()
                db.write_bytes(good)
            holder = sqlite3.connect(db, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            status, out = vote(c, base, component, "ロック中の意見")
            kept = status == 200 and out.get("ok") is True and "少し後" in out.get("message", "")
            time.sleep(6)  # held over 5 s
            holder.execute("COMMIT")
            holder.close()
            time.sleep(12)  # written by the retry
            stored = any(e[0] == "ロック中の意見" for e in sqlite3.connect(db).execute("SELECT comment FROM feedback"))
            rep.add(g, "a lock held over 5 s: the vote is kept and written later", kept and stored,
                    json.dumps(out, ensure_ascii=False), f"kept {kept}, written {stored}")
            refused = 0
            for _ in range(25):
                status, out = vote(c, base, component, "連投")
                refused += out.get("ok") is False and "短い間" in out.get("message", "")
            rep.add(g, "one client over 20 votes in 10 minutes: refused", refused >= 3, "", f"{refused} of 25 refused")
    finally:
        stop_server(proc)
    log = (tmp / "fb-server.log").read_bytes()
    rep.add(g, "server log (folder, damage, lock, rate)", b"Traceback" not in log and b" 500 " not in log, log)
    # the disk full and the read-only file need a mount of their own: a server in its own namespace
    if shutil.which("unshare") is None or read_only(tmp) is None:
        print("  (no unprivileged mounts: full-disk and read-only feedback probes skipped)")
        return
    for name, expect, setup in (("a full disk", "空き容量", 'mount -t tmpfs -o size=96k tmpfs "$D" && '
                                        '"$PY" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); '
                                        'c.execute(\'create table x(a)\'); c.commit()" "$D/feedback.sqlite3" && '
                                        'dd if=/dev/zero of="$D/filler" bs=1k count=72 2>/dev/null; true'),
                        ("a read-only file", "書き込めない", 'mount -t tmpfs -o size=1m tmpfs "$D" && '
                                             '"$PY" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); '
                                             'c.execute(\'create table x(a)\'); c.commit()" "$D/feedback.sqlite3" && '
                                             'mount -o remount,ro "$D"')):
        place = tmp / name.replace(" ", "-")
        place.mkdir()
        prefix = ["unshare", "-rm", "sh", "-c", f'D="$0"; PY="$1"; shift; {setup} && exec "$@"', str(place),
                  sys.executable]
        log_path = tmp / f"fb-{place.name}.log"
        proc, base = start_server(home, log_path, args=("--feedback-db", str(place / "feedback.sqlite3")), prefix=prefix)
        outs = []
        try:
            with httpx.Client(timeout=60) as c:
                component = feedback_component(c, base)
                for k in range(6):
                    outs.append(vote(c, base, component, "あ" * 990 + str(k)))
        finally:
            stop_server(proc)
        refusal = next((o for s, o in outs if o.get("ok") is False), None)
        rep.add(g, f"{name}: refused in Japanese", refusal is not None and expect in refusal.get("message", "")
                and all(s == 200 for s, _ in outs), json.dumps(outs[-1][1], ensure_ascii=False),
                (refusal or {}).get("message", "no refusal"))
        log = log_path.read_bytes()
        rep.add(g, f"{name}: server log", b"Traceback" not in log, log)


# --- Milvus --------------------------------------------------------------------------------------------------------


def milvus_probes(rep: Report, home: str, tmp: Path) -> None:
    """A damaged segment, a second process on the same milvus-lite file, the first fill's output."""
    g = "Milvus"
    try:
        import milvus_lite  # noqa: F401, PLC0415
        import pymilvus  # noqa: F401, PLC0415
    except ImportError:
        print("  (pymilvus / milvus-lite not installed: Milvus probes skipped)")
        return
    mhome = tmp / "milvus-home"
    mhome.mkdir()
    (mhome / "models").symlink_to(Path(home) / "models")
    shutil.copytree(Path(home) / "index", mhome / "index", ignore=shutil.ignore_patterns(".vectors"))
    env = env_with(PLANQA_HOME=str(mhome), PLANQA_RETRIEVER="milvus")
    first = run(["-m", "qa", "ask", "児童館の来館者数は？"], env)
    rep.add(g, "first fill: answered, no traceback", first.returncode == 0 and b"51,840" in first.stdout
            and b"Traceback" not in first.stderr and "登録します".encode() in first.stderr, first.stdout + first.stderr)
    segment = next((mhome / "milvus" / "planqa.db" / "collections").glob("*_passages/partitions/_default/data/*.parquet"))
    segment.write_bytes(segment.read_bytes()[:3000])
    status = run(["-m", "index", "status"], env)
    rep.add(g, "a damaged segment: index status says so (exit 1)", status.returncode == 1
            and b"cannot be read" in status.stdout, status.stdout + status.stderr)
    again = run(["-m", "qa", "ask", "児童館の来館者数は？"], env)
    rep.add(g, "a damaged segment: refilled, the question answered", again.returncode == 0 and b"51,840" in again.stdout
            and "登録し直します".encode() in again.stderr, again.stdout + again.stderr)
    status = run(["-m", "index", "status"], env)
    rep.add(g, "index status usable after the refill", status.returncode == 0, status.stdout + status.stderr)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from index.milvus import _client; "
                               "_client(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
                               str(mhome / "milvus" / "planqa.db")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        holder.stdout.readline()
        second = run(["-m", "qa", "ask", "児童館の来館者数は？"], env)
        rep.add(g, "a second process on the milvus-lite file: a clear message", second.returncode == 2
                and b"in use by another process" in second.stderr and second.stderr.count(b"\n") == 1,
                second.stdout + second.stderr)
        status = run(["-m", "index", "status"], env)
        rep.add(g, "index status while another process holds it", status.returncode == 1
                and "使用中".encode() in status.stdout, status.stdout + status.stderr)
    finally:
        holder.kill()
        holder.wait()


# --- index build: a full disk, Ctrl+C ------------------------------------------------------------------------------


def build_faults(rep: Report, home: str, tmp: Path) -> None:
    g = "index build"
    bhome = tmp / "build-home"
    bhome.mkdir()
    (bhome / "models").symlink_to(Path(home) / "models")
    env = env_with(PLANQA_HOME=str(bhome))
    first = run(["-m", "index", "build", "--quiet"], env, timeout=600)
    built = json.loads(next((bhome / "index").rglob("manifest.json")).read_text())["built_at"]
    for moment in (2.0, 6.0):
        proc = subprocess.Popen([sys.executable, "-m", "index", "build", "--quiet"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(moment)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        now = json.loads(next((bhome / "index").rglob("manifest.json")).read_text())["built_at"]
        finished = proc.returncode == 0
        rep.add(g, f"Ctrl+C after {moment:g} s: one line, old index intact", first.returncode == 0
                and (finished or (proc.returncode == 130 and now == built and b"Traceback" not in err
                                  and err.decode().count("\n") == 1)), out + err,
                "finished first" if finished else err.decode("utf-8", "replace").strip())
    if shutil.which("unshare") is None or read_only(tmp) is None:
        print("  (no unprivileged mounts: full-disk build probe skipped)")
        return
    script = ('D="$0"; mount -t tmpfs -o size=2m tmpfs "$D" && mkdir "$D/home" && ln -s "$1" "$D/home/models" && '
              'PLANQA_HOME="$D/home" "$2" -m index build --quiet >/dev/null 2>&1 && '
              'dd if=/dev/zero of="$D/filler" bs=1k count=1900 2>/dev/null; '
              'PLANQA_HOME="$D/home" "$2" -m index build --quiet; echo "rc=$?"; '
              'PLANQA_HOME="$D/home" "$2" -m index status | head -1')
    place = tmp / "full-build"
    place.mkdir()
    p = subprocess.run(["unshare", "-rm", "sh", "-c", script, str(place), str(Path(home) / "models"), sys.executable],
                       capture_output=True, cwd=ROOT, env=env_with(), timeout=600)
    text = p.stdout.decode("utf-8", "replace")
    rep.add(g, "a full disk: one line, old index intact", "rc=2" in text and "no space left" in
            p.stderr.decode("utf-8", "replace") and "使用可能" in text, p.stdout + p.stderr, text.strip().splitlines()[-1]
            if text.strip() else "")


# --- the swap matrix -----------------------------------------------------------------------------------------------


def swap_matrix(rep: Report) -> dict:
    """Every same-page swap of two values of one kind, in the R2 document and the fixture: each must be refused."""
    sys.path.insert(0, str(ROOT))
    from corpus.loader import load_plan_file  # noqa: PLC0415
    from corpus.swaps import KINDS, swaps  # noqa: PLC0415

    out: dict[str, dict[str, tuple[int, int]]] = {}
    for label, path in (("R2 document", DATA), ("fixture (R3)", ROOT / "tests" / "fixtures" / "docs" / "koganei_r3.yaml")):
        plan = load_plan_file(path)
        done = list(swaps(plan))
        out[label] = {}
        for kind in KINDS:
            mine = [s for s in done if s.kind == kind]
            refused = sum(1 for s in mine if s.refused and s.named)
            out[label][kind] = (refused, len(mine))
            rep.add("swap matrix", f"{label}: {kind}", refused == len(mine) and mine, "", f"{refused}/{len(mine)}")
    return out


# --- kill -9 during an index build ------------------------------------------------------------------


def kill_during_build(rep: Report, home: str, tmp: Path, moments: tuple[float, ...]) -> None:
    g = "kill -9 during build"
    kill_home = tmp / "kill-home"
    kill_home.mkdir()
    (kill_home / "models").symlink_to(Path(home) / "models")
    env = env_with(PLANQA_HOME=str(kill_home))
    first = run(["-m", "index", "build", "--quiet"], env, timeout=600)
    if first.returncode != 0:
        rep.add(g, "first build", False, first.stdout + first.stderr)
        return
    manifests = list((kill_home / "index").rglob("manifest.json"))
    built_at = json.loads(manifests[0].read_text())["built_at"] if manifests else None
    for moment in moments:
        proc = subprocess.Popen([sys.executable, "-m", "index", "build", "--quiet"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(moment)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        status = run(["-m", "index", "status"], env)
        found = list((kill_home / "index").rglob("manifest.json"))
        now = json.loads(found[0].read_text())["built_at"] if found else None
        intact = status.returncode == 0 and (finished or now == built_at)
        state = "finished before the kill" if finished else ("old index intact" if now == built_at else "replaced")
        rep.kills.append((moment, intact, state))
        rep.add(g, f"kill -9 after {moment:g} s", intact, status.stdout + status.stderr + proc.stderr.read(), state)


# --- report -----------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def load_runs(rep: Report, home: str, tmp: Path, *, seconds: float, long_clients: int, label: str = "after",
              root: Path = ROOT) -> None:
    """Steady load (RSS) and the long-question fairness run, each on a fresh server of the code at ``root``."""
    g = "load" if label == "after" else "load (before)"
    log_path = tmp / f"load-{label}.log"
    proc, base = start_server(home, log_path, root=root)
    try:
        with httpx.Client(timeout=120) as c:
            for q in QUESTIONS * 8:  # warm every path before the baseline is taken
                ask(c, base, q)
        print(f"  steady load ({label}): 10 clients, {seconds:.0f} s", flush=True)
        rep.load[label] = steady_load(base, proc.pid, seconds)
    finally:
        stop_server(proc)
    load = rep.load[label]
    grew = (load["rss_5000"] or load["rss_end"]) - load["rss_start"]
    log = log_path.read_bytes()
    if label == "after":
        rep.add(g, f"RSS after 5,000 API calls within +{RSS_LOAD_BUDGET_MB:.0f} MB", load["calls"] >= 5000
                and grew <= RSS_LOAD_BUDGET_MB and not load["errors"], log, f"+{grew:.1f} MB, {load['calls']} calls")
        rep.add(g, "server log of the steady load", b"Traceback" not in log, log)
    log_path = tmp / f"fair-{label}.log"
    proc, base = start_server(home, log_path, root=root)
    try:
        print(f"  fairness ({label}): a normal client alone, then beside {long_clients} long-question clients",
              flush=True)
        rep.fair[label] = fairness(base, long_clients)
    finally:
        stop_server(proc)
    fair = rep.fair[label]
    if label == "after":
        rep.add(g, f"normal p95 beside {long_clients} long-question clients <= 2x idle",
                fair["loaded_p95"] <= 2 * fair["idle_p95"] and not fair["long_errors"], "",
                f"{fair['idle_p95'] * 1000:.0f} ms idle, {fair['loaded_p95'] * 1000:.0f} ms loaded")
        rep.add(g, "server log of the fairness run", b"Traceback" not in log_path.read_bytes(), log_path.read_bytes())


def table(rep: Report) -> str:
    groups: dict[str, list[Probe]] = {}
    for p in rep.probes:
        groups.setdefault(p.group, []).append(p)
    lines = ["| class | inputs tried | clear messages / correct answers | tracebacks |", "|---|---:|---:|---:|"]
    for g, ps in groups.items():
        lines.append(f"| {g} | {len(ps)} | {sum(p.clear for p in ps)} | {sum(p.traceback for p in ps)} |")
    total = rep.probes
    lines.append(f"| **all** | **{len(total)}** | **{sum(p.clear for p in total)}** | **{sum(p.traceback for p in total)}** |")
    out = ["\n".join(lines), ""]
    if rep.rss:
        grew = rep.rss["after"] - rep.rss["before"]
        out.append(f"Server RSS before / after 30 requests of 10.5 MB: {rep.rss['before']:.0f} MB / {rep.rss['after']:.0f} MB "
                   f"(+{grew:.1f} MB, budget {RSS_BUDGET_MB:.0f} MB: {'met' if grew <= RSS_BUDGET_MB else 'NOT met'}); "
                   f"responses: {', '.join(rep.rss['statuses'])}.")
        out.append("")
    if rep.clients:
        out += ["| concurrent clients | requests | errors | answers to another client's question |", "|---:|---:|---:|---:|"]
        out += [f"| {n} | {r} | {e} | {m} |" for n, r, e, m in rep.clients]
        out.append("")
    if rep.kills:
        out += ["| kill -9 after | index usable afterwards | state |", "|---:|---|---|"]
        out += [f"| {m:g} s | {'yes' if ok else 'NO'} | {s} |" for m, ok, s in rep.kills]
        out.append("")
    if rep.load:
        out += ["**Memory under steady load** (10 clients asking without pause, every question different, through "
                "`/gradio_api/call/ask`):", "",
                "| code | calls | calls/s | errors | RSS at start | at 5,000 calls | at the end | growth at 5,000 |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for label, ld in rep.load.items():
            at = ld["rss_5000"]
            grew = f"+{at - ld['rss_start']:.1f} MB" if at is not None else \
                f"(+{ld['rss_end'] - ld['rss_start']:.1f} MB at {ld['calls']:,})"
            out.append(f"| {label} | {ld['calls']:,} | {ld['per_s']:.1f} | {ld['errors']} | {ld['rss_start']:.0f} MB | "
                       f"{f'{at:.0f} MB' if at is not None else '—'} | {ld['rss_end']:.0f} MB | {grew} |")
        out.append("")
    if rep.fair:
        out += ["**Fairness** (a normal client asking one question every 0.2 s, 200 alone, then for 60 s beside "
                "clients sending 2,000-character questions without pause):", "",
                "| code | long-question clients | normal p50 / p95 idle | normal p50 / p95 / max beside them | "
                "p95 ratio | long answers (p50) | long refused | errors |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for label, f in rep.fair.items():
            out.append(f"| {label} | {f['clients']} | {f['idle_p50'] * 1000:.0f} / {f['idle_p95'] * 1000:.0f} ms | "
                       f"{f['loaded_p50'] * 1000:.0f} / {f['loaded_p95'] * 1000:.0f} / {f['loaded_max'] * 1000:.0f} ms | "
                       f"{f['loaded_p95'] / f['idle_p95']:.2f} | {f['long_n']} ({f['long_p50']:.1f} s) | "
                       f"{f['long_refused']} | {f['long_errors']} |")
        out.append("")
    if rep.swaps:
        kinds = list(next(iter(rep.swaps.values())))
        out += ["**Swap matrix** (every swap of two different values of one kind between rows of one page, each "
                "refused by `corpus check` naming both fields):", "",
                "| document | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
        for label, counts in rep.swaps.items():
            out.append(f"| {label} | " + " | ".join(f"{r:,} / {n:,}" for r, n in counts.values()) + " |")
        out.append("")
    if rep.csv:
        out.append(f"**CSV**: {rep.csv['files']} files, {rep.csv['cells']:,} cells, {rep.csv['formula']} formula-leading "
                   f"(questions and comments planted with `=HYPERLINK(…)`, `+1+cmd|…`, `-2+3…`, `@SUM(…)`, tab, CR, "
                   f"spaces before `=`).")
        out.append("")
    if rep.sockets:
        k = rep.sockets
        out.append(f"**Idle sockets**: {k['half']} half-sent requests: {k['closed']} closed by the head timeout; a "
                   f"question answered meanwhile in {k['during_s']:.2f} s; {k['flood']:,} idle connections at once: "
                   f"open descriptors {k['fds_before']} -> {k['fds_flood']}.")
        out.append("")
    bad = [p for p in rep.probes if not p.clear or p.traceback]
    if bad:
        out += ["Failed probes:", ""] + [f"- {p.group}: {p.name} {p.detail}" for p in bad] + [""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-web", action="store_true", help="no web server probes")
    ap.add_argument("--skip-kill", action="store_true", help="no kill -9 during an index build")
    ap.add_argument("--kill-at", type=float, nargs="*", default=[1.5, 4.0, 7.0], help="seconds into the build")
    ap.add_argument("--write", default=str(OUT), help="where to write the Markdown table")
    ap.add_argument("--skip-load", action="store_true", help="no steady-load (RSS) and fairness runs")
    ap.add_argument("--load-seconds", type=float, default=300.0, help="steady load duration (default 300)")
    ap.add_argument("--long-clients", type=int, default=4, help="long-question clients in the fairness run")
    ap.add_argument("--before-root", type=Path, default=None,
                    help="also run the load classes against the code in this folder (e.g. an export of an older "
                         "commit) with --before-home, for a before/after table")
    ap.add_argument("--before-home", type=Path, default=None, help="PLANQA_HOME with a built index for --before-root")
    ap.add_argument("--only", nargs="*", default=None,
                    choices=["cli", "data", "homes", "web", "feedback", "milvus", "build", "kill", "swaps", "load"],
                    help="run only these classes")
    args = ap.parse_args(argv)
    home = os.environ.get("PLANQA_HOME") or str(Path.home() / ".cache" / "planqa")
    ready = run(["-m", "index", "status"], env_with(PLANQA_HOME=home))
    if ready.returncode != 0:
        print("the index is not built: run `python -m index build` first", file=sys.stderr)
        return 2
    rep = Report()
    started = time.time()
    wanted = set(args.only or ["cli", "data", "homes", "web", "feedback", "milvus", "build", "kill", "swaps", "load"])
    if args.skip_web:
        wanted -= {"web", "feedback"}
    if args.skip_kill:
        wanted -= {"kill"}
    if args.skip_load:
        wanted -= {"load"}
    with tempfile.TemporaryDirectory(prefix="planqa-reliability-") as t:
        tmp = Path(t)
        steps = [("cli", "CLI input", lambda: cli_inputs(rep, home)),
                 ("data", "bad data files", lambda: bad_data(rep, home, tmp / "data")),
                 ("swaps", "swap matrix", lambda: setattr(rep, "swaps", swap_matrix(rep))),
                 ("homes", "unusable homes", lambda: homes(rep, home, tmp)),
                 ("web", "web API", lambda: web(rep, home, tmp)),
                 ("feedback", "feedback store faults", lambda: feedback_faults(rep, home, tmp)),
                 ("milvus", "Milvus", lambda: milvus_probes(rep, home, tmp)),
                 ("build", "index build: Ctrl+C, full disk", lambda: build_faults(rep, home, tmp)),
                 ("kill", "kill -9 during an index build", lambda: kill_during_build(rep, home, tmp, tuple(args.kill_at))),
                 ("load", "steady load and fairness", lambda: load_runs(rep, home, tmp, seconds=args.load_seconds,
                                                                       long_clients=args.long_clients))]
        for key, title, step in steps:
            if key in wanted:
                print(title, flush=True)
                step()
        if "load" in wanted and args.before_root:
            print(f"steady load and fairness, code in {args.before_root}", flush=True)
            load_runs(rep, str(args.before_home or home), tmp, seconds=args.load_seconds,
                      long_clients=args.long_clients, label="before", root=args.before_root)
    text = table(rep)
    print()
    print(text)
    head = (f"# Reliability probe (`benchmarks/reliability.py`)\n\nMeasured "
            f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M')} UTC on {machine()}, in "
            f"{time.time() - started:.0f} s; server `python -m ui` on loopback with the built index. "
            f"A probe counts as clear when the command or request ends the expected way (answer, Japanese refusal, "
            f"or the `error:` message that `corpus check` prints, non-zero exit) with valid UTF-8 "
            f"and no traceback anywhere in its output.\n\n")
    Path(args.write).write_text(head + text, encoding="utf-8")
    failed = [p for p in rep.probes if (not p.clear or p.traceback) and not p.group.endswith("(before)")]
    too_big = rep.rss and rep.rss["after"] - rep.rss["before"] > RSS_BUDGET_MB
    return 1 if failed or too_big or any(e for _, _, e, _ in rep.clients) else 0


if __name__ == "__main__":
    sys.exit(main())
