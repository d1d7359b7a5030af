"""Bad input and bad environments: every entry point answers, refuses in Japanese or prints one
precise error line, never a traceback; the web server refuses oversized, file and malformed requests.

Nothing here loads the embedding model: the CLI tests replace the answer engine with a fake, the web
tests serve the app with the fake engine of ``tests.ui_fakes``.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corpus import DataFileError, TraceabilityError
from corpus.settings import PACKAGE_DATA_DIR, from_env

ROOT = Path(__file__).resolve().parents[1]
DATA = PACKAGE_DATA_DIR / "koganei_r2.yaml"
SOURCE = PACKAGE_DATA_DIR / "000_125627a5caafc882.txt"

# Runs the CLI with the answer engine replaced by a fast fake (no model, no index).
FAKE_CLI = """
import sys
import qa.__main__ as cli
from qa.types import Answer, AnswerStatus
class Fake:
    def answer(self, question, history=None, **kw):
        return Answer(question=question, status=AnswerStatus.ANSWERED, text="回答：" + question[:20])
cli.get_engine = Fake
sys.exit(cli.main(sys.argv[1:]))
"""


def run(args: list[str], *, env: dict | None = None, stdin: bytes = b"", timeout: int = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, *args], input=stdin, capture_output=True, cwd=ROOT, env=full_env,
                          timeout=timeout)


def fake_cli(args: list[str], **kw) -> subprocess.CompletedProcess:
    return run(["-c", FAKE_CLI, *args], **kw)


def assert_clean(proc: subprocess.CompletedProcess) -> None:
    out = proc.stdout + proc.stderr
    assert b"Traceback" not in out, out.decode("utf-8", "replace")[-2000:]
    proc.stdout.decode("utf-8")  # always valid UTF-8
    proc.stderr.decode("utf-8")


def broken_copy(folder: Path, mutate) -> Path:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    mutate(data)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE, folder / SOURCE.name)
    out = folder / "koganei_r2.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def indicator(data: dict, project: str, j: int = 0) -> dict:
    return next(p for p in data["projects"] if p["name"] == project)["indicators"][j]


# --- broken data files and folders: one precise message at every entry point ------------------------


BROKEN = {
    "missing field": lambda d: d["projects"][2].pop("name"),
    "figure not in source": lambda d: indicator(d, "児童館事業").update(baseline="98,876"),
    "duplicate plan id": None,  # a second file with the same plan id
}


def _broken_folder(tmp_path: Path, kind: str) -> Path:
    folder = tmp_path / "data"
    if kind == "duplicate plan id":
        broken_copy(folder, lambda d: None)
    elif kind == "invalid yaml":
        folder.mkdir()
        (folder / "bad.yaml").write_text("schema_version: 1\nplan: [\n", encoding="utf-8")
    elif kind == "not utf-8":
        folder.mkdir()
        (folder / "bad.yaml").write_bytes(b"\xff\xfe\x00plan")
    elif kind == "source missing":
        broken_copy(folder, lambda d: d["plan"].update(id="other"))
        (folder / SOURCE.name).unlink()
    else:
        broken_copy(folder, BROKEN[kind])
        # the bundled folder is always read too: make this a second document
        path = folder / "koganei_r2.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["plan"]["id"] = "broken-copy"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("kind", ["missing field", "figure not in source", "duplicate plan id", "invalid yaml",
                                  "not utf-8", "source missing"])
def test_broken_data_file_same_message_everywhere(tmp_path, kind):
    env = {"PLANQA_DATA_DIRS": str(_broken_folder(tmp_path, kind)), "PLANQA_HOME": str(tmp_path / "home")}
    reference = run(["-m", "corpus", "check"], env=env)
    assert reference.returncode in (1, 2)  # 1: fields not traceable, 2: the file cannot be read as records
    message = reference.stderr.decode().strip()
    assert message.startswith("error: ") and message.count("error: ") == 1
    assert run(["-m", "corpus", "show"], env=env).stderr.decode().strip() == message
    for args, stdin in ((["-m", "qa", "ask", "児童館"], b""), (["-m", "qa", "ask", "--jsonl"], "児童館\n子育て\n".encode()),
                        (["-m", "index", "status"], b"")):
        proc = run(args, env=env, stdin=stdin)
        assert_clean(proc)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.decode().strip() == message, args
        assert proc.stdout == b""


def test_web_server_refuses_to_start_on_a_broken_data_file(tmp_path):
    env = {"PLANQA_DATA_DIRS": str(_broken_folder(tmp_path, "invalid yaml")), "PLANQA_HOME": str(tmp_path / "home")}
    reference = run(["-m", "corpus", "check"], env=env).stderr.decode().strip()
    for extra in ([], ["--no-warm-up"]):
        proc = run(["-m", "ui", "--port", str(_free_port()), *extra], env=env, timeout=120)
        assert_clean(proc)
        assert proc.returncode == 2
        assert proc.stderr.decode().strip().endswith(reference)


def test_missing_data_folder_is_an_error(tmp_path):
    env = {"PLANQA_DATA_DIRS": str(tmp_path / "nowhere"), "PLANQA_HOME": str(tmp_path / "home")}
    for args in (["-m", "corpus", "check"], ["-m", "qa", "ask", "児童館"], ["-m", "index", "status"]):
        proc = run(args, env=env)
        assert_clean(proc)
        assert proc.returncode == 2 and b"nowhere does not exist" in proc.stderr and b"PLANQA_DATA_DIRS" in proc.stderr


# --- an unusable PLANQA_HOME ---------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["-m", "qa", "ask", "児童館"], ["-m", "qa", "ask", "--jsonl"], ["-m", "index", "build"],
                                  ["-m", "index", "status"]])
def test_home_under_a_file_is_explained(tmp_path, args):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run(args, env={"PLANQA_HOME": str(blocker / "home")}, stdin="児童館\n".encode())
    assert_clean(proc)
    if args[-1] == "status":  # status only reads: it may say "missing" (rc 1) without touching the home
        assert proc.returncode in (1, 2)
        return
    assert proc.returncode == 2
    assert f"{blocker} is a file, not a folder".encode() in proc.stderr and b"PLANQA_HOME" in proc.stderr


def _read_only(path: Path, *command: str) -> list[str]:
    """A command run with ``path`` mounted read-only (a private mount namespace)."""
    return ["unshare", "-rm", "sh", "-c",
            'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', str(path), *command]


def _can_mount_read_only(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(_read_only(tmp_path, "sh", "-c", f'! touch "{tmp_path}/x" 2>/dev/null'), capture_output=True)
    return probe.returncode == 0


@pytest.mark.parametrize("args", [["-m", "qa", "ask", "児童館"], ["-m", "index", "build", "--quiet"]])
def test_read_only_home_without_an_index_is_explained(tmp_path, args):
    home = tmp_path / "home"
    home.mkdir()
    if not _can_mount_read_only(home):
        pytest.skip("no unprivileged read-only bind mounts here")
    proc = subprocess.run(_read_only(home, sys.executable, *args), capture_output=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PLANQA_HOME": str(home)})
    assert_clean(proc)
    assert proc.returncode == 2
    assert b"is not writable" in proc.stderr and b"python -m index build" in proc.stderr


@pytest.mark.model
def test_read_only_home_with_a_valid_index_serves_it(tmp_path):
    """The configured home (with its built model and index), mounted read-only: questions are answered."""
    home = Path(os.environ.get("PLANQA_HOME") or Path.home() / ".cache" / "planqa")
    if run(["-m", "index", "status"], env={"PLANQA_HOME": str(home)}).returncode != 0:
        pytest.skip("no built index in PLANQA_HOME")
    if not _can_mount_read_only(home):
        pytest.skip("no unprivileged read-only bind mounts here")
    proc = subprocess.run(_read_only(home, sys.executable, "-m", "qa", "ask", "--json", "児童館の来館者数は？"),
                          capture_output=True, cwd=ROOT, timeout=300, env={**os.environ, "PLANQA_HOME": str(home)})
    assert_clean(proc)
    assert proc.returncode == 0 and json.loads(proc.stdout)["status"] == "answered"


# --- the qa CLI with undecodable, oversized and piped input ---------------------------------------------


def test_undecodable_argument_gets_a_message():
    question = b"\xff\xfe" + "児童館".encode()
    proc = run(["-c", FAKE_CLI.replace("sys.argv[1:]", "sys.argv[1:]"), "ask", os.fsdecode(question)])
    assert_clean(proc)
    assert proc.returncode == 2
    assert "UTF-8 として読めないバイト".encode() in proc.stdout


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_jsonl_answers_each_line_on_its_own_in_valid_utf8(locale):
    lines = ["児童館の来館者数は？".encode(), b"\xff\xfe" + "児童館".encode(), "ひとり親".encode(), b"caf\xe9"]
    proc = fake_cli(["ask", "--jsonl"], stdin=b"\n".join(lines) + b"\n", env={"LC_ALL": locale})
    assert_clean(proc)
    assert proc.returncode == 0
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert [o["status"] for o in out] == ["answered", "no_answer", "answered", "no_answer"]
    assert out[0]["answer"].startswith("回答") and out[2]["question"] == "ひとり親"
    assert "UTF-8" in out[1]["answer"] and "\ufffd" in out[1]["question"]


def test_chat_follow_up_survives_a_refused_line(monkeypatch, capsys):
    """--chat: a line refused for its bytes is not a turn of the conversation."""
    import qa.__main__ as cli
    from qa.types import Answer, AnswerStatus

    seen = []

    class Engine:
        def answer(self, question, history=None):
            seen.append([a.question for a in history or []])
            return Answer(question=question, status=AnswerStatus.ANSWERED, text="ok")

    monkeypatch.setattr(cli, "get_engine", Engine)
    stdin = io.TextIOWrapper(io.BytesIO("児童館事業\n".encode() + b"\xff\xfe\n" + "その会議意見は？\n".encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    assert cli.main(["ask", "--jsonl", "--chat"]) == 0
    assert seen == [[], ["児童館事業"]]
    assert [json.loads(x)["status"] for x in capsys.readouterr().out.splitlines()] == ["answered", "no_answer", "answered"]


def test_jsonl_does_not_echo_a_huge_question():
    huge = ("あ" * 3_500_000).encode()
    proc = fake_cli(["ask", "--jsonl"], stdin=huge + b"\n" + "児童館\n".encode())
    assert_clean(proc)
    first, second = proc.stdout.decode().splitlines()
    assert len(first) < 1000 and "長すぎます" in json.loads(first)["answer"]
    assert json.loads(second)["status"] == "answered"


def test_jsonl_into_a_closed_pipe_exits_quietly():
    reader = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    proc = subprocess.run([sys.executable, "-c", FAKE_CLI, "ask", "--jsonl"], input="児童館\n".encode() * 20000,
                          stdout=reader.stdin, stderr=subprocess.PIPE, cwd=ROOT, timeout=120)
    reader.stdin.close()
    reader.wait()
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr, proc.stderr.decode()[-1500:]
    assert proc.returncode == 0


def test_cli_read_questions_bounds_each_line():
    from qa.__main__ import MAX_LINE_BYTES, read_questions

    stream = io.BytesIO(b"x" * (MAX_LINE_BYTES * 3) + "\n児童館\r\n".encode() + b"\xe5\x85")
    got = list(read_questions(stream))
    assert got[0][0] == "" and "長すぎます" in got[0][1]
    assert got[1] == ("児童館", None)
    assert got[2][1] is not None and "UTF-8" in got[2][1]


# --- the web server: body limit, closed upload, checked input --------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.ui_fakes import FakeEngine
    from ui import guard
    from ui.app import build_app

    saved = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = str(tmp_path_factory.mktemp("gradio"))
    engine = FakeEngine()
    demo = build_app(engine)
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False,
                **guard.launch_kwargs(demo))
    try:
        server.demo = demo
        yield f"http://127.0.0.1:{port}", engine
    finally:
        demo.close()
        if saved is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = saved


def server_demo():
    return server.demo


def _post(url: str, body: bytes, content_type: str = "application/json"):
    import httpx

    return httpx.post(url, content=body, headers={"content-type": content_type}, timeout=60)


def test_oversized_body_is_refused_before_it_is_stored(server):
    base, engine = server
    before = len(engine.calls)
    body = json.dumps({"data": ["あ" * 3_500_000]}, ensure_ascii=False).encode()
    r = _post(f"{base}/gradio_api/call/ask", body)
    assert r.status_code == 413 and "大きすぎます" in r.json()["error"]
    assert len(engine.calls) == before


def test_oversized_chunked_body_is_refused(server):
    import httpx

    base, engine = server
    before = len(engine.calls)

    def chunks():
        yield b'{"data": ["'
        for _ in range(40):
            yield "あ".encode() * 10_000
        yield b'"]}'

    r = httpx.post(f"{base}/gradio_api/call/ask", content=chunks(), headers={"content-type": "application/json"},
                   timeout=60)
    assert r.status_code == 413 and len(engine.calls) == before


def test_upload_endpoint_is_closed(server):
    import httpx

    base, _ = server
    r = httpx.post(f"{base}/gradio_api/upload", files={"files": ("a.txt", b"x" * 1000)}, timeout=60)
    assert r.status_code == 403 and "ファイル" in r.json()["error"]
    big = httpx.post(f"{base}/gradio_api/upload", files={"files": ("a.bin", b"\0" * (2 << 20))}, timeout=60)
    assert big.status_code in (403, 413)
    assert not any(Path(os.environ["GRADIO_TEMP_DIR"]).rglob("a.*"))


@pytest.mark.parametrize("body, needle", [
    (b'{"data": []}', "質問がありません"),
    (b'{"data": ["\\ud800\\u5150\\u7ae5\\u9928"]}', "サロゲート"),
    (b'{"data": [["\\u5150\\u7ae5\\u9928"]]}', "配列"),
    (b'{"data": [{"q": "x"}]}', "オブジェクト"),
    (b'{"data": [3]}', "数値"),
    (b'{"nodata": 1}', "質問がありません"),
    (b'{"data": "\xff\xfe"}', "UTF-8"),
    (b'{"data": [', "JSON"),
])
def test_malformed_api_input_gets_a_japanese_message(server, body, needle):
    base, engine = server
    before = len(engine.calls)
    r = _post(f"{base}/gradio_api/call/ask", body)
    assert r.status_code == 400 and needle in r.json()["error"]
    assert len(engine.calls) == before


def test_queue_join_of_the_chat_is_checked_too(server):
    """The page's own route to the chat (and its example buttons) gets the same checks."""
    from ui import guard

    base, _ = server
    ids = guard.question_fn_ids(server_demo())
    assert ids  # every route that takes a question (the ask endpoint, and buttons that send their label)
    for fn in ids:
        r = _post(f"{base}/gradio_api/queue/join", json.dumps({"data": [["児童館"], []], "fn_index": fn,
                                                               "session_hash": "abc"}).encode())
        assert r.status_code == 400 and "配列" in r.json()["error"]
    odd = _post(f"{base}/gradio_api/queue/join", b'{"data": ["x"], "fn_index": [1], "session_hash": "abc"}')
    assert odd.status_code < 500


