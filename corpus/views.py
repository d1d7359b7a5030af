"""Plain views of the records for the CLI and JSON output (no I/O)."""
from __future__ import annotations

from corpus.evaluate import evaluate
from corpus.records import STATUS_LABELS, Indicator, Plan, Project, Status


def indicator_json(ind: Indicator) -> dict:
    ev = evaluate(ind)
    res = ind.result
    return {
        "name": ind.name,
        "unit": ind.unit,
        "baseline": ind.baseline.number if ind.baseline.is_number else ind.baseline.text,
        "baseline_text": ind.baseline.text,
        "plan": {y: (c.number if c.is_number else c.text) for y, c in ind.plan.items()},
        "result": {ind.result_year: (res.value if res.value is not None else res.display) if res else None},
        "result_year": ind.result_year,
        "baseline_year": ind.baseline_year,
        "result_text": res.text if res else None,
        "result_source": res.evidence if res else None,
        "status": ev.status.value,
        "reason": ev.reason,
    }


def project_json(p: Project) -> dict:
    return {
        "id": p.id,
        "plan_id": p.plan_id,
        "name": p.name,
        "departments": list(p.departments),
        "goal": p.goal,
        "policy": p.policy,
        "number": p.number,
        "page": p.page,
        "content": p.content,
        "indicators": [indicator_json(i) for i in p.indicators],
        "council_comments": list(p.council_comments),
        "result_explanation": p.result_explanation,
        "ambiguities": [a.__dict__ for a in p.ambiguities],
    }


def plan_json(plan: Plan) -> dict:
    return {
        "plan": {"id": plan.id, "title": plan.title, "city": plan.city, "fiscal_year": plan.fiscal_year,
                 "result_year": plan.result_year, "source_file": plan.source_file},
        "projects": [project_json(p) for p in plan.projects],
    }


STATUS_ICONS = {Status.MET: "○", Status.FELL_SHORT: "×", Status.BORDERLINE: "△", Status.UNCLEAR: "？"}


def plan_text(plan: Plan) -> str:
    """Projects by goal and policy with departments and every indicator's status for the result year."""
    lines = [f"{plan.title}（{plan.city}・{plan.result_year}評価）", ""]
    for g in plan.goals:
        lines.append(f"■ {g.label} {g.title}")
        for pol in (x for x in plan.policies if x.goal == g.number):
            lines.append(f"  ◆ 施策{pol.code} {pol.title}")
            for p in (x for x in plan.projects if x.policy == pol.code):
                lines.append(f"    [{p.number}] {p.name}（{'・'.join(p.departments)}） p.{p.page}")
                for ind in p.indicators:
                    ev = evaluate(ind)
                    y, b = ind.result_year, ind.baseline_year
                    res = ind.result.display if ind.result and ind.result.text else ("記載なし" if not ind.result else "文章で記載")
                    lines.append(
                        f"        {STATUS_ICONS[ev.status]} {ind.name}: {b} {ind.baseline.text} / {y}計画 {ind.plan_now.text} / {y}結果 {res}"
                        f" → {STATUS_LABELS[ev.status]}（{ev.reason}）"
                    )
        lines.append("")
    return "\n".join(lines)
