"""The answer engine: a question and the conversation frame in, a cited Answer out.

``Engine`` only wires the stages together; each stage is a place of its own:

    qa.understand.preprocess   language, instructions removed, the message split into asks
    qa.understand              one ask, on its own  ->  Query
    qa.conversation            the Query completed from the previous Frame  ->  Reading
    qa.answerability           what no loaded document can contain  ->  a no-answer
    qa.execute                 the operation over the records  ->  Result
    qa.compose                 the Answer, with its reading line and numbered citations

Structured questions are answered from the records, free ones from hybrid retrieval; every
figure comes from the records and every answer carries its sources.
"""
from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence

from corpus.records import Plan
from qa import answerability, conversation
from qa.compose import templates as T
from qa.compose.answer import Part, assemble
from qa.execute import Context, document_label, execute, series, short_title
from index.text import normalize
from qa.frame import Frame
from qa.query import Operation, Query
from qa.types import Answer, AnswerStatus, DocumentRef
from qa.understand import understand
from qa.understand.bilingual import retrieval_text
from qa.understand.preprocess import input_problem, language, split_parts, strip_instructions

log = logging.getLogger(__name__)

MAX_CHARS = 2000

__all__ = ["Engine", "answer", "document_label", "documents", "get_engine", "series", "short_title", "warm_up"]


class Engine:
    """Answers questions over some plans with a retriever (both loaded lazily, once)."""

    def __init__(self, plans: Sequence[Plan] | None = None, retriever=None, *, plan: Plan | None = None, index=None):
        self._plans = tuple(plans) if plans is not None else ((plan,) if plan is not None else None)
        self._index = retriever if retriever is not None else index
        self._lock = threading.Lock()
        self._votes = None
        self._context: Context | None = None

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

    @property
    def context(self) -> Context:
        if self._context is None:
            self._context = Context(self.plans, self.index)
        return self._context

    def warm_up(self, progress: bool = True) -> None:
        """Load records, model and index now (building what is missing) instead of on the first question."""
        _ = self.plans
        if self._index is None:
            from index import load_index

            with self._lock:
                if self._index is None:
                    self._index = load_index(progress=progress)
        self.context.retrieve("子育て", self.current_plans(), k=1)

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

    def project(self, project_id: str):
        return self.context.project(project_id)

    # --- the pipeline --------------------------------------------------------------------------
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
        if not text.strip() or not any(ch.isalnum() for ch in text):
            return Answer(question=question, status=AnswerStatus.NO_ANSWER, text=T.ONLY_INSTRUCTIONS, intent="invalid",
                          language=lang, frame=frame)
        ctx = self.context
        plans = self._named_documents(text, self.current_plans(plan_ids))
        texts = split_parts(text) if lang == "ja" else [text]
        queries = [self.understand(part, question if len(texts) == 1 else part, plans, lang) for part in texts]
        if len(queries) > 1 and sum(1 for q in queries if q.operation is not Operation.SEARCH or q.fields or q.focus) < 2:
            # several sentences that together describe one need: one search
            queries = [self.understand(text, question, plans, lang)]
        parts: list[Part] = []
        current = frame
        for k, q in enumerate(queries):
            reading = conversation.read(ctx, q, current, plans, same_message=k > 0)
            if reading.needs_subject:
                res = ctx.no(T.NO_HISTORY)
            else:
                res = answerability.precheck(ctx, reading.query, current, plans) \
                    or execute(ctx, reading.query, current, plans)
            current = next_frame(current, reading, res)
            res.frame = current
            parts.append(Part(reading.query, reading.carried, res))
        scope = "、".join(document_label(p) for p in plans)
        names = [self._target_names(p) for p in parts]
        return assemble(question, parts, language=lang, labels=ctx.labels(), scope=scope,
                        show_document=len(self.plans) > 1, target_names=names)

    def understand(self, part: str, raw: str, plans: Sequence[Plan], lang: str) -> Query:
        projects = [p for plan in plans for p in plan.projects]
        # every loaded document's departments are words of the vocabulary (a department another year
        # does not have still names a condition, which then selects nothing)
        departments = tuple(dict.fromkeys(d for plan in (*plans, *self.plans) for d in plan.departments))
        cities = tuple(dict.fromkeys(plan.city for plan in self.plans))
        search_text = retrieval_text(part) if lang == "en" else ""
        respelled = self.index.profile(part).analysed if lang == "ja" else None
        return understand(raw, part, plans[0], language=lang, departments=departments, projects=projects,
                          city_names=cities, example_vote=self._vote(search_text or normalize(part)),
                          respelled=respelled, search_text=search_text)

    def _vote(self, text: str) -> dict:
        """The labelled-example vote over the retriever's encoder, with the vector retrieval uses for
        the same text (one encoding per question)."""
        if self._votes is None:
            from qa.understand.intents import ExampleVote

            self._votes = ExampleVote(self.index.encoder.encode_queries)
        return self._votes.vote(self.index.retrieval_vector(text))

    def _named_documents(self, text: str, plans: tuple[Plan, ...]) -> tuple[Plan, ...]:
        """The documents a question names by city or plan title (all of ``plans`` when it names none)."""
        norm = unicodedata.normalize("NFKC", text)
        for key in (lambda p: p.city, lambda p: unicodedata.normalize("NFKC", short_title(p))):
            named = tuple(p for p in plans if key(p) and key(p) in norm)
            if named and len({key(p) for p in plans}) > 1:
                return named
        return plans

    def _target_names(self, part: Part) -> tuple[str, ...]:
        q = part.query
        if q.operation in (Operation.LOOKUP, Operation.COMPARE, Operation.TREND) or q.targets:
            return tuple(p.name for p in self.context.targets(q)) or tuple(
                p.name for p, _ in part.result.projects[:1] if p is not None)
        return ()


def next_frame(frame: Frame | None, reading: conversation.Reading, res) -> Frame | None:
    """The conversation's state after a turn.

    A turn that found nothing (off-topic, a refusal) leaves the conversation as it was: it does
    not become its topic. A no-answer about a project the question named (「産後ケアの料金は？」)
    does: the next question may well be about that project again."""
    if res.status is AnswerStatus.ANSWERED or (res.frame is not None and reading.query.targets):
        return res.frame or frame
    return frame


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
