"""Every swap of two values of one kind between rows of one page, and whether the check refuses it.

A swapped pair is what a slip of the pen does when a data file is written from the scrambled
source (and what an edit meant to mislead does): both values still occur in the source, so only
the ties of ``corpus.trace`` can tell. Kinds:

* ``figures``: H30 and plan figures, and printed results (value with its text);
* ``plan words``: H30 and plan cells that are plan words (with their notes);
* ``departments``: the departments of two projects;
* ``result blocks``: two indicators' results (sentence, figure, outcome), and two projects'
  result explanations.

Only pairs with different values are swaps. A swap is refused when the check fails and its
messages name both swapped fields. ``python -m corpus check --swaps`` runs them all.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import combinations

from corpus.records import YEARS, Indicator, Plan, Project, Result
from corpus.trace import failures, squash

KINDS = ("figures", "plan words", "departments", "result blocks")


@dataclass(frozen=True)
class Field:
    """One value of the records: ``path`` as the check names it, ``value`` for reports."""

    project: int  # index in plan.projects
    indicator: int | None
    column: str  # "baseline", "plan.R2", "result", "departments", "result_explanation"
    path: str
    value: str


@dataclass(frozen=True)
class Swap:
    kind: str
    page: int
    a: Field
    b: Field
    refused: bool
    named: bool  # the check's messages name both fields
    messages: tuple[str, ...]


def _fields(plan: Plan) -> Iterator[tuple[str, int, Field, object]]:
    """(kind, page, field, value) for every swappable value."""
    for pi, p in enumerate(plan.projects):
        yield ("departments", p.page, Field(pi, None, "departments", f"{p.name} / departments", "・".join(p.departments)),
               p.departments)
        if p.result_explanation:
            yield ("result blocks", p.page,
                   Field(pi, None, "result_explanation", f"{p.name} / result_explanation", p.result_explanation[:30]),
                   p.result_explanation)
        for j, ind in enumerate(p.indicators):
            base = f"{p.name} / indicators[{j}]"
            for col in ("baseline", *(f"plan.{y}" for y in YEARS)):
                cell = ind.baseline if col == "baseline" else ind.plan[col[5:]]
                kind = "figures" if cell.number is not None else "plan words" if cell.word is not None else None
                if kind:
                    yield kind, p.page, Field(pi, j, col, f"{base}.{col}", cell.text), cell
            if ind.result is not None:
                r = ind.result
                yield ("result blocks", p.page, Field(pi, j, "result", f"{base}.result", r.evidence[:30]), r)
                if r.value is not None:
                    yield ("figures", p.page, Field(pi, j, "result.value", f"{base}.result", r.text or f"{r.value:g}"),
                           (r.value, r.text))


def _same(kind: str, x: object, y: object) -> bool:
    if kind in ("figures", "plan words") and hasattr(x, "text") and hasattr(y, "text"):
        return squash(x.text) == squash(y.text)
    if isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y) == 2 and not isinstance(x[0], str):
        return x[0] == y[0] and squash(x[1] or "") == squash(y[1] or "")  # 100% and 100％ print the same figure
    return x == y


def _set(plan: Plan, f: Field, value: object) -> Plan:
    projects = list(plan.projects)
    p: Project = projects[f.project]
    if f.indicator is None:
        p = replace(p, **{f.column: value})
    else:
        indicators = list(p.indicators)
        ind: Indicator = indicators[f.indicator]
        if f.column == "baseline":
            ind = replace(ind, baseline=value)
        elif f.column.startswith("plan."):
            ind = replace(ind, plan={**ind.plan, f.column[5:]: value})
        elif f.column == "result":
            ind = replace(ind, result=value)
        else:  # result.value: the printed figure moves with its text, the sentence stays
            number, text = value
            ind = replace(ind, result=replace(ind.result, value=number, text=text) if ind.result else
                          Result(evidence="", value=number, text=text))
        indicators[f.indicator] = ind
        p = replace(p, indicators=tuple(indicators))
    projects[f.project] = p
    return replace(plan, projects=tuple(projects))


def _messages(plan: Plan) -> list[str]:
    """The failed checks as ``where: detail`` (the field paths as the records name them)."""
    return [f"{c.where}: {c.detail or c.value}" for c in failures(plan)]


def swaps(plan: Plan, kinds: tuple[str, ...] = KINDS) -> Iterator[Swap]:
    """Every same-page swap of two different values of one kind, checked."""
    by_group: dict[tuple[str, str, int], list[tuple[Field, object]]] = {}
    for kind, page, f, value in _fields(plan):
        if kind in kinds:
            # a table cell swaps with a table cell, a result with a result, a block with a block
            slot = f.column if f.column in ("result", "result.value", "result_explanation") else "cell"
            by_group.setdefault((kind, slot, page), []).append((f, value))
    for (kind, _, page), items in by_group.items():
        for (fa, va), (fb, vb) in combinations(items, 2):
            if _same(kind, va, vb):
                continue
            swapped = _set(_set(plan, fa, vb), fb, va)
            messages = _messages(swapped)
            named = any(fa.path in m for m in messages) and any(fb.path in m for m in messages)
            yield Swap(kind, page, fa, fb, bool(messages), named, tuple(messages))


__all__ = ["KINDS", "Field", "Swap", "swaps"]
