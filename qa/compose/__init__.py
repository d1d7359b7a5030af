"""Composition: every sentence an answer is made of (``templates``), the pieces built from the
records (``lines``), the conditions as stated (``labels``), citations numbered once
(``composer``), and the final ``Answer`` with its reading line (``answer``)."""
from qa.compose.lines import indicator_row, project_ref

__all__ = ["indicator_row", "project_ref"]
