"""👍/👎 feedback on answers, kept in a SQLite file under PLANQA_HOME for the record keepers.

A row holds the question, the answer's status and confidence, its sources, the vote, an
optional comment and the time; nothing about who sent it (no address, browser or session).

The page keeps no conversation on the server: each answer carries a signed token with what a
row needs, and the browser sends it back with the vote. The signature (a key made when the
server starts) means only answers this server gave can be rated, and not rewritten.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from corpus.settings import get_settings

VOTES = ("up", "down")
MAX_COMMENT_CHARS = 1000
FILE_NAME = "feedback.sqlite3"

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
    """A vote that cannot be stored (bad token, unknown vote, over-long comment)."""


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
        return body + "." + self._mac(body)

    def verify(self, token: str) -> Context:
        body, _, mac = (token or "").partition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            raise FeedbackError("the answer token is not one this server signed (the server may have restarted)")
        turn_id, question, status, confidence, sources, plan_ids = json.loads(
            base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return Context(turn_id, question, status, confidence, tuple(sources), tuple(plan_ids))

    def _mac(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()[:32]


def default_path() -> Path:
    return get_settings().home / FILE_NAME


class FeedbackStore:
    """The SQLite file; one row per rated answer (a later vote or comment replaces the row)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_path()
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path)
        con.execute(_SCHEMA)
        return con

    def record(self, ctx: Context, vote: str, comment: str = "", *, now: datetime | None = None) -> Entry:
        if vote not in VOTES:
            raise FeedbackError(f"vote {vote!r} is not one of {', '.join(VOTES)}")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(f"the comment has {len(comment)} characters; at most {MAX_COMMENT_CHARS} are kept")
        entry = Entry(ctx.turn_id, (now or datetime.now(UTC)).isoformat(timespec="seconds"), vote, comment,
                      ctx.question, ctx.status, ctx.confidence, ctx.sources, ctx.plan_ids)
        with self._lock, self._connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.turn_id, entry.created_at, entry.vote, entry.comment, entry.question, entry.status,
                 entry.confidence, json.dumps(list(entry.sources), ensure_ascii=False),
                 json.dumps(list(entry.plan_ids))),
            )
        return entry

    def entries(self) -> list[Entry]:
        """All rows, oldest first; [] when the file does not exist yet."""
        if not self.path.exists():
            return []
        with self._lock, self._connect() as con:
            rows = con.execute("SELECT turn_id, created_at, vote, comment, question, status, confidence, sources,"
                               " plan_ids FROM feedback ORDER BY created_at, rowid").fetchall()
        return [Entry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(json.loads(r[7])), tuple(json.loads(r[8])))
                for r in rows]


def entries_csv(entries: list[Entry]) -> str:
    """The rows as CSV (UTF-8 with BOM, header row) for a spreadsheet."""
    from ui import strings as S
    from ui.export import csv_text

    return csv_text(S.CLI_FEEDBACK_COLUMNS, (
        [e.created_at, "👍" if e.vote == "up" else "👎", e.status, e.question, " ／ ".join(e.sources), e.comment]
        for e in entries
    ))


def entries_text(entries: list[Entry]) -> str:
    """The rows for a terminal: one block per rating."""
    out = io.StringIO()
    for e in entries:
        out.write(f"{e.created_at}  {'👍' if e.vote == 'up' else '👎'}  {e.status}/{e.confidence}\n")
        out.write(f"  質問: {e.question}\n")
        if e.sources:
            out.write(f"  出典: {' ／ '.join(e.sources)}\n")
        if e.comment:
            out.write(f"  意見: {e.comment}\n")
    return out.getvalue()


__all__ = ["Context", "Entry", "FeedbackError", "FeedbackStore", "Signer", "default_path", "entries_csv",
           "entries_text"]