def test_a_good_question_still_works_through_the_guard(server):
    import httpx

    base, _ = server
    r = _post(f"{base}/gradio_api/call/ask", json.dumps({"data": ["児童館の来館者数は？"]}).encode())
    assert r.status_code == 200
    event = r.json()["event_id"]
    with httpx.stream("GET", f"{base}/gradio_api/call/ask/{event}", timeout=60) as stream:
        text = "".join(stream.iter_text())
    data = text.split("event: complete\ndata:", 1)[1].strip()
    assert "児童館事業" in json.loads(data)[0]


def test_concurrent_clients_through_the_guard_get_their_own_answers(server):
    """10 clients at once, 3 questions each: no error, every answer is to the client's own question."""
    import threading

    import httpx

    base, _ = server
    errors, mixed = [], []

    def client(i: int) -> None:
        with httpx.Client(timeout=60) as c:
            for j in range(3):
                q = f"児童館の来館者数は？（{i}-{j}）"
                try:
                    r = c.post(f"{base}/gradio_api/call/ask", json={"data": [q]})
                    with c.stream("GET", f"{base}/gradio_api/call/ask/{r.json()['event_id']}") as stream:
                        text = "".join(stream.iter_text())
                    out = json.loads(text.split("event: complete\ndata:", 1)[1].strip())
                    if out[1]["question"] != q:
                        mixed.append(q)
                except Exception as exc:  # noqa: BLE001 - counted
                    errors.append(repr(exc))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and mixed == []


