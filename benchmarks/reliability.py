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
* kill -9 at several moments of an index build: the old index must stay usable.

Counts every output for ``Traceback``. Writes the table to ``benchmarks/reliability.md``.

    python benchmarks/reliability.py [--skip-kill] [--skip-web]
"""
from __future__ import annotations

import argparse
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


def ask(client: httpx.Client, base: str, question: str) -> dict:
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
    out = json.loads(data)
    return out[1]


def start_server(home: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(log_path, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "ui", "--port", str(port)], cwd=ROOT,
                            env=env_with(PLANQA_HOME=home), stdout=log, stderr=subprocess.STDOUT)
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


def web(rep: Report, home: str, tmp: Path) -> None:
    g = "web API"
    log_path = tmp / "server.log"
    existing = set(Path(tempfile.gettempdir()).glob("planqa-gradio-*"))
    proc, base = start_server(home, log_path)
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
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
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
    args = ap.parse_args(argv)
    home = os.environ.get("PLANQA_HOME") or str(Path.home() / ".cache" / "planqa")
    ready = run(["-m", "index", "status"], env_with(PLANQA_HOME=home))
    if ready.returncode != 0:
        print("the index is not built: run `python -m index build` first", file=sys.stderr)
        return 2
    rep = Report()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="planqa-reliability-") as t:
        tmp = Path(t)
        print("CLI input", flush=True)
        cli_inputs(rep, home)
        print("bad data files", flush=True)
        bad_data(rep, home, tmp / "data")
        print("unusable homes", flush=True)
        homes(rep, home, tmp)
        if not args.skip_web:
            print("web API", flush=True)
            web(rep, home, tmp)
        if not args.skip_kill:
            print("kill -9 during an index build", flush=True)
            kill_during_build(rep, home, tmp, tuple(args.kill_at))
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
    failed = [p for p in rep.probes if not p.clear or p.traceback]
    too_big = rep.rss and rep.rss["after"] - rep.rss["before"] > RSS_BUDGET_MB
    return 1 if failed or too_big or any(e for _, _, e, _ in rep.clients) else 0


if __name__ == "__main__":
    sys.exit(main())
