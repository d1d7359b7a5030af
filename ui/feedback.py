"""👍/👎 feedback on answers, kept in a SQLite file under PLANQA_HOME for the record keepers.

A row holds the question, the answer's status and confidence, its sources, the vote, an
optional comment and the time; nothing about who sent it (no address, browser or session).

The page keeps no conversation on the server: each answer carries a signed token with what a
row needs, and the browser sends it back with the vote. The signature (a key made when the
server starts) means only answers this server gave can be rated, and not rewritten.

The store fails in words, never in a traceback: a full disk, a writer holding the lock, a
read-only or damaged file, a folder where the file should be each become a
:class:`FeedbackStoreError` with a Japanese message for the page and an English one for the
operator. ``FeedbackDesk`` is what the page talks to: it checks the vote, limits how often one
client may vote, caps the file's size, and when the file is only busy keeps the vote in memory
and writes it a little later.
"""
from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import hmac
import io
import json
import logging
import re
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from corpus.settings import get_settings

log = logging.getLogger(__name__)

VOTES = ("up", "down")
MAX_COMMENT_CHARS = 1000
FILE_NAME = "feedback.sqlite3"
LOCK_WAIT_S = 2.0  # how long a vote waits for another writer before it is kept for later
MAX_STORE_BYTES = 20 * 1024 * 1024  # about 10,000 ratings with long comments; then new ones are refused
RATE_VOTES, RATE_WINDOW_S = 20, 600.0  # one client: at most 20 votes in 10 minutes
RATE_CLIENTS = 4096  # clients remembered for the rate limit (the oldest are forgotten)
PENDING_MAX = 200  # votes kept in memory while the file is busy
RETRY_S = 10.0

