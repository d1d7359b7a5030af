"""Conversation state: a small typed frame carried from one answer to the next question.

A follow-up replaces the slots it names and keeps the rest (「ほかの課にもある？」 keeps the
filter and changes the department; 「それの令和3年度の計画は？」 keeps the target). The frame
holds ids and slot values only, never the question text, so a session stays small whatever
was typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from qa.query import Filters


@dataclass(frozen=True)
class Frame:
    """What the previous answer was about (ids refer to ``corpus.records``)."""

    plan_ids: tuple[str, ...] = ()  # documents the answer came from
    project_ids: tuple[str, ...] = ()  # the answer's target projects, in the order shown
    indicator_ids: tuple[str, ...] = ()  # the indicators the answer was about
    listed: tuple[str, ...] = ()  # projects the answer enumerated (for 「一つ目」「二つ目」)
    remaining: tuple[str, ...] = ()  # further candidates for 「ほかには？」
    operation: str | None = None  # qa.query.Operation value
    fields: tuple[str, ...] = ()  # qa.query.Field values asked
    filters: Filters = field(default_factory=Filters)  # the conditions that selected ``listed``
    years: tuple[str, ...] = ()
    first: tuple[str, ...] = ()  # the conversation's first target (「最初に聞いた事業」)
    language: str = "ja"

    @property
    def has_target(self) -> bool:
        return bool(self.project_ids)

    def with_(self, **changes) -> Frame:
        return replace(self, **changes)


EMPTY = Frame()

__all__ = ["EMPTY", "Frame"]
