"""The labelled dev questions as tests.

Fast part: the questions whose answer comes from the records (staff, indicators, lists,
analysts, several parts, not in the document) through the pipeline over the real index built
with the toy encoder (tests/conftest.py's ``engine``), one case each. Model part: every dev question and conversation through the real
index, scored with the shared scorer, held at the figures the pipeline reaches.
The question files live in ../shared/eval beside the project (skipped when absent).
"""
from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest

from corpus import load_plan
from qa.types import AnswerStatus

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
RECORD_CATEGORIES = ("b_", "c_indicator", "d_", "e_no_answer", "i_multi")


def _load(name: str) -> list[dict]:
    path = EVAL / name
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["questions"] if isinstance(data, dict) and "questions" in data else data


def _record_questions() -> list[dict]:
    """Questions whose target or filter is understood from the records alone (retrieval is not the point)."""
    from qa.understand import understand

    plan = load_plan()
    out = []
    for name in ("dev_questions.json", "dev2_questions.json"):
        for q in _load(name):
            if not q["category"].startswith(RECORD_CATEGORIES):
                continue
            query = understand(q["question"], q["question"], plan)
            about_a_project = q["category"].startswith("e_") and q.get("acceptable_additional_projects")
            if query.targets or query.filters.any or about_a_project or q["category"].startswith("d_"):
                out.append(q)
    return out


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    for ch in (",", " ", "\u3000", "、", "\n", "\t"):
        text = text.replace(ch, "")
    return text


@pytest.mark.skipif(not EVAL.exists(), reason="the shared evaluation files are not beside the project")
@pytest.mark.parametrize("case", _record_questions(), ids=lambda q: q["id"])
def test_record_questions(engine, case):
    ans = engine.answer(case["question"])
    names = [_norm(p.name) for p in ans.projects]
    gold = {_norm(g) for g in case.get("gold_projects") or []}
    extra = {_norm(g) for g in case.get("acceptable_additional_projects") or []}
    if case["category"].startswith("e_"):
        assert ans.status is AnswerStatus.NO_ANSWER, ans.text
        return
    assert ans.status is AnswerStatus.ANSWERED, ans.text
    if case["category"].startswith("d_"):
        assert set(names) - (extra - gold) == gold
    elif gold:
        assert names and names[0] in gold, names[:3]
    text = _norm(ans.text)
    for fact in case.get("gold_answer_facts") or []:
        assert _norm(fact) in text, fact
    if case.get("expected_behavior") == "answer_no_comment_recorded":
        assert "記載はありません" in ans.text or "記載がありません" in ans.text


def _scorer():
    spec = importlib.util.spec_from_file_location("shared_score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.model
@pytest.mark.skipif(not EVAL.exists(), reason="the shared evaluation files are not beside the project")
def test_dev_sets_through_the_real_index(real_engine):
    score = _scorer()
    eng = real_engine
    floors = {
        "dev_questions.json": {"hit1": 0.9, "hit5": 1.0, "list_exact": 1.0, "facts": 0.95, "noans": 1.0},
        "dev2_questions.json": {"hit1": 0.9, "hit5": 0.97, "list_exact": 0.8, "facts": 0.9, "noans": 0.9},
    }
    for name, floor in floors.items():
        questions = _load(name)
        results = [eng.answer(q["question"]).to_json() for q in questions]
        metrics, misses = score.score(questions, results)
        for key, value in floor.items():
            assert metrics[key] >= value, (name, key, metrics, misses)
        assert metrics["false_noans"] <= 0.03, (name, metrics, misses)


@pytest.mark.model
@pytest.mark.skipif(not EVAL.exists(), reason="the shared evaluation files are not beside the project")
def test_dev_conversations_through_the_real_index(real_engine):
    score = _scorer()
    eng = real_engine
    questions, results = [], []
    for conv in json.loads((EVAL / "dev_conversations.json").read_text(encoding="utf-8"))["conversations"]:
        history = []
        for turn in conv["turns"]:
            ans = eng.answer(turn["question"], history)
            history.append(ans)
            questions.append(turn)
            results.append(ans.to_json())
    metrics, misses = score.score(questions, results)
    assert metrics["hit1"] >= 0.85 and metrics["list_exact"] >= 0.75 and metrics["facts"] >= 0.9, (metrics, misses)