# What the page shows (Japanese).
SAVED = "評価を送りました。ありがとうございました。"
KEPT = "評価を受け付けました。保存先が混み合っているため、少し後で保存します。"
BUSY = "保存先が混み合っているため、評価を保存できませんでした。しばらくしてからもう一度お試しください。"
FULL = "保存先の空き容量が足りないため、評価を保存できませんでした。"
AT_CAPACITY = "評価の保存件数が上限に達したため、新しい評価は受け付けていません。"
READ_ONLY = "保存先に書き込めないため、評価を保存できませんでした。"
DAMAGED = "保存先のファイルが壊れているため、評価を保存できませんでした。"
UNUSABLE = "保存先のファイルを開けないため、評価を保存できませんでした。"
TOO_OFTEN = "短い間に多くの評価が送られたため、しばらく受け付けを止めています。数分後にお試しください。"
BAD_REQUEST = "評価の送り方が正しくありません。{token, vote, comment} の形で送ってください。"
BAD_TOKEN = "この回答は評価できません（サーバーが再起動した可能性があります）。ページを再読み込みしてからお試しください。"
BAD_VOTE = "評価は up か down で送ってください。"
TOO_LONG = "ご意見は{limit:,}文字以内で送ってください（{n:,}文字でした）。"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    turn_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    confidence TEXT NOT NULL,
    sources TEXT NOT NULL,
    plan_ids TEXT NOT NULL
)
"""


class FeedbackError(ValueError):
    """A vote that cannot be stored (bad token, unknown vote, over-long comment); ``message`` is for the page."""

    def __init__(self, reason: str, message: str = BAD_REQUEST):
        super().__init__(reason)
        self.message = message


class FeedbackStoreError(Exception):
    """The feedback file cannot be used; ``kind`` says why, ``message`` is for the page, str() for the operator."""

    def __init__(self, kind: str, reason: str, message: str):
        super().__init__(reason)
        self.kind = kind  # busy | full | capacity | read_only | damaged | unusable
        self.message = message


@dataclass(frozen=True)
class Context:
    """What a feedback row records about the answer (signed into the answer's token)."""

    turn_id: str
    question: str
    status: str
    confidence: str
    sources: tuple[str, ...]  # "児童館事業・結果の説明（p.2）", in the answer's numbering
    plan_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    turn_id: str
    created_at: str  # ISO 8601, UTC
    vote: str
    comment: str
    question: str
    status: str
    confidence: str
    sources: tuple[str, ...]
    plan_ids: tuple[str, ...]


class Signer:
    """Signs contexts into tokens and reads them back (HMAC-SHA256, key per server start)."""

    def __init__(self, key: bytes | None = None):
        self.key = key or secrets.token_bytes(32)

    def sign(self, ctx: Context) -> str:
        payload = json.dumps([ctx.turn_id, ctx.question, ctx.status, ctx.confidence, list(ctx.sources),
                              list(ctx.plan_ids)], ensure_ascii=False).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return body + "." + self._mac(body.encode())

    def verify(self, token: str) -> Context:
        """The signed context, or FeedbackError for anything this server did not sign (any text at all)."""
        body, _, mac = (token if isinstance(token, str) else "").partition(".")
        try:
            body_bytes, mac_bytes = body.encode(), mac.encode()
        except UnicodeEncodeError:  # a lone surrogate: never one of ours
            body_bytes, mac_bytes = b"", b""
        # compared as bytes: a signature with non-ASCII characters is just a wrong one
        if not body_bytes or not hmac.compare_digest(mac_bytes, self._mac(body_bytes).encode()):
            raise FeedbackError("the answer token is not one this server signed (the server may have restarted)",
                                BAD_TOKEN)
        try:
            turn_id, question, status, confidence, sources, plan_ids = json.loads(
                base64.urlsafe_b64decode(body_bytes + b"=" * (-len(body_bytes) % 4)))
            return Context(str(turn_id), str(question), str(status), str(confidence), tuple(map(str, sources)),
                           tuple(map(str, plan_ids)))
        except (binascii.Error, ValueError, TypeError) as exc:  # signed by us, so only a changed format gets here
            raise FeedbackError(f"the answer token cannot be read ({exc})", BAD_TOKEN) from None

    def _mac(self, body: bytes) -> str:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest()[:32]


def default_path() -> Path:
    return get_settings().home / FILE_NAME


def store_error(exc: BaseException, path: Path) -> FeedbackStoreError:
    """What a SQLite or file-system error means for the feedback file, in both languages."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text:
        return FeedbackStoreError("full", f"{path}: the disk is full ({exc}); free some space", FULL)
    if "locked" in text or "busy" in text:
        return FeedbackStoreError("busy", f"{path}: another writer held the file for over {LOCK_WAIT_S:g} s ({exc})",
                                  BUSY)
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError) \
            or isinstance(exc, OSError) and exc.errno == errno.EROFS:
        return FeedbackStoreError("read_only", f"{path}: the file or its folder is read-only ({exc}); make it "
                                               f"writable or pass another --feedback-db", READ_ONLY)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return FeedbackStoreError("damaged", f"{path}: not a readable SQLite database ({exc}); move it aside and "
                                             f"the server starts a new one", DAMAGED)
    return FeedbackStoreError("unusable", f"{path}: cannot be opened as the feedback file ({exc})", UNUSABLE)


class FeedbackStore:
    """The SQLite file; one row per rated answer (a later vote or comment replaces the row)."""

    def __init__(self, path: Path | None = None, *, lock_wait: float = LOCK_WAIT_S,
                 max_bytes: int = MAX_STORE_BYTES):
        self.path = Path(path) if path else default_path()
        self.lock_wait = lock_wait
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise FeedbackStoreError("unusable", f"{self.path} is a folder, not the feedback file; move it aside or "
                                                 f"pass another --feedback-db", UNUSABLE)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=self.lock_wait)
            try:
                con.execute(_SCHEMA)
            except BaseException:
                con.close()
                raise
            return con
        except (sqlite3.Error, OSError) as exc:
            raise store_error(exc, self.path) from None

    def size(self) -> int:
        """Bytes on disk, journal included."""
        total = 0
        for p in (self.path, self.path.with_name(self.path.name + "-journal"), self.path.with_name(self.path.name + "-wal")):
            try:
                total += p.stat().st_size if p.is_file() else 0
            except OSError:
                pass
        return total

    def record(self, ctx: Context, vote: str, comment: str = "", *, now: datetime | None = None) -> Entry:
        """Store one rating; FeedbackError for a bad vote, FeedbackStoreError when the file cannot take it."""
        entry = self.entry(ctx, vote, comment, now=now)
        self.write(entry)
        return entry

    @staticmethod
    def entry(ctx: Context, vote: str, comment: str = "", *, now: datetime | None = None) -> Entry:
        """The row for one rating, checked (FeedbackError for an unknown vote or an over-long comment)."""
        if vote not in VOTES:
            raise FeedbackError(f"vote {vote!r} is not one of {', '.join(VOTES)}", BAD_VOTE)
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(f"the comment has {len(comment)} characters; at most {MAX_COMMENT_CHARS} are kept",
                                TOO_LONG.format(limit=MAX_COMMENT_CHARS, n=len(comment)))
        return Entry(ctx.turn_id, (now or datetime.now(UTC)).isoformat(timespec="seconds"), vote, comment,
                     ctx.question, ctx.status, ctx.confidence, ctx.sources, ctx.plan_ids)

    def write(self, entry: Entry) -> None:
        if self.size() >= self.max_bytes:
            raise FeedbackStoreError("capacity", f"{self.path} has reached {self.max_bytes:,} bytes; new ratings are "
                                                 f"refused until it is exported and moved aside", AT_CAPACITY)
        with self._lock:
            con = self._connect()
            try:
                with con:
                    con.execute(
                        "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (entry.turn_id, entry.created_at, entry.vote, entry.comment, entry.question, entry.status,
                         entry.confidence, json.dumps(list(entry.sources), ensure_ascii=False),
                         json.dumps(list(entry.plan_ids))),
                    )
            except (sqlite3.Error, OSError) as exc:
                raise store_error(exc, self.path) from None
            finally:
                con.close()

    def entries(self) -> list[Entry]:
        """All rows, oldest first; [] when the file does not exist yet."""
        if not self.path.exists():
            return []
        with self._lock:
            con = self._connect()
            try:
                rows = con.execute("SELECT turn_id, created_at, vote, comment, question, status, confidence, sources,"
                                   " plan_ids FROM feedback ORDER BY created_at, rowid").fetchall()
            except (sqlite3.Error, OSError) as exc:
                raise store_error(exc, self.path) from None
            finally:
                con.close()
        out = []
        for r in rows:
            try:
                sources, plan_ids = tuple(json.loads(r[7])), tuple(json.loads(r[8]))
            except (TypeError, ValueError):  # a row edited by hand: show what is there
                sources, plan_ids = (str(r[7]),), (str(r[8]),)
            out.append(Entry(*(str(v) for v in r[:7]), tuple(map(str, sources)), tuple(map(str, plan_ids))))
        return out


class RateLimit:
    """At most ``votes`` per ``window`` seconds per client; clients are kept as keyed hashes, never addresses."""

    def __init__(self, votes: int = RATE_VOTES, window: float = RATE_WINDOW_S, clients: int = RATE_CLIENTS):
        self.votes, self.window, self.clients = votes, window, clients
        self._key = secrets.token_bytes(16)
        self._seen: OrderedDict[bytes, deque] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        key = hmac.new(self._key, client.encode("utf-8", "replace"), hashlib.sha256).digest()[:16]
        with self._lock:
            times = self._seen.pop(key, None) or deque()
            while times and now - times[0] > self.window:
                times.popleft()
            allowed = len(times) < self.votes
            if allowed:
                times.append(now)
            self._seen[key] = times
            while len(self._seen) > self.clients:
                self._seen.popitem(last=False)
            return allowed


class FeedbackDesk:
    """Receives the page's votes: never raises, always answers {"ok": bool, "message": Japanese text}."""

    def __init__(self, store: FeedbackStore, signer: Signer, rate: RateLimit | None = None,
                 *, retry_after: float = RETRY_S):
        self.store = store
        self.signer = signer
        self.rate = rate or RateLimit()
        self.retry_after = retry_after
        self._pending: deque[Entry] = deque()
        self._pending_lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._warned: set[str] = set()

    def receive(self, payload: object, client: str = "") -> dict:
        while isinstance(payload, list) and len(payload) == 1:  # the page's arguments may arrive wrapped in a list
            payload = payload[0]
        if not isinstance(payload, dict) or not all(isinstance(payload.get(k, ""), str) for k in ("token", "vote")) \
                or not isinstance(payload.get("comment") or "", str):
            return self._refuse(BAD_REQUEST, f"expected {{token, vote, comment}} as strings, got {type(payload).__name__}")
        if not self.rate.allow(client):
            return self._refuse(TOO_OFTEN, "one client sent too many ratings; refused for a while")
        try:
            entry = self.store.entry(self.signer.verify(payload.get("token", "")), payload.get("vote", ""),
                                     payload.get("comment") or "")
        except FeedbackError as exc:
            return self._refuse(exc.message, str(exc))
        try:
            self.store.write(entry)
        except FeedbackStoreError as exc:
            if exc.kind == "busy" and self._keep(entry):
                log.info("feedback kept in memory for a later write: %s", exc)
                return {"ok": True, "message": KEPT}
            self._warn(exc)
            return {"ok": False, "message": exc.message}
        self.flush()
        return {"ok": True, "message": SAVED}

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _keep(self, entry: Entry) -> bool:
        """Hold a vote that could not wait for another writer, to write it a little later (bounded)."""
        with self._pending_lock:
            if len(self._pending) >= PENDING_MAX:
                return False
            self._pending.append(entry)
            self._schedule()
            return True

    def flush(self) -> int:
        """Write the votes kept while the file was busy; how many are still waiting."""
        if not self._pending:
            return 0
        with self._pending_lock:
            while self._pending:
                try:
                    self.store.write(self._pending[0])
                except FeedbackStoreError as exc:
                    if exc.kind != "busy":
                        self._warn(exc)
                        self._pending.clear()  # the file is unusable for now: the operator has been told
                        break
                    self._schedule()
                    break
                self._pending.popleft()
            return len(self._pending)

    def _schedule(self) -> None:
        if self._timer is None or not self._timer.is_alive():
            self._timer = threading.Timer(self.retry_after, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def _refuse(self, message: str, reason: str) -> dict:
        log.info("feedback not stored: %s", reason)
        return {"ok": False, "message": message}

    def _warn(self, exc: FeedbackStoreError) -> None:
        # one line per kind of failure, not one per vote (and never a traceback)
        level = logging.WARNING if exc.kind not in self._warned else logging.DEBUG
        self._warned.add(exc.kind)
        log.log(level, "feedback not stored: %s", exc)


# --- the record keepers' views --------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def terminal_safe(text: str) -> str:
    """``text`` with control characters, escape sequences (ESC, OSC 52 …), bidi overrides and line
    breaks shown as visible escapes, so a stored comment can neither drive the terminal nor forge lines."""
    text = _NEWLINE.sub("↵", text)
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text.replace("\t", " "))


def entries_csv(entries: list[Entry]) -> str:
    """The rows as CSV (UTF-8 with BOM, header row) for a spreadsheet; see ``ui.export`` for formula safety."""
    from ui import strings as S
    from ui.export import csv_text

    return csv_text(S.CLI_FEEDBACK_COLUMNS, (
        [e.created_at, "👍" if e.vote == "up" else "👎", e.status, e.question, " ／ ".join(e.sources), e.comment]
        for e in entries
    ))


def entries_text(entries: list[Entry]) -> str:
    """The rows for a terminal: one block per rating, every stored text made terminal-safe."""
    out = io.StringIO()
    for e in entries:
        out.write(f"{terminal_safe(e.created_at)}  {'👍' if e.vote == 'up' else '👎'}  "
                  f"{terminal_safe(e.status)}/{terminal_safe(e.confidence)}\n")
        out.write(f"  質問: {terminal_safe(e.question)}\n")
        if e.sources:
            out.write(f"  出典: {terminal_safe(' ／ '.join(e.sources))}\n")
        if e.comment:
            out.write(f"  意見: {terminal_safe(e.comment)}\n")
    return out.getvalue()


__all__ = ["Context", "Entry", "FeedbackDesk", "FeedbackError", "FeedbackStore", "FeedbackStoreError", "RateLimit",
           "Signer", "default_path", "entries_csv", "entries_text", "store_error", "terminal_safe"]
