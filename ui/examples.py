"""Example questions for the start screen, per kind of user, for the chosen documents.

The bundled document has hand-picked examples; any other document gets examples made from
its own records (a project with council comments, its departments, its policies), so that
every example can be answered from what is loaded.
"""
from __future__ import annotations

from collections.abc import Sequence

from corpus.evaluate import project_status
from corpus.records import Plan, Status
from ui import strings as S

Groups = list[tuple[str, list[str]]]


def examples_for(plan: Plan) -> Groups:
    if plan.id == S.EXAMPLES_PLAN_ID:
        return [(kind, list(qs)) for kind, qs in S.EXAMPLE_GROUPS]
    projects = list(plan.projects)
    citizen = [S.EXAMPLE_ABOUT.format(project=p.name) for p in projects[:3]]
    staff = []
    commented = next((p for p in projects if p.council_comments), None)
    if commented:
        staff.append(S.EXAMPLE_COMMENTS.format(project=commented.name))
    explained = next((p for p in projects if p.result_explanation and p is not commented), None)
    if explained:
        staff.append(S.EXAMPLE_RESULT.format(project=explained.name))
    analyst = []
    if any(project_status(p) is Status.FELL_SHORT for p in projects):
        analyst.append(S.EXAMPLE_SHORTFALL.format(year=plan.fiscal_year))
    if plan.departments:
        analyst.append(S.EXAMPLE_DEPARTMENT.format(department=plan.departments[0]))
    if plan.policies:
        analyst.append(S.EXAMPLE_POLICY.format(policy=plan.policies[0].code))
    groups = [(S.KIND_CITIZEN, citizen), (S.KIND_STAFF, staff), (S.KIND_ANALYST, analyst)]
    return [(k, qs) for k, qs in groups if qs]


def examples_for_all(plans: Sequence[Plan]) -> Groups:
    """Examples when every document is searched: each kind's examples from all plans, in turn."""
    merged: dict[str, list[str]] = {}
    for plan in plans:
        for kind, qs in examples_for(plan):
            merged.setdefault(kind, [])
            merged[kind].extend(q for q in qs if q not in merged[kind])
    return [(k, qs[:4]) for k, qs in merged.items()]


__all__ = ["examples_for", "examples_for_all"]
