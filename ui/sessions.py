"""What the server keeps per session, and for how long: the previous answer's Frame, no text.

Gradio keeps a ``SessionState`` for every session id it sees: the value of every component a
session's events read or wrote (the question box, the answer's Markdown and JSON, the rendered
turn) and a copy of every component's configuration, about 110 KB, for up to 10,000 sessions.
Every ``/gradio_api/call/ask`` is a session of its own, so each API call would leave its question
and answer in memory (3,000 calls: +370 MB).

Here a session keeps only its ``gr.State`` values, the previous answer's ``Frame`` and the chosen
document (ids and slots), plus Gradio's per-session list of functions; what requests read or
wrote is never copied into it. And sessions end:

* an API call's own session (its id is the call's event id) as soon as its result has been read;
* a session that no open page holds (the page keeps a heartbeat stream open) after
  ``IDLE_S`` without an event;
* a page's session ``CLOSED_S`` after its page went away (Gradio's own grace period);
* the least recently used ones beyond ``CAPACITY``.

``lifespan`` installs this when the server starts (``ui.guard.launch_kwargs`` passes it to
Gradio); ``SessionKeeper`` is the ASGI middleware that sees heartbeats and finished API calls.
"""
from __future__ import annotations

import asyncio
import datetime
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from copy import copy
from typing import Any

from gradio.state_holder import SessionState, StateHolder

IDLE_S = 600.0  # a session without a page: dropped 10 minutes after its last event
CLOSED_S = 3600.0  # a page's session: kept an hour after the page went away, as Gradio does
CAPACITY = 10_000  # sessions at most (each a few KB once no values are kept)
SWEEP_S = 10.0


class TextFreeSessionState(SessionState):
    """A session that keeps its ``gr.State`` values and updated components, never a request's values."""

    def __init__(self, blocks: Any):  # noqa: D107 - deliberately not calling SessionState.__init__
        self.blocks_config = copy(blocks.default_config)
        # Gradio copies every component's config here for "deep links" (turned off in ui.guard):
        # ~110 KB per session, and the values of the last request.
        self.config_values: dict[int, Any] = {}
        self.state_data: dict[int, Any] = {}
        self._state_ttl: dict[int, Any] = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = CLOSED_S

    def __setitem__(self, key: int, value: Any) -> None:
        from gradio.components import State

        block = self.blocks_config.blocks.get(key)
        if isinstance(block, State):
            self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
            self.state_data[key] = value
        else:  # an updated component (new choices of a dropdown): kept, it holds no request value
            self.blocks_config.blocks[key] = value

    def _update_value_in_config(self, key: int, value: Any) -> None:
        """Gradio records each input and output value here; this session keeps none (no question, no answer)."""

    def _update_config(self, key: int) -> None:
        """Not kept either: nothing reads it once deep links are closed."""


class SessionHolder(StateHolder):
    """Gradio's ``StateHolder`` with text-free sessions that end (see the module docstring)."""

    def __init__(self, capacity: int = CAPACITY, idle: float = IDLE_S, closed: float = CLOSED_S):
        super().__init__()
        self.capacity = capacity
        self.idle = idle
        self.closed = closed
        self._pages: dict[str, int] = {}  # session id -> open heartbeat streams
        self._pages_lock = threading.Lock()

    def set_blocks(self, blocks: Any) -> None:
        super().set_blocks(blocks)
        self.capacity = min(self.capacity, blocks.state_session_capacity)

    def __getitem__(self, session_id: str) -> SessionState:
        with self.lock:
            state = self.session_data.get(session_id)
            if state is None:
                state = self.session_data[session_id] = TextFreeSessionState(self.blocks)
        self.update(session_id)
        self.time_last_used[session_id] = datetime.datetime.now()
        return state

    def page_opened(self, session_id: str) -> None:
        with self._pages_lock:
            self._pages[session_id] = self._pages.get(session_id, 0) + 1

    def page_closed(self, session_id: str) -> None:
        with self._pages_lock:
            left = self._pages.get(session_id, 0) - 1
            if left > 0:
                self._pages[session_id] = left
            else:
                self._pages.pop(session_id, None)

    def has_page(self, session_id: str) -> bool:
        return session_id in self._pages

    def drop(self, session_id: str) -> None:
        """Forget a session now: its State values and components, and the queue's notes about it."""
        if self.has_page(session_id):
            return
        with self.lock:
            self.session_data.pop(session_id, None)
            self.time_last_used.pop(session_id, None)
        _forget_in_queue(getattr(getattr(self, "blocks", None), "_queue", None), session_id)

    def sweep(self, now: datetime.datetime | None = None) -> int:
        """Drop sessions no page holds that were idle too long; how many were dropped."""
        now = now or datetime.datetime.now()
        dropped = 0
        for session_id in list(self.session_data):
            if self.has_page(session_id):
                continue
            state = self.session_data.get(session_id)
            last = self.time_last_used.get(session_id)
            if state is None:
                continue
            limit = self.closed if state.is_closed else self.idle
            if last is None or (now - last).total_seconds() > limit:
                self.drop(session_id)
                dropped += 1
        return dropped

    def __len__(self) -> int:
        return len(self.session_data)


