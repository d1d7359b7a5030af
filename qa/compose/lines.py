"""The pieces answers are made of: indicator rows and lines, quoted passages, citations of a
project's sections (pure functions of the records)."""
from __future__ import annotations

import functools
import re
import unicodedata

from corpus.evaluate import evaluate
from corpus.records import STATUS_LABELS, Indicator, Plan, Project
from corpus.views import STATUS_ICONS
from index.text import normalize, split_sentences
from qa.types import Citation, IndicatorRow, ProjectRef

SECTION_CONTENT = "事業の内容"
SECTION_EXPLANATION = "結果の説明"
SECTION_COMMENT = "子ども・子育て会議意見"
SECTION_INDICATOR = "参考指標"
SECTION_NAME = "事業名称（担当課）"



def depts(project: Project) -> str:
    return "・".join(project.departments)


def project_ref(project: Project, score: float, document: str = "") -> ProjectRef:
    return ProjectRef(name=project.name, departments=project.departments, score=score,
                      goal=project.goal, policy=project.policy, page=project.page, plan_id=project.plan_id,
                      document=document)


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


def indicator_row(project: Project, ind: Indicator, document: str = "") -> IndicatorRow:
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
        plan_id=project.plan_id,
        document=document,
        result_year=ind.result_year,
        baseline_year=ind.baseline_year,
    )


def indicator_line(project: Project, ind: Indicator, *, with_project: bool = False) -> str:
    """One Markdown bullet: name, H30, R2 plan, R2 result, status and reason."""
    ev = evaluate(ind)
    res = result_text(ind) if ind.result and ind.result.text else ("記載なし" if ind.result is None else "文章で記載")
    base = with_unit(ind.baseline.text, ind.unit) if ind.baseline.is_number else ind.baseline.text
    head = f"{project.name}：" if with_project else ""
    y, b = ind.result_year, ind.baseline_year
    return (f"- {STATUS_ICONS[ev.status]} {head}**{ind.name}**　{b} {base} ／ {y}計画 {ind.plan_r2.text} ／ "
            f"{y}結果 {res} → **{STATUS_LABELS[ev.status]}**（{ev.reason}）")


def indicator_citation(project: Project, ind: Indicator, document: str = "") -> Citation:
    if ind.result is not None:
        return Citation(project=project.name, section=SECTION_EXPLANATION, page=project.page, text=ind.result.evidence,
                        plan_id=project.plan_id, document=document)
    plan = " ".join(c.text for c in ind.plan.values())
    years = list(ind.plan)
    return Citation(project=project.name, section=SECTION_INDICATOR, page=project.page,
                    text=f"{ind.name} {ind.baseline_year} {ind.baseline.text} 計画（{years[0]}～{years[-1]}） {plan}",
                    plan_id=project.plan_id, document=document)


def one_line(text: str) -> str:
    """Record text inside a bullet: its line breaks would end the bullet."""
    return " ".join(text.split())


def quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section_text(project: Project, section: str) -> str | None:
    if section == SECTION_CONTENT:
        return project.content
    if section == SECTION_EXPLANATION:
        return project.result_explanation
    if section == SECTION_COMMENT:
        return "\n".join(project.council_comments) or None
    return None


def sentences_with_counter(project: Project, counter: str) -> list[tuple[str, str]]:
    """(section, sentence) pairs of the project that state a figure with the counter (e.g. 18園)."""
    pattern = re.compile(r"[0-9０-９][0-9０-９,，.]*\s*" + re.escape(counter))
    out = []
    for section in (SECTION_EXPLANATION, SECTION_CONTENT):
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


def section_citation(project: Project, section: str, text: str | None = None, document: str = "") -> Citation:
    return Citation(project=project.name, section=section, page=project.page,
                    text=text if text is not None else (section_text(project, section) or project.content),
                    plan_id=project.plan_id, document=document)


def terms_in(question: str, passage: str) -> tuple[str, ...]:
    """Question terms that occur in the passage, for highlighting."""
    norm_passage = normalize(passage)
    return tuple(t for t in _question_terms(question) if len(t) >= 2 and t in norm_passage)


@functools.lru_cache(maxsize=256)
def _question_terms(question: str) -> tuple[str, ...]:
    from index.text import terms

    return tuple(dict.fromkeys(terms(question)))
