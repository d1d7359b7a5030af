"""Chunking: every section of every project record becomes one or more searchable passages.

A passage (``Chunk``) is what the search returns and what the answer layer cites, so it carries
everything a citation needs: the plan, the project (its printed 事業名称, goal, policy and
departments), the section it comes from and the page. Its ``text`` is the raw passage as it
stands in the records, cut only at sentence boundaries, so a citation can be quoted verbatim;
``embed_text`` is what the encoder sees. It can carry the project and section as a prefix
(``ChunkerConfig.embed_context``), but by default it is the raw passage: measured on the tuning
questions, e5-small ranked projects better from raw passages (MRR 0.851) than from prefixed ones
(0.811) - the shared prefix makes all passages of a project look alike, and project names reach
the ranking through BM25 anyway (every passage's BM25 text starts with its project name).

Sections (the four column headings of the evaluation table, spelled exactly as printed):

* 事業の内容 - what the project does;
* 結果の説明 - the result explanation of the document's year and next year's issues (結果の説明及び次年度に向けての課題、検討内容);
* 子ども・子育て会議意見 - the council's comment (one chunk group per comment; many projects have none);
* 参考指標 - one chunk per indicator: its name, the H30 baseline, the five plan values and the
  result of the document's year, as printed.

The chunker is pure (records in, chunks out); bump ``CHUNKER_VERSION`` whenever its output
changes, so that indexes built by an older chunker are seen as stale.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Iterable

from corpus.records import Indicator, Plan, Project
from index.text import split_sentences

__all__ = [
    "CHUNKER_VERSION",
    "Chunk",
    "ChunkerConfig",
    "ProjectInfo",
    "Section",
    "chunk_plan",
    "chunk_plans",
    "indicator_line",
    "project_document",
    "split_passage",
]

# Bump when the chunks produced for the same records change (text, cuts, ids or embed text).
CHUNKER_VERSION = "3"


class Section(str, Enum):
    """The section of a project record a passage comes from (values are the printed headings)."""

    CONTENT = "事業の内容"
    RESULT = "結果の説明"
    COMMENT = "子ども・子育て会議意見"
    INDICATOR = "参考指標"

    @property
    def key(self) -> str:
        """A short ASCII key used in chunk ids."""
        return _SECTION_KEYS[self]

    @classmethod
    def parse(cls, value: str | Section) -> Section:
        """A section from its printed name, its ASCII key or a common short form (意見, 指標…)."""
        if isinstance(value, Section):
            return value
        text = str(value).strip()
        for section in cls:
            if text in (section.value, section.key, section.name.lower()):
                return section
        alias = _SECTION_ALIASES.get(text)
        if alias is not None:
            return alias
        names = "、".join(s.value for s in cls)
        raise ValueError(f"unknown section {value!r}; use one of: {names}")


_SECTION_KEYS = {
    Section.CONTENT: "content",
    Section.RESULT: "result",
    Section.COMMENT: "comment",
    Section.INDICATOR: "indicator",
}
_SECTION_ALIASES = {
    "内容": Section.CONTENT,
    "結果": Section.RESULT,
    "説明": Section.RESULT,
    "結果の説明及び次年度に向けての課題、検討内容": Section.RESULT,
    "意見": Section.COMMENT,
    "会議意見": Section.COMMENT,
    "指標": Section.INDICATOR,
}


@dataclass(frozen=True)
class ChunkerConfig:
    """How passages are sized.

    e5-small reads at most 512 tokens and XLM-R's vocabulary spends roughly one token per one or
    two Japanese characters, so even ``max_chars`` plus the context prefix stays far inside the
    window; passages are kept much shorter than that because a short passage gives the encoder
    one topic to represent and gives the reader a precise citation.
    """

    max_chars: int = 200  # a passage grows sentence by sentence up to this length
    min_chars: int = 60  # a shorter last piece is merged into the previous one when it fits
    hard_max_chars: int = 320  # a merged passage never exceeds this
    embed_context: bool = False  # prefix embed_text with project name and section (see module docstring)

    @property
    def signature(self) -> str:
        """Chunker version plus these settings: what the manifest records as the chunker version."""
        ctx = "ctx" if self.embed_context else "raw"
        return f"{CHUNKER_VERSION}/{self.max_chars}-{self.min_chars}-{self.hard_max_chars}-{ctx}"


@dataclass(frozen=True)
class ProjectInfo:
    """What every passage of a project shares (also used for project-level ranking)."""

    plan_id: str
    project_id: str
    name: str  # exactly the printed 事業名称 (Project.name)
    goal: int
    policy: str
    departments: tuple[str, ...]
    page: int
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, project: Project) -> ProjectInfo:
        return cls(
            plan_id=project.plan_id,
            project_id=project.id,
            name=project.name,
            goal=project.goal,
            policy=project.policy,
            departments=tuple(project.departments),
            page=project.page,
            aliases=tuple(project.aliases),
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "departments": list(self.departments), "aliases": list(self.aliases)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProjectInfo:
        return cls(
            plan_id=data["plan_id"],
            project_id=data["project_id"],
            name=data["name"],
            goal=int(data["goal"]),
            policy=data["policy"],
            departments=tuple(data["departments"]),
            page=int(data["page"]),
            aliases=tuple(data.get("aliases", ())),
        )


@dataclass(frozen=True)
class Chunk:
    """One searchable passage of a project record.

    ``text`` is the raw passage (what is displayed and cited); ``embed_text`` is what the encoder
    reads (the same text unless ``ChunkerConfig.embed_context`` adds project and section). ``ordinal`` orders the passages of one section.
    """

    id: str
    plan_id: str
    project_id: str
    project: str  # exactly the printed 事業名称 (Project.name)
    goal: int
    policy: str
    departments: tuple[str, ...]
    section: Section
    page: int
    text: str
    embed_text: str
    ordinal: int = 0
    indicator_id: str | None = None  # for 参考指標 passages: the indicator they describe
    aliases: tuple[str, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``Chunk.from_json`` reads it back)."""
        data = asdict(self)
        data["section"] = self.section.value
        data["departments"] = list(self.departments)
        data["aliases"] = list(self.aliases)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        return cls(
            id=data["id"],
            plan_id=data["plan_id"],
            project_id=data["project_id"],
            project=data["project"],
            goal=int(data["goal"]),
            policy=data["policy"],
            departments=tuple(data["departments"]),
            section=Section.parse(data["section"]),
            page=int(data["page"]),
            text=data["text"],
            embed_text=data["embed_text"],
            ordinal=int(data.get("ordinal", 0)),
            indicator_id=data.get("indicator_id"),
            aliases=tuple(data.get("aliases", ())),
        )