def _forget_in_queue(queue: Any, session_id: str) -> None:
    """Gradio's queue keeps, per session, a message queue and a set of event ids after the events
    finished (and per event a timing record for its monitoring page, closed here; Gradio keeps at
    most 10,000 of those): drop them once the session is gone. Only finished sessions get here: a session with events pending keeps them."""
    if queue is None:
        return
    pending = getattr(queue, "pending_event_ids_session", {})
    if pending.get(session_id):
        return  # an event of this session is still running or undelivered
    pending.pop(session_id, None)
    messages = getattr(queue, "pending_messages_per_session", None)
    if messages is not None and session_id in messages:
        try:
            del messages[session_id]
        except KeyError:
            pass
    getattr(queue, "event_analytics", {}).pop(session_id, None)  # an API call's event id is its session id


def install(app: Any, holder: SessionHolder | None = None) -> SessionHolder:
    """Give a Gradio server app (and its Blocks) a ``SessionHolder``; call before it serves."""
    holder = holder or SessionHolder()
    blocks = app.get_blocks()
    holder.set_blocks(blocks)
    for session_id, state in list(getattr(app.state_holder, "session_data", {}).items()):
        holder.session_data[session_id] = state  # nothing yet at start-up; kept for completeness
    app.state_holder = holder
    return holder


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Gradio app lifespan: text-free sessions, swept every ``SWEEP_S`` seconds while the server runs."""
    holder = install(app)

    async def sweep() -> None:
        while True:
            await asyncio.sleep(SWEEP_S)
            holder.sweep()

    task = asyncio.create_task(sweep())
    try:
        yield
    finally:
        task.cancel()


class SessionKeeper:
    """ASGI middleware: tells the sessions which ids a page holds open and which API calls are done.

    A page keeps ``GET /gradio_api/heartbeat/<session>`` open while it is shown. An API call
    reads its result from ``GET /gradio_api/call/<name>/<event>``; once that stream has ended,
    the call's own session (named after its event) is dropped.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        holder = _holder(scope)
        if scope["type"] != "http" or scope["method"] != "GET" or holder is None:
            await self.app(scope, receive, send)
            return
        parts = scope["path"].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == "heartbeat":
            holder.page_opened(parts[-1])
            try:
                await self.app(scope, receive, send)
            finally:
                holder.page_closed(parts[-1])
            return
        call = "call" in parts[:-2] and len(parts) >= 4
        await self.app(scope, receive, send)
        if call:
            holder.drop(parts[-1])


def _holder(scope: dict) -> SessionHolder | None:
    app = scope.get("app")
    holder = getattr(app, "state_holder", None)
    return holder if isinstance(holder, SessionHolder) else None


__all__ = ["CAPACITY", "CLOSED_S", "IDLE_S", "SessionHolder", "SessionKeeper", "TextFreeSessionState", "install",
           "lifespan"]
