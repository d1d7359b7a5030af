"""A fake answer engine for UI tests: answers from the corpus records by simple keyword rules.

It returns real ``qa.types.Answer`` objects in the engine's contract (citations as ``[n]``,
a ``Frame``, low confidence with choices) without loading any model or index, so UI tests run
in a fraction of a second.
"""
from __future__ import annotations

from corpus.evaluate import evaluate
from corpus.loader import load_plan
from corpus.records import Status
from qa.compose import indicator_row
from qa.frame import Frame
from qa.types import Answer, AnswerStatus, Citation, Confidence, DocumentRef, Interpretation, ProjectRef


def make_answer(question: str, text: str = "回答です。", **kw) -> Answer:
    return Answer(question=question, status=kw.pop("status", AnswerStatus.ANSWERED), text=text, **kw)


def documents() -> list[DocumentRef]:
    p = load_plan()
    return [DocumentRef(p.id, p.title, p.city, p.fiscal_year, f"{p.city} {p.title} {p.fiscal_year}")]


class FakeEngine:
    """``FakeEngine()(question, frame=, plan_ids=)``; records every call in ``calls``."""

    def __init__(self, fail: bool = False):
        self.plan = load_plan()
        self.calls: list[tuple[str, Frame | None, tuple[str, ...] | None]] = []
        self.fail = fail

    def __call__(self, question: str, *, frame: Frame | None = None, plan_ids=None) -> Answer:
        self.calls.append((question, frame, plan_ids))
        if self.fail:
            raise RuntimeError("engine exploded")
        plan = self.plan
        if question.startswith("その"):
            return self.follow_up(question, frame)
        if question.isascii():
            return self.english(question)
        if "下回" in question or "未達成" in question:
            return self.shortfall(question)
        if "あずけ" in question:
            p = plan.project_by_name("子育てに配慮した公共施設の改善")
            return make_answer(
                question,
                f"**{p.name}**（担当：子育て支援課）が近いかもしれません。\n\n"
                f"- 事業の内容：{p.content}（p.{p.page} {p.name}・事業の内容）[1]",
                sources=(Citation(p.name, "事業の内容", p.page, p.content, ("赤ちゃん",), plan.id),),
                confidence=Confidence.LOW,
                choices=("一時預かりの事業はありますか？", "障がい児の緊急・一時預かりについて教えて"),
                frame=Frame(plan_ids=(plan.id,), project_ids=(p.id,)),
            )
        project = plan.project_by_name("児童館事業")
        terms = tuple(t for t in ("児童館", "来館者数", "開館") if t in question) or ("児童館",)
        return make_answer(
            question,
            f"**児童館事業**（児童青少年課）についてお答えします。「{question}」\n\n"
            "- R2の来館者数は**51,840人**で、H30の98,875人から減少しました（p.2 児童館事業・結果の説明）[2]。\n"
            "  - 事業の内容は（p.2 児童館事業・事業の内容）[1]のとおりです。\n"
            "> 閉館中は「おうちで児童館」を公開した。",
            projects=(ProjectRef(project.name, project.departments, 1.0, project.goal, project.policy, project.page),),
            sources=(
                Citation(project.name, "事業の内容", project.page, project.content, terms, plan.id),
                Citation(project.name, "結果の説明", project.page, project.result_explanation or "", terms, plan.id),
            ),
            followups=("児童館事業の会議意見は？", "R2で計画を下回った事業は？"),
            frame=Frame(plan_ids=(plan.id,), project_ids=(project.id,)),
        )

    def shortfall(self, question: str) -> Answer:
        plan = self.plan
        pairs = [(p, i) for p in plan.projects for i in p.indicators if evaluate(i).status is Status.FELL_SHORT]
        rows = tuple(indicator_row(p, i) for p, i in pairs)
        sources = tuple(
            Citation(p.name, "結果の説明", p.page, i.result.evidence if i.result else p.name, ("R2",), plan.id)
            for p, i in pairs
        )
        lines = ["R2で計画を下回った（未達成の）指標がある事業は次のとおりです。", ""]
        last = None
        for n, (p, i) in enumerate(pairs, 1):
            if p.name != last:
                # a heading line right after a bullet: must stay its own line, not fold into the bullet
                lines.append(f"**{p.name}**（{'・'.join(p.departments)}）")
                last = p.name
            lines.append(f"- × **{i.name}** → **未達成**（p.{p.page} {p.name}・結果の説明）[{n}]")
        lines += ["", "判定のしかた：漸増はH30からの増減で判定しています。"]
        return make_answer(question, "\n".join(lines), intent="shortfall", indicators=rows, sources=sources,
                           followups=("児童館事業の結果の説明は？", "施策3-2の事業は？"),
                           frame=Frame(plan_ids=(plan.id,), project_ids=tuple(dict.fromkeys(p.id for p, _ in pairs))))

    def follow_up(self, question: str, frame: Frame | None) -> Answer:
        """「その会議意見は？」: about the frame's project (carried), or on its own without one."""
        plan = self.plan
        project = next((p for p in plan.projects if frame and p.id in frame.project_ids), None)
        if project is None:
            reading = Interpretation("「会議意見」を、この質問だけで読みました（前の質問から引き継いだものはありません）。")
            return make_answer(question, reading.text + "\n\nどの事業の会議意見か分かりません。事業名を入れて質問してください。",
                               status=AnswerStatus.NO_ANSWER, interpretation=reading,
                               frame=Frame(plan_ids=(plan.id,)))
        reading = Interpretation(f"{project.name}の子ども・子育て会議意見として読みました。", targets=(project.name,),
                                 carried=(f"前の質問の {project.name}",))
        comment = project.council_comments[0] if project.council_comments else "記載はありません。"
        return make_answer(
            question, f"{reading.text}\n\n**{project.name}**への意見です。\n> {comment}\n（p.{project.page} {project.name}・子ども・子育て会議意見）[1]",
            interpretation=reading,
            sources=(Citation(project.name, "子ども・子育て会議意見", project.page, comment, (), plan.id),),
            frame=Frame(plan_ids=(plan.id,), project_ids=(project.id,)),
        )

    def english(self, question: str) -> Answer:
        plan = self.plan
        p = plan.project_by_name("児童館事業")
        return make_answer(
            question,
            f"The closest programme is **{p.name}** (department: 児童青少年課).\n\n"
            f"- What it does (事業の内容): {p.content} （p.{p.page} {p.name}・事業の内容）[1]",
            language="en",
            sources=(Citation(p.name, "事業の内容", p.page, p.content, (), plan.id),),
            frame=Frame(plan_ids=(plan.id,), project_ids=(p.id,), language="en"),
        )