@pytest.mark.parametrize("path", ["/gradio_api/file=../../../../etc/passwd", "/gradio_api/file=/etc/passwd",
                                  "/gradio_api/file=%2e%2e/%2e%2e/etc/passwd", "/file=../../etc/passwd"])
def test_path_traversal_is_refused(server, path):
    import httpx

    base, _ = server
    r = httpx.get(base + path, timeout=30)
    assert r.status_code in (400, 403, 404) and b"root:" not in r.content


def test_default_bind_is_loopback():
    assert from_env({}).host == "127.0.0.1"


def test_private_temp_dir_is_removed_at_exit(tmp_path):
    code = "from ui import guard; import pathlib; p = guard.prepare_temp_dir(); (pathlib.Path(p) / 'f').write_text('x'); print(p)"
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_TEMP_DIR"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    path = Path(proc.stdout.strip())
    assert path.name.startswith("planqa-gradio-") and not path.exists()


def test_server_stopped_with_sigterm_removes_its_temp_folder(tmp_path):
    import signal
    import time
    import urllib.request

    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_TEMP_DIR"}
    env.update(TMPDIR=str(temp_root), GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([sys.executable, "-m", "ui", "--no-warm-up", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        folders = list(temp_root.glob("planqa-gradio-*"))
        assert len(folders) == 1
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert b"Traceback" not in proc.stderr.read()
    assert not folders[0].exists()


def test_data_file_error_types_are_corpus_errors():
    from corpus.errors import CorpusError

    assert issubclass(DataFileError, CorpusError) and issubclass(TraceabilityError, CorpusError)


# --- CSV: nothing a spreadsheet would run, figures as numbers -------------------------------------------


PLANTED = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1", "  =1+1", "\u3000@x", "\x1b]52;c;aGk=\x07=1"]


def _cells(csv_text: str) -> list[str]:
    import csv as csv_mod

    assert csv_text.startswith("\ufeff")
    return [c for row in csv_mod.reader(io.StringIO(csv_text[1:])) for c in row]


def test_csv_cells_never_start_a_formula():
    from ui.export import csv_text, formula_leading

    text = csv_text(["列"], [[p] for p in PLANTED] + [[-5], [3.0], [98875]])
    cells = _cells(text)
    assert not [c for c in cells if formula_leading(c)]
    assert cells[1] == "'=HYPERLINK(\"http://evil.example\",\"x\")" and cells[-3:] == ["-5", "3", "98875"]
    assert "\x1b" not in text and "\x07" not in text


def test_formula_check_of_the_benchmark_sees_raw_cells():
    """The counter itself: a raw planted cell counts, a number or a neutralised one does not."""
    from ui.export import formula_leading

    assert all(formula_leading(p) for p in PLANTED[:7]) and not formula_leading("-5") and not formula_leading("'=1")


def test_indicator_csv_has_numbers_and_units_apart():
    from tests.ui_fakes import FakeEngine
    from ui.export import indicator_rows, split_figure

    answer = FakeEngine()("R2で計画を下回った事業は？")
    rows = indicator_rows(answer.indicators)
    visitors = next(r for r in rows if r[2] == "来館者数（人）")
    assert visitors[3] == "人" and visitors[4] == 98875 and visitors[6] == 51840 and visitors[5] == "漸増"
    assert split_figure("３世帯", "世帯") == 3 and split_figure("64機関/64機関", "機関") == "64機関/64機関"


def test_feedback_csv_neutralises_planted_comments(planqa_env, capsys):
    from ui.__main__ import main
    from ui.feedback import Context, FeedbackStore, Signer
    from ui.export import formula_leading

    s = Signer()
    store = FeedbackStore()
    for i, text in enumerate(PLANTED):
        store.record(s.verify(s.sign(Context(f"t{i}", text, "answered", "high", (text,)))), "down", text)
    assert main(["feedback", "--csv"]) == 0
    cells = _cells(capsys.readouterr().out)
    assert len(cells) >= 6 * len(PLANTED) and not [c for c in cells if formula_leading(c)]


# --- feedback store: every fault is a message, never a traceback ----------------------------------------


def _signed(question: str = "児童館の来館者数は？", turn: str = "t1") -> tuple:
    from ui.feedback import Context, Signer

    s = Signer()
    return s, s.sign(Context(turn, question, "answered", "high", ("児童館事業・結果の説明（p.2）",)))


def _desk(path: Path, **kw):
    from ui.feedback import FeedbackDesk, FeedbackStore

    signer, token = _signed()
    return FeedbackDesk(FeedbackStore(path, **kw), signer), token


def _japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" for ch in text)


def _make_db(path: Path) -> None:
    from ui.feedback import FeedbackStore

    signer, token = _signed()
    FeedbackStore(path).record(signer.verify(token), "up")


@pytest.mark.parametrize("fault", ["directory", "corrupt header", "truncated", "capacity"])
def test_feedback_faults_are_refused_in_japanese(tmp_path, fault, caplog):
    path = tmp_path / "f.sqlite3"
    kw = {}
    if fault == "directory":
        path.mkdir()
    elif fault == "corrupt header":
        path.write_bytes(b"not sqlite" * 500)
    elif fault == "truncated":
        _make_db(path)
        path.write_bytes(path.read_bytes()[:1500])
    else:
        _make_db(path)
        kw["max_bytes"] = 1
    desk, token = _desk(path, **kw)
    out = desk.receive({"token": token, "vote": "down", "comment": "意見"}, "127.0.0.1")
    assert out["ok"] is False and _japanese(out["message"])
    assert "Traceback" not in caplog.text and str(path) in caplog.text


def test_feedback_on_a_full_disk_and_a_read_only_file(tmp_path, monkeypatch):
    """SQLite's own errors for both (the real faults are made by benchmarks/reliability.py)."""
    import sqlite3

    from ui import feedback

    real_connect = sqlite3.connect

    def connect_with(pragma):
        def connect(*a, **kw):
            con = real_connect(*a, **kw)
            con.execute(pragma)
            return con
        return connect

    from ui.feedback import Context, FeedbackDesk, FeedbackStore, Signer

    path = tmp_path / "f.sqlite3"
    _make_db(path)
    signer = Signer()
    for pragma, message in (("PRAGMA max_page_count = 3", feedback.FULL), ("PRAGMA query_only = 1", feedback.READ_ONLY)):
        monkeypatch.setattr(sqlite3, "connect", connect_with(pragma))
        desk = FeedbackDesk(FeedbackStore(path), signer)
        answers = [desk.receive({"token": signer.sign(Context(f"n{i}", "質問", "answered", "high", ())), "vote": "up",
                                 "comment": "あ" * 1000}, f"c{i}") for i in range(6)]
        assert {"ok": False, "message": message} in answers


def test_a_vote_that_cannot_wait_for_the_lock_is_kept_and_written_later(tmp_path):
    import sqlite3
    import time

    path = tmp_path / "f.sqlite3"
    _make_db(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    desk, token = _desk(path, lock_wait=0.1)
    desk.retry_after = 0.2
    out = desk.receive({"token": token, "vote": "down", "comment": "あとで"}, "c")
    assert out["ok"] is True and "少し後で" in out["message"] and desk.pending == 1
    holder.execute("COMMIT")
    holder.close()
    deadline = time.monotonic() + 5
    while desk.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    from ui.feedback import FeedbackStore

    assert desk.pending == 0 and [e.comment for e in FeedbackStore(path).entries()] == ["あとで"]


def test_feedback_rate_limit_per_client(tmp_path):
    from ui.feedback import FeedbackDesk, FeedbackStore, RateLimit

    signer, token = _signed()
    desk = FeedbackDesk(FeedbackStore(tmp_path / "f.sqlite3"), signer, RateLimit(votes=3, window=60))
    got = [desk.receive({"token": token, "vote": "up"}, "10.0.0.1")["ok"] for _ in range(5)]
    assert got == [True, True, True, False, False]
    assert desk.receive({"token": token, "vote": "up"}, "10.0.0.2")["ok"] is True  # another client


@pytest.mark.parametrize("token", ["abc.ｘｙｚ", "abc.\udc80", "x" * 10 + ".", "", "ひらがな", "=.=", "e30.0"])
def test_any_token_text_is_a_refusal(token):
    from ui.feedback import FeedbackError

    signer, _ = _signed()
    with pytest.raises(FeedbackError):
        signer.verify(token)


def test_ui_feedback_cli_on_broken_files(tmp_path):
    for name, make in (("dir", lambda p: p.mkdir()), ("corrupt", lambda p: p.write_bytes(b"x" * 4096))):
        path = tmp_path / name / "feedback.sqlite3"
        path.parent.mkdir()
        make(path)
        for extra in ([], ["--csv"]):
            proc = run(["-m", "ui", "feedback", *extra], env={"PLANQA_HOME": str(path.parent)})
            assert_clean(proc)
            assert proc.returncode == 2 and proc.stderr.decode().startswith("error: ") and str(path).encode() in proc.stderr


def test_ui_feedback_text_is_terminal_safe(planqa_env, capsys):
    from ui.__main__ import main
    from ui.feedback import Context, FeedbackStore, Signer

    s = Signer()
    evil = "ok\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\n2026-01-01T00:00:00+00:00  👍  answered/high\u202e"
    FeedbackStore().record(s.verify(s.sign(Context("t", evil, "answered", "high", ()))), "down", evil)
    assert main(["feedback"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]52" in out and out.count("\n") == 3  # one header line, 質問 and 意見: no forged line


# --- sessions: an API call leaves nothing; a page's session keeps only its frame --------------------------

from ui import guard  # noqa: E402 - the web tests below share it


def _ask(base: str, question: str) -> str:
    """Ask through the API; the call's event id (its session id too)."""
    import httpx

    with httpx.Client(timeout=60) as c:
        r = c.post(f"{base}/gradio_api/call/ask", json={"data": [question]})
        assert r.status_code == 200, r.text
        event = r.json()["event_id"]
        with c.stream("GET", f"{base}/gradio_api/call/ask/{event}") as stream:
            text = "".join(stream.iter_text())
    assert "event: complete" in text
    return event


def _holder():
    return server_demo().server_app.state_holder


def test_api_calls_leave_no_session_and_no_text(server):
    from ui.sessions import SessionHolder

    base, _ = server
    holder = _holder()
    assert isinstance(holder, SessionHolder)
    events = [_ask(base, f"児童館の来館者数は？ 目印{i}") for i in range(5)]
    queue = server_demo()._queue
    assert not set(events) & set(holder.session_data)
    assert not set(events) & (set(queue.pending_event_ids_session) | set(queue.pending_messages_per_session))
    assert not any("目印" in repr(vars(v)) for v in holder.session_data.values())


def test_a_page_session_keeps_its_frame_but_no_text(server):
    import httpx

    from qa.frame import Frame

    base, _ = server
    fn = guard.question_fn_ids(server_demo())[0]
    session = "pagesession0001"
    with httpx.Client(timeout=60) as c:
        r = c.post(f"{base}/gradio_api/queue/join", json={"data": ["児童館の来館者数は？ 目印P", None, None],
                                                          "fn_index": fn, "session_hash": session})
        assert r.status_code == 200, r.text
        with c.stream("GET", f"{base}/gradio_api/queue/data", params={"session_hash": session}) as stream:
            text = "".join(stream.iter_text())
    assert "process_completed" in text
    state = _holder().session_data[session]
    assert state.config_values == {}
    assert [type(v) for v in state.state_data.values() if v is not None and not isinstance(v, str)] == [Frame]
    assert "目印" not in repr(state.state_data) and "目印" not in repr(vars(state))


def test_idle_sessions_end_unless_a_page_holds_them():
    import datetime

    from ui.sessions import SessionHolder

    holder = SessionHolder(idle=60, closed=3600)
    holder.blocks = type("B", (), {"default_config": type("C", (), {"blocks": {}, "fns": {}, "__copy__": lambda s: s})()})()
    for sid in ("api", "page", "closed"):
        holder.session_data[sid] = type("S", (), {"is_closed": sid == "closed"})()
        holder.time_last_used[sid] = datetime.datetime.now() - datetime.timedelta(seconds=120)
    holder.page_opened("page")
    assert holder.sweep() == 1 and set(holder.session_data) == {"page", "closed"}
    holder.page_closed("page")
    assert holder.sweep() == 1 and set(holder.session_data) == {"closed"}
    later = datetime.datetime.now() + datetime.timedelta(hours=2)
    assert holder.sweep(later) == 1 and not holder.session_data


# --- the guard's remaining gaps -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/monitoring", "/monitoring/summary", "/monitoring/abc",
                                  "/gradio_api/deep_link?session_hash=x", "/gradio_api/stream/x/1/2/playlist.m3u8",
                                  "/gradio_api/run-history/records", "/gradio_api/vibe-code", "/gradio_api/dev/reload"])
def test_unused_routes_are_closed(server, path):
    import httpx

    base, _ = server
    r = httpx.get(base + path, timeout=30)
    assert r.status_code == 404 and "ありません" in r.json()["error"]


@pytest.mark.parametrize("name", ["reset", "choose_document", "filter_projects", "send_feedback", "lambda", "predict"])
def test_internal_handlers_are_not_callable_by_name(server, name):
    base, _ = server
    for route in ("call", "run", "call/v2"):
        r = _post(f"{base}/gradio_api/{route}/{name}", json.dumps({"data": ["x"]}).encode())
        assert r.status_code == 404 and name in r.json()["error"], (route, r.text)


@pytest.mark.parametrize("body, status, needle", [
    (b"", 400, "本文が空"),
    (b"   ", 400, "本文が空"),
    (json.dumps({"data": ["児童館", "x"]}).encode(), 400, "質問1つだけ"),
    (("[" * 3000 + "]" * 3000).encode(), 400, "入れ子が深すぎ"),
    (('{"data": [' + "{\"a\": " * 2000 + "1" + "}" * 2000 + "]}").encode(), 400, "入れ子が深すぎ"),
])
def test_api_body_problems_get_japanese_messages(server, body, status, needle):
    base, engine = server
    before = len(engine.calls)
    r = _post(f"{base}/gradio_api/call/ask", body)
    assert r.status_code == status and needle in r.json()["error"]
    assert len(engine.calls) == before


@pytest.mark.parametrize("path", ["/gradio_api/queue/join", "/gradio_api/cancel", "/gradio_api/reset",
                                  "/gradio_api/component_server", "/gradio_api/run/predict"])
def test_deep_or_empty_bodies_on_any_route(server, path):
    base, _ = server
    assert _post(base + path, b"").status_code == 400
    r = _post(base + path, ("{\"data\": " + "[" * 5000 + "]" * 5000 + "}").encode())
    assert r.status_code == 400 and "入れ子" in r.json()["error"]


@pytest.mark.parametrize("fn_index", ['"1"', "1.0", "true", "null", "99999", "-1"])
def test_fn_index_must_be_a_known_integer(server, fn_index):
    base, _ = server
    for path in ("/gradio_api/queue/join", "/gradio_api/run/predict"):
        body = ('{"data": ["児童館", null, null], "fn_index": ' + fn_index + ', "session_hash": "abc"}').encode()
        r = _post(base + path, body)
        # run/predict without an fn_index is a call by the name "predict", which no endpoint has
        assert (r.status_code, "fn_index" in r.json()["error"]) in ((400, True), (404, False)), (path, fn_index, r.text)


def test_page_calls_with_the_wrong_number_of_inputs_are_refused(server):
    base, _ = server
    demo = server_demo()
    reset = next(i for i, f in demo.fns.items() if getattr(f.fn, "__name__", "") == "reset")
    ask = guard.question_fn_ids(demo)[0]
    r = _post(f"{base}/gradio_api/queue/join", json.dumps({"data": ["児童館"], "fn_index": ask, "session_hash": "s1"}).encode())
    assert r.status_code == 400 and "必要なのは 3 個" in r.json()["error"]
    r = _post(f"{base}/gradio_api/run/predict", json.dumps({"data": [1, 2], "fn_index": reset, "session_hash": "s1"}).encode())
    assert r.status_code == 400 and "必要なのは 0 個" in r.json()["error"]


@pytest.mark.parametrize("body", [{"session_hash": "x", "component_id": 99999, "fn_name": "send_feedback", "data": []},
                                  {"session_hash": "x", "component_id": "1", "fn_name": "send_feedback", "data": []},
                                  {"session_hash": ["x"], "component_id": 1, "fn_name": "send_feedback", "data": []}])
def test_unknown_components_are_refused(server, body):
    base, _ = server
    r = _post(f"{base}/gradio_api/component_server", json.dumps(body).encode())
    assert r.status_code in (400, 404) and r.json()["error"]


@pytest.mark.parametrize("path", ["/gradio_api/queue/data?session_hash=nosuchsession", "/gradio_api/call/ask/nosuchevent",
                                  "/gradio_api/call/v2/ask/nosuchevent"])
def test_unknown_sessions_and_events_get_a_404_before_any_stream(server, path):
    import httpx

    base, _ = server
    r = httpx.get(base + path, timeout=30)
    assert r.status_code == 404 and "受付番号" in r.json()["error"]


def test_feedback_through_the_server_with_a_non_ascii_signature(server):
    base, _ = server
    demo = server_demo()
    component = next(iter(guard.server_functions(demo)))
    r = _post(f"{base}/gradio_api/component_server",
              json.dumps({"session_hash": "fb1", "component_id": component, "fn_name": "send_feedback",
                          "data": [{"token": "abc.ｘｙｚ", "vote": "up"}]}, ensure_ascii=False).encode())
    assert r.status_code == 200 and r.json()["ok"] is False and "評価できません" in r.json()["message"]


def test_host_header_must_name_the_server(tmp_path_factory):
    import httpx

    from tests.ui_fakes import FakeEngine
    from ui.app import build_app

    demo = build_app(FakeEngine())
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False,
                **guard.launch_kwargs(demo, host="127.0.0.1", port=port))
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/config", timeout=30).status_code == 200
        assert httpx.get(base + "/config", headers={"host": f"localhost:{port}"}, timeout=30).status_code == 200
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", f"10.1.2.3:{port}"):
            r = httpx.get(base + "/config", headers={"host": host}, timeout=30)
            assert r.status_code == 421 and "evil" not in r.text.replace(host, "") and "接続できません" in r.json()["error"]
    finally:
        demo.close()


def test_allowed_hosts_follow_the_bound_address():
    assert guard.host_ok("127.0.0.1:7860", guard.allowed_hosts("127.0.0.1", 7860))
    assert not guard.host_ok("evil.example:7860", guard.allowed_hosts("127.0.0.1", 7860))
    wildcard = guard.allowed_hosts("0.0.0.0", 7860)
    assert wildcard is None and guard.host_ok("192.168.1.5:7860", wildcard) and guard.host_ok("[fe80::1]:7860", wildcard)
    assert not guard.host_ok("evil.example", wildcard) and guard.host_ok("plan.example:80", wildcard, frozenset({"plan.example"}))
    named = guard.allowed_hosts("plan.example", 443, ["www.plan.example"])
    assert guard.host_ok("www.plan.example:443", named) and not guard.host_ok("localhost:443", named)


def test_markup_in_a_question_is_not_read_as_language():
    from qa.understand.preprocess import language
    from tests.ui_fakes import FakeEngine
    from ui.app import ChatHandler
    from ui.render import PageIndex

    engine = FakeEngine()
    handler = ChatHandler(engine, PageIndex([engine.plan]))
    handler.reply("<img src=x onerror=alert(1)>児童館")
    assert engine.calls[-1][0] == "児童館" and language(engine.calls[-1][0]) == "ja"
    assert guard.plain_question("1 < 2 かつ 3 > 2 の事業") == "1 < 2 かつ 3 > 2 の事業"


# --- connections: incomplete requests time out, open sockets are capped ---------------------------------


def _half_sent(port: int, n: int) -> list:
    sockets = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the head never ends
        sockets.append(s)
    return sockets


def _closed(s: socket.socket, wait: float = 3.0) -> bool:
    s.settimeout(wait)
    try:
        data = s.recv(200)
    except (socket.timeout, OSError):
        return False
    return data == b"" or data.startswith(b"HTTP/1.1 408")


def test_half_sent_requests_are_closed_after_the_head_timeout(server, monkeypatch):
    import httpx

    from ui.connections import GuardedH11Protocol

    base, _ = server
    monkeypatch.setattr(GuardedH11Protocol, "header_timeout", 0.5)
    port = int(base.rsplit(":", 1)[1])
    sockets = _half_sent(port, 30)
    try:
        assert httpx.get(base + "/config", timeout=10).status_code == 200  # others are served meanwhile
        assert all(_closed(s) for s in sockets)
    finally:
        for s in sockets:
            s.close()


def test_connections_beyond_the_cap_are_closed_at_once(server, monkeypatch):
    import httpx

    from ui.connections import GuardedH11Protocol

    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    monkeypatch.setattr(GuardedH11Protocol, "max_per_client", 10)
    sockets = _half_sent(port, 10)
    extra = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        assert _closed(extra, wait=2.0)
    finally:
        extra.close()
        for s in sockets:
            s.close()
    import time

    time.sleep(0.3)
    assert httpx.get(base + "/config", timeout=10).status_code == 200


def test_a_body_that_does_not_arrive_in_time_is_refused():
    import asyncio

    async def never_more():
        await asyncio.sleep(3600)

    sent = []

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):  # pragma: no cover - must not be reached
        raise AssertionError("the app got a request whose body never came")

    first = True

    async def receive():
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b'{"data": ["', "more_body": True}
        await never_more()

    g = guard.RequestGuard(app, body_timeout=0.2)
    scope = {"type": "http", "method": "POST", "path": "/gradio_api/call/ask", "headers": []}
    asyncio.run(g(scope, receive, send))
    assert sent[0]["status"] == 408 and "秒以内" in json.loads(sent[1]["body"])["error"]


