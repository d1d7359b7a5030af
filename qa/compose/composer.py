"""``Composer`` collects an answer's lines and its sources together, so that every ``[n]`` in the
text is the n-th source: the text, the JSON and the web page's sources panel use one numbering.
"""
from __future__ import annotations

import re
from dataclasses import replace

from corpus.records import Indicator, Project
from qa.compose import templates as T
from qa.compose.lines import indicator_citation, section_citation
from qa.types import Citation


class Composer:
    """An answer's lines and sources, built together so citations are numbered once."""

    def __init__(self, documents: dict[str, str] | None = None, show_document: bool = False) -> None:
        self.lines: list[str] = []
        self.sources: list[Citation] = []
        self._documents = documents or {}
        self._show_document = show_document

    def add(self, *lines: str) -> Composer:
        self.lines.extend(lines)
        return self

    def cite(self, citation: Citation) -> str:
        """The label and ``[n]`` for ``citation`` (a repeated citation keeps its number)."""
        if not citation.document and citation.plan_id in self._documents:
            citation = replace(citation, document=self._documents[citation.plan_id])
        key = (citation.project, citation.section, citation.page, citation.text, citation.plan_id)
        for n, c in enumerate(self.sources, start=1):
            if (c.project, c.section, c.page, c.text, c.plan_id) == key:
                break
        else:
            self.sources.append(citation)
            n = len(self.sources)
        if self._show_document and citation.document:
            label = T.CITE_DOC.format(document=citation.document, page=citation.page, project=citation.project,
                                      section=citation.section)
        else:
            label = T.CITE.format(page=citation.page, project=citation.project, section=citation.section)
        return f"{label}[{n}]"

    def ref(self, citation: Citation) -> str:
        """Only the ``[n]`` of a citation (where the label would repeat itself)."""
        label = self.cite(citation)
        return label[label.rindex("["):]

    def cite_section(self, project: Project, section: str, text: str | None = None) -> str:
        return self.cite(section_citation(project, section, text))

    def cite_indicator(self, project: Project, ind: Indicator) -> str:
        return self.cite(indicator_citation(project, ind))

    def merge(self, other: Composer) -> None:
        """Append another composer's lines, renumbering its citations into this one."""
        mapping = {n: self.ref(c) for n, c in enumerate(other.sources, start=1)}
        pattern = re.compile(r"\[(\d+)\]")
        for line in other.lines:
            self.lines.append(pattern.sub(lambda m: mapping.get(int(m.group(1)), m.group(0)), line))

    @property
    def text(self) -> str:
        """The lines joined, with runs of blank lines folded into one."""
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()
