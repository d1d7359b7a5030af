"""Evaluation: the status of each indicator against the plan of its document's result year.

A document reports one fiscal year's results (R2 for the first one, R3 for the next …); its
indicators are judged against that year's plan value and the H30 baseline. Rules (also in the
README), with "year" the document's result year:
- no result in the document                           -> unclear
- the year's plan is a number                         -> met if result >= plan, borderline if
                                                         >= 95 % of it, else fell_short
- the year's plan 漸増 / 拡充 with a numeric baseline   -> met if result > baseline,
                                                         borderline if equal, fell_short if lower
- the year's plan 維持 with a numeric baseline          -> met if result >= baseline,
                                                         borderline if >= 95 % of it, else fell_short
- any other plan (実施, 継続, 検討, 準備, 拡充 without figures) -> the reviewed outcome of the
  result sentence: achieved -> met, partly -> borderline, not_achieved -> fell_short,
  none -> unclear
- the year's plan － (none)                            -> unclear
"""
from __future__ import annotations

from dataclasses import dataclass

from corpus.records import Cell, Indicator, Outcome, PlanWord, Project, Status

MAINTAIN_TOLERANCE = 0.95  # a drop of up to 5 % under 維持 is borderline, not met


@dataclass(frozen=True)
class Evaluation:
    status: Status
    reason: str


def _with_unit(text: str, unit: str | None) -> str:
    if unit and not text.endswith(unit) and unit not in ("%",) and not text.endswith(("%", "％")):
        return f"{text}{unit}"
    if unit == "%" and not text.endswith(("%", "％")):
        return f"{text}%"
    return text


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _trend(before: float, after: float) -> str:
    if after > before:
        return "増加"
    if after < before:
        return "減少"
    return "横ばい"


def evaluate(ind: Indicator) -> Evaluation:
    """Status and reason of one indicator for its document's result year (pure)."""
    plan: Cell = ind.plan_now
    res = ind.result
    plan_label = plan.text
    y, b = ind.result_year, ind.baseline_year
    if res is None:
        if plan.word is PlanWord.NONE:
            return Evaluation(Status.UNCLEAR, f"{y}の計画値がなく、結果も記載がありません")
        return Evaluation(Status.UNCLEAR, f"{plan_label}の計画に対し、{y}の結果は資料に記載がありません")
    if plan.word is PlanWord.NONE and res.outcome is None:
        return Evaluation(Status.UNCLEAR, f"{y}の計画値がないため判定できません")

    base = ind.baseline
    if res.value is not None:
        got = _with_unit(res.text or f"{res.value:g}", ind.unit or res.unit)
        if plan.is_number:
            target = _with_unit(plan.text, ind.unit)
            if res.value >= plan.number:
                return Evaluation(Status.MET, f"{y}計画{target}に対し、{y} {got}で達成")
            if res.value >= plan.number * MAINTAIN_TOLERANCE:
                return Evaluation(Status.BORDERLINE, f"{y}計画{target}に対し、{y} {got}とわずかに不足")
            return Evaluation(Status.FELL_SHORT, f"{y}計画{target}に対し、{y} {got}と下回った")
        if base.is_number and plan.word in (PlanWord.GRADUAL_INCREASE, PlanWord.EXPAND, PlanWord.MAINTAIN):
            before = _with_unit(base.text, ind.unit)
            trend = _trend(base.number, res.value)
            head = f"{plan.word.value}の計画に対し、{b} {before} → {y} {got}"
            if plan.word is PlanWord.MAINTAIN:
                if res.value >= base.number:
                    return Evaluation(Status.MET, f"{head}と{'維持' if trend == '横ばい' else trend}")
                # no computed percentage in the reason: every figure shown must be in the document
                if res.value >= base.number * MAINTAIN_TOLERANCE:
                    return Evaluation(Status.BORDERLINE, f"{head}とわずかに減少（5%以内）")
                return Evaluation(Status.FELL_SHORT, f"{head}と減少")
            if res.value > base.number:
                return Evaluation(Status.MET, f"{head}と増加")
            if res.value == base.number:
                return Evaluation(Status.BORDERLINE, f"{head}と横ばい")
            return Evaluation(Status.FELL_SHORT, f"{head}と減少")

    evidence = _short(res.evidence)
    if res.outcome is Outcome.ACHIEVED:
        return Evaluation(Status.MET, f"{plan_label}の計画に対し、「{evidence}」と記載")
    if res.outcome is Outcome.PARTLY:
        return Evaluation(Status.BORDERLINE, f"{plan_label}の計画に対し、「{evidence}」と一部のみ記載")
    if res.outcome is Outcome.NOT_ACHIEVED:
        return Evaluation(Status.FELL_SHORT, f"{plan_label}の計画に対し、「{evidence}」と未実施")
    return Evaluation(Status.UNCLEAR, f"{plan_label}の計画に対し、結果を判定できる記載がありません")


def project_status(project: Project) -> Status | None:
    """The worst indicator status of a project (fell_short > borderline > unclear > met)."""
    order = [Status.FELL_SHORT, Status.BORDERLINE, Status.UNCLEAR, Status.MET]
    statuses = {evaluate(i).status for i in project.indicators}
    return next((s for s in order if s in statuses), None)
