"""The final ``Answer``: one or several parts' results joined under one citation numbering,
opened by the reading line (how the question was read, and what came from earlier turns)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from corpus.records import Project
from qa.compose import templates as T
from qa.compose.composer import Composer
from qa.compose.lines import project_ref, terms_in
from qa.compose.phrases import phrases
from qa.frame import Frame
from qa.query import Operation, Query
from qa.types import Answer, AnswerStatus, Interpretation
from qa.understand.years import year_label

SHORT_PART = 60  # characters of a part's question shown as its heading
CONVERSATION_TARGETS = frozenset({"frame", "ordinal"})  # ``Target.via`` of a target the conversation supplied


@dataclass(frozen=True)
class Part:
    """One answered part of a message: its query as read, what was carried, and its result."""

    query: Query
    carried: tuple[str, ...]
    result: object  # qa.execute.Result (not imported: composition does not depend on execution)


def interpretation(part: Part, scope: str, names: Sequence[str], language: str = "ja") -> Interpretation:
    """The reading line of one part, in the answer's language: targets or conditions, what came
    from earlier turns, the years named (with their era and Western forms), the scope."""
    conditions = tuple(getattr(part.result, "conditions", ()))
    if language == "ja":
        text = T.READING.format(body=T.READING_JOIN.join(_japanese_reading(part, names, conditions)), scope=scope)
    else:
        P = phrases(language)
        text = P["reading"].format(body=P["reading_join"].join(_framed_reading(part, names, conditions, P, language)),
                                   scope=scope)
    return Interpretation(text=text, scope=scope, targets=tuple(names), conditions=conditions, carried=part.carried)


def _japanese_reading(part: Part, names: Sequence[str], conditions: Sequence[str]) -> list[str]:
    q, res = part.query, part.result
    bits = []
    if part.carried and not conditions and names and not any(n in c for c in part.carried for n in names):
        # 「じゃあ児童館は？」: a subject of its own, the previous ask
        bits.append(T.READING_TARGETS.format(names="・".join(names)))
        bits.append("、".join(part.carried))
    elif part.carried and not conditions:
        bits.append(T.READING_CARRIED.format(carried="、".join(part.carried)))
    elif names and q.operation not in (Operation.SEARCH,):
        bits.append(T.READING_TARGETS.format(names="・".join(names)))
    if conditions:
        bits.append(T.READING_CONDITIONS.format(conditions="、".join(f"「{c}」" for c in conditions)))
    if getattr(res, "reading", None):
        bits = [res.reading]
    if not bits:
        bits.append(T.READING_SEARCH if q.operation is Operation.SEARCH else T.READING_WHOLE)
    if q.years:
        bits.append(T.READING_YEARS.format(years="、".join(year_label(y, "ja") for y in q.years)))
    return bits


def _framed_reading(part: Part, names: Sequence[str], conditions: Sequence[str], P: Mapping[str, str],
                    language: str) -> list[str]:
    """A question in another language is answered about one programme (``qa.execute.foreign``):
    the one it or the conversation named, or the one retrieval found for it."""
    q = part.query
    joined = P["list_join"].join(names)
    bits = []
    from_conversation = any(t.via in CONVERSATION_TARGETS for t in q.targets)
    if names and part.carried and from_conversation:
        bits.append(P["reading_carried"].format(names=joined))
    elif names:
        bits.append(P["reading_targets"].format(names=joined))
        if part.carried:  # 「那儿童馆呢？」: a new subject, the previous ask
            bits.append(P["reading_same_ask"])
    if conditions:
        bits.append(P["reading_conditions"].format(conditions=P["list_join"].join(f"「{c}」" for c in conditions)))
    if not bits:
        bits.append(P["reading_search"])
    if q.years:
        bits.append(P["reading_years"].format(years=P["list_join"].join(year_label(y, language) for y in q.years)))
    return bits


def assemble(question: str, parts: Sequence[Part], *, language: str, labels: dict[str, str], scope: str,
             show_document: bool, target_names: Sequence[Sequence[str]]) -> Answer:
    """Join the parts into one ``Answer`` (one numbering of citations across all parts)."""
    readings = [interpretation(p, scope, names, language) for p, names in zip(parts, target_names)]
    if len(parts) == 1:
        res = parts[0].result
        composer = Composer(labels, show_document=show_document)
        composer.add(readings[0].text, "")
        composer.merge(res.composer)
        status = res.status
    else:
        composer = Composer(labels, show_document=show_document)
        for k, (part, reading) in enumerate(zip(parts, readings), start=1):
            composer.add(T.PART_HEAD.format(n=k, question=_shorten(part.query.text, SHORT_PART)), reading.text)
            composer.merge(part.result.composer)
            composer.add("")
        status = AnswerStatus.ANSWERED if any(p.result.status is AnswerStatus.ANSWERED for p in parts) else AnswerStatus.NO_ANSWER
    projects: dict[str, tuple[Project, float]] = {}
    indicators = []
    for part in parts:
        for p, s in part.result.projects:
            if p is not None and p.id not in projects:
                projects[p.id] = (p, s)
        indicators += part.result.indicators
    sources = tuple(c if c.terms else replace(c, terms=terms_in(question, c.text)) for c in composer.sources)
    sources = tuple(c if c.document or c.plan_id not in labels else replace(c, document=labels[c.plan_id]) for c in sources)
    indicators = [r if r.document or r.plan_id not in labels else replace(r, document=labels[r.plan_id]) for r in indicators]
    text = composer.text
    used = list(dict.fromkeys(c.plan_id for c in sources if c.plan_id in labels))
    if used and status is AnswerStatus.ANSWERED:
        line = T.DOCUMENT_LINE if language == "ja" else phrases(language)["document_line"]
        text += "\n\n" + line.format(documents="、".join(labels[d] for d in used))
    first = parts[0].result
    frame: Frame | None = next((p.result.frame for p in reversed(parts) if p.result.frame is not None), None)
    reading = readings[0] if len(readings) == 1 else Interpretation(
        text="\n".join(r.text for r in readings), scope=scope,
        targets=tuple(dict.fromkeys(n for r in readings for n in r.targets)),
        conditions=tuple(dict.fromkeys(c for r in readings for c in r.conditions)),
        carried=tuple(dict.fromkeys(c for r in readings for c in r.carried)))
    q0 = parts[0].query
    return Answer(
        question=question, status=status, text=text, intent=q0.operation.value,
        projects=tuple(project_ref(p, s, labels.get(p.plan_id, "")) for p, s in projects.values()),
        indicators=tuple(indicators), sources=sources, followups=first.followups, frame=frame,
        confidence=first.confidence, choices=first.choices, language=language,
        focus=q0.focus.value if q0.focus else None, interpretation=reading,
        context={"project_ids": list(frame.project_ids) if frame else []},
    )


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
