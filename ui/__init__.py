"""The Gradio web UI: a chat over ``qa.answer`` and staff views of the plan records.

``build_app`` is imported lazily so that ``ui.render`` (pure functions) can be used and tested
without importing Gradio.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ui.app import build_app

__all__ = ["build_app"]


def __getattr__(name: str) -> Any:
    if name == "build_app":
        from ui.app import build_app

        return build_app
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