# ---------------------------------------------------------------------------------------------
# Sentence-aware splitting
# ---------------------------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"(?<=[、，,；;])")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text`` in ``text`` itself, so passages stay verbatim."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:  # split_sentences only strips and drops line breaks, so this cannot happen
            raise ValueError(f"sentence {sentence[:20]!r} not found in its passage")
        spans.append((start, start + len(sentence)))
        cursor = start + len(sentence)
    return spans


def _split_long(start: int, end: int, text: str, max_chars: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at clause ends (、), and only as a last resort mid-clause."""
    pieces: list[tuple[int, int]] = []
    cuts = [start + m.start() for m in _CLAUSE_END.finditer(text[start:end])] + [end]
    piece_start = start
    last_cut = start
    for cut in cuts:
        if cut - piece_start > max_chars and last_cut > piece_start:
            pieces.append((piece_start, last_cut))
            piece_start = last_cut
        last_cut = cut
    pieces.append((piece_start, end))
    out: list[tuple[int, int]] = []
    for a, b in pieces:  # a clause longer than max_chars: fixed-size cuts
        while b - a > max_chars:
            out.append((a, a + max_chars))
            a += max_chars
        out.append((a, b))
    return out


def split_passage(text: str, config: ChunkerConfig = ChunkerConfig()) -> list[str]:
    """Cut ``text`` into passages of whole sentences of about ``config.max_chars`` characters.

    Each passage is a verbatim slice of ``text`` (line breaks inside it are kept), stripped.
    """
    spans: list[tuple[int, int]] = []
    for start, end in _sentence_spans(text):
        if end - start > config.max_chars:
            spans.extend(_split_long(start, end, text, config.max_chars))
        else:
            spans.append((start, end))
    groups: list[tuple[int, int]] = []
    for start, end in spans:
        if groups and end - groups[-1][0] <= config.max_chars:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    # A short tail (a closing "引き続き実施する。") reads better with what precedes it.
    if len(groups) >= 2:
        last_start, last_end = groups[-1]
        prev_start, _ = groups[-2]
        if last_end - last_start < config.min_chars and last_end - prev_start <= config.hard_max_chars:
            groups[-2:] = [(prev_start, last_end)]
    return [text[a:b].strip() for a, b in groups if text[a:b].strip()]


# ---------------------------------------------------------------------------------------------
# Chunks of a project
# ---------------------------------------------------------------------------------------------


def indicator_line(indicator: Indicator) -> str:
    """The indicator as one line: name, H30 baseline, the five plan values and the result, as printed."""
    plan = "、".join(f"{year} {cell.text}" for year, cell in indicator.plan.items())
    if indicator.result is None:
        result = "記載なし"
    else:
        result = indicator.result.text or indicator.result.evidence
    return (f"{indicator.name}　実績{indicator.baseline_year}：{indicator.baseline.text}　計画：{plan}"
            f"　結果{indicator.result_year}：{result}")


def _context(info: ProjectInfo, section: Section) -> str:
    """The prefix the encoder sees before a passage: project name (and sub-programmes), section."""
    name = info.name
    if info.aliases:
        name += "（" + "・".join(info.aliases) + "）"
    return f"{name}　{section.value}："


def _make_chunks(info: ProjectInfo, section: Section, texts: Iterable[str], config: ChunkerConfig,
                 start: int = 0, indicator_id: str | None = None) -> list[Chunk]:
    out: list[Chunk] = []
    for offset, text in enumerate(texts):
        ordinal = start + offset
        out.append(
            Chunk(
                id=f"{info.project_id}/{section.key}/{ordinal}",
                plan_id=info.plan_id,
                project_id=info.project_id,
                project=info.name,
                goal=info.goal,
                policy=info.policy,
                departments=info.departments,
                section=section,
                page=info.page,
                text=text,
                embed_text=(_context(info, section) + text) if config.embed_context else text,
                ordinal=ordinal,
                indicator_id=indicator_id,
                aliases=info.aliases,
            )
        )
    return out


def chunk_project(project: Project, config: ChunkerConfig = ChunkerConfig()) -> list[Chunk]:
    """All passages of one project, section by section in the order of the printed table."""
    info = ProjectInfo.of(project)
    chunks = _make_chunks(info, Section.CONTENT, split_passage(project.content, config), config)
    if project.result_explanation and project.result_explanation.strip():
        chunks += _make_chunks(info, Section.RESULT, split_passage(project.result_explanation, config), config)
    ordinal = 0
    for comment in project.council_comments:
        pieces = split_passage(comment, config)
        chunks += _make_chunks(info, Section.COMMENT, pieces, config, start=ordinal)
        ordinal += len(pieces)
    for n, indicator in enumerate(project.indicators):
        chunks += _make_chunks(info, Section.INDICATOR, [indicator_line(indicator)], config, start=n,
                               indicator_id=indicator.id)
    return chunks


def chunk_plan(plan: Plan, config: ChunkerConfig = ChunkerConfig()) -> list[Chunk]:
    """All passages of a plan, project by project in document order."""
    return [chunk for project in plan.projects for chunk in chunk_project(project, config)]


def chunk_plans(plans: Iterable[Plan], config: ChunkerConfig = ChunkerConfig()) -> list[Chunk]:
    """All passages of several plans; chunk ids are unique because project ids carry the plan id."""
    chunks = [chunk for plan in plans for chunk in chunk_plan(plan, config)]
    ids = [c.id for c in chunks]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate chunk ids {dupes[:3]}: two plans share a plan id")
    return chunks


def project_document(project: Project) -> str:
    """One text per project for project-level BM25: everything a question might name.

    Name and sub-programme names, departments, content, result explanation, council comments and
    indicator names (not their figures: numbers in a question are matched by passage search).
    """
    parts = [project.name, *project.aliases, *project.departments, project.content]
    if project.result_explanation:
        parts.append(project.result_explanation)
    parts.extend(project.council_comments)
    parts.extend(indicator.name for indicator in project.indicators)
    return "\n".join(parts)
