"""Answer composition: numbered citations, indicator rows and lines, quoted passages (pure functions).

``Composer`` collects an answer's lines and its sources together, so that every ``[n]`` in the
text is the n-th source: the text, the JSON and the web page's sources panel use one numbering.
"""
from __future__ import annotations

import re
import unicodedata

from corpus.evaluate import evaluate
from corpus.records import STATUS_LABELS, Indicator, Plan, Project
from corpus.views import STATUS_ICONS
from index.text import split_sentences
from qa import templates as T
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
            from dataclasses import replace  # noqa: PLC0415

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
        return "\n".join(self.lines).strip()