def test_refused_accepts_are_logged_once_without_a_traceback():
    import logging

    from ui.connections import AcceptErrorFilter

    f = AcceptErrorFilter(every=60)
    try:
        raise OSError(24, "Too many open files")
    except OSError:
        import sys as _sys

        exc_info = _sys.exc_info()
    records = [logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "socket.accept() out of system resource\n"
                                 "exception: OSError", (), exc_info) for _ in range(5)]
    kept = [r for r in records if f.filter(r)]
    assert len(kept) == 1 and kept[0].exc_info is None and "file descriptors" in kept[0].getMessage()
    other = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "something else", (), None)
    assert f.filter(other)


def test_long_questions_take_at_most_their_share_of_the_workers():
    import threading

    from tests.ui_fakes import FakeEngine
    from ui.app import ChatHandler
    from ui.render import PageIndex

    release = threading.Event()

    class Slow(FakeEngine):
        def __call__(self, question, **kw):
            if len(question) > 200:
                release.wait(10)
            return super().__call__(question, **kw)

    engine = Slow()
    handler = ChatHandler(engine, PageIndex([engine.plan]), long_questions=guard.LongQuestions(1))
    long_q = "子育ての相談です。" * 30
    first = threading.Thread(target=handler, args=(long_q, None, ""))
    first.start()
    import time

    time.sleep(0.2)
    markdown, data, *_ = handler(long_q + "二つ目", None, "")
    assert data["status"] == "refused" and "長い質問が同時に多く" in markdown
    markdown, data, *_ = handler("児童館の来館者数は？", None, "")  # a normal question is answered meanwhile
    assert data["status"] == "answered"
    release.set()
    first.join()
    markdown, data, *_ = handler(long_q, None, "")
    assert data["status"] == "answered"


def worker_pid(question: str, **kwargs) -> tuple[int, str]:
    """A stand-in for the engine in the long questions' process: which process answered."""
    import os

    return os.getpid(), question[:5]


def test_long_questions_are_answered_in_a_process_of_their_own():
    import os

    lanes = guard.LongQuestions(2, worker=worker_pid)
    try:
        pid, start = lanes.answer(lambda q, **kw: (os.getpid(), q[:5]), "あ" * 300)
        assert pid != os.getpid() and start == "あああああ"
        assert lanes.answer(lambda q, **kw: (os.getpid(), q[:5]), "児童館")[0] == os.getpid()
        assert lanes.answer(lambda q, **kw: None, "い" * 300)[0] == pid  # the same worker, loaded once
    finally:
        lanes.close()
