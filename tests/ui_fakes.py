"""A fake answer engine for UI tests: answers from the corpus records by simple keyword rules.

It returns real ``qa.types.Answer`` objects (sources, indicators, followups) without loading
any model or index, so UI tests run in a fraction of a second.
"""
from __future__ import annotations

from corpus.evaluate import evaluate
from corpus.loader import load_plan
from corpus.records import Status
from qa.types import Answer, AnswerStatus, Citation, ProjectRef
from qa.compose import indicator_row


def make_answer(question: str, text: str = "回答です。", **kw) -> Answer:
    return Answer(question=question, status=kw.pop("status", AnswerStatus.ANSWERED), text=text, **kw)


class FakeEngine:
    """``FakeEngine()(question, history)``; records every call in ``calls``."""

    def __init__(self, fail: bool = False):
        self.plan = load_plan()
        self.calls: list[tuple[str, list[Answer]]] = []
        self.fail = fail

    def __call__(self, question: str, history: list[Answer] | None = None) -> Answer:
        self.calls.append((question, list(history or [])))
        if self.fail:
            raise RuntimeError("engine exploded")
        plan = self.plan
        if "下回" in question or "未達成" in question:
            rows = tuple(
                indicator_row(p, i) for p in plan.projects for i in p.indicators
                if evaluate(i).status is Status.FELL_SHORT
            )
            names = list(dict.fromkeys(r.project for r in rows))
            text = "R2で計画を下回った（未達成の）指標がある事業は次のとおりです。\n\n" + "\n".join(f"- {n}" for n in names)
            sources = tuple(
                Citation(p.name, "参考指標", p.page, f"{i.name}: H30 {i.baseline.text} / R2 {i.result.display if i.result else ''}", ("R2",))
                for p in plan.projects for i in p.indicators if evaluate(i).status is Status.FELL_SHORT
            )
            return make_answer(question, text, intent="shortfall", indicators=rows, sources=sources,
                               followups=("児童館事業の結果の説明は？", "施策3-2の事業は？"))
        project = plan.project_by_name("児童館事業")
        terms = tuple(t for t in ("児童館", "来館者数", "開館") if t in question) or ("児童館",)
        return make_answer(
            question,
            f"**児童館事業**（児童青少年課）についてお答えします。「{question}」\n\n"
            "R2の来館者数は51,840人で、H30の98,875人から減少しました（p.2）。",
            projects=(ProjectRef(project.name, project.departments, 1.0, project.goal, project.policy, project.page),),
            sources=(
                Citation(project.name, "事業の内容", project.page, project.content, terms),
                Citation(project.name, "結果の説明", project.page, project.result_explanation or "", terms),
            ),
            followups=("児童館事業の会議意見は？", "R2で計画を下回った事業は？"),
        )
