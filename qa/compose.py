"""Answer composition helpers: citations, indicator rows, quoted passages (pure functions)."""
from __future__ import annotations

import re
import unicodedata

from corpus.evaluate import evaluate
from corpus.records import STATUS_LABELS, Indicator, Plan, Project
from corpus.views import STATUS_ICONS
from index.text import split_sentences
from qa import lexicon as lx
from qa.types import Citation, IndicatorRow, ProjectRef



def depts(project: Project) -> str:
    return "・".join(project.departments)


def project_ref(project: Project, score: float) -> ProjectRef:
    return ProjectRef(name=project.name, departments=project.departments, score=score,
                      goal=project.goal, policy=project.policy, page=project.page)


def cite_label(project: Project, section: str) -> str:
    return f"（p.{project.page} {project.name}・{section}）"


def with_unit(text: str, unit: str | None) -> str:
    t = unicodedata.normalize("NFKC", text)
    if unit and not t.endswith(unit) and not (unit == "%" and t.endswith("%")):
        return f"{t}{unit}"
    return t


def result_text(ind: Indicator) -> str | None:
    if ind.result is None:
        return None
    if ind.result.text:
        return with_unit(ind.result.text, ind.unit or ind.result.unit)
    return ind.result.evidence


def indicator_row(project: Project, ind: Indicator) -> IndicatorRow:
    ev = evaluate(ind)
    return IndicatorRow(
        project=project.name,
        name=ind.name,
        unit=ind.unit,
        baseline=with_unit(ind.baseline.text, ind.unit) if ind.baseline.is_number else ind.baseline.text,
        plan={y: c.text for y, c in ind.plan.items()},
        result=result_text(ind),
        status=ev.status.value,
        reason=ev.reason,
        page=project.page,
    )


def indicator_line(project: Project, ind: Indicator, *, with_project: bool = False) -> str:
    """One Markdown bullet: name, H30, R2 plan, R2 result, status and reason."""
    ev = evaluate(ind)
    res = result_text(ind) if ind.result and ind.result.text else ("記載なし" if ind.result is None else "文章で記載")
    base = with_unit(ind.baseline.text, ind.unit) if ind.baseline.is_number else ind.baseline.text
    head = f"{project.name}：" if with_project else ""
    return (f"- {STATUS_ICONS[ev.status]} {head}**{ind.name}**　H30 {base} ／ R2計画 {ind.plan_r2.text} ／ "
            f"R2結果 {res} → **{STATUS_LABELS[ev.status]}**（{ev.reason}）")


def indicator_citation(project: Project, ind: Indicator) -> Citation:
    if ind.result is not None:
        return Citation(project=project.name, section=lx.SECTION_EXPLANATION, page=project.page, text=ind.result.evidence)
    plan = " ".join(c.text for c in ind.plan.values())
    return Citation(project=project.name, section=lx.SECTION_INDICATOR, page=project.page,
                    text=f"{ind.name} H30 {ind.baseline.text} 計画（R2～R6） {plan}")


def quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section_text(project: Project, section: str) -> str | None:
    if section == lx.SECTION_CONTENT:
        return project.content
    if section == lx.SECTION_EXPLANATION:
        return project.result_explanation
    if section == lx.SECTION_COMMENT:
        return "\n".join(project.council_comments) or None
    return None


def sentences_with_counter(project: Project, counter: str) -> list[tuple[str, str]]:
    """(section, sentence) pairs of the project that state a figure with the counter (e.g. 18園)."""
    pattern = re.compile(r"[0-9０-９][0-9０-９,，.]*\s*" + re.escape(counter))
    out = []
    for section in (lx.SECTION_EXPLANATION, lx.SECTION_CONTENT):
        text = section_text(project, section)
        if not text:
            continue
        for sent in split_sentences(text):
            if pattern.search(unicodedata.normalize("NFKC", sent)):
                out.append((section, sent.strip()))
    return out


def plan_values_line(ind: Indicator, years: tuple[str, ...] = ("R2", "R3", "R4", "R5", "R6")) -> str:
    return "、".join(f"{y} {ind.plan[y].text}" for y in years if y in ind.plan)


def goal_label(plan: Plan, number: int) -> str:
    g = plan.goal(number)
    return f"目標{number}「{g.title}」" if g else f"目標{number}"


def policy_label(plan: Plan, code: str) -> str:
    p = plan.policy(code)
    return f"施策{code}「{p.title}」" if p else f"施策{code}"
