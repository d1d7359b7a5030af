"""The answer engine: a question (and the conversation so far) in, a cited Answer out.

Structured questions (lists, shortfalls, indicator figures, comments, explanations) are
answered from the records; free questions from hybrid retrieval, quoting the best passages.
Every figure comes from the records and every answer carries its sources.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from corpus.evaluate import evaluate, project_status
from corpus.loader import load_plan
from corpus.records import STATUS_LABELS, Indicator, Plan, Project, Status
from index.text import normalize
from qa import lexicon as lx
from qa.compose import (
    cite_label,
    depts,
    goal_label,
    indicator_citation,
    indicator_line,
    indicator_row,
    plan_values_line,
    policy_label,
    project_ref,
    quote,
    result_text,
    section_text,
    sentences_with_counter,
    with_unit,
)
from qa.types import Answer, AnswerStatus, Citation
from qa.understand import Intent, Query, input_problem, longest_common, understand

log = logging.getLogger(__name__)

MAX_CHARS = 2000
# off-topic evidence (see Engine._off_topic): e5 cosines bunch in 0.80-0.93 here
OFF_TOPIC_DENSE = 0.85
OFF_TOPIC_COVERAGE = 0.5
_KANJI = re.compile(r"[\u3400-\u9fff]")
_KATAKANA = re.compile(r"[\u30a1-\u30ffー]+")
RESULT_YEAR = "R2"
PLAN_YEARS = ("R2", "R3", "R4", "R5", "R6")


@dataclass(frozen=True)
class Ranked:
    """A project found by retrieval, with its score and best passages."""

    project: Project
    score: float
    passages: tuple[Citation, ...]
    agreed: bool = False  # lemma BM25 and dense both rank this project first
    coverage: float = 0.0  # IDF-weighted share of the question's terms found in the project
    dense_score: float = 1.0  # best passage cosine


class Engine:
    """Holds the plan and the search index (loaded lazily, once)."""

    def __init__(self, plan: Plan | None = None, index=None, plan_id: str | None = None):
        self._plan = plan
        self._index = index
        self._plan_id = plan_id
        self._lock = threading.Lock()

    # --- resources ------------------------------------------------------------------------
    @property
    def plan(self) -> Plan:
        if self._plan is None:
            self._plan = load_plan(self._plan_id)
        return self._plan

    @property
    def index(self):
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from index import load_index

                    self._index = load_index(progress=False)
        return self._index

    def warm_up(self, progress: bool = True) -> None:
        """Load records, model and index now (building what is missing) instead of on the first question."""
        _ = self.plan
        if self._index is None:
            from index import load_index

            with self._lock:
                if self._index is None:
                    self._index = load_index(progress=progress)
        self.retrieve("子育て", k=1)

    # --- retrieval ------------------------------------------------------------------------
    def retrieve(self, text: str, k: int = 8, q: Query | None = None) -> list[Ranked]:
        from index import Filters

        filters = None
        if q is not None and (q.goal or q.policy or q.department):
            # the index filters on one goal/department; with several named, filter on none of them
            filters = Filters(plan_id=self.plan.id, goal=q.goal if len(q.goals) <= 1 else None, policy=q.policy,
                              department=q.department if len(q.departments) <= 1 else None)
        else:
            filters = Filters(plan_id=self.plan.id)
        out: list[Ranked] = []
        for ph in self.index.rank_projects(text, k=k, filters=filters):
            project = self.plan.project(ph.project_id)
            if project is None:
                continue
            passages = tuple(
                Citation(project=project.name, section=str(getattr(h.chunk.section, "value", h.chunk.section)), page=h.chunk.page, text=h.chunk.text,
                         terms=_terms_in(text, h.chunk.text))
                for h in ph.hits[:3]
            )
            out.append(Ranked(project=project, score=float(ph.score), passages=passages,
                              agreed=bool(getattr(ph, "agreed", True)), coverage=float(getattr(ph, "coverage", 1.0)),
                              dense_score=float(getattr(ph, "dense_score", 1.0))))
        return out

    def unknown_nouns(self, text: str) -> list[str]:
        """Kanji nouns of the question that the document never uses (放課後, 図書館, 待機 …)."""
        profile = getattr(self.index, "profile", None)
        if profile is None:
            return []
        from index.text import analyse

        prof = profile(text)
        unknown = set(prof.unknown_terms)
        # one-kanji nouns (体, 家) and short katakana words (ママ, シングル) are everyday speech;
        # longer ones name things the document would have to mention (図書館, ファミリー…)
        return [m.surface for m in analyse(normalize(prof.analysed))
                if m.pos1 == "名詞" and len(m.surface) >= 2
                and (_KANJI.search(m.surface) or (_KATAKANA.fullmatch(m.surface) and len(m.surface) >= 5))
                and (m.lemma in unknown or m.surface in unknown)]

    # --- entry point ----------------------------------------------------------------------
    def answer(self, question: object, history: Sequence[Answer] | None = None) -> Answer:
        problem = input_problem(question, MAX_CHARS)
        if problem:
            return Answer(question=question if isinstance(question, str) else repr(question)[:200],
                          status=AnswerStatus.NO_ANSWER, text=problem, intent="invalid")
        assert isinstance(question, str)
        q = understand(question, self.plan)
        last = history[-1] if history else None
        handler = {
            Intent.MORE: self._more,
            Intent.COMMENT: self._comment,
            Intent.SHORTFALL: self._shortfall,
            Intent.PLAN_VALUE: self._plan_value,
            Intent.UNCLEAR: lambda q, last: self._status_list(q, Status.UNCLEAR),
            Intent.BORDERLINE: lambda q, last: self._status_list(q, Status.BORDERLINE),
            Intent.ACHIEVED: self._achieved,
            Intent.LIST: self._list,
            Intent.SUMMARY: self._summary,
            Intent.DEPARTMENT: self._department,
            Intent.INDICATOR: self._indicator,
            Intent.EXPLANATION: self._explanation,
            Intent.SEARCH: self._search,
        }[q.intent]
        if q.intent is Intent.SEARCH and q.anaphora and last is not None and last.context.get("project_ids") \
                and not [m for m in q.named if m.score >= 0.6]:
            handler = self._overview  # 「その事業について詳しく」: the project of the previous answer
        bad_scope = self._check_scope(q)
        if bad_scope is not None:
            return bad_scope
        return handler(q, last)

    # --- scope ----------------------------------------------------------------------------
    def _check_scope(self, q: Query) -> Answer | None:
        plan = self.plan
        for goal in q.goals or ((q.goal,) if q.goal is not None else ()):
            if plan.goal(goal) is None:
                goals = "、".join(f"目標{g.number}" for g in plan.goals)
                return self._no(q, lx.NO_SUCH_GOAL.format(goal=goal, goals=goals))
        if q.policy is not None and plan.policy(q.policy) is None:
            pols = "、".join(p.code for p in plan.policies)
            return self._no(q, lx.NO_SUCH_POLICY.format(policy=q.policy, policies=pols))
        return None

    def _no(self, q: Query, text: str, **kw) -> Answer:
        if "sources" in kw:
            kw["sources"] = _highlighted(q.text, kw["sources"])
        return Answer(question=q.raw, status=AnswerStatus.NO_ANSWER, text=text, intent=q.intent.value, **kw)

    def _ok(self, q: Query, text: str, projects: Sequence[tuple[Project, float]] = (), **kw) -> Answer:
        refs = tuple(project_ref(p, s) for p, s in projects)
        ctx = dict(kw.pop("context", {}) or {})
        ctx.setdefault("project_ids", [p.id for p, _ in projects])
        ctx.setdefault("intent", q.intent.value)
        if "sources" in kw:
            kw["sources"] = _highlighted(q.text, kw["sources"])
        return Answer(question=q.raw, status=AnswerStatus.ANSWERED, text=text, intent=q.intent.value,
                      projects=refs, context=ctx, **kw)

    # --- which project is meant --------------------------------------------------------------
    def _targets(self, q: Query, last: Answer | None, k: int = 1) -> tuple[list[tuple[Project, float]], list[Ranked]]:
        """Projects a per-project question is about: named ones, the previous answer's, or retrieval's best."""
        plan = self.plan
        strong = [m for m in q.named if m.score >= 0.6]
        ind_hits = self._indicator_matches(q.text)
        chosen: list[tuple[Project, float]] = []
        if strong:
            top = strong[0].score
            for m in strong:
                if m.score >= top - 0.15:
                    chosen.append((plan.project(m.project_id), m.score))
        elif ind_hits and ind_hits[0][2] >= 0.75:
            seen = set()
            for project, ind, score in ind_hits:
                if project.id not in seen and score >= ind_hits[0][2] - 0.03:
                    chosen.append((project, score))
                    seen.add(project.id)
        elif last is not None and (q.anaphora or len(q.text) <= 14) and last.context.get("project_ids"):
            for pid in last.context["project_ids"][:1]:
                p = plan.project(pid)
                if p:
                    chosen.append((p, 1.0))
        ranked = self.retrieve(q.text, k=8, q=q)
        if not chosen and ranked:
            chosen = [(r.project, r.score) for r in ranked[:k]]
        return chosen, ranked

    def _indicator_matches(self, text: str) -> list[tuple[Project, Indicator, float]]:
        """Indicators whose name (without its unit) largely appears in the question."""

        out = []
        for p in self.plan.projects:
            for ind in p.indicators:
                name = normalize(re.sub(r"（[^）]*）$", "", ind.name))
                common = longest_common(name, text)
                share = len(common) / len(name)
                if len(common) >= 4 and share >= 0.5:
                    # a longer shared run wins ties: 虐待相談件数 over 相談件数
                    out.append((p, ind, share + 0.02 * len(common)))
        out.sort(key=lambda t: -t[2])
        return out

    def _ranked_list(self, chosen: list[tuple[Project, float]], ranked: list[Ranked], n: int = 5) -> list[tuple[Project, float]]:
        out = list(chosen)
        ids = {p.id for p, _ in out}
        for r in ranked:
            if len(out) >= n:
                break
            if r.project.id not in ids:
                out.append((r.project, min(r.score, out[-1][1] if out else r.score)))
                ids.add(r.project.id)
        return out

    # --- handlers ---------------------------------------------------------------------------
    def _search(self, q: Query, last: Answer | None) -> Answer:
        ranked = self.retrieve(q.text, k=8, q=q)
        strong = [m for m in q.named if m.score >= 0.6]
        if strong:
            chosen = [(self.plan.project(m.project_id), 1.0 + m.score) for m in strong[:2]]
            ordered = self._ranked_list(chosen, ranked)
        else:
            ordered = [(r.project, r.score) for r in ranked[:5]]
        if not ordered or self._off_topic(q, ranked, strong):
            return self._no(q, lx.NOT_IN_DOCUMENT + "\nこの資料（小金井市の子ども・子育て支援事業計画の重点事業の進捗評価）では、"
                            "お尋ねの内容に当てはまる事業が見つかりませんでした。", context={"project_ids": []})
        top = ordered[0][0]
        passages = next((r.passages for r in ranked if r.project.id == top.id), ())
        lines = [f"**{top.name}**（担当：{depts(top)}）が当てはまりそうです。", "",
                 f"- 事業の内容：{top.content} {cite_label(top, lx.SECTION_CONTENT)}"]
        sources = [Citation(project=top.name, section=lx.SECTION_CONTENT, page=top.page, text=top.content,
                            terms=_terms_in(q.text, top.content))]
        # a citizen needs what happened (結果の説明) more than the council's view of it
        for c in sorted(passages, key=lambda c: c.section == lx.SECTION_COMMENT):
            if c.section != lx.SECTION_CONTENT and c.text not in (s.text for s in sources):
                lines.append(f"- 関連する記述：「{quote(c.text)}」{cite_label(top, c.section)}")
                sources.append(c)
                break
        # a paraphrased need may fit the second or third candidate better: show what they do too
        close = [p for p, _ in ordered[1:3]]
        if close:
            lines += ["", "ほかに関係しそうな事業："]
            for p in close:
                lines.append(f"- **{p.name}**（担当：{depts(p)}）：{p.content} {cite_label(p, lx.SECTION_CONTENT)}")
                sources.append(Citation(project=p.name, section=lx.SECTION_CONTENT, page=p.page, text=p.content))
        rest = [p for p, _ in ordered[3:5]]
        if rest:
            lines += ["", "そのほかの候補：" + "、".join(f"{p.name}（{depts(p)}）" for p in rest)]
        remaining = [p.id for p, _ in ordered[1:]] + [r.project.id for r in ranked if r.project.id not in {p.id for p, _ in ordered}]
        followups = (f"{top.name}の結果の説明は？", f"{top.name}の指標の実績は？", "ほかには？")
        return self._ok(q, "\n".join(lines), ordered, sources=tuple(sources), followups=followups,
                        context={"project_ids": [top.id], "remaining": remaining})

    def _off_topic(self, q: Query, ranked: list[Ranked], strong) -> bool:
        """The question is about something the document does not cover.

        Colloquial questions often use words the document does not (費用, 仕事), so an unknown
        word alone is not enough: it takes an unknown kanji noun *and* weak retrieval evidence
        (the two retrievers disagree and few of the question's terms occur in the best project,
        or the best passage is semantically far)."""
        if strong or q.has_filter:
            return False
        if not ranked:
            return True
        if not self.unknown_nouns(q.text):
            return False
        top = ranked[0]
        return top.dense_score < OFF_TOPIC_DENSE or (not top.agreed and top.coverage < OFF_TOPIC_COVERAGE)

    def _more(self, q: Query, last: Answer | None) -> Answer:
        if last is None:
            return self._no(q, lx.NO_HISTORY)
        remaining = [self.plan.project(pid) for pid in last.context.get("remaining", [])]
        remaining = [p for p in remaining if p is not None]
        if not remaining:
            return self._no(q, lx.NO_MORE)
        shown, rest = remaining[:3], remaining[3:]
        lines = ["ほかに関連しそうな事業です。", ""]
        sources = []
        for p in shown:
            lines.append(f"- **{p.name}**（担当：{depts(p)}）：{p.content} {cite_label(p, lx.SECTION_CONTENT)}")
            sources.append(Citation(project=p.name, section=lx.SECTION_CONTENT, page=p.page, text=p.content))
        n = len(shown)
        return self._ok(q, "\n".join(lines), [(p, 1.0 - i / (n + 1)) for i, p in enumerate(shown)],
                        sources=tuple(sources), context={"project_ids": [p.id for p in shown], "remaining": [p.id for p in rest]},
                        followups=("ほかには？",) if rest else ())

    def _comment(self, q: Query, last: Answer | None) -> Answer:
        strong = [m for m in q.named if m.score >= 0.6]
        about_previous = q.anaphora and last is not None and last.context.get("project_ids")
        if not strong and not about_previous and (q.has_filter or _asks_all(q.text) or q.count
                                                   or any(w in q.text for w in lx.LISTISH)):
            projects = self._filtered(q)
            with_c = [p for p in projects if p.council_comments]
            without = [p for p in projects if not p.council_comments]
            scope = self._scope_label(q)
            if re.search(r"(意見|記載)(が|の)?(ない|無い|なかった)", q.text):
                lines = [f"{scope}で子ども・子育て会議意見の記載がない重点事業は{len(without)}事業です。", ""]
                lines += [f"- **{p.name}**（{depts(p)}）{cite_label(p, lx.SECTION_COMMENT)}" for p in without]
                return self._ok(q, "\n".join(lines), [(p, 1.0) for p in without],
                                sources=tuple(Citation(project=p.name, section=lx.SECTION_CONTENT, page=p.page, text=p.content)
                                              for p in without), context={"project_ids": [p.id for p in without], "list": True})
            lines = [f"{scope}で子ども・子育て会議意見の記載がある重点事業は{len(with_c)}事業です。", ""]
            sources = []
            for p in with_c:
                for c in p.council_comments:
                    lines.append(f"- **{p.name}**：「{quote(c, 200)}」{cite_label(p, lx.SECTION_COMMENT)}")
                    sources.append(Citation(project=p.name, section=lx.SECTION_COMMENT, page=p.page, text=c))
            if without:
                lines += ["", "会議意見の記載はありません：" + "、".join(p.name for p in without)]
            return self._ok(q, "\n".join(lines), [(p, 1.0) for p in with_c], sources=tuple(sources),
                            context={"project_ids": [p.id for p in with_c], "list": True})
        chosen, ranked = self._targets(q, last)
        if not chosen:
            return self._no(q, lx.NOT_IN_DOCUMENT)
        p = chosen[0][0]
        if p.council_comments:
            lines = [f"**{p.name}**（担当：{depts(p)}）への子ども・子育て会議意見です。", ""]
            lines += [f"> {c}\n{cite_label(p, lx.SECTION_COMMENT)}" for c in p.council_comments]
            sources = [Citation(project=p.name, section=lx.SECTION_COMMENT, page=p.page, text=c,
                                terms=_terms_in(q.text, c)) for c in p.council_comments]
        else:
            lines = [f"**{p.name}**（担当：{depts(p)}）について、この資料には{lx.NO_COMMENT}"]
            if p.result_explanation:
                lines += ["", f"参考：結果の説明「{quote(p.result_explanation, 120)}」{cite_label(p, lx.SECTION_EXPLANATION)}"]
            sources = [Citation(project=p.name, section=lx.SECTION_EXPLANATION, page=p.page, text=p.result_explanation)] if p.result_explanation else []
        return self._ok(q, "\n".join(lines), self._ranked_list([(p, 1.0)], ranked), sources=tuple(sources),
                        followups=(f"{p.name}の結果の説明は？", f"{p.name}の指標は？"), context={"project_ids": [p.id]})

    def _explanation(self, q: Query, last: Answer | None) -> Answer:
        chosen, ranked = self._targets(q, last)
        if not chosen:
            return self._no(q, lx.NOT_IN_DOCUMENT)
        p = chosen[0][0]
        if not p.result_explanation:
            return self._no(q, f"**{p.name}**の結果の説明は、{lx.NOT_IN_DOCUMENT}", context={"project_ids": [p.id]})
        lines = [f"**{p.name}**（担当：{depts(p)}）の結果の説明及び次年度に向けての課題です。", ""]
        lines += [f"> {para}" for para in p.result_explanation.split("\n")]
        lines.append(cite_label(p, lx.SECTION_EXPLANATION))
        if p.indicators:
            lines += ["", "参考指標："] + [indicator_line(p, i) for i in p.indicators]
        sources = [Citation(project=p.name, section=lx.SECTION_EXPLANATION, page=p.page, text=p.result_explanation,
                            terms=_terms_in(q.text, p.result_explanation))]
        rows = tuple(indicator_row(p, i) for i in p.indicators)
        return self._ok(q, "\n".join(lines), self._ranked_list([(p, 1.0)], ranked), sources=tuple(sources), indicators=rows,
                        followups=(f"{p.name}の会議意見は？", f"{p.name}のR3の計画は？"), context={"project_ids": [p.id]})

    def _overview(self, q: Query, last: Answer | None) -> Answer:
        """Everything the records say about the previous answer's project."""
        p = self.plan.project(last.context["project_ids"][0])
        lines = [f"**{p.name}**（担当：{depts(p)}、目標{p.goal}・施策{p.policy}・No.{p.number}）", "",
                 f"- 事業の内容：{p.content} {cite_label(p, lx.SECTION_CONTENT)}"]
        sources = [Citation(project=p.name, section=lx.SECTION_CONTENT, page=p.page, text=p.content)]
        if p.indicators:
            lines += ["", "参考指標（R2の評価）："] + [indicator_line(p, i) for i in p.indicators]
        if p.result_explanation:
            lines += ["", f"結果の説明：「{quote(p.result_explanation, 200)}」{cite_label(p, lx.SECTION_EXPLANATION)}"]
            sources.append(Citation(project=p.name, section=lx.SECTION_EXPLANATION, page=p.page, text=p.result_explanation))
        lines += ["", f"子ども・子育て会議意見：{len(p.council_comments)}件" if p.council_comments else lx.NO_COMMENT]
        return self._ok(q, "\n".join(lines), [(p, 1.0)], sources=tuple(sources),
                        indicators=tuple(indicator_row(p, i) for i in p.indicators),
                        followups=(f"{p.name}の会議意見は？", f"{p.name}のR3の計画は？"), context={"project_ids": [p.id]})

    def _department(self, q: Query, last: Answer | None) -> Answer:
        chosen, ranked = self._targets(q, last)
        if not chosen:
            return self._no(q, lx.NOT_IN_DOCUMENT)
        lines = []
        for p, _ in chosen[:3]:
            lines.append(f"**{p.name}**の担当課は**{depts(p)}**です。{cite_label(p, '事業名称（担当課）')}")
        p = chosen[0][0]
        sources = [Citation(project=x.name, section=lx.SECTION_CONTENT, page=x.page, text=x.content) for x, _ in chosen[:3]]
        return self._ok(q, "\n".join(lines), self._ranked_list(chosen[:3], ranked), sources=tuple(sources),
                        followups=(f"{depts(p).split('・')[0]}の事業一覧", f"{p.name}の指標は？"),
                        context={"project_ids": [x.id for x, _ in chosen[:3]]})

    def _filtered(self, q: Query) -> list[Project]:
        out = []
        for p in self.plan.projects:
            if (q.goals or q.goal is not None) and p.goal not in (q.goals or (q.goal,)):
                continue
            if q.policy is not None and p.policy != q.policy:
                continue
            if (q.departments or q.department) and not set(q.departments or (q.department,)) & set(p.departments):
                continue
            out.append(p)
        return out

    def _scope_label(self, q: Query) -> str:
        parts = []
        for goal in q.goals or ((q.goal,) if q.goal is not None else ()):
            parts.append(goal_label(self.plan, goal))
        if q.policy is not None:
            parts.append(policy_label(self.plan, q.policy))
        if q.departments or q.department:
            parts.append(f"{'・'.join(q.departments or (q.department,))}が担当")
        return "・".join(parts) if parts else "この資料"

    def _list(self, q: Query, last: Answer | None) -> Answer:
        projects = self._filtered(q)
        scope = self._scope_label(q)
        if not projects:
            if q.department:
                return self._no(q, lx.NO_SUCH_DEPARTMENT_PROJECTS.format(department=q.department))
            return self._no(q, f"{scope}の重点事業は、{lx.NOT_IN_DOCUMENT}")
        lines = [f"{scope}の重点事業は{len(projects)}事業です。", ""]
        # 「施策3-2の事業と指標の状況」: the list with every indicator's R2 status
        with_indicators = any(w in q.text for w in ("指標", "状況", "評価", "達成", "実績", "結果"))
        rows = []
        for p in projects:
            status = project_status(p)
            mark = f"　R2評価：{STATUS_LABELS[status]}" if status else ""
            lines.append(f"- **{p.name}**（{depts(p)}／施策{p.policy}・No.{p.number}・p.{p.page}）{mark}")
            if with_indicators:
                lines += ["  " + indicator_line(p, i) for i in p.indicators]
                rows += [indicator_row(p, i) for i in p.indicators]
        sources = [Citation(project=p.name, section=lx.SECTION_CONTENT, page=p.page, text=p.content) for p in projects]
        return self._ok(q, "\n".join(lines), [(p, 1.0) for p in projects], sources=tuple(sources), indicators=tuple(rows),
                        followups=(f"{scope}でR2に計画を下回った事業は？" if q.has_filter else "R2で計画を下回った事業は？",),
                        context={"project_ids": [p.id for p in projects], "list": True})

    def _status_list(self, q: Query, wanted: Status) -> Answer:
        projects = self._filtered(q)
        scope = self._scope_label(q)
        hits: list[tuple[Project, list[Indicator]]] = []
        near: list[tuple[Project, Indicator]] = []
        for p in projects:
            inds = [i for i in p.indicators if evaluate(i).status is wanted]
            if wanted is Status.MET:
                # a project met its plan only when no indicator fell short or is borderline
                if any(evaluate(i).status in (Status.FELL_SHORT, Status.BORDERLINE) for i in p.indicators):
                    inds = []
            if inds:
                hits.append((p, inds))
            near += [(p, i) for i in p.indicators if evaluate(i).status is Status.BORDERLINE]
        label = {Status.FELL_SHORT: "計画を下回った（未達成の）", Status.MET: "計画を達成した",
                 Status.UNCLEAR: "結果の記載がなく判定できない", Status.BORDERLINE: "ほぼ達成（要注意）と判定した"}[wanted]
        year = "R2（令和2年度）"
        if not hits:
            return self._ok(q, f"{scope}には、{year}に{label}指標はありません。", [], context={"project_ids": []})
        n_ind = sum(len(i) for _, i in hits)
        lines = [f"{scope}で{year}に{label}指標は{len(hits)}事業・{n_ind}指標です。", ""]
        sources = []
        rows = []
        for p, inds in hits:
            lines.append(f"**{p.name}**（{depts(p)}）")
            for i in inds:
                lines.append(indicator_line(p, i))
                rows.append(indicator_row(p, i))
                sources.append(indicator_citation(p, i))
        if wanted is Status.FELL_SHORT and near:
            lines += ["", "なお、次の指標は「ほぼ達成（要注意）」と判定しており、上の一覧には含めていません："]
            lines += [indicator_line(p, i, with_project=True) for p, i in near]
        lines += ["", "判定のしかた：漸増・拡充はH30からの増減、維持はH30以上で達成（5%以内の減少は「ほぼ達成」）、"
                  "実施・継続・検討などは結果の説明の記載で判定しています。"]
        return self._ok(q, "\n".join(lines), [(p, 1.0) for p, _ in hits], sources=tuple(sources), indicators=tuple(rows),
                        followups=(f"{hits[0][0].name}の結果の説明は？",), context={"project_ids": [p.id for p, _ in hits], "list": True})

    def _plan_value(self, q: Query, last: Answer | None) -> Answer:
        """Indicators whose plan is the asked word (拡充 …), for the asked years or any year."""
        years = tuple(y for y in q.years if y in PLAN_YEARS) or PLAN_YEARS
        found: list[tuple[Project, Indicator, list[str]]] = []
        for p in self._filtered(q):
            for i in p.indicators:
                hit = [y for y in years if i.plan[y].word is not None and i.plan[y].word.value == q.plan_word]
                if hit:
                    found.append((p, i, hit))
        scope = "・".join(years) if len(years) < len(PLAN_YEARS) else "R2～R6のいずれか"
        if not found:
            return self._ok(q, f"{scope}の計画が「{q.plan_word}」の指標は、この資料にはありません。", [], context={"project_ids": []})
        projects = list({p.id: p for p, _, _ in found}.values())
        lines = [f"{scope}の計画が「{q.plan_word}」の指標は{len(projects)}事業・{len(found)}指標です。", ""]
        for p, i, hit in found:
            lines.append(f"- **{p.name}**（{depts(p)}）：{i.name}　計画 {plan_values_line(i)} {cite_label(p, lx.SECTION_INDICATOR)}")
        return self._ok(q, "\n".join(lines), [(p, 1.0) for p in projects],
                        indicators=tuple(indicator_row(p, i) for p, i, _ in found),
                        sources=tuple(indicator_citation(p, i) for p, i, _ in found),
                        context={"project_ids": [p.id for p in projects], "list": True})

    def _shortfall(self, q: Query, last: Answer | None) -> Answer:
        if self._future_result(q):
            return self._future_answer(q, [])
        return self._status_list(q, Status.FELL_SHORT)

    def _achieved(self, q: Query, last: Answer | None) -> Answer:
        if self._future_result(q):
            return self._future_answer(q, [])
        return self._status_list(q, Status.MET)

    def _summary(self, q: Query, last: Answer | None) -> Answer:
        plan = self.plan
        counts = {s: 0 for s in Status}
        for i in plan.indicators():
            counts[evaluate(i).status] += 1
        lines = [f"{plan.title}（{plan.city}）には、{len(plan.goals)}つの目標の下に重点事業が{len(plan.projects)}事業、"
                 f"参考指標が{len(plan.indicators())}指標あります。", "",
                 "R2（令和2年度）の評価：" + "、".join(f"{STATUS_LABELS[s]} {counts[s]}指標" for s in Status), ""]
        for g in plan.goals:
            ps = [p for p in plan.projects if p.goal == g.number]
            lines.append(f"- {goal_label(plan, g.number)}：" + "、".join(p.name for p in ps))
        return self._ok(q, "\n".join(lines), [(p, 1.0) for p in plan.projects],
                        followups=("R2で計画を下回った事業は？", "会議意見の一覧"), context={"project_ids": [], "list": True})

    # --- indicators -------------------------------------------------------------------------
    def _future_result(self, q: Query) -> list[str]:
        """Years after R2 (or R1) asked for as results, which the document cannot have."""
        if q.asks_plan and not q.asks_past:
            return []
        return [y for y in q.years if y in ("R1", "R3", "R4", "R5", "R6")]

    def _future_answer(self, q: Query, targets: list[tuple[Project, float]], inds: list[tuple[Project, Indicator]] | None = None) -> Answer:
        years = self._future_result(q)
        year_names = "、".join(lx.YEAR_NAMES.get(y, y) for y in years)
        lines = [lx.NO_RESULT_YEAR.format(year=year_names), lx.NOT_IN_DOCUMENT]
        rows = []
        sources = []
        plan_years = [y for y in years if y in PLAN_YEARS]
        if inds and plan_years:
            lines += ["", "参考までに、この資料にある計画値と令和2年度の結果です。"]
            for p, i in inds:
                plan_txt = plan_values_line(i, tuple(plan_years))
                res = result_text(i)
                r2 = f"、R2結果 {res}" if res and i.result and i.result.text else ""
                lines.append(f"- {p.name}：{i.name}　計画 {plan_txt}{r2} {cite_label(p, lx.SECTION_INDICATOR)}")
                rows.append(indicator_row(p, i))
                sources.append(indicator_citation(p, i))
        return self._no(q, "\n".join(lines), projects=tuple(project_ref(p, s) for p, s in targets),
                        indicators=tuple(rows), sources=tuple(sources), context={"project_ids": [p.id for p, _ in targets]})

    def _pick_indicators(self, q: Query, projects: list[Project]) -> list[tuple[Project, Indicator]]:
        """The indicators the question is about, within the target projects (all of them when unclear)."""

        scored = []
        for p in projects:
            for i in p.indicators:
                name = normalize(re.sub(r"（[^）]*）$", "", i.name))
                common = longest_common(name, q.text)
                share = len(common) / max(1, len(name))
                unit_hit = 1 if (q.counter and i.unit and q.counter == i.unit) else 0
                scored.append((share + 0.02 * len(common) + 0.3 * unit_hit if len(common) >= 2 else 0.3 * unit_hit, p, i))
        scored.sort(key=lambda t: -t[0])
        if scored and scored[0][0] >= 0.35:
            best = scored[0][0]
            return [(p, i) for s, p, i in scored if s >= best - 0.05]
        return [(p, i) for p in projects[:1] for i in p.indicators]

    def _indicator(self, q: Query, last: Answer | None) -> Answer:
        chosen, ranked = self._targets(q, last, k=1)
        if not chosen:
            return self._no(q, lx.NOT_IN_DOCUMENT)
        if not [m for m in q.named if m.score >= 0.6] and not self._indicator_matches(q.text) and self._off_topic(q, ranked, []) \
                and not (last is not None and (q.anaphora or len(q.text) <= 14)):
            return self._no(q, lx.NOT_IN_DOCUMENT + "\nお尋ねの数値に当たる指標や記述は、この資料に見つかりませんでした。")
        targets = [p for p, _ in chosen]
        if any(w in q.text for w in ("どんな指標", "指標は", "指標を", "指標一覧", "指標の一覧", "すべての指標", "全ての指標")):
            picked = [(p, i) for p in targets[:1] for i in p.indicators]
        else:
            picked = self._pick_indicators(q, targets)
        if self._future_result(q):
            return self._future_answer(q, chosen, picked)
        p0 = picked[0][0] if picked else targets[0]
        lines: list[str] = []
        sources: list[Citation] = []
        rows = [indicator_row(p, i) for p, i in picked]
        want_plan_years = [y for y in q.years if y in PLAN_YEARS and y != RESULT_YEAR] if q.asks_plan or not q.asks_past else []
        if q.asks_plan and not q.asks_past and not q.years and q.counter is None:
            want_plan_years = list(PLAN_YEARS)  # 「…の計画は？」: the whole plan
        # the figure asked with a counter (何園) may be stated only in the explanation text
        counter_sents = sentences_with_counter(p0, q.counter) if q.counter else []
        unit_match = any(i.unit == q.counter for _, i in picked) if q.counter else True
        no_figure = all(i.result is None or i.result.value is None for _, i in picked)
        if q.counter and counter_sents and (not unit_match or no_figure):
            lines.append(f"**{p0.name}**（担当：{depts(p0)}）の結果の説明に次の記載があります。")
            for section in dict.fromkeys(sec for sec, _ in counter_sents):
                sents = [sent for sec, sent in counter_sents if sec == section][:4]
                lines.append("\n".join(f"> {sent}" for sent in sents) + f"\n{cite_label(p0, section)}")
                sources.append(Citation(project=p0.name, section=section, page=p0.page, text="\n".join(sents),
                                        terms=_terms_in(q.text, " ".join(sents))))
            lines += ["", "関連する参考指標："]
        elif q.counter and not counter_sents and not unit_match:
            # 「何時まで」「いくら」: no indicator has that unit and no sentence states such a figure
            what = {"円": "金額", "時": "時刻", "時間": "時間", "分": "時間", "歳": "年齢"}.get(q.counter, f"数（何{q.counter}）")
            return self._no(q, f"{lx.NOT_IN_DOCUMENT}\n**{p0.name}**などの記載を確認しましたが、お尋ねの{what}は資料に見当たりません。",
                            projects=(project_ref(p0, 1.0),), context={"project_ids": [p0.id]})
        for p, i in picked:
            ev = evaluate(i)
            res = result_text(i)
            base = with_unit(i.baseline.text, i.unit) if i.baseline.is_number else i.baseline.text
            if "H30" in q.years and not want_plan_years:
                r2 = f"、R2結果 {res}" if i.result is not None and i.result.text else ""
                lines.append(f"- **{p.name}**：H30（平成30年度）の{i.name}の実績は **{base}** です（R2計画 {i.plan_r2.text}{r2}）。"
                             f"{cite_label(p, lx.SECTION_INDICATOR)}")
            elif want_plan_years and not q.asks_baseline:
                lines.append(f"- **{p.name}**：{i.name}の計画は {plan_values_line(i, tuple(want_plan_years))} です"
                             f"（H30 {base}、R2計画 {i.plan_r2.text}、R2結果 {res if i.result and i.result.text else '文章で記載' if i.result else '記載なし'}）。"
                             f"{cite_label(p, lx.SECTION_INDICATOR)}")
            elif i.result is not None and i.result.text:
                lines.append(f"- **{p.name}**：R2の{i.name}は **{res}** でした（H30 {base}、R2計画 {i.plan_r2.text}）。"
                             f"評価：**{STATUS_LABELS[ev.status]}**（{ev.reason}）{cite_label(p, lx.SECTION_EXPLANATION)}")
            elif i.result is not None:
                lines.append(f"- **{p.name}**：{i.name}（H30 {base}、R2計画 {i.plan_r2.text}）。R2の結果は数値ではなく、"
                             f"「{quote(i.result.evidence, 120)}」と記載されています。評価：**{STATUS_LABELS[ev.status]}**"
                             f"{cite_label(p, lx.SECTION_EXPLANATION)}")
            else:
                lines.append(f"- **{p.name}**：{i.name}（H30 {base}、R2計画 {i.plan_r2.text}）。R2の結果は資料に記載がありません。"
                             f"{cite_label(p, lx.SECTION_INDICATOR)}")
            sources.append(indicator_citation(p, i))
        if q.asks_baseline and "H30" not in q.years and not q.asks_past:
            lines.append("")
            lines.append("H30（平成30年度）の実績：" + "、".join(f"{i.name} {with_unit(i.baseline.text, i.unit) if i.baseline.is_number else i.baseline.text}" for _, i in picked))
        if any(w in q.text for w in ("なぜ", "理由", "どうして", "原因", "なんで")) and p0.result_explanation:
            lines += ["", f"理由について、結果の説明には次のようにあります。",
                      "\n".join(f"> {para}" for para in p0.result_explanation.split("\n")), cite_label(p0, lx.SECTION_EXPLANATION)]
            sources.append(Citation(project=p0.name, section=lx.SECTION_EXPLANATION, page=p0.page, text=p0.result_explanation))
        missing_result = all(i.result is None for _, i in picked) and not counter_sents
        asks_figure = q.asks_past or q.counter is not None
        status = AnswerStatus.NO_ANSWER if (missing_result and asks_figure and not want_plan_years) else AnswerStatus.ANSWERED
        text = "\n".join(lines)
        if status is AnswerStatus.NO_ANSWER:
            text = lx.NOT_IN_DOCUMENT + "\n" + text
        ordered = self._ranked_list([(p, 1.0) for p, _ in chosen], ranked)
        ans = Answer(question=q.raw, status=status, text=text, intent=q.intent.value,
                     projects=tuple(project_ref(p, s) for p, s in ordered), indicators=tuple(rows), sources=tuple(sources),
                     followups=(f"{p0.name}の結果の説明は？", f"{p0.name}のR3以降の計画は？", f"{p0.name}の会議意見は？"),
                     context={"project_ids": [p0.id], "intent": q.intent.value})
        return ans


