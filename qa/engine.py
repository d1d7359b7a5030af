"""The answer engine: a question and the conversation frame in, a cited Answer out.

One pipeline of typed stages:

    preprocess (language, instructions removed, parts)  ->  understand (Query)
    ->  resolve against the conversation Frame  ->  execute over the records (qa.execute)
    ->  check the evidence covers the focus  ->  compose (qa.templates, numbered citations)

Structured questions are answered from the records, free ones from hybrid retrieval; every
figure comes from the records and every answer carries its sources.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from corpus.evaluate import evaluate, project_status
from corpus.records import STATUS_LABELS, Indicator, Plan, Project, Status
from index.text import normalize, split_sentences
from qa import execute as X
from qa import templates as T
from qa.bilingual import retrieval_text
from qa.lexicon import FIELD_WORDS
from qa.compose import (
    SECTION_COMMENT,
    SECTION_CONTENT,
    SECTION_EXPLANATION,
    SECTION_INDICATOR,
    Composer,
    depts,
    one_line,
    indicator_line,
    indicator_row,
    plan_values_line,
    project_ref,
    quote,
    result_text,
    section_citation,
    section_text,
    sentences_with_counter,
    with_unit,
)
from qa.frame import Frame
from qa.preprocess import language, split_parts, strip_instructions
from qa.query import Field, Filters, Focus, Operation, Query, Target
from qa.types import Answer, AnswerStatus, Citation, Confidence, DocumentRef
from qa.understand import input_problem, longest_common, name_forms, understand

log = logging.getLogger(__name__)

MAX_CHARS = 2000
# Off-topic evidence (see Engine._off_topic): e5 cosines bunch in 0.80-0.93 on this corpus.
OFF_TOPIC_DENSE = 0.85
OFF_TOPIC_COVERAGE = 0.5
# Below this share of the question's terms found in the best project (and with the two
# retrievers disagreeing) a search answer is shown as a weak match with choices. At 0.5 every
# wrong first project of the dev and own sets is flagged, and 3 right ones of ~60 searches.
LOW_CONFIDENCE_COVERAGE = 0.5
# A retrieved project answers a per-project question (no name, no conversation) only when the
# retrievers agree on it or it covers this share of the question's terms.
RETRIEVED_TARGET_COVERAGE = 0.5
# words of a figure question that say "a number" rather than what is counted
GENERIC_NOUNS = frozenset("人数 件数 回数 数値 実績 結果 計画 年度 令和 平成 事業 利用 合計 全体 資料 状況 何人 何件 去年 今年 昨年".split())
# nouns of a list question that name the list, not its subject
LIST_NOUNS = frozenset("重点 事業 重点事業 一覧 担当 担当課 指標 参考 目標 施策 計画 結果 評価 全部 すべて リスト 所管 一つ 部署".split())
FIGURE_PHRASE_MIN = 5  # characters of the question a line must repeat to state its figure (宿泊利用者延べ数)
SPECIFIC_FOCUS = (Focus.AMOUNT, Focus.TIME, Focus.DATE, Focus.NAME, Focus.CONTACT, Focus.BREAKDOWN)
_KANJI = re.compile(r"[\u3400-\u9fff]")
_KATAKANA = re.compile(r"[\u30a1-\u30ffー]+")
_FOCUS_PATTERNS = {
    Focus.AMOUNT: re.compile(r"[0-9０-９][0-9０-９,，]*\s*円"),
    Focus.TIME: re.compile(r"[0-9０-９]{1,2}\s*時"),
    Focus.DATE: re.compile(r"([0-9０-９元]{1,4}\s*年\s*)?[0-9０-９]{1,2}\s*月(\s*[0-9０-９]{1,2}\s*日)?|年度(から|まで|より)"),
    Focus.NAME: re.compile(r"[\u4e00-\u9fff]{1,4}\s*(氏|様|さん|委員長)"),
    Focus.CONTACT: re.compile(r"[0-9]{2,4}-[0-9]{2,4}-[0-9]{3,4}|https?://|@"),
    Focus.BREAKDOWN: re.compile(r"内訳"),
}


@dataclass(frozen=True)
class Ranked:
    """A project found by retrieval, with its score and best passages."""

    project: Project
    score: float
    passages: tuple[Citation, ...]
    agreed: bool = False
    coverage: float = 0.0
    dense_score: float = 1.0


@dataclass
class Result:
    """One part's answer before it becomes an ``Answer``."""

    composer: Composer
    status: AnswerStatus = AnswerStatus.ANSWERED
    projects: list[tuple[Project, float]] = field(default_factory=list)
    indicators: list = field(default_factory=list)
    frame: Frame | None = None
    confidence: Confidence = Confidence.HIGH
    choices: tuple[str, ...] = ()
    followups: tuple[str, ...] = ()


