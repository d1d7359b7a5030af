"""Limits of the web server, enforced before a request reaches Gradio.

* A request body larger than ``MAX_BODY_BYTES`` is refused (413) before it is read, so an
  oversized question never reaches the session state or the answer engine.
* The app has no file input: Gradio's upload endpoints are closed (403) and its temp folder
  is a private one, removed when the server stops (Ctrl+C or SIGTERM).
* The chat endpoint's input is checked: ``data`` must be a list whose first item is the
  question as a string, and no string may hold a lone surrogate (``"\\ud800"``). Each case gets
  a Japanese message (400) instead of Gradio's ``{"error": null}`` or an answer to a repr.

``launch_kwargs(demo)`` returns what ``Blocks.launch`` needs to install all this.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

MAX_BODY_BYTES = 64 * 1024  # a 2,000-character question is at most ~12 KB of JSON, even fully escaped
CACHE_CLEANUP = (3600, 3600)  # Gradio deletes its temp files older than an hour, every hour

# What the client reads (Japanese).
TOO_LARGE = "リクエストが大きすぎます（{n:,}バイト、上限は{limit:,}バイト）。質問は2,000文字以内で送ってください。"
NO_UPLOADS = "このサーバーはファイルを受け付けません。"
NOT_UTF8_JSON = "リクエストが UTF-8 の JSON として読めません。"
BAD_JSON = "リクエストの JSON が正しくありません。例: {\"data\": [\"児童館の来館者数は？\"]}"
LONE_SURROGATE = "質問に文字として読めない符号（対になっていないサロゲート {code}）が含まれています。UTF-8 の文字で送ってください。"
NO_QUESTION = "質問がありません。data の1つ目に質問を文字列で入れてください。例: {\"data\": [\"児童館の来館者数は？\"]}"
NOT_A_STRING = "質問は文字列で送ってください（受け取ったのは {kind} です）。例: {{\"data\": [\"児童館の来館者数は？\"]}}"

_KINDS = {list: "配列", dict: "オブジェクト", int: "数値", float: "数値", bool: "真偽値"}
_FILE_ENDPOINTS = ("/upload", "/process_recording")
_QUESTION_PATHS = ("call", "run", "api")  # /gradio_api/call/ask, /gradio_api/call/v2/ask, /gradio_api/run/ask …

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


def question_problem(data: Any) -> str | None:
    """A Japanese message when ``data`` (a request's ``data`` field) carries no usable question."""
    if not isinstance(data, list) or not data:
        return NO_QUESTION
    question = data[0]
    if question is not None and not isinstance(question, str):
        return NOT_A_STRING.format(kind=_KINDS.get(type(question), type(question).__name__))
    return None


class RequestGuard:
    """ASGI middleware: body size limit, closed upload endpoints, checked chat input."""

    def __init__(self, app, *, max_body: int = MAX_BODY_BYTES, api_names: Iterable[str] = ("ask",),
                 fn_ids: Iterable[int] = ()):
        self.app = app
        self.max_body = max_body
        self.api_names = frozenset(api_names)
        self.fn_ids = frozenset(fn_ids)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/")
        if path.endswith(_FILE_ENDPOINTS):
            await _refuse(send, 403, NO_UPLOADS)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await _refuse(send, 413, TOO_LARGE.format(n=length, limit=self.max_body))
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await _refuse(send, 413, TOO_LARGE.format(n=len(body), limit=self.max_body))
                return
        problem = self._problem(path, bytes(body))
        if problem is not None:
            await _refuse(send, 400, problem)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _problem(self, path: str, body: bytes) -> str | None:
        parts = path.split("/")
        is_join = path.endswith("/queue/join")
        question_path = parts[-1] in self.api_names and any(p in _QUESTION_PATHS for p in parts[:-1])
        if not (is_join or question_path) or not body:
            return None
        try:
            payload = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            return NOT_UTF8_JSON
        except ValueError:
            return BAD_JSON
        code = _lone_surrogate(payload)
        if code is not None:
            return LONE_SURROGATE.format(code=code)
        if not isinstance(payload, dict):
            return BAD_JSON
        fn_index = payload.get("fn_index")
        if question_path or (isinstance(fn_index, int) and fn_index in self.fn_ids):
            return question_problem(payload.get("data"))
        return None


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
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


def launch_kwargs(demo, *, max_body: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """Keyword arguments for ``demo.launch`` that install the guard (and temp-file cleanup)."""
    from starlette.middleware import Middleware  # noqa: PLC0415

    if getattr(demo, "delete_cache", None) is None:
        demo.delete_cache = CACHE_CLEANUP
    guard = Middleware(RequestGuard, max_body=max_body, fn_ids=question_fn_ids(demo))
    return {"app_kwargs": {"middleware": [guard]}, "max_file_size": 1}
