"""Staff views read straight from the corpus records: project list, council comments, details.

Pure functions of a ``Plan``; the chat never uses them (it goes through ``qa.answer``).
"""
from __future__ import annotations

from dataclasses import dataclass

from corpus.evaluate import evaluate, project_status
from corpus.records import STATUS_LABELS, Plan, Project, Status
from corpus.views import STATUS_ICONS
from qa.compose import indicator_row
from ui import export
from ui import strings as S
from ui.render import escape, indicator_table_html, passage_text, scroll_box

ALL = ""  # filter value meaning "no filter"


@dataclass(frozen=True)
class ProjectFilter:
    goal: str = ALL  # goal number as text, e.g. "3"
    department: str = ALL
    status: str = ALL  # a Status value, or "none" for projects without indicators

    def matches(self, project: Project) -> bool:
        if self.goal and str(project.goal) != self.goal:
            return False
        if self.department and self.department not in project.departments:
            return False
        if self.status:
            st = project_status(project)
            if (st.value if st else "none") != self.status:
                return False
        return True


def goal_choices(plan: Plan) -> list[tuple[str, str]]:
    return [(S.FILTER_ALL, ALL)] + [(f"{g.label} {g.title}", str(g.number)) for g in plan.goals]


def department_choices(plan: Plan) -> list[tuple[str, str]]:
    return [(S.FILTER_ALL, ALL)] + [(d, d) for d in plan.departments]


def status_choices() -> list[tuple[str, str]]:
    return [(S.FILTER_ALL, ALL)] + [(f"{STATUS_ICONS[s]} {STATUS_LABELS[s]}", s.value) for s in Status]


def status_text(status: Status | None) -> str:
    if status is None:
        return S.NO_INDICATORS
    return f"{STATUS_ICONS[status]} {STATUS_LABELS[status]}"


def indicator_summary(project: Project) -> str:
    """'2件（○1 ×1）': how many indicators, and how many of each status."""
    if not project.indicators:
        return S.NO_INDICATORS
    counts: dict[Status, int] = {}
    for ind in project.indicators:
        st = evaluate(ind).status
        counts[st] = counts.get(st, 0) + 1
    parts = " ".join(f"{STATUS_ICONS[s]}{counts[s]}" for s in Status if s in counts)
    return f"{len(project.indicators)}件（{parts}）"


def project_rows(plan: Plan, flt: ProjectFilter = ProjectFilter()) -> list[list[str | int]]:
    """Rows of the project table (columns: S.PROJECT_COLUMNS), in document order."""
    rows: list[list[str | int]] = []
    for p in plan.projects:
        if not flt.matches(p):
            continue
        rows.append([
            f"目標{p.goal}",
            f"施策{p.policy}",
            p.name,
            "・".join(p.departments),
            indicator_summary(p),
            status_text(project_status(p)),
            p.page,
        ])
    return rows


def projects_csv_url(plan: Plan, flt: ProjectFilter = ProjectFilter()) -> str:
    rows = []
    for p in plan.projects:
        if flt.matches(p):
            rows.append([f"目標{p.goal}", f"施策{p.policy}", p.number, p.name, "・".join(p.departments),
                         len(p.indicators), status_text(project_status(p)), p.page])
    return export.csv_url(S.PROJECTS_CSV_COLUMNS, rows)


def project_list_html(plan: Plan, flt: ProjectFilter = ProjectFilter()) -> str:
    """The filtered projects, each opening to its details; a count and a CSV link on top."""
    shown = [p for p in plan.projects if flt.matches(p)]
    out = [
        '<div class="planqa-projects-bar">'
        f'<p class="planqa-count" role="status">{escape(S.PROJECTS_COUNT.format(shown=len(shown), total=len(plan.projects)))}</p>'
        + export.download_link(projects_csv_url(plan, flt), S.PROJECTS_CSV_FILE, S.PROJECTS_CSV)
        + "</div>",
        f'<p class="planqa-hint">{escape(S.PROJECT_DETAIL_HINT)}</p>',
        '<ul class="planqa-project-list">',
    ]
    for p in shown:
        st = project_status(p)
        badge = (f'<span class="planqa-badge planqa-st-{st.value}">{escape(status_text(st))}</span>' if st
                 else f'<span class="planqa-muted">{escape(S.NO_INDICATORS)}</span>')
        out.append(
            '<li><details class="planqa-project"><summary>'
            f'<span class="planqa-project-name">{escape(p.name)}</span>'
            f'<span class="planqa-meta">目標{p.goal}・施策{escape(p.policy)}・{escape("・".join(p.departments))}'
            f'・{escape(S.PAGE.format(page=p.page))}</span>'
            f'<span class="planqa-project-status">{escape(indicator_summary(p))} {badge}</span>'
            f"</summary>{project_detail_html(p)}</details></li>"
        )
    out.append("</ul>")
    return "".join(out)


# --- council comments -----------------------------------------------------------------


def comments_html(plan: Plan) -> str:
    """Every council comment by goal and project; projects without any say so."""
    total = len(plan.projects)
    with_comments = sum(1 for p in plan.projects if p.council_comments)
    out = [f'<p class="planqa-summary">{escape(S.COMMENTS_SUMMARY.format(with_comments=with_comments, total=total))}</p>']
    for g in plan.goals:
        projects = [p for p in plan.projects if p.goal == g.number]
        if not projects:
            continue
        out.append(f'<h2 class="planqa-goal">{escape(g.label)} {escape(g.title)}</h2>')
        for p in projects:
            cls = "planqa-comment-project" + ("" if p.council_comments else " planqa-no-comments")
            out.append(f'<section class="{cls}">')
            out.append(
                f'<h3>{escape(p.name)} <span class="planqa-meta">施策{escape(p.policy)}・'
                f'{escape("・".join(p.departments))}・{escape(S.PAGE.format(page=p.page))}</span></h3>'
            )
            out.append(_comments_html(p))
            out.append("</section>")
    return "".join(out)


def _paragraphs(text: str) -> str:
    return escape(passage_text(text)).replace("\n", "<br>")


def _comments_html(project: Project) -> str:
    """A project's council comments, or the explicit statement that none is recorded."""
    if project.council_comments:
        return "<ul>" + "".join(f"<li>{_paragraphs(c)}</li>" for c in project.council_comments) + "</ul>"
    return f'<p class="planqa-muted">{escape(S.NO_COMMENTS)}</p>'


# --- project detail -------------------------------------------------------------------


def project_detail_html(project: Project | None) -> str:
    """Content, indicators, result explanation and council comments of one project."""
    if project is None:
        return f'<p class="planqa-empty">{escape(S.PROJECT_DETAIL_HINT)}</p>'
    out = [
        '<div class="planqa-detail">',
        f"<h2>{escape(S.DETAIL_CONTENT)}</h2><p>{_paragraphs(project.content)}</p>",
    ]
    if project.indicators:
        rows = [indicator_row(project, i) for i in project.indicators]
        out.append(f"<h2>{escape(S.DETAIL_INDICATORS)}</h2>"
                   + scroll_box(indicator_table_html(rows, show_project=False), f"{project.name} {S.DETAIL_INDICATORS}"))
    out.append(f"<h2>{escape(S.DETAIL_RESULT)}</h2>")
    if project.result_explanation:
        out.append(f"<p>{_paragraphs(project.result_explanation)}</p>")
    else:
        out.append(f'<p class="planqa-muted">{escape(S.NO_RESULT_EXPLANATION)}</p>')
    out.append(f"<h2>{escape(S.DETAIL_COMMENTS)}</h2>")
    out.append(_comments_html(project))
    out.append("</div>")
    return "".join(out)
