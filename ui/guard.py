"""Limits of the web server, enforced before a request reaches Gradio.

* The ``Host`` header must name the address the server was started on (and, on loopback, its
  other loopback names): a page loaded through another name (DNS rebinding, ``Host:
  evil.example``) is refused (421), so Gradio never builds its links from a foreign name.
* A request body larger than ``MAX_BODY_BYTES`` is refused (413) before it is read, so an
  oversized question never reaches the session state or the answer engine; a body that is not
  complete within ``BODY_TIMEOUT_S`` is refused (408) and its connection closed.
* Routes the app does not use are closed (404): uploads, monitoring, deep links, run history,
  media streams, the proxy and development routes; by API name only ``ask`` is callable.
* Every JSON body is checked before Gradio parses it: empty, not UTF-8, invalid, nested deeper
  than ``MAX_JSON_DEPTH``, a lone surrogate (``"\\ud800"``), an ``fn_index`` that is not a known
  function's integer id, ``data`` that is not a list of that function's inputs, a question that
  is not a string, a component function that does not exist. Each gets a Japanese message (400)
  instead of Gradio's ``{"error": null}``, an English 422 or a 500 with a traceback.
* Result streams of unknown sessions or events are answered 404 in Japanese instead of a stream
  that fails once started (one ASGI traceback each).

``launch_kwargs(demo)`` returns what ``Blocks.launch`` needs to install all this (with the
text-free sessions of ``ui.sessions`` and the connection limits of ``ui.connections``).
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import ipaddress
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

MAX_BODY_BYTES = 64 * 1024  # a 2,000-character question is at most ~12 KB of JSON, even fully escaped
MAX_JSON_DEPTH = 32  # Gradio's own bodies nest 4 deep; 3,000 levels made the parser recurse out (500)
BODY_TIMEOUT_S = 15.0  # a body that trickles in slower than this is refused
CACHE_CLEANUP = (3600, 3600)  # Gradio deletes its temp files older than an hour, every hour

# What the client reads (Japanese).
TOO_LARGE = "リクエストが大きすぎます（{n:,}バイト、上限は{limit:,}バイト）。質問は2,000文字以内で送ってください。"
TOO_SLOW = "リクエストの本文が{seconds:g}秒以内に届きませんでした。もう一度送ってください。"
NO_UPLOADS = "このサーバーはファイルを受け付けません。"
NOT_FOUND = "このURLはありません。"
WRONG_HOST = "このサーバーには「{host}」という名前では接続できません。{expected} で開いてください。"
NOT_UTF8_JSON = "リクエストが UTF-8 の JSON として読めません。"
BAD_JSON = "リクエストの JSON が正しくありません。例: {\"data\": [\"児童館の来館者数は？\"]}"
EMPTY_BODY = "リクエストの本文が空です。例: {\"data\": [\"児童館の来館者数は？\"]}"
TOO_DEEP = "リクエストの JSON の入れ子が深すぎます（上限は{limit}段）。"
LONE_SURROGATE = "質問に文字として読めない符号（対になっていないサロゲート {code}）が含まれています。UTF-8 の文字で送ってください。"
NO_QUESTION = "質問がありません。data の1つ目に質問を文字列で入れてください。例: {\"data\": [\"児童館の来館者数は？\"]}"
NOT_A_STRING = "質問は文字列で送ってください（受け取ったのは {kind} です）。例: {{\"data\": [\"児童館の来館者数は？\"]}}"
EXTRA_DATA = "data に入れるのは質問1つだけです（受け取ったのは {n} 個です）。例: {{\"data\": [\"児童館の来館者数は？\"]}}"
UNKNOWN_API = "「{name}」という API はありません。使えるのは /ask です。"
BAD_FN_INDEX = "fn_index は画面の関数の番号（整数）で送ってください。"
BAD_INPUTS = "data の数がこの関数の入力と合いません（{n} 個、必要なのは {want} 個）。"
BAD_SESSION = "session_hash を文字列で送ってください。"
BAD_COMPONENT = "その部品の関数はありません。"
NO_EVENT = "その質問の受付番号（event_id / session_hash）は見つかりません。質問を送り直してください。"
LONG_BUSY = ("長い質問が同時に多く届いているため、いまは答えられません。少し待ってからもう一度送るか、"
             "質問を{limit:,}文字以内に短くしてください。")

LONG_QUESTION_CHARS = 200  # normal questions are 10-60 characters; a long one costs up to ~2 s of CPU

_KINDS = {list: "配列", dict: "オブジェクト", int: "数値", float: "数値", bool: "真偽値"}
_FILE_ENDPOINTS = ("/upload", "/process_recording")
# routes of Gradio this app never uses: closed whatever the method
_CLOSED = re.compile(
    r"^/(monitoring|gradio_api/deep_link|gradio_api/runs|gradio_api/run-history|gradio_api/stream|gradio_api/proxy="
    r"|gradio_api/vibe-edit|gradio_api/undo-vibe-edit|gradio_api/vibe-code|gradio_api/dev|gradio_api/custom_component"
    r"|gradio_api/upload_progress)(/|$)")
_QUESTION_PATHS = ("call", "run", "api")  # /gradio_api/call/ask, /gradio_api/call/v2/ask, /gradio_api/run/ask …
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]{0,30}(?:\s[^<>]{0,500})?/?>|<!--.{0,500}?-->", re.S)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


def _lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in any string inside ``value`` (as ``\\udXXX``), else None."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            for ch in v:
                if "\ud800" <= ch <= "\udfff":
                    return f"\\u{ord(ch):04x}"
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return None


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def question_problem(data: Any, *, inputs: int | None = 1) -> str | None:
    """A Japanese message when ``data`` (a request's ``data`` field) carries no usable question.

    ``inputs``: how many items ``data`` must have (1 for the API; the page also sends its states).
    """
    if not isinstance(data, list) or not data:
        return NO_QUESTION
    question = data[0]
    if question is not None and not isinstance(question, str):
        return NOT_A_STRING.format(kind=_KINDS.get(type(question), type(question).__name__))
    if inputs is not None and len(data) != inputs:
        return EXTRA_DATA.format(n=len(data)) if inputs == 1 else BAD_INPUTS.format(n=len(data), want=inputs)
    return None


def plain_question(text: str) -> str:
    """A question without HTML/XML tags (「<img src=x onerror=…>児童館」 asks about 児童館): markup is not language."""
    stripped = _TAG.sub(" ", text)
    return " ".join(stripped.split()) if stripped != text else text


class LongQuestions:
    """At most ``slots`` long questions are admitted at once, and they are answered apart.

    The server answers ``concurrency`` questions at a time; a long question holds its worker for
    seconds. Without a cap, a few clients sending long questions would hold every worker and
    normal questions would queue behind them; a long question over the cap is refused at once
    with a Japanese message.

    An admitted long question is answered, one at a time, by ``worker`` in a process of its own
    (for the real engine ``answer_in_worker``: the engine loads there once, ~200 MB, on the first
    long question), so its ~0.4 s of Python and ~1 s of encoding compete with normal questions
    neither for the interpreter lock nor for the encoder; only for the cores, which the operating
    system shares. Without a worker (a fake engine in tests) they run one at a time on a thread.
    """

    def __init__(self, slots: int, long_chars: int = LONG_QUESTION_CHARS, *,
                 worker: Callable[..., Any] | None = None):
        self.slots = max(1, slots)
        self.long_chars = long_chars
        self.worker = worker  # a module-level function (it is called in another process)
        self._free = threading.BoundedSemaphore(self.slots)
        self._pool: Any = None
        self._pool_lock = threading.Lock()

    def is_long(self, question: str) -> bool:
        return len(question) > self.long_chars

    @contextlib.contextmanager
    def admit(self, question: str):
        """Yields True when the question may be answered now."""
        if not self.is_long(question):
            yield True
            return
        if not self._free.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            self._free.release()

    def answer(self, answer_fn: Callable[..., Any], question: str, **kwargs: Any) -> Any:
        """``answer_fn(question, **kwargs)``: here for a normal question, apart for a long one."""
        if not self.is_long(question):
            return answer_fn(question, **kwargs)
        from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

        pool = self._executor()
        target = self.worker or answer_fn
        try:
            return pool.submit(target, question, **kwargs).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): a new one next time
            with self._pool_lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def _executor(self) -> Any:
        with self._pool_lock:
            if self._pool is None:
                from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor  # noqa: PLC0415

                if self.worker is not None:
                    import multiprocessing  # noqa: PLC0415

                    self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_worker_start)
                else:
                    self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planqa-long-question")
            return self._pool

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def refusal(self) -> str:
        return LONG_BUSY.format(limit=self.long_chars)


def _worker_start() -> None:
    """In the long questions' process: Ctrl+C is for the server, which stops this process itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def answer_in_worker(question: str, **kwargs: Any) -> Any:
    """The real engine's answer, in the long questions' process (the engine loads once, on first use)."""
    import qa  # noqa: PLC0415

    return qa.answer(question, **kwargs)


def allowed_hosts(host: str, port: int | None, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The ``Host`` header values the server answers, from the address it was started on.

    Loopback: its loopback names. A wildcard address (0.0.0.0, ::): any IP literal and
    ``localhost`` (the machine's own addresses), plus ``extra`` names. Another address or name:
    that one, plus ``extra``. Each with and without ``:port``.
    """
    names = {host.strip("[]").lower()} | {e.lower() for e in extra if e}
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if host == "localhost" or (ip is not None and ip.is_loopback):
        names |= set(_LOOPBACK_NAMES)
    if ip is not None and ip.is_unspecified:
        return None  # checked by host_ok: IP literals and localhost, plus extra names
    out = set()
    for n in names:
        bare = n.strip("[]")
        shown = f"[{bare}]" if ":" in bare else bare
        out |= {shown, f"{shown}:{port}"} if port else {shown}
    return frozenset(out)


def _host_name(header: str) -> str:
    """The name in a Host header: "example.com:7860" -> "example.com", "[::1]:7860" -> "::1"."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.split(":", 1)[0] if value.count(":") == 1 else value


def host_ok(header: str, allowed: frozenset[str] | None, extra: frozenset[str] = frozenset()) -> bool:
    """Whether a request's Host header names this server (``allowed``; None: a wildcard bind)."""
    if allowed is not None:
        return header.strip().lower() in allowed
    name = _host_name(header)
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name == "localhost" or name in extra


class RequestGuard:
    """ASGI middleware: host check, body size and time limits, closed routes, checked JSON input."""

    def __init__(self, app, *, max_body: int = MAX_BODY_BYTES, api_names: Iterable[str] = ("ask",),
                 fn_ids: Iterable[int] = (), fn_inputs: dict[int, int] | None = None,
                 server_fns: dict[int, frozenset[str]] | None = None, hosts: frozenset[str] | None = None,
                 extra_hosts: Iterable[str] = (), check_host: bool = False, body_timeout: float = BODY_TIMEOUT_S):
        self.app = app
        self.max_body = max_body
        self.api_names = frozenset(api_names)
        self.fn_ids = frozenset(fn_ids)
        self.fn_inputs = dict(fn_inputs or {})
        self.server_fns = dict(server_fns or {})
        self.hosts = hosts
        self.extra_hosts = frozenset(h.lower() for h in extra_hosts)
        self.check_host = check_host
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self.check_host:
            host = _header(scope, b"host") or ""
            if not host_ok(host, self.hosts, self.extra_hosts):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                expected = sorted(self.hosts)[0] if self.hosts else "このサーバーのIPアドレス"
                await _refuse(send, 421, WRONG_HOST.format(host=host[:100], expected=expected))
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/") or "/"
        if path.endswith(_FILE_ENDPOINTS):
            await _refuse(send, 403, NO_UPLOADS)
            return
        if _CLOSED.match(path):
            await _refuse(send, 404, NOT_FOUND)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            problem = self._stream_problem(scope, path)
            if problem is not None:
                await _refuse(send, 404, problem)
                return
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await _refuse(send, 413, TOO_LARGE.format(n=length, limit=self.max_body))
            return
        try:
            body = await asyncio.wait_for(self._read(receive), timeout=self.body_timeout)
        except TimeoutError:
            await _refuse(send, 408, TOO_SLOW.format(seconds=self.body_timeout))
            return
        if body is None:  # the client went away
            return
        if len(body) > self.max_body:
            await _refuse(send, 413, TOO_LARGE.format(n=len(body), limit=self.max_body))
            return
        status, problem = self._problem(path, body)
        if problem is not None:
            await _refuse(send, status, problem)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                break
        return bytes(body)

    def _problem(self, path: str, body: bytes) -> tuple[int, str | None]:
        parts = path.split("/")
        if parts[1:2] != ["gradio_api"]:
            return 200, None
        if not body.strip():
            return 400, EMPTY_BODY
        if json_depth(body) > MAX_JSON_DEPTH:
            return 400, TOO_DEEP.format(limit=MAX_JSON_DEPTH)
        named = len(parts) >= 4 and any(p in _QUESTION_PATHS for p in parts[2:-1])
        is_join = path == "/gradio_api/queue/join"
        is_component = path == "/gradio_api/component_server"
        if not (named or is_join or is_component):
            return 200, None
        try:
            payload = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            return 400, NOT_UTF8_JSON
        except (ValueError, RecursionError):
            return 400, BAD_JSON
        code = _lone_surrogate(payload)
        if code is not None:
            return 400, LONE_SURROGATE.format(code=code)
        if not isinstance(payload, dict):
            return 400, BAD_JSON
        if named and payload.get("fn_index") is None:  # by API name: only the public endpoints
            if parts[-1] not in self.api_names:
                return 404, UNKNOWN_API.format(name=parts[-1][:50])
            return 400, question_problem(payload.get("data"), inputs=1)
        session = payload.get("session_hash")
        if (session is not None and not isinstance(session, str)) or (is_join and not session):
            return 400, BAD_SESSION
        if is_component:
            component, fn_name = payload.get("component_id"), payload.get("fn_name")
            if type(component) is not int or fn_name not in self.server_fns.get(component, frozenset()):
                return 404, BAD_COMPONENT
            return 200, None
        # the page's own calls (queue/join, and run/predict for unqueued functions) name a function by index
        fn_index = payload.get("fn_index")
        if type(fn_index) is not int or (self.fn_inputs and fn_index not in self.fn_inputs):
            return 400, BAD_FN_INDEX  # "1", 1.0 and true would skip the checks below
        data = payload.get("data")
        if fn_index in self.fn_ids:
            return 400, question_problem(data, inputs=self.fn_inputs.get(fn_index))
        want = self.fn_inputs.get(fn_index)
        if want is not None and (not isinstance(data, list) or len(data) != want):
            return 400, BAD_INPUTS.format(n=len(data) if isinstance(data, list) else 0, want=want)
        return 200, None

    def _stream_problem(self, scope: Scope, path: str) -> str | None:
        """A result stream for a session or event the queue does not know fails after it started: refuse it first."""
        parts = path.split("/")
        queue = getattr(getattr(scope.get("app"), "get_blocks", lambda: None)(), "_queue", None)
        if queue is None:
            return None
        if path == "/gradio_api/queue/data":
            session = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_hash", [""])[0]
            known = session in getattr(queue, "pending_messages_per_session", {})
            return None if known else NO_EVENT
        if len(parts) >= 5 and parts[1] == "gradio_api" and "call" in parts[2:-2]:
            event = parts[-1]
            pending = getattr(queue, "pending_event_ids_session", {})
            known = (event in getattr(queue, "event_ids_to_events", {}) or event in pending
                     or any(event in ids for ids in list(pending.values())))
            return None if known else NO_EVENT
        return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def prepare_temp_dir() -> str:
    """Give Gradio a temp folder of this process's own, removed when the process ends.

    Call before the app is built (Gradio reads ``GRADIO_TEMP_DIR`` when it creates components).
    An operator's own ``GRADIO_TEMP_DIR`` is kept (and not removed).
    """
    if os.environ.get("GRADIO_TEMP_DIR"):
        return os.environ["GRADIO_TEMP_DIR"]
    path = tempfile.mkdtemp(prefix="planqa-gradio-")
    os.environ["GRADIO_TEMP_DIR"] = path
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    _stop_cleanly_on_sigterm()
    return path


def _stop_cleanly_on_sigterm() -> None:
    """Make SIGTERM (kill, systemd, a test's ``terminate()``) stop the server like Ctrl+C.

    By default SIGTERM ends the process without running ``atexit``, which would leave the temp
    folder behind; as KeyboardInterrupt, Gradio closes the server and the process exits normally.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # someone else decides what SIGTERM does

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def question_fn_ids(demo) -> list[int]:
    """Ids of the Blocks functions that take a question first: the ``ask`` endpoint's function."""
    fns = getattr(demo, "fns", {})
    handlers = {id(f.fn) for f in fns.values() if getattr(f, "api_name", None) == "ask"}
    return [i for i, f in fns.items() if id(f.fn) in handlers]


def fn_inputs(demo) -> dict[int, int]:
    """How many inputs each Blocks function takes (what the page's ``data`` must hold)."""
    return {i: len(getattr(f, "inputs", ()) or ()) for i, f in getattr(demo, "fns", {}).items()}


def server_functions(demo) -> dict[int, frozenset[str]]:
    """Component id -> names of its server functions (the page's 👍/👎 goes to one)."""
    out = {}
    for block_id, block in getattr(demo, "blocks", {}).items():
        names = frozenset(getattr(fn, "__name__", "") for fn in getattr(block, "server_fns", ()) or ())
        if names:
            out[block_id] = names
    return out


def launch_kwargs(demo, *, max_body: int = MAX_BODY_BYTES, host: str | None = None, port: int | None = None,
                  extra_hosts: Iterable[str] = ()) -> dict[str, Any]:
    """Keyword arguments for ``demo.launch`` that install the guard, text-free sessions and temp-file cleanup.

    With ``host`` (the address the server binds), requests must name it in their ``Host`` header.
    Also makes this process's uvicorn servers time out incomplete requests (``ui.connections``).
    """
    from starlette.middleware import Middleware  # noqa: PLC0415

    from ui import connections, sessions  # noqa: PLC0415

    connections.install()
    if getattr(demo, "delete_cache", None) is None:
        demo.delete_cache = CACHE_CLEANUP
    guard = Middleware(RequestGuard, max_body=max_body, fn_ids=question_fn_ids(demo), fn_inputs=fn_inputs(demo),
                       server_fns=server_functions(demo), check_host=host is not None,
                       hosts=allowed_hosts(host, port, extra_hosts) if host is not None else None,
                       extra_hosts=tuple(extra_hosts))
    keeper = Middleware(sessions.SessionKeeper)
    return {"app_kwargs": {"middleware": [guard, keeper], "lifespan": sessions.lifespan}, "max_file_size": 1}
