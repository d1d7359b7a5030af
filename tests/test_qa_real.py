"""End to end through the real index and model: the kinds of questions users ask.

Marked ``model``: they load e5-small and the index from the cache (``python -m index build``
makes both; test.sh runs it first). Questions here are not the dev set's phrasings.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.types import AnswerStatus

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def engine(real_engine):
    return real_engine


def top(ans):
    return ans.projects[0].name if ans.projects else None


@pytest.mark.parametrize("question, project", [
    ("母子家庭で家のことをする時間がない。ヘルパーさんは頼める？", "ひとり親家庭へのホームヘルプサービス派遣"),
    ("じどうかんではなにができるの？", "児童館事業"),
    ("子どもの医療費の助成はどうなっていますか", "義務教育就学児医療費助成制度の拡充"),
    ("子育ての悩みを気軽に相談できる窓口を知りたい", "子育て総合相談"),
])
def test_citizen_questions_find_the_programme(engine, question, project):
    ans = engine.answer(question)
    assert ans.status is AnswerStatus.ANSWERED
    assert project in [p.name for p in ans.projects[:3]]
    assert ans.sources and all(s.page >= 1 for s in ans.sources)
    assert "担当" in ans.text


@pytest.mark.parametrize("question", [
    "市営プールの営業時間を教えて",
    "粗大ごみの出し方は？",
    "保育料はいくらですか",
])
def test_questions_outside_the_document(engine, question):
    ans = engine.answer(question)
    assert ans.status is AnswerStatus.NO_ANSWER, ans.text
    assert "記載がありません" in ans.text


def test_follow_up_conversation(engine):
    first = engine.answer("障害のある子を急に預けたいときは？")
    assert top(first) == "障がい児の緊急・一時預かり"
    dept = engine.answer("その担当課は？", [first])
    assert "保育課" in dept.text


def test_cli_jsonl_contract():
    lines = "児童館の来館者数は？\n\nR2で計画を下回った事業は？\n"
    proc = subprocess.run([sys.executable, "-m", "qa", "ask", "--jsonl"], input=lines, capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
    assert len(out) == 3
    for obj in out:
        assert set(obj) >= {"question", "status", "answer", "projects", "indicators", "sources"}
    assert out[0]["projects"][0]["name"] == "児童館事業" and "51,840" in out[0]["answer"]
    assert out[1]["status"] == "no_answer"
    assert len(out[2]["projects"]) == 6 and all(i["status"] == "fell_short" for i in out[2]["indicators"])


def _ui_examples():
    from ui.strings import EXAMPLE_GROUPS

    return [q for _, questions in EXAMPLE_GROUPS for q in questions]


@pytest.mark.parametrize("question", _ui_examples())
def test_every_example_question_of_the_web_chat_is_answered(engine, question):
    ans = engine.answer(question)
    assert ans.status is AnswerStatus.ANSWERED, ans.text
    assert ans.projects and ans.sources
