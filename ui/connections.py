"""Connections of the web server: time limits for incomplete requests and a cap on open sockets.

Gradio serves with uvicorn, whose HTTP/1.1 protocol waits for a request's headers forever: a
client that opens a connection and sends half a request (or nothing) holds a file descriptor
until it gives up. Enough of them (21,000 were) use up the process's descriptors; then no page or
question can be served, and asyncio logs a traceback for every accept it has to refuse.

``GuardedH11Protocol`` is uvicorn's protocol with:

* ``HEADER_TIMEOUT_S``: a connection that has not sent a complete request head within that time
  (after connecting, or after its previous response) gets ``408 Request Timeout`` and is closed;
  bodies have their own limit in ``ui.guard`` (``BODY_TIMEOUT_S``); idle keep-alive connections
  are closed after uvicorn's 5 s;
* ``max_connections`` (and ``max_per_client`` from one address): beyond that many open
  connections a new one is closed at once (the process's descriptor limit is raised to its hard
  limit, and the cap kept well below it).

``install()`` makes uvicorn use it in this process (Gradio builds uvicorn's configuration
itself, with ``http="auto"``) and turns asyncio's accept errors into one log line a minute.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 1000
MAX_PER_CLIENT = 256  # one address may not take all the connections (a page uses a few; 60 API clients ~120)
FD_MARGIN = 256  # descriptors kept free for files, the index and the answer engine

_REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                    b"content-length: 0\r\nconnection: close\r\n\r\n")

log = logging.getLogger(__name__)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for request heads and a cap on open connections."""

    header_timeout: float = HEADER_TIMEOUT_S
    max_connections: int = MAX_CONNECTIONS
    max_per_client: int = MAX_PER_CLIENT
    _per_client: dict[str, int] = {}  # open connections per address, shared by the process's connections

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._counted: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else ""
        if len(self.connections) > self.max_connections or self._per_client.get(address, 0) >= self.max_per_client:
            transport.close()  # full: the client sees a closed connection, the server keeps its descriptors
            return
        self._counted = address
        self._per_client[address] = self._per_client.get(address, 0) + 1
        self._expect_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._waiting_for_head():
            self._expect_head()
        else:
            self._cancel_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # the keep-alive timer (5 s) covers silence; a next request that starts and stalls is ours
        self._cancel_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        if self._counted is not None:
            left = self._per_client.get(self._counted, 1) - 1
            if left > 0:
                self._per_client[self._counted] = left
            else:
                self._per_client.pop(self._counted, None)
            self._counted = None
        super().connection_lost(exc)

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _expect_head(self) -> None:
        if self._head_deadline is None and self.transport is not None and not self.transport.is_closing():
            self._head_deadline = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if self.transport is None or self.transport.is_closing() or not self._waiting_for_head():
            return
        if self.cycle is None:  # nothing sent on this connection yet: say why it is closed
            self.transport.write(_REQUEST_TIMEOUT)
        self.transport.close()


def raise_descriptor_limit() -> int:
    """Raise the soft limit on open files to the hard one; the cap on connections that leaves room."""
    try:
        import resource
    except ImportError:  # not on this platform
        return MAX_CONNECTIONS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return max(16, min(MAX_CONNECTIONS, soft - FD_MARGIN))


class AcceptErrorFilter(logging.Filter):
    """asyncio logs every refused accept with a traceback; keep one line a minute, without it."""

    def __init__(self, every: float = 60.0):
        super().__init__()
        self.every = every
        self._last = 0.0
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "socket.accept() out of system resource" not in record.getMessage():
            return True
        now = time.monotonic()
        if now - self._last < self.every:
            self._dropped += 1
            return False
        record.exc_info = None
        record.exc_text = None
        record.msg = (f"cannot accept connections: the process has no file descriptors left "
                      f"({self._dropped} more refusals since the last message)")
        record.args = ()
        self._last, self._dropped = now, 0
        return True


_installed = False


def install(*, header_timeout: float = HEADER_TIMEOUT_S, max_connections: int | None = None) -> None:
    """Make uvicorn servers of this process use ``GuardedH11Protocol``; idempotent."""
    global _installed
    from uvicorn import config

    GuardedH11Protocol.header_timeout = header_timeout
    GuardedH11Protocol.max_connections = max_connections or raise_descriptor_limit()
    name = f"{__name__}:GuardedH11Protocol"
    config.HTTP_PROTOCOLS["auto"] = name
    config.HTTP_PROTOCOLS["h11"] = name
    if not _installed:
        logging.getLogger("asyncio").addFilter(AcceptErrorFilter())
        _installed = True


__all__ = ["GuardedH11Protocol", "HEADER_TIMEOUT_S", "MAX_CONNECTIONS", "MAX_PER_CLIENT", "AcceptErrorFilter", "install",
           "raise_descriptor_limit"]