class Engine:
    """Answers questions over some plans with a retriever (both loaded lazily, once)."""

    def __init__(self, plans: Sequence[Plan] | None = None, retriever=None, *, plan: Plan | None = None, index=None):
        self._plans = tuple(plans) if plans is not None else ((plan,) if plan is not None else None)
        self._index = retriever if retriever is not None else index
        self._lock = threading.Lock()
        self._votes = None

    # --- resources ---------------------------------------------------------------------------
    @property
    def plans(self) -> tuple[Plan, ...]:
        if self._plans is None:
            from corpus.loader import load_plans

            self._plans = tuple(load_plans())
        return self._plans

    @property
    def plan(self) -> Plan:
        """The newest evaluation (the default document)."""
        return self.current_plans()[0]

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
        _ = self.plans
        if self._index is None:
            from index import load_index

            with self._lock:
                if self._index is None:
                    self._index = load_index(progress=progress)
        self.retrieve("子育て", self.current_plans(), k=1)

    def documents(self) -> list[DocumentRef]:
        return [DocumentRef(plan_id=p.id, title=p.title, city=p.city, fiscal_year=p.fiscal_year, label=document_label(p))
                for p in sorted(self.plans, key=lambda p: (series(p), -p.year_number))]

    def current_plans(self, plan_ids: Sequence[str] | None = None) -> tuple[Plan, ...]:
        """The plans a question is answered from: the chosen ones, else the newest evaluation of each plan."""
        if plan_ids:
            chosen = tuple(p for p in self.plans if p.id in set(plan_ids))
            if chosen:
                return tuple(sorted(chosen, key=lambda p: -p.year_number))
        newest: dict[tuple, Plan] = {}
        for p in self.plans:
            key = series(p)
            if key not in newest or p.year_number > newest[key].year_number:
                newest[key] = p
        return tuple(newest.values())

    def plan_of(self, project: Project) -> Plan:
        return next(p for p in self.plans if p.id == project.plan_id)

    def project(self, project_id: str) -> Project | None:
        for p in self.plans:
            pr = p.project(project_id)
            if pr is not None:
                return pr
        return None

    # --- retrieval -----------------------------------------------------------------------------
    def retrieve(self, text: str, plans: Sequence[Plan], k: int = 8, filters: Filters | None = None) -> list[Ranked]:
        from index import Filters as IndexFilters

        ids = {p.id for p in plans}
        out: list[Ranked] = []
        flt = IndexFilters(plan_id=next(iter(ids))) if len(ids) == 1 else IndexFilters(plan_ids=tuple(sorted(ids)))
        for ph in self.index.rank_projects(text, k=k + 12 if len(ids) > 1 or filters else k, filters=flt):
            project = self.project(ph.project_id)
            if project is None or project.plan_id not in ids:
                continue
            if filters is not None and not X.project_matches(project, filters):
                continue
            passages = tuple(
                Citation(project=project.name, section=str(getattr(h.chunk.section, "value", h.chunk.section)),
                         page=h.chunk.page, text=h.chunk.text, terms=_terms_in(text, h.chunk.text), plan_id=project.plan_id)
                for h in ph.hits[:3])
            out.append(Ranked(project=project, score=float(ph.score), passages=passages,
                              agreed=bool(getattr(ph, "agreed", True)), coverage=float(getattr(ph, "coverage", 1.0)),
                              dense_score=float(getattr(ph, "dense_score", 1.0))))
            if len(out) >= k:
                break
        return out

    def unknown_nouns(self, text: str) -> list[str]:
        """Kanji nouns of the question that the documents never use (放課後, 図書館, 待機 …)."""
        profile = getattr(self.index, "profile", None)
        if profile is None:
            return []
        from index.text import analyse

        prof = profile(text)
        unknown = set(prof.unknown_terms)
        return [m.surface for m in analyse(normalize(prof.analysed))
                if m.pos1 == "名詞" and len(m.surface) >= 2
                and (_KANJI.search(m.surface) or (_KATAKANA.fullmatch(m.surface) and len(m.surface) >= 5))
                and (m.lemma in unknown or m.surface in unknown)]

    # --- entry point ---------------------------------------------------------------------------
    def answer(self, question: object, history: Sequence[Answer] | None = None, *, frame: Frame | None = None,
               plan_ids: Sequence[str] | None = None) -> Answer:
        if frame is None and history:
            # a refused line in between (empty, undecodable) keeps the conversation going
            frame = next((a.frame for a in reversed(history) if a.frame is not None), None)
        problem = input_problem(question, MAX_CHARS)
        if problem:
            shown = question[:200] if isinstance(question, str) else type(question).__name__
            return Answer(question=shown, status=AnswerStatus.NO_ANSWER, text=problem, intent="invalid", frame=frame)
        assert isinstance(question, str)
        text, _ = strip_instructions(question)
        lang = language(text or question)
        if lang in T.OTHER_LANGUAGE:
            return Answer(question=question, status=AnswerStatus.NO_ANSWER, text=T.OTHER_LANGUAGE[lang],
                          intent="language", language=lang, frame=frame)
        if not text.strip() or not re.sub(r"[\s\W_]", "", text):
            return Answer(question=question, status=AnswerStatus.NO_ANSWER, text=T.ONLY_INSTRUCTIONS, intent="invalid",
                          language=lang, frame=frame)
        plans = self._named_documents(text, self.current_plans(plan_ids))
        parts = split_parts(text) if lang == "ja" else [text]
        queries = [self.understand(part, question if len(parts) == 1 else part, plans, lang) for part in parts]
        if len(queries) > 1 and sum(1 for q in queries if q.operation is not Operation.SEARCH or q.fields or q.focus) < 2:
            # several sentences that together describe one need: one search
            queries = [self.understand(text, question, plans, lang)]
        results: list[tuple[Query, Result]] = []
        current = frame
        for q in queries:
            q = self.resolve(q, current, plans)
            res = self.execute(q, current, plans)
            current = res.frame or current
            results.append((q, res))
        return self._combine(question, results, lang, plans)

    def understand(self, part: str, raw: str, plans: Sequence[Plan], lang: str) -> Query:
        projects = [p for plan in plans for p in plan.projects]
        departments = tuple(dict.fromkeys(d for plan in plans for d in plan.departments))
        cities = tuple(dict.fromkeys(plan.city for plan in self.plans))
        return understand(raw, part, plans[0], language=lang, departments=departments, projects=projects,
                          city_names=cities, example_vote=self._vote(part))

    def _vote(self, text: str) -> dict | None:
        """The labelled-example vote, when the retriever has an encoder (not in fast tests)."""
        index = self.index
        encoder = getattr(index, "encoder", None)
        if encoder is None or not hasattr(index, "query_vector"):
            return None
        if self._votes is None:
            from qa.intents import ExampleVote

            self._votes = ExampleVote(encoder.encode_queries)
        return self._votes.vote(index.query_vector(text))

    # --- conversation ----------------------------------------------------------------------------
    def resolve(self, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Query:
        """Fill what the question leaves to the conversation: its target, filters, fields."""
        if frame is None:
            return q
        flt = q.filters
        scores = dict(q.scores)
        candidates = list(dict.fromkeys((*frame.listed, *frame.project_ids)))
        dept_ref = re.search(r"(同じ|その|この|当該|そこの).{0,8}(課|部署)|担当課(は|が|の)?.{0,12}(ほか|他)", q.text)
        frame_depts = tuple(dict.fromkeys(d for pid in frame.project_ids for p in [self.project(pid)] if p for d in p.departments))
        # 「同じ課が担当しているほかの事業」 is a filter; 「その担当課は？」 asks for the department itself
        dept_ref = dept_ref if dept_ref and (q.others or "事業" in q.text) else None
        if dept_ref and not flt.departments and frame_depts:
            flt = replace(flt, departments=frame_depts)
            scores["list"] = scores.get("list", 0) + 2.0
            if q.others:
                flt = replace(flt, exclude_projects=frame.project_ids)
        elif q.others and re.search(r"(ほか|他|別)の(課|部署)", q.text) and frame_depts:
            flt = replace(flt, exclude_departments=frame_depts)
        if re.search(r"(その中|そのうち|この中|これらのうち|それらのうち)", q.text):
            flt = replace(flt, goals=flt.goals or frame.goals, policies=flt.policies or frame.policies,
                          departments=flt.departments or frame.departments)
        targets = q.targets
        if not targets:
            if q.ordinal:
                pool = frame.first if q.ordinal == -1 else (frame.listed or frame.project_ids)
                idx = 0 if q.ordinal == -1 else q.ordinal - 1
                if 0 <= idx < len(pool):
                    targets = (Target(pool[idx], 1.0, "ordinal"),)
            elif candidates and (q.refers or _ellipsis(q)) and not flt.any:
                # 「認可外のほう」: a part of one candidate's name picks it among the previous answer's
                picked = self._pick_by_part(q.text, candidates)
                if picked:
                    targets = (Target(picked, 1.0, "frame"),)
                elif len(frame.project_ids) > 1 and re.search(r"(それぞれ|両方|どちらも|各)", q.text):
                    targets = tuple(Target(pid, 1.0, "frame") for pid in frame.project_ids)
                elif frame.project_ids:
                    targets = (Target(frame.project_ids[0], 1.0, "frame"),)
            elif candidates and re.search(r"(それぞれ|両方|どちらも)", q.text) and not flt.any:
                targets = tuple(Target(pid, 1.0, "frame") for pid in frame.project_ids)
        fields = q.fields
        operation = q.operation
        if targets and not q.targets and not fields and frame.fields and q.operation in (Operation.SEARCH, Operation.LOOKUP):
            fields = tuple(Field(f) for f in frame.fields)  # 「じゃあ二つ目のは？」: the same ask about another target
        if targets and not q.targets:
            operation = Operation.LOOKUP if operation in (Operation.SEARCH, Operation.LOOKUP) else operation
        if flt is not q.filters and operation in (Operation.LOOKUP, Operation.SEARCH) and not targets:
            # a filter taken from the conversation makes a list, unless a topic search is asked
            if dept_ref or re.search(r"(その中|そのうち)", q.text):
                operation = Operation.LIST
        return q.with_(targets=targets, filters=flt, fields=fields, operation=operation, scores=scores)

    def _pick_by_part(self, text: str, candidates: Sequence[str]) -> str | None:
        """The one candidate whose name shares a distinctive run (2+ characters) with the question."""
        found = []
        for pid in candidates:
            p = self.project(pid)
            if p is None:
                continue
            others = [self.project(o) for o in candidates if o != pid]
            best = ""
            for form in name_forms(p):
                common = longest_common(form, text)
                if len(common) >= 2 and not any(o and common in o.name for o in others) and len(common) > len(best):
                    best = common
            if best:
                found.append((len(best), pid))
        if len(found) == 1 or (found and sorted(found)[-1][0] > sorted(found)[-2][0] if len(found) > 1 else False):
            return max(found)[1]
        return None

    # --- execution -----------------------------------------------------------------------------
    def execute(self, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
        lang = q.language
        by_year = self._plans_named_by_year(q, plans)
        if len(by_year) >= 2 and q.filters.on_indicators and q.operation in (Operation.LIST, Operation.COUNT):
            return self._in_every_year(q, frame, by_year)
        if by_year:
            plans = by_year
            q = self._same_projects_in(q, plans)
        projects = [p for plan in plans for p in plan.projects]
        scope_error = self._check_scope(q, plans)
        if scope_error is not None:
            return scope_error
        if q.focus is Focus.OTHER_CITY:
            return self._other_city(q, plans)
        later = self._later_years(q, plans)
        if later:
            return self._later_year(q, frame, plans, later)
        if lang == "en":
            return self._english(q, frame, plans)
        op = q.operation
        if op is Operation.MORE:
            return self._more(q, frame)
        if op is Operation.SUMMARY:
            return self._summary(q, plans, frame)
        if op is Operation.GROUP:
            return self._group(q, plans, projects, frame)
        if op in (Operation.LIST, Operation.COUNT):
            return self._list(q, plans, projects, frame, count=op is Operation.COUNT)
        if op is Operation.EXTREME:
            return self._extreme(q, plans, projects, frame)
        if op is Operation.TREND:
            return self._trend(q, frame, plans)
        if op is Operation.COMPARE and not q.targets and (len(q.filters.departments) >= 2 or len(q.filters.goals) >= 2):
            return self._group(q.with_(group_by="department" if q.filters.departments else "goal"), plans, projects, frame)
        if op is Operation.COMPARE and (len(q.indicator_ids) >= 2 or len(q.targets) >= 2):
            return self._compare(q, plans, frame)
        if op is Operation.LOOKUP or q.targets or q.focus in SPECIFIC_FOCUS:
            # a question asking for a date, an amount, a name … is checked against its target's texts
            return self._lookup(q, frame, plans)
        return self._search(q, frame, plans)

    def _same_projects_in(self, q: Query, plans: Sequence[Plan]) -> Query:
        """The question's targets (and indicators) as the same projects in the named years' documents."""
        ids = {p.id for plan in plans for p in plan.projects}
        targets, indicators = [], []
        for t in q.targets:
            if t.project_id in ids:
                targets.append(t)
                continue
            old = self.project(t.project_id)
            for plan in plans:
                same = plan.project_by_name(old.name) if old else None
                if same is not None:
                    targets.append(replace(t, project_id=same.id))
                    old_names = {i.id: i.name for i in old.indicators}
                    indicators += [i.id for i in same.indicators if i.name in {old_names.get(x) for x in q.indicator_ids}]
        return q.with_(targets=tuple(targets), indicator_ids=tuple(indicators) or q.indicator_ids)

    def _named_documents(self, text: str, plans: tuple[Plan, ...]) -> tuple[Plan, ...]:
        """The documents a question names by city or plan title (all of ``plans`` when it names none)."""
        norm = unicodedata.normalize("NFKC", text)
        for key in (lambda p: p.city, lambda p: unicodedata.normalize("NFKC", short_title(p))):
            named = tuple(p for p in plans if key(p) and key(p) in norm)
            if named and len({key(p) for p in plans}) > 1:
                return named
        return plans

    def _plans_named_by_year(self, q: Query, plans: Sequence[Plan]) -> list[Plan]:
        """Evaluations whose own year the question names (「令和2年度の結果」 with R2 and R3 loaded)."""
        series_of = {series(p) for p in plans}
        named = [p for p in self.plans if p.fiscal_year in q.years and series(p) in series_of]
        if len(named) < 2 and re.search(r"(両年度|両方の年度|どちらの年度|各年度|毎年|連続)", q.text):
            named = [p for p in self.plans if series(p) in series_of]
        return sorted(named, key=lambda p: p.year_number)

    def _in_every_year(self, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
        """Projects that meet the indicator filters in each of the named years' evaluations."""
        per_year = [(plan, X.select(plan.projects, q.filters, plan.plan_years)) for plan in plans]
        common = set.intersection(*({p.name for p, _ in sel} for _, sel in per_year))
        c = self._composer(plans)
        years = "・".join(plan.fiscal_year for plan in plans)
        cond = self._condition_label(q, plans).replace(plans[0].result_year, "各年度")
        c.add(T.EVERY_YEAR_HEAD.format(years=years, condition=cond, n=len(common)), "")
        listed = []
        for plan, sel in per_year[-1:]:
            for p, _ in sel:
                if p.name not in common:
                    continue
                listed.append(p)
                c.add(f"**{p.name}**（{depts(p)}）")
                for yplan, ysel in per_year:
                    for yp, inds in ysel:
                        if yp.name == p.name:
                            c.add(*(indicator_line(yp, i) + " " + c.cite_indicator(yp, i) for i in inds))
        if not listed:
            c.add(T.EVERY_YEAR_NONE)
        return Result(c, projects=[(p, 1.0) for p in listed],
                      frame=self._frame(q, frame, [p.id for p in listed[:1]], plans=plans, listed=[p.id for p in listed]))

    # --- scope ---------------------------------------------------------------------------------
    def _check_scope(self, q: Query, plans: Sequence[Plan]) -> Result | None:
        goals = {g.number for p in plans for g in p.goals}
        for g in q.filters.goals:
            if g not in goals:
                return self._no(T.NO_SUCH_GOAL.format(goal=g, goals="、".join(f"目標{n}" for n in sorted(goals))))
        policies = {x.code for p in plans for x in p.policies}
        for code in q.filters.policies:
            if code not in policies:
                return self._no(T.NO_SUCH_POLICY.format(policy=code, policies="、".join(sorted(policies))))
        return None

    def _later_years(self, q: Query, plans: Sequence[Plan]) -> list[str]:
        """Result years asked that no loaded document reports (R3 results when only R2 is loaded)."""
        if not q.years or (Field.PLAN in q.fields and not _asks_result(q.text)):
            return []
        if q.operation in (Operation.LIST, Operation.COUNT) and q.filters.plan_word:
            return []
        have = {p.fiscal_year for p in self.plans}
        newest = max(p.year_number for p in self.plans)
        later = []
        for y in q.years:
            if not y.startswith("R"):
                continue
            n = 1 if y == "R1" else int(y[1:])
            if y not in have and (n > newest or (n < newest and Field.VALUE in q.fields)):
                later.append(y)
        asks_result = bool({Field.VALUE, Field.STATUS, Field.EXPLANATION} & set(q.fields)) or q.focus is Focus.FIGURE \
            or q.filters.status is not None or re.search(r"(でしたか|だった|実績|結果)", q.text)
        return later if asks_result else []

    # --- helpers ------------------------------------------------------------------------------
    def _labels(self, plans: Sequence[Plan]) -> dict[str, str]:
        return {p.id: document_label(p) for p in self.plans}

    def _composer(self, plans: Sequence[Plan]) -> Composer:
        return Composer(self._labels(plans), show_document=len(self.plans) > 1)

    def _no(self, text: str, **kw) -> Result:
        c = Composer()
        c.add(text)
        return Result(c, status=AnswerStatus.NO_ANSWER, **kw)

    def _frame(self, q: Query, frame: Frame | None, project_ids: Sequence[str], *, listed: Sequence[str] | None = None,
               plans: Sequence[Plan] = (), remaining: Sequence[str] = (), fields: Sequence[Field] | None = None) -> Frame:
        prev = frame or Frame()
        ids = tuple(project_ids)
        return Frame(plan_ids=tuple(p.id for p in plans) or prev.plan_ids, project_ids=ids or prev.project_ids,
                     indicator_ids=q.indicator_ids, listed=tuple(listed) if listed is not None else (prev.listed if not ids or set(ids) <= set(prev.listed) else ids),
                     remaining=tuple(remaining), operation=q.operation.value,
                     fields=tuple(f.value for f in (fields if fields is not None else q.fields)),
                     goals=q.filters.goals, policies=q.filters.policies, departments=q.filters.departments,
                     status=q.filters.status, plan_word=q.filters.plan_word, years=q.years,
                     first=prev.first or ids[:1], language=q.language)

    def _targets_for(self, q: Query, plans: Sequence[Plan], filters: Filters | None = None) -> tuple[list[Project], list[Ranked]]:
        text = retrieval_text(q.text) if q.language == "en" else q.text
        ranked = self.retrieve(text, plans, k=8, filters=filters)
        targets = [p for p in (self.project(t.project_id) for t in q.targets) if p is not None]
        return targets, ranked

    # --- lookups -----------------------------------------------------------------------------------
    def _lookup(self, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
        targets, ranked = self._targets_for(q, plans)
        from_retrieval = not targets
        if not targets:
            if q.refers and not _names_something(q) and (frame is None or not frame.has_target) \
                    and not _has_own_subject(q.text):
                return self._no(T.NO_HISTORY)  # 「その担当課は？」 with nothing before it: ask, do not guess
            if not ranked or self._off_topic(q, ranked):
                return self._off_topic_result(q, plans)
            top = ranked[0]
            targets = [top.project]
        c = self._composer(plans)
        status = AnswerStatus.ANSWERED
        fields = list(q.fields)
        indicators = []
        p0 = targets[0]
        if q.focus in (Focus.AMOUNT, Focus.TIME, Focus.DATE, Focus.NAME, Focus.CONTACT, Focus.BREAKDOWN):
            found = self._focus_sentences(q, p0)
            if not found:
                return self._focus_missing(q, p0, ranked, frame, plans)
            c.add(T.SENTENCES_HEAD.format(name=p0.name, departments=depts(p0)))
            for section, sent in found:
                c.add(f"> {sent}", c.cite_section(p0, section))
            fields = [f for f in fields if f in (Field.DEPARTMENT, Field.COMMENT)]
        if q.focus is Focus.FIGURE and not q.indicator_ids:
            missing = self._uncovered_nouns(q, p0)
            if missing:
                # 「児童館の職員は何人」: the counted thing is nowhere in the project's texts
                return self._focus_missing(q.with_(focus=Focus.FIGURE), p0, ranked, frame, plans,
                                           what=T.NUMBER_OF.format(what="・".join(missing)))
        related = None
        if not fields and q.focus is None:
            fields = [Field.CONTENT, Field.INDICATORS, Field.EXPLANATION] if q.operation is Operation.LOOKUP else [Field.CONTENT]
            if q.operation is not Operation.LOOKUP:
                # a need about a named programme (「産後ケアって泊まりもできる？」): its passage nearest the question
                mine = next((r for r in ranked if r.project.id == p0.id), None)
                related = next((c for c in (mine.passages if mine else ()) if c.section != SECTION_CONTENT), None)
        order = [Field.DEPARTMENT, Field.CONTENT, Field.VALUE, Field.BASELINE, Field.PLAN, Field.STATUS, Field.INDICATORS,
                 Field.EXPLANATION, Field.COMMENT]
        wanted = [f for f in order if f in fields]
        ind_fields = {Field.VALUE, Field.BASELINE, Field.PLAN, Field.STATUS, Field.INDICATORS}
        done_indicators = False
        for fld in wanted:
            if fld is Field.DEPARTMENT:
                for p in targets[:3]:
                    c.add(T.DEPARTMENT_LINE.format(name=p.name, departments=depts(p), cite=c.cite_section(p, SECTION_CONTENT)))
            elif fld is Field.CONTENT:
                for p in targets[:3]:
                    c.add(T.PROJECT_HEAD.format(name=p.name, departments=depts(p)), T.CONTENT_LINE.format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
                if related is not None:
                    c.add(T.RELATED_LINE.format(quote=quote(related.text), cite=c.cite(related)))
            elif fld in ind_fields and not done_indicators:
                done_indicators = True
                res = self._indicator_lines(q, targets, c)
                indicators += res[0]
                if res[1]:
                    status = AnswerStatus.NO_ANSWER
            elif fld is Field.EXPLANATION:
                for p in targets[:2]:
                    if not p.result_explanation:
                        c.add(T.NO_EXPLANATION.format(name=p.name))
                        continue
                    c.add("", T.EXPLANATION_HEAD.format(name=p.name, departments=depts(p)))
                    c.add(*(f"> {para}" for para in p.result_explanation.split("\n")))
                    c.add(c.cite_section(p, SECTION_EXPLANATION))
            elif fld is Field.COMMENT:
                for p in targets[:2]:
                    if p.council_comments:
                        c.add("", T.COMMENT_HEAD.format(name=p.name, departments=depts(p)))
                        for comment in p.council_comments:
                            c.add(*(f"> {line}" for line in comment.split("\n")))
                            c.add(c.cite(section_citation(p, SECTION_COMMENT, comment)))
                    else:
                        c.add("", T.COMMENT_NONE.format(name=p.name, departments=depts(p)))
        ordered = [(p, 1.0) for p in targets]
        if from_retrieval:  # a guessed target: the close candidates come along
            ordered += [(r.project, min(r.score, 0.99)) for r in ranked if r.project.id not in {t.id for t in targets}][:4]
        if status is AnswerStatus.NO_ANSWER:
            c.lines.insert(0, T.NOT_IN_DOCUMENT)
        return Result(c, status=status, projects=ordered, indicators=indicators,
                      frame=self._frame(q, frame, [p.id for p in targets], plans=plans,
                                        listed=[p.id for p in targets] if len(targets) > 1 else None),
                      followups=_followups(p0, wanted))

    def _indicator_lines(self, q: Query, targets: Sequence[Project], c: Composer) -> tuple[list, bool]:
        """Lines for the asked indicator figures of the targets; (rows, whether the asked figure is missing)."""
        picked = ([(p, i) for p in targets[:3] for i in p.indicators] if Field.INDICATORS in q.fields
                  else self._pick_indicators(q, targets))
        rows = []
        if not picked:
            return rows, False
        p0 = picked[0][0]
        plan_years = self.plan_of(p0).plan_years
        asks_plan = Field.PLAN in q.fields and Field.STATUS not in q.fields
        asked_plan_years = [y for y in q.years if y in plan_years and (asks_plan or y != picked[0][1].result_year)]
        # 「計画を達成した？」 compares with the plan; it asks the status, not the plan
        want_plan = Field.PLAN in q.fields and (bool(asked_plan_years) or
                                               (not _asks_result(q.text) and Field.STATUS not in q.fields))
        want_value = Field.VALUE in q.fields or Field.STATUS in q.fields or Field.INDICATORS in q.fields or not want_plan
        counter_sents = sentences_with_counter(p0, q.counter) if q.counter else []
        phrase_sents = [] if counter_sents or q.indicator_ids else self._figure_sentences(q, p0)
        unit_match = any(i.unit == q.counter for _, i in picked) if q.counter else True
        no_figure = all(i.result is None or i.result.value is None for _, i in picked)
        if phrase_sents:
            counter_sents = phrase_sents  # the figure is stated in a line of the explanation, not as an indicator
        if (q.counter and counter_sents and (not unit_match or no_figure)) or phrase_sents:
            c.add(T.EXPLANATION_STATES.format(name=p0.name, departments=depts(p0)))
            for section in dict.fromkeys(sec for sec, _ in counter_sents):
                sents = [s for sec, s in counter_sents if sec == section][:4]
                c.add("\n".join(f"> {s}" for s in sents), c.cite(section_citation(p0, section, "\n".join(sents))))
            c.add("", T.RELATED_INDICATORS)
        elif q.counter and not counter_sents and not unit_match and q.counter not in ("人", "件", "回"):
            c.add(T.FOCUS_MISSING.format(what=T.COUNT_OF.format(counter=q.counter)))
            return rows, True
        for p, i in picked:
            y, b = i.result_year, i.baseline_year
            base = with_unit(i.baseline.text, i.unit) if i.baseline.is_number else i.baseline.text
            ev = evaluate(i)
            res = result_text(i)
            cite = c.cite_indicator(p, i)
            if want_plan:
                years = tuple(asked_plan_years) or plan_years
                c.add(T.PLAN_LINE.format(project=p.name, indicator=i.name, plans=plan_values_line(i, years), baseline_year=b,
                                         baseline=base, year=y,
                                         result=res if i.result and i.result.text else (T.RESULT_IN_WORDS if i.result else T.RESULT_NONE),
                                         cite=cite))
            if Field.BASELINE in q.fields and not want_value and not want_plan:
                r = T.WITH_RESULT.format(year=y, result=res) if i.result is not None and i.result.text else ""
                c.add(T.BASELINE_LINE.format(project=p.name, baseline_year=b, indicator=i.name, baseline=base, year=y,
                                             plan=i.plan_r2.text, result=r, cite=cite))
            elif want_value or Field.BASELINE in q.fields:
                if i.result is not None and i.result.text:
                    c.add(T.VALUE_LINE.format(project=p.name, year=y, indicator=i.name, result=res, baseline_year=b,
                                              baseline=base, plan=i.plan_r2.text, status=STATUS_LABELS[ev.status],
                                              reason=ev.reason, cite=cite))
                elif i.result is not None:
                    c.add(T.VALUE_TEXT_LINE.format(project=p.name, indicator=i.name, baseline_year=b, baseline=base, year=y,
                                                   plan=i.plan_r2.text, evidence=quote(i.result.evidence, 160),
                                                   status=STATUS_LABELS[ev.status], cite=cite))
                else:
                    c.add(T.VALUE_NONE_LINE.format(project=p.name, indicator=i.name, baseline_year=b, baseline=base, year=y,
                                                   plan=i.plan_r2.text, cite=cite))
            rows.append(indicator_row(p, i, self._labels(())[p.plan_id] if len(self.plans) > 1 else ""))
        if re.search(r"(合計|合わせ|あわせ|合算|総数|トータル)", q.text) or re.search(r"\b(total|in all|combined)\b", q.text.lower()):
            figures = [(i, i.result.value) for _, i in picked if i.result is not None and i.result.value is not None]
            units = {i.unit or i.result.unit for i, _ in figures}
            if len(figures) >= 2 and len(units) == 1:
                unit = units.pop() or ""
                total = sum(v for _, v in figures)
                c.add("", T.TOTAL_LINE.format(year=figures[0][0].result_year, total=f"{_fmt(total)}{unit}",
                                             parts="＋".join(result_text(i) for i, _ in figures)), T.COMPUTED_TOTAL_NOTE)
        missing = (all(i.result is None for _, i in picked) and not counter_sents and Field.VALUE in q.fields
                   and not want_plan)
        return rows, missing

    def _figure_sentences(self, q: Query, p: Project) -> list[tuple[str, str]]:
        """Lines of the explanation that state a figure of what the question names (「宿泊利用者延べ数」)."""
        text = q.text
        for form in sorted(name_forms(p), key=len, reverse=True):
            text = text.replace(form, " ")
        out = []
        for line in (p.result_explanation or "").split("\n"):
            for sent in split_sentences(line) or [line]:
                norm = normalize(sent)
                if re.search(r"[0-9]", norm) and len(longest_common(norm, text)) >= FIGURE_PHRASE_MIN:
                    out.append((SECTION_EXPLANATION, sent.strip()))
        return out[:3]

    def _pick_indicators(self, q: Query, projects: Sequence[Project]) -> list[tuple[Project, Indicator]]:
        """The indicators the question is about within the targets (all of a target's when unclear)."""
        if q.indicator_ids:
            chosen = [(p, i) for p in projects for i in p.indicators if i.id in q.indicator_ids]
            if chosen:
                return chosen
        scored = []
        for p in projects:
            # the project's own name in the question names no indicator (子どもの居場所づくりの推進 is both)
            text = q.text
            for form in sorted(name_forms(p), key=len, reverse=True):
                text = text.replace(form, " ")
            for i in p.indicators:
                name = normalize(re.sub(r"（[^）]*）$", "", i.name))
                common = longest_common(name, text)
                share = len(common) / max(1, len(name))
                unit_hit = 1 if (q.counter and i.unit and q.counter == i.unit) else 0
                # a run of three or more characters: two (虐待) are often only the project's own name
                scored.append(((share + 0.02 * len(common) if len(common) >= 3 else 0.0) + 0.3 * unit_hit, p, i))
        scored.sort(key=lambda t: -t[0])
        if scored and scored[0][0] >= 0.35:
            best = scored[0][0]
            chosen = [(p, i) for s, p, i in scored if s >= best - 0.05]
            # each target keeps at least its best indicator (「それぞれ…受給者数は？」)
            for p in projects[1:4]:
                if not any(cp.id == p.id for cp, _ in chosen):
                    mine = [(s, pp, i) for s, pp, i in scored if pp.id == p.id and s >= 0.35]
                    if mine:
                        chosen.append((mine[0][1], mine[0][2]))
            return chosen
        return [(p, i) for p in projects[:3] for i in p.indicators]

    def _focus_sentences(self, q: Query, p: Project) -> list[tuple[str, str]]:
        """Sentences of the project that state what the focus asks (a date, an amount …), best first."""
        pattern = _FOCUS_PATTERNS.get(q.focus)
        if pattern is None:
            return []
        from index.text import terms

        qterms = set(terms(q.text))
        found = []
        for section in (SECTION_CONTENT, SECTION_EXPLANATION):
            text = section_text(p, section)
            if not text:
                continue
            for sent in split_sentences(text):
                if pattern.search(unicodedata.normalize("NFKC", sent)):
                    overlap = len(qterms & set(terms(sent)))
                    found.append((overlap, section, sent.strip()))
        if q.focus is Focus.BREAKDOWN:
            found = [f for f in found if f[0] >= 2]
        found.sort(key=lambda t: -t[0])
        return [(sec, s) for _, sec, s in found[:3]]

    def _uncovered_nouns(self, q: Query, p: Project) -> list[str]:
        """Nouns of the question that neither name the project nor occur anywhere in its texts."""
        from index.text import analyse

        texts = normalize(" ".join([p.name, *p.aliases, p.content, p.result_explanation or "", *p.council_comments,
                                    *(i.name for i in p.indicators)]))
        names = "".join(i.name for i in p.indicators)
        out = []
        for m in analyse(q.text):
            word = m.surface
            if m.pos1 != "名詞" or len(word) < 2 or not _KANJI.search(word) or word in GENERIC_NOUNS:
                continue
            # a paraphrase of an indicator (来場者 for 来館者数) shares a kanji with its name: covered
            shares_kanji = any(ch in names for ch in word if _KANJI.match(ch))
            if word not in texts and (m.lemma or word) not in texts and not shares_kanji:
                out.append(word)
        return out

    def _focus_missing(self, q: Query, p: Project, ranked, frame, plans, what: str | None = None) -> Result:
        what = what or T.FOCUS_NAMES.get(q.focus.value, T.ASKED_THING)
        c = self._composer(plans)
        if q.language == "en":
            c.add(T.EN_FOCUS_MISSING.format(what=T.EN_FOCUS.get(q.focus.value, "information"), what_ja=what))
        else:
            c.add(T.FOCUS_MISSING.format(what=what))
        more = T.HOLDS_INDICATORS if p.indicators else ""
        more += T.HOLDS_EXPLANATION if p.result_explanation else ""
        c.add("", T.WHAT_IT_HOLDS.format(project=p.name, departments=depts(p), more=more))
        c.add(T.CONTENT_LINE.format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
        return Result(c, status=AnswerStatus.NO_ANSWER, projects=[(p, 1.0)],
                      frame=self._frame(q, frame, [p.id], plans=plans, fields=()),
                      followups=(T.FOLLOW_INDICATORS.format(name=p.name), T.FOLLOW_EXPLANATION.format(name=p.name)))

    # --- search ----------------------------------------------------------------------------------
    def _search(self, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
        ranked = self.retrieve(q.text, plans, k=8, filters=q.filters if q.filters.on_projects else None)
        if not ranked or self._off_topic(q, ranked):
            return self._off_topic_result(q, plans)
        top = ranked[0].project
        low = self._low_confidence(ranked)
        c = self._composer(plans)
        head = T.SEARCH_HEAD_LOW if low else T.SEARCH_HEAD
        c.add(head.format(name=top.name, departments=depts(top)), "",
              T.CONTENT_LINE.format(content=one_line(top.content), cite=c.cite_section(top, SECTION_CONTENT)))
        for p in sorted(ranked[0].passages, key=lambda x: x.section == SECTION_COMMENT):
            if p.section not in (SECTION_CONTENT, SECTION_INDICATOR):
                c.add(T.RELATED_LINE.format(quote=quote(p.text), cite=c.cite(p)))
                break
        close = [r.project for r in ranked[1:3]]
        if close:
            c.add("", T.CLOSE_HEAD)
            for p in close:
                c.add(T.CLOSE_LINE.format(name=p.name, departments=depts(p), content=one_line(p.content),
                                          cite=c.cite_section(p, SECTION_CONTENT)))
        rest = [r.project for r in ranked[3:5]]
        if rest:
            c.add("", T.OTHERS_LINE.format(names="、".join(f"{p.name}（{depts(p)}）" for p in rest)))
        choices = tuple(T.CHOICE.format(name=r.project.name) for r in ranked[:3]) if low else ()
        return Result(c, projects=[(r.project, r.score) for r in ranked[:5]],
                      frame=self._frame(q, frame, [top.id], plans=plans, remaining=[r.project.id for r in ranked[1:]],
                                        fields=()),
                      confidence=Confidence.LOW if low else Confidence.HIGH, choices=choices,
                      followups=(T.FOLLOW_EXPLANATION.format(name=top.name), T.FOLLOW_INDICATORS.format(name=top.name),
                                 T.FOLLOW_MORE))

    def _low_confidence(self, ranked: Sequence[Ranked]) -> bool:
        top = ranked[0]
        return not top.agreed and top.coverage < LOW_CONFIDENCE_COVERAGE

    def _off_topic(self, q: Query, ranked: Sequence[Ranked]) -> bool:
        """The question is about something the documents do not cover.

        Colloquial questions often use words the document does not (費用, 仕事), so an unknown
        word alone is not enough: it takes an unknown kanji noun *and* weak retrieval evidence."""
        if q.targets or q.filters.any:
            return False
        if not ranked:
            return True
        if q.language == "en":
            return ranked[0].dense_score < OFF_TOPIC_DENSE - 0.04
        if not self.unknown_nouns(q.text):
            return False
        top = ranked[0]
        return top.dense_score < OFF_TOPIC_DENSE or (not top.agreed and top.coverage < OFF_TOPIC_COVERAGE)

    def _off_topic_result(self, q: Query, plans: Sequence[Plan]) -> Result:
        if q.language == "en":
            return self._no(T.EN_NOT_FOUND)
        docs = "、".join(T.DOCUMENT_SHORT.format(city=p.city, title=short_title(p), year=p.fiscal_year) for p in plans)
        return self._no(T.OFF_TOPIC.format(documents=docs), frame=None)

    def _more(self, q: Query, frame: Frame | None) -> Result:
        if frame is None:
            return self._no(T.NO_HISTORY)
        remaining = [p for p in (self.project(pid) for pid in frame.remaining) if p is not None]
        if not remaining:
            return self._no(T.NO_MORE)
        shown, rest = remaining[:3], remaining[3:]
        c = Composer(self._labels(()))
        c.add(T.MORE_HEAD, "")
        for p in shown:
            c.add(T.CLOSE_LINE.format(name=p.name, departments=depts(p), content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
        n = len(shown)
        return Result(c, projects=[(p, 1.0 - i / (n + 1)) for i, p in enumerate(shown)],
                      frame=replace(frame, project_ids=(shown[0].id,), listed=tuple(p.id for p in shown),
                                    remaining=tuple(p.id for p in rest)),
                      followups=(T.FOLLOW_MORE,) if rest else ())

    # --- lists -------------------------------------------------------------------------------------
    def _scope_label(self, q: Query, plans: Sequence[Plan]) -> str:
        plan = plans[0]
        parts = []
        for g in q.filters.goals:
            parts.append(_goal_label(plan, g))
        for code in q.filters.policies:
            pol = plan.policy(code)
            parts.append(T.POLICY_LABEL.format(code=code, title=pol.title) if pol else T.POLICY.format(code=code))
        if q.filters.departments:
            parts.append(T.SCOPE_DEPARTMENTS.format(departments="・".join(q.filters.departments)))
        if q.filters.exclude_departments:
            parts.append(T.SCOPE_OTHER_DEPARTMENTS.format(departments="・".join(q.filters.exclude_departments)))
        label = "・".join(parts) if parts else T.THIS_DOCUMENT
        if len(self.plans) > 1:
            label += "（" + "、".join(document_label(p) for p in plans) + "）"
        return label

    def _condition_label(self, q: Query, plans: Sequence[Plan]) -> str:
        f = q.filters
        plan = plans[0]
        y, b = plan.result_year, plan.baseline_year
        parts = []
        if f.status:
            parts.append(T.CONDITIONS[f.status].format(year=y))
        if f.plan_word:
            years = "・".join(f.plan_years) if f.plan_years else T.ANY_PLAN_YEAR.format(first=plan.plan_years[0], last=plan.plan_years[-1])
            parts.append(T.CONDITIONS["plan_word"].format(years=years, word=f.plan_word))
        if f.kind:
            parts.append(T.CONDITIONS[f.kind.value + ("_only" if f.kind_only and f.kind.value == "qualitative" else "")])
        if f.change:
            parts.append(T.CONDITIONS[f.change].format(year=y, baseline_year=b))
        if f.unit:
            parts.append(T.CONDITIONS["unit"].format(unit=f.unit))
        if f.result:
            value = f"{f.result.value:g}{f.result.unit or ''}"
            parts.append(T.CONDITIONS["result"].format(year=y, value=value, op=T.OPS[f.result.op]))
        return "、".join(parts)

    def _list(self, q: Query, plans: Sequence[Plan], projects: Sequence[Project], frame: Frame | None, count: bool = False) -> Result:
        if Field.COMMENT in q.fields and q.filters.has_comment is None:
            return self._comment_list(q, plans, projects, frame)
        f = q.filters
        plan_years = plans[0].plan_years
        selected = X.select(projects, f, plan_years)
        scope = self._scope_label(q, plans)
        c = self._composer(plans)
        rows = []
        if f.on_indicators:
            cond = self._condition_label(q, plans)
            if not selected:
                c.add(T.SELECT_NONE.format(scope=scope, condition=cond))
                return Result(c, frame=self._frame(q, frame, [], plans=plans, listed=[]))
            n_ind = sum(len(inds) for _, inds in selected)
            c.add(T.SELECT_HEAD.format(scope=scope, condition=cond, n=len(selected), m=n_ind), "")
            for p, inds in selected:
                c.add(f"**{p.name}**（{depts(p)}）")
                for i in inds:
                    line = indicator_line(p, i)
                    if f.plan_word:
                        line += T.PLAN_VALUES.format(plans=plan_values_line(i, plan_years))
                    c.add(line + " " + c.cite_indicator(p, i))
                    rows.append(indicator_row(p, i))
            if f.status == Status.FELL_SHORT.value:
                near = [(p, i) for p in projects if X.project_matches(p, f) for i in p.indicators
                        if evaluate(i).status is Status.BORDERLINE]
                if near:
                    c.add("", T.BORDERLINE_NOTE)
                    c.add(*(indicator_line(p, i, with_project=True) for p, i in near))
            if f.status:
                c.add("", T.SHORTFALL_NOTE.format(baseline_year=plans[0].baseline_year))
            listed = [p for p, _ in selected]
        else:
            listed = self._topic_filter(q, [p for p, _ in selected])
            if not listed:
                return self._no(T.NO_PROJECTS.format(scope=scope))
            conds = []
            if f.has_comment is not None:
                conds.append(T.COND_COMMENT.format(has="ある" if f.has_comment else "ない"))
            if f.indicator_count is not None:
                conds.append(T.COND_INDICATOR_COUNT.format(n=f"{f.indicator_count.value:g}", op=T.OPS[f.indicator_count.op]))
            if conds:
                c.add(T.LIST_HEAD_COND.format(scope=scope, n=len(listed), conditions="、".join(conds)), "")
            else:
                c.add((T.COUNT_HEAD if count else T.LIST_HEAD).format(scope=scope, n=len(listed)), "")
            with_status = bool({Field.STATUS, Field.VALUE, Field.INDICATORS} & set(q.fields))
            for p in listed:
                st = project_status(p)
                mark = T.LIST_STATUS.format(year=p.indicators[0].result_year if p.indicators else plans[0].result_year,
                                            label=STATUS_LABELS[st]) if st else ""
                c.add(T.LIST_ITEM.format(name=p.name, departments=depts(p), policy=p.policy, number=p.number, page=p.page,
                                         status=mark) + " " + c.cite_section(p, SECTION_CONTENT))
                if with_status:
                    for i in p.indicators:
                        c.add("  " + indicator_line(p, i))
                        rows.append(indicator_row(p, i))
        follow = (T.FOLLOW_EXPLANATION.format(name=listed[0].name),) if listed else ()
        return Result(c, projects=[(p, 1.0) for p in listed], indicators=rows,
                      frame=self._frame(q, frame, [p.id for p in listed[:1]], plans=plans, listed=[p.id for p in listed]),
                      followups=follow)

    def _topic_filter(self, q: Query, listed: list[Project]) -> list[Project]:
        """Projects of a list that are about the question's own subject (「障がいのある子ども向けの事業」).

        A subject word is a noun of the question that some, but at most half, of the listed
        projects mention; words every project shares (子ども, 事業) and the filter's own words
        (department, goal) say nothing about the subject."""
        if len(listed) < 3:
            return listed
        from index.text import analyse

        def text_of(p: Project) -> str:
            return normalize(" ".join([p.name, *p.aliases, p.content, p.result_explanation or "",
                                       *(i.name for i in p.indicators)]))

        texts = {p.id: text_of(p) for p in listed}
        named = set(q.filters.departments) | set(q.filters.exclude_departments)
        subject = []
        for m in analyse(q.text):
            word = m.surface
            if (m.pos1 != "名詞" or len(word) < 2 or word in LIST_NOUNS or any(word in d for d in named)
                    or any(word in w for words in FIELD_WORDS.values() for w in words)
                    or not (_KANJI.search(word) or _KATAKANA.fullmatch(word))):
                continue
            having = [pid for pid, t in texts.items() if word in t]
            if 0 < len(having) <= len(listed) / 2:
                subject.append(set(having))
        if not subject:
            return listed
        keep = set().union(*subject)
        return [p for p in listed if p.id in keep]

    def _comment_list(self, q: Query, plans: Sequence[Plan], projects: Sequence[Project], frame: Frame | None) -> Result:
        """Council comments of every project inside the filters, and which have none."""
        inside = [p for p in projects if X.project_matches(p, q.filters)]
        with_c = [p for p in inside if p.council_comments]
        without = [p for p in inside if not p.council_comments]
        c = self._composer(plans)
        scope = self._scope_label(q, plans)
        c.add(T.COMMENT_LIST_HEAD.format(scope=scope, n=len(with_c)), "")
        for p in with_c:
            for comment in p.council_comments:
                c.add(T.COMMENT_LIST_LINE.format(name=p.name, quote=quote(comment, 200)) + c.cite(section_citation(p, SECTION_COMMENT, comment)))
        if without:
            c.add("", T.COMMENT_LIST_NONE.format(names="、".join(p.name for p in without)))
        return Result(c, projects=[(p, 1.0) for p in with_c],
                      frame=self._frame(q, frame, [p.id for p in with_c[:1]], plans=plans, listed=[p.id for p in with_c]))

    def _group(self, q: Query, plans: Sequence[Plan], projects: Sequence[Project], frame: Frame | None) -> Result:
        by = q.group_by or "department"
        selection = X.select(projects, q.filters, plans[0].plan_years)
        selected = [p for p, _ in selection]
        groups = X.group(selected, by)
        if by == "department" and q.filters.departments:
            groups = {k: v for k, v in groups.items() if k in q.filters.departments}
        scope = self._scope_label(q, plans)
        c = self._composer(plans)
        if q.filters.on_indicators:
            # count the indicators that meet the condition per group, most first
            n_ind = {p.id: len(inds) for p, inds in selection}
            counted = sorted(((k, sum(n_ind[p.id] for p in ps), ps) for k, ps in groups.items()), key=lambda t: -t[1])
            cond = self._condition_label(q, plans)
            label_of = (lambda k: k) if by == "department" else (lambda k: _goal_label(plans[0], k))
            if counted:
                top = [k for k, n, _ in counted if n == counted[0][1]]
                c.add(T.GROUP_TOP.format(condition=cond, by=T.BY_DEPARTMENT if by == "department" else T.BY_GOAL,
                                         top="・".join(str(label_of(k)) for k in top), n=counted[0][1]), "")
            for k, n, ps in counted:
                c.add(T.GROUP_IND_LINE.format(key=label_of(k), n=n, names="、".join(p.name for p in ps)))
        else:
            if by == "department":
                c.add(T.GROUP_HEAD.format(scope=scope, n=len(selected), by=T.BY_DEPARTMENT), "")
            else:
                c.add(T.GROUP_HEAD_GOAL.format(scope=scope), "")
            for key, ps in groups.items():
                label = key if by == "department" else _goal_label(plans[0], key)
                c.add(T.GROUP_LINE.format(key=label, n=len(ps), names="、".join(p.name for p in ps)))
        selected = [p for p in selected if any(p in ps for ps in groups.values())]
        c.add("", T.GROUP_SOURCES.format(refs="".join(c.ref(section_citation(p, SECTION_CONTENT)) for p in selected)))
        return Result(c, projects=[(p, 1.0) for p in selected],
                      frame=self._frame(q, frame, [p.id for p in selected[:1]], plans=plans, listed=[p.id for p in selected]))

    def _extreme(self, q: Query, plans: Sequence[Plan], projects: Sequence[Project], frame: Frame | None) -> Result:
        pairs = [(p, i) for p, inds in X.select(projects, replace(q.filters, change=None), plans[0].plan_years) for i in inds]
        if q.targets:
            ids = set(q.project_ids)
            pairs = [(p, i) for p, i in pairs if p.id in ids] or pairs
        measure = q.measure or "abs"
        if measure == "value":
            return self._extreme_value(q, plans, pairs, frame)
        rows = X.ranked_changes(pairs, measure, q.direction, q.extreme or "max")
        if not rows:
            return self._no(T.NOT_IN_DOCUMENT)
        c = self._composer(plans)
        (p, i), ch = rows[0]
        y, b = i.result_year, i.baseline_year
        what = T.CHANGE_WORDS[(measure == "rate", q.direction == "decrease")]
        most = T.MOST_LARGE if (q.extreme or "max") == "max" else T.MOST_SMALL
        c.add(T.EXTREME_HEAD.format(baseline_year=b, year=y, what=what, most=most, project=p.name, indicator=i.name), "")
        for (pp, ii), cc in rows[:5]:
            c.add(self._change_line(pp, ii, cc, c))
        c.add("", T.COMPUTED_NOTE)
        top_projects = list(dict.fromkeys(pp.id for (pp, _), _ in rows))
        ordered = [(self.project(pid), 1.0 - k * 0.01) for k, pid in enumerate(top_projects[:5])]
        return Result(c, projects=ordered, indicators=[indicator_row(pp, ii) for (pp, ii), _ in rows[:5]],
                      frame=self._frame(q, frame, [p.id], plans=plans, listed=top_projects[:5]))

    def _extreme_value(self, q: Query, plans: Sequence[Plan], pairs, frame: Frame | None) -> Result:
        """The indicator with the largest (smallest) result among those measuring what is asked."""
        from index.text import terms

        wanted = {t for t in terms(q.text) if len(t) >= 2} - {"指標", "いちばん", "一番", "多い", "少ない"}
        about = [(p, i) for p, i in pairs if wanted & set(terms(i.name))]
        if q.counter:
            about = [(p, i) for p, i in (about or pairs) if i.unit == q.counter] or about
        rows = X.ranked_values(about or pairs, q.extreme or "max")
        if not rows:
            return self._no(T.NOT_IN_DOCUMENT)
        c = self._composer(plans)
        (p, i), _ = rows[0]
        most = T.MOST_MANY if (q.extreme or "max") == "max" else T.MOST_FEW
        c.add(T.EXTREME_VALUE_HEAD.format(year=i.result_year, most=most, project=p.name, indicator=i.name,
                                          result=result_text(i)), "")
        for (pp, ii), _ in rows[:5]:
            c.add(f"- {pp.name}：{ii.name}　{ii.result_year} {result_text(ii)}（{ii.baseline_year} "
                  f"{with_unit(ii.baseline.text, ii.unit)}） {c.cite_indicator(pp, ii)}")
        top = list(dict.fromkeys(pp.id for (pp, _), _ in rows))[:5]
        return Result(c, projects=[(self.project(pid), 1.0 - k * 0.01) for k, pid in enumerate(top)],
                      indicators=[indicator_row(pp, ii) for (pp, ii), _ in rows[:5]],
                      frame=self._frame(q, frame, top[:1], plans=plans, listed=top))

    def _change_line(self, p: Project, i: Indicator, ch: X.Change, c: Composer) -> str:
        unit = i.unit or (i.result.unit if i.result else None) or ""
        delta = f"{'+' if ch.absolute >= 0 else '−'}{_fmt(abs(ch.absolute))}{unit}"
        if ch.rate is not None:
            delta += f"、{'+' if ch.rate >= 0 else '−'}{abs(ch.rate) * 100:.1f}%"
        return T.CHANGE_LINE.format(project=p.name, indicator=i.name, baseline_year=i.baseline_year, year=i.result_year,
                                    before=with_unit(i.baseline.text, i.unit), after=result_text(i), delta=delta,
                                    cite=c.cite_indicator(p, i))

    def _compare(self, q: Query, plans: Sequence[Plan], frame: Frame | None) -> Result:
        targets = [p for p in (self.project(t.project_id) for t in q.targets) if p]
        pairs = [(p, i) for p in (targets or self.plan.projects) for i in p.indicators if i.id in q.indicator_ids]
        if len(pairs) < 2:
            pairs = [(p, i) for p in targets for i in p.indicators if X.change(i) is not None][:4]
        if len(pairs) < 2:
            return self._lookup(q.with_(operation=Operation.LOOKUP), None, plans)
        c = self._composer(plans)
        measure = q.measure or "abs"
        rows = [((p, i), X.change(i)) for p, i in pairs]
        numeric = [r for r in rows if r[1] is not None and (measure != "rate" or r[1].rate is not None)]
        if len(numeric) >= 2:
            def key(r):
                v = r[1].rate if measure == "rate" else r[1].absolute
                return -v if q.direction == "decrease" else v
            best = max(numeric, key=key)
            what = T.CHANGE_WORDS[(measure == "rate", q.direction == "decrease")]
            c.add(T.COMPARE_HEAD.format(baseline_year=best[0][1].baseline_year, year=best[0][1].result_year, what=what,
                                        indicator=best[0][1].name, project=best[0][0].name), "")
        for (p, i), ch in rows:
            if ch is not None:
                c.add(self._change_line(p, i, ch, c))
            else:
                c.add(indicator_line(p, i) + " " + c.cite_indicator(p, i))
        c.add("", T.COMPUTED_NOTE)
        proj = list(dict.fromkeys(p.id for (p, _), _ in rows))
        return Result(c, projects=[(self.project(pid), 1.0) for pid in proj],
                      indicators=[indicator_row(p, i) for (p, i), _ in rows],
                      frame=self._frame(q, frame, proj, plans=plans, listed=proj))

    def _summary(self, q: Query, plans: Sequence[Plan], frame: Frame | None) -> Result:
        c = self._composer(plans)
        for plan in plans:
            counts = X.status_counts(plan)
            c.add(T.SUMMARY_HEAD.format(title=plan.title, city=plan.city, year=plan.fiscal_year, n_goals=len(plan.goals),
                                        n_projects=len(plan.projects), n_indicators=len(plan.indicators())), "",
                  T.SUMMARY_STATUS.format(year=plan.fiscal_year,
                                          counts="、".join(f"{STATUS_LABELS[s]} {counts[s]}指標" for s in Status)), "")
            for g in plan.goals:
                ps = [p for p in plan.projects if p.goal == g.number]
                c.add(T.SUMMARY_GOAL.format(goal=_goal_label(plan, g.number), names="、".join(p.name for p in ps)))
        projects = [p for plan in plans for p in plan.projects]
        return Result(c, projects=[(p, 1.0) for p in projects],
                      frame=self._frame(q, frame, [], plans=plans, listed=[p.id for p in projects]),
                      followups=(T.FOLLOW_SHORTFALL.format(year=plans[0].fiscal_year),))

    def _trend(self, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
        targets, ranked = self._targets_for(q, plans)
        if not targets and frame is not None and frame.project_ids:
            targets = [self.project(frame.project_ids[0])]
        if not targets and ranked:
            targets = [ranked[0].project]
        if not targets:
            return self._no(T.NOT_IN_DOCUMENT)
        p0 = targets[0]
        picked = self._pick_indicators(q, [p0])
        same = sorted((p for p in self.plans if series(p) == series(self.plan_of(p0))), key=lambda p: p.year_number)
        c = self._composer(plans)
        if len(same) < 2:
            c.add(T.TREND_ONE.format(have=document_label(same[0])), "")
        rows = []
        for _, ind in picked[:3]:
            c.add(T.TREND_HEAD.format(project=p0.name, indicator=ind.name))
            c.add(T.TREND_LINE.format(year=ind.baseline_year, value=with_unit(ind.baseline.text, ind.unit), cite=""))
            for doc in same:
                pp = doc.project_by_name(p0.name)
                ii = next((i for i in pp.indicators if i.name == ind.name), None) if pp else None
                if ii is None:
                    continue
                value = result_text(ii) if ii.result and ii.result.text else (T.RESULT_IN_WORDS if ii.result else T.RESULT_NONE)
                c.add(T.TREND_LINE.format(year=ii.result_year, value=value, cite=" " + c.cite_indicator(pp, ii)))
                rows.append(indicator_row(pp, ii, document_label(doc)))
        return Result(c, projects=[(p0, 1.0)], indicators=rows, frame=self._frame(q, frame, [p0.id], plans=plans))

    # --- limits --------------------------------------------------------------------------------------
    def _other_city(self, q: Query, plans: Sequence[Plan]) -> Result:
        m = re.search(r"[\u4e00-\u9fff]{2,4}(市|区|町|村)", q.text)
        cities = "、".join(dict.fromkeys(p.city for p in plans))
        return self._no(T.OTHER_CITY.format(city=cities, other=m.group(0) if m else T.ANOTHER_CITY))

    def _later_year(self, q: Query, frame: Frame | None, plans: Sequence[Plan], years: list[str]) -> Result:
        have = "、".join(sorted({T.YEAR_OF_CITY.format(year=p.fiscal_year, city=p.city) for p in self.plans}))
        c = self._composer(plans)
        c.add(T.NO_RESULT_YEAR.format(have=have, year="、".join(years)), T.NOT_IN_DOCUMENT)
        targets = [p for p in (self.project(t.project_id) for t in q.targets) if p]
        if not targets and frame is not None and frame.project_ids and (q.refers or _ellipsis(q)):
            targets = [self.project(frame.project_ids[0])]
        rows = []
        if targets:
            plan_years = [y for y in years if y in self.plan_of(targets[0]).plan_years]
            picked = self._pick_indicators(q, targets)
            if plan_years and picked:
                c.add("", T.FOR_REFERENCE)
                for p, i in picked:
                    r = result_text(i)
                    r2 = T.WITH_RESULT.format(year=i.result_year, result=r) if r and i.result and i.result.text else ""
                    c.add(T.PLAN_REFERENCE_LINE.format(project=p.name, indicator=i.name, result=r2,
                                                       plans=plan_values_line(i, tuple(plan_years)), cite=c.cite_indicator(p, i)))
                    rows.append(indicator_row(p, i))
        return Result(c, status=AnswerStatus.NO_ANSWER, projects=[(p, 1.0) for p in targets], indicators=rows,
                      frame=self._frame(q, frame, [p.id for p in targets], plans=plans))

    # --- English -----------------------------------------------------------------------------------
    def _english(self, q: Query, frame: Frame | None, plans: Sequence[Plan]) -> Result:
        targets, ranked = self._targets_for(q, plans)
        if not targets:
            if not ranked or self._off_topic(q, ranked):
                return self._no(T.EN_OFF_TOPIC)
            targets = [ranked[0].project]
        p = targets[0]
        low = not q.targets and self._low_confidence(ranked)
        c = self._composer(plans)
        doc = document_label(self.plan_of(p))
        c.add((T.EN_INTRO_LOW if low else T.EN_INTRO).format(document=doc, name=p.name, departments=depts(p)), "")
        c.add(T.EN_CONTENT.format(content=one_line(p.content), cite=c.cite_section(p, SECTION_CONTENT)))
        rows = []
        for i in p.indicators:
            y, b = i.result_year, i.baseline_year
            if i.result is not None and i.result.text:
                c.add(T.EN_RESULT.format(year=y, indicator=i.name, result=result_text(i), baseline_year=b,
                                         baseline=with_unit(i.baseline.text, i.unit), plan=i.plan_r2.text,
                                         cite=c.cite_indicator(p, i)))
            elif i.result is not None:
                c.add(T.EN_RESULT_TEXT.format(year=y, indicator=i.name, evidence=quote(i.result.evidence, 160),
                                              cite=c.cite_indicator(p, i)))
            rows.append(indicator_row(p, i))
        if p.result_explanation:
            c.add(T.EN_EXPLANATION.format(quote=quote(p.result_explanation, 400), cite=c.cite_section(p, SECTION_EXPLANATION)))
        if Field.COMMENT in q.fields:
            for comment in p.council_comments:
                c.add(T.EN_COMMENT.format(quote=quote(comment, 300), cite=c.cite(section_citation(p, SECTION_COMMENT, comment))))
            if not p.council_comments:
                c.add(T.EN_NO_COMMENT)
        ordered = [(p, 1.0)] + [(r.project, min(r.score, 0.99)) for r in ranked if r.project.id != p.id][:4]
        return Result(c, projects=ordered, indicators=rows, frame=self._frame(q, frame, [p.id], plans=plans),
                      confidence=Confidence.LOW if low else Confidence.HIGH,
                      choices=tuple(T.CHOICE.format(name=r.project.name) for r in ranked[:3]) if low else ())

    # --- assembling ---------------------------------------------------------------------------------
    def _combine(self, question: str, results: list[tuple[Query, Result]], lang: str, plans: Sequence[Plan]) -> Answer:
        labels = self._labels(plans)
        if len(results) == 1:
            q, res = results[0]
            composer = res.composer
            status = res.status
        else:
            composer = Composer(labels, show_document=len(self.plans) > 1)
            for k, (q, res) in enumerate(results, start=1):
                composer.add(T.PART_HEAD.format(n=k, question=_shorten(q.text, 60)))
                composer.merge(res.composer)
                composer.add("")
            answered = [r for _, r in results if r.status is AnswerStatus.ANSWERED]
            status = AnswerStatus.ANSWERED if answered else AnswerStatus.NO_ANSWER
            res = results[-1][1]
        projects: dict[str, tuple[Project, float]] = {}
        indicators = []
        for _, r in results:
            for p, s in r.projects:
                if p is not None and p.id not in projects:
                    projects[p.id] = (p, s)
            indicators += r.indicators
        frame = next((r.frame for _, r in reversed(results) if r.frame is not None), None)
        first = results[0][1]
        terms_q = question
        sources = tuple(c if c.terms else replace(c, terms=_terms_in(terms_q, c.text)) for c in composer.sources)
        # every citation and indicator row names its document (JSON ``document``), whatever the count loaded
        sources = tuple(c if c.document or c.plan_id not in labels else replace(c, document=labels[c.plan_id]) for c in sources)
        indicators = [r if r.document or r.plan_id not in labels else replace(r, document=labels[r.plan_id])
                      for r in indicators]
        text = composer.text
        docs_used = list(dict.fromkeys(c.plan_id for c in sources if c.plan_id in labels))
        if docs_used and status is AnswerStatus.ANSWERED:
            text += "\n\n" + T.DOCUMENT_LINE.format(documents="、".join(labels[d] for d in docs_used))
        return Answer(
            question=question, status=status, text=text, intent=results[0][0].operation.value,
            projects=tuple(project_ref(p, s, labels.get(p.plan_id, "")) for p, s in projects.values()),
            indicators=tuple(indicators), sources=sources,
            followups=first.followups, frame=frame, confidence=first.confidence, choices=first.choices, language=lang,
            focus=results[0][0].focus.value if results[0][0].focus else None,
            context={"project_ids": list(frame.project_ids) if frame else []},
        )


# --- module helpers ---------------------------------------------------------------------------------
def series(plan: Plan) -> tuple[str, str]:
    """Evaluations of the same plan share city and title; each year's is one document."""
    return (plan.city, plan.title)


def short_title(plan: Plan) -> str:
    title = unicodedata.normalize("NFKC", plan.title)
    return re.split(r"[（(]", title)[0].strip() or title


def document_label(plan: Plan) -> str:
    return T.DOCUMENT_LABEL.format(city=plan.city, title=short_title(plan), year=plan.fiscal_year)


def _goal_label(plan: Plan, number) -> str:
    g = plan.goal(number)
    return T.GOAL_LABEL.format(number=number, title=g.title) if g else T.GOAL.format(number=number)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _followups(p: Project, shown: Sequence[Field]) -> tuple[str, ...]:
    """Next questions about the project that ask what this answer did not show."""
    offers = ((Field.EXPLANATION, T.FOLLOW_EXPLANATION), (Field.VALUE, T.FOLLOW_INDICATORS), (Field.PLAN, T.FOLLOW_PLAN),
              (Field.COMMENT, T.FOLLOW_COMMENT), (Field.DEPARTMENT, T.FOLLOW_DEPARTMENT))
    ind = {Field.VALUE, Field.INDICATORS, Field.STATUS, Field.BASELINE}
    out = [tpl.format(name=p.name) for fld, tpl in offers
           if fld not in shown and not (fld is Field.VALUE and ind & set(shown))]
    return tuple(out[:3])


def _has_own_subject(text: str) -> bool:
    """Whether a question has content of its own beyond field words (「小学生の医療費…」 vs 「その担当課は？」)."""
    from index.text import analyse

    fieldish = {w for words in FIELD_WORDS.values() for w in words}
    return any(m.pos1 == "名詞" and len(m.surface) >= 2 and _KANJI.search(m.surface)
               and not any(m.surface in w for w in fieldish) and m.surface not in GENERIC_NOUNS
               for m in analyse(text))


def _asks_result(text: str) -> bool:
    """Words that ask for what happened (a result), not for what was planned."""
    return bool(re.search(r"(実績|結果|でしたか|だった|でした|何人|何件|何回|実際)", text))


def _ellipsis(q: Query) -> bool:
    return not q.targets and not q.filters.any and len(q.text) <= 24


def _names_something(q: Query) -> bool:
    return bool(q.targets or q.filters.any)


def _terms_in(question: str, passage: str) -> tuple[str, ...]:
    """Question terms that occur in the passage, for highlighting."""
    norm_passage = normalize(passage)
    return tuple(t for t in _question_terms(question) if len(t) >= 2 and t in norm_passage)


@functools.lru_cache(maxsize=256)
def _question_terms(question: str) -> tuple[str, ...]:
    from index.text import terms

    return tuple(dict.fromkeys(terms(question)))


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


def answer(question: str, history: Sequence[Answer] | None = None, *, frame: Frame | None = None,
           plan_ids: Sequence[str] | None = None) -> Answer:
    """Answer one question, with sources.

    ``frame`` is the previous answer's ``Answer.frame`` (the conversation state; enough on its
    own), ``history`` the earlier answers (only the last one's frame is used); ``plan_ids``
    limits the answer to some loaded documents (None: the newest evaluation of each plan).
    """
    return get_engine().answer(question, history, frame=frame, plan_ids=plan_ids)


def documents() -> list[DocumentRef]:
    """The loaded documents, newest evaluation first within each plan."""
    return get_engine().documents()


def warm_up(progress: bool = True) -> None:
    get_engine().warm_up(progress=progress)
