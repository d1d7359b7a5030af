"""Traceability: every text and every figure of the records must occur in the source document.

Texts are compared after NFKC and with all whitespace removed, because the PDF extraction
breaks cells over lines. Figures are compared as digit strings with separators removed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from corpus.records import Plan

_WS = re.compile(r"\s+")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def squash(text: str) -> str:
    """NFKC, no whitespace: the form in which record texts are looked up in the source."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def numbers_in(text: str) -> set[str]:
    """Digit strings in a text, separators removed ('1,091' -> '1091', '100.0' -> '100.0')."""
    return {m.group().replace(",", "") for m in _NUM.finditer(unicodedata.normalize("NFKC", text))}


def number_forms(value: float) -> set[str]:
    """How a figure may be printed: 100.0 -> {'100', '100.0'}."""
    forms = {f"{value:g}"}
    if float(value).is_integer():
        forms |= {str(int(value)), f"{int(value)}.0"}
    return forms


@dataclass(frozen=True)
class Check:
    where: str  # e.g. "虐待対応事業 / indicators[0].result.evidence"
    kind: str  # "text" or "number"
    value: str
    ok: bool


def check_plan(plan: Plan) -> list[Check]:
    """Every traceable field of a plan, with whether it occurs in the plan's source text."""
    src = squash(plan.source_text)
    src_numbers = numbers_in(plan.source_text)
    checks: list[Check] = []

    def text(where: str, value: str | None) -> None:
        if value:
            for part in value.split("\n"):
                if part.strip():
                    checks.append(Check(where, "text", part, squash(part) in src))

    def number(where: str, value: float | None) -> None:
        if value is not None:
            checks.append(Check(where, "number", f"{value:g}", bool(number_forms(value) & src_numbers)))

    text("plan.title", plan.title)
    for g in plan.goals:
        text(f"goal {g.number}.title", g.title)
    for pol in plan.policies:
        text(f"policy {pol.code}.title", pol.title)
    for p in plan.projects:
        base = p.name
        text(f"{base} / name", p.name)
        for d in p.departments:
            text(f"{base} / departments", d)
        for a in p.aliases:
            text(f"{base} / aliases", a)
        text(f"{base} / content", p.content)
        text(f"{base} / result_explanation", p.result_explanation)
        for k, c in enumerate(p.council_comments):
            text(f"{base} / council_comments[{k}]", c)
        for j, ind in enumerate(p.indicators):
            w = f"{base} / indicators[{j}]"
            text(f"{w}.name", ind.name)
            text(f"{w}.baseline", ind.baseline.text)
            number(f"{w}.baseline", ind.baseline.number)
            for year, cell in ind.plan.items():
                text(f"{w}.plan.{year}", cell.text)
                number(f"{w}.plan.{year}", cell.number)
            if ind.result:
                text(f"{w}.result.evidence", ind.result.evidence)
                text(f"{w}.result.text", ind.result.text)
                number(f"{w}.result.value", ind.result.value)
                if ind.result.text:
                    inside = squash(ind.result.text) in squash(ind.result.evidence)
                    checks.append(Check(f"{w}.result.text in evidence", "text", ind.result.text, inside))
    return checks


def failures(plan: Plan) -> list[Check]:
    return [c for c in check_plan(plan) if not c.ok]