def _highlighted(question: str, sources: Sequence[Citation]) -> tuple[Citation, ...]:
    """Citations with the question's words marked for highlighting, where not done yet."""
    return tuple(c if c.terms else replace(c, terms=_terms_in(question, c.text)) for c in sources)


def _asks_all(text: str) -> bool:
    return any(w in text for w in ("一覧", "すべて", "全て", "全部", "どの事業", "どんな", "リスト", "各事業"))


def _terms_in(question: str, passage: str) -> tuple[str, ...]:
    """Question terms that occur in the passage, for highlighting."""
    from index.text import terms

    norm_passage = normalize(passage)
    found = []
    for t in dict.fromkeys(terms(question)):
        if len(t) >= 2 and t in norm_passage:
            found.append(t)
    return tuple(found)


_ENGINE: Engine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> Engine:
    """The process-wide engine (records and index loaded on first use)."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = Engine()
    return _ENGINE


def answer(question: str, history: Sequence[Answer] | None = None, *, frame=None,
           plan_ids: Sequence[str] | None = None) -> Answer:
    """Answer one question, with sources.

    ``frame`` is the previous answer's ``Answer.frame`` (the conversation state; enough on its
    own), ``history`` the earlier answers (only the last one's frame is used); ``plan_ids``
    limits the answer to some loaded documents (None: all).
    """
    return get_engine().answer(question, history)


def documents() -> list:
    """The loaded documents, newest evaluation first within each plan (``DocumentRef``)."""
    from corpus.loader import load_plans
    from qa.types import DocumentRef

    out = []
    for p in load_plans():
        out.append(DocumentRef(plan_id=p.id, title=p.title, city=p.city, fiscal_year=p.fiscal_year,
                               label=f"{p.city} {p.title} {p.fiscal_year}"))
    return out


def warm_up(progress: bool = True) -> None:
    get_engine().warm_up(progress=progress)
