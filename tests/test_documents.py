"""Two evaluations of one plan: the real R2 document and the synthetic R3 fixture in
tests/fixtures/docs. Both load and trace, labels carry each document's own year, and the engine
(over the real index built with a toy encoder, no model) answers from the newest evaluation unless a year is named,
lists both documents, and compares years from the records."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import evaluate, project_status
from corpus.loader import load_plan_file, load_plans
from corpus.records import Status
from corpus.settings import PACKAGE_DATA_DIR
from corpus.swaps import swaps
from corpus.trace import failures
from corpus.views import plan_json, plan_text
from qa.engine import Engine
from qa.types import AnswerStatus
from tests.answer_checks import BENCHMARK_FILES, benchmark_questions, citation_problems
from tests.toy_encoder import memory_index

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "docs"
R2_ID, R3_ID = "koganei-r2", "koganei-r3-fixture"

# the fixture's design (tests/fixtures/docs/README.md)
R3_FELL_SHORT = {"児童館事業", "母子保健健康相談事業", "子育て支援ネットワーク"}
R2_FELL_SHORT = {"虐待対応事業", "児童館事業", "母子保健健康相談事業", "子育て中の保護者グループ相談",
                 "ひとり親家庭へのホームヘルプサービス派遣", "子育てに配慮した公共施設の改善"}
BOTH_YEARS = {"児童館事業", "母子保健健康相談事業"}


@pytest.fixture(scope="module")
def plans():
    return load_plans((PACKAGE_DATA_DIR, FIXTURE_DIR))


@pytest.fixture(scope="module")
def r2(plans):
    return next(p for p in plans if p.id == R2_ID)


@pytest.fixture(scope="module")
def r3(plans):
    return next(p for p in plans if p.id == R3_ID)


@pytest.fixture(scope="module")
def engine(r2, r3):
    return Engine(plans=[r2, r3], retriever=memory_index([r2, r3]))


def names(ans):
    return {p.name for p in ans.projects}


# --- records ------------------------------------------------------------------------------------

def test_both_documents_load_and_trace(plans, r2, r3):
    assert [p.id for p in plans] == [R2_ID, R3_ID]
    assert (r2.city, r2.title) == (r3.city, r3.title)  # one plan, two evaluations
    assert (r2.result_year, r3.result_year) == ("R2", "R3") and r3.year_number > r2.year_number
    assert failures(r2) == [] and failures(r3) == []
    assert "SYNTHETIC TEST FIXTURE" in (FIXTURE_DIR / "koganei_r3.yaml").read_text(encoding="utf-8")


def test_fixture_projects_are_the_r2_documents(r2, r3):
    """Same policy, number, name, departments, content and indicator rows (H30 and plans) as R2."""
    for p in r3.projects:
        same = r2.project_by_name(p.name)
        assert same is not None, p.name
        assert (p.policy, p.number, p.departments, p.content) == (same.policy, same.number, same.departments, same.content)
        assert [(i.name, i.baseline, i.plan) for i in p.indicators] == [(i.name, i.baseline, i.plan) for i in same.indicators]


def test_fixture_statuses_are_judged_against_the_r3_plan(r2, r3):
    assert {p.name for p in r3.projects if project_status(p) is Status.FELL_SHORT} == R3_FELL_SHORT
    assert {p.name for p in r2.projects if project_status(p) is Status.FELL_SHORT} == R2_FELL_SHORT
    assert project_status(r3.project_by_name("子育てに配慮した公共施設の改善")) is Status.MET
    assert project_status(r3.project_by_name("子育て総合相談")) is Status.MET
    visitors = r3.project_by_name("児童館事業").indicators[0]
    assert visitors.result_year == "R3" and visitors.result.value == 63512
    ev = evaluate(visitors)
    assert ev.status is Status.FELL_SHORT and "R3 63,512人" in ev.reason and "R2" not in ev.reason
    assert 51840 < visitors.result.value < visitors.baseline.number  # up on R2, still below H30


def test_fixture_plan_words_are_checked_row_by_row(tmp_path):
    """The fixture's tables are laid out like the real one's, so one changed plan word fails its row.

    継続 is printed in the source (on page 2), so only the row's own printed cells can catch it on page 1.
    """
    for f in FIXTURE_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    data = tmp_path / "koganei_r3.yaml"
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace("      R3: 漸増\n", "      R3: 継続\n", 1), encoding="utf-8")
    (plan,) = load_plans((tmp_path,), verify=False)
    bad = failures(plan)
    assert [c.where for c in bad] == ["児童館事業 / indicators[0].plan.R3"]
    assert "継続, but this row's cell there is 漸増 (line 54" in bad[0].detail


def test_every_same_page_swap_of_the_fixture_is_refused():
    """The fixture splits one line's cells between two rows (「漸増 漸増」 on line 77): cells, not lines, are claimed."""
    plan = load_plan_file(FIXTURE_DIR / "koganei_r3.yaml")
    done = list(swaps(plan))
    assert len(done) >= 100 and all(s.refused and s.named for s in done)


# --- labels carry the document's year ----------------------------------------------------------

def test_views_name_the_documents_year(r2, r3):
    text = plan_text(r3)
    assert "R3計画 漸増" in text and "R3結果 63,512人" in text and "R3評価" in text
    assert "R2計画" not in text and "R2結果" not in text
    assert "R2結果 51,840人" in plan_text(r2)
    ind = plan_json(r3)["projects"][0]["indicators"][0]
    assert ind["result"] == {"R3": 63512} and ind["result_year"] == "R3" and ind["baseline_year"] == "H30"
    assert plan_json(r3)["plan"]["result_year"] == "R3" and plan_json(r3)["projects"][0]["plan_id"] == R3_ID


def test_corpus_check_with_the_fixture_folder(tmp_path):
    env = {**os.environ, "PLANQA_DATA_DIRS": str(FIXTURE_DIR), "PLANQA_HOME": str(tmp_path / "home")}
    proc = subprocess.run([sys.executable, "-m", "corpus", "check"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "check ok" in out and f"{R3_ID}:" in out and f"{R2_ID}:" in out
    assert re.search(r"^  R3 status: fell_short 5, met 3$", out, re.M), out
    assert re.search(r"^  R2 status: ", out, re.M)
    assert "indicator rows read cell by cell from their printed table lines: 8/8" in out
    assert "departments printed after their project's name: 5/5" in out


# --- the engine over two evaluations ------------------------------------------------------------

def test_newest_evaluation_is_the_default(engine, r3):
    assert [p.id for p in engine.current_plans()] == [R3_ID]
    assert engine.plan is r3


def test_documents_lists_both(engine):
    docs = engine.documents()
    assert [(d.plan_id, d.fiscal_year) for d in docs] == [(R3_ID, "R3"), (R2_ID, "R2")]  # newest first
    assert all(d.city == "小金井市" for d in docs)
    assert "R3" in docs[0].label and "R2" in docs[1].label


def test_question_without_a_year_is_answered_from_r3(engine):
    ans = engine.answer("児童館の来館者数は？")
    assert ans.status is AnswerStatus.ANSWERED
    assert "63,512人" in ans.text and "51,840" not in ans.text
    assert ans.sources and {s.plan_id for s in ans.sources} == {R3_ID}
    assert "R3評価" in ans.text  # the answer names its document


def test_question_naming_r3_is_answered_from_r3(engine):
    ans = engine.answer("R3の児童館の来館者数は何人でしたか")
    assert ans.status is AnswerStatus.ANSWERED
    assert "63,512人" in ans.text and {s.plan_id for s in ans.sources} == {R3_ID}
    shortfall = engine.answer("令和3年度に計画を下回った事業は？")
    assert names(shortfall) == R3_FELL_SHORT
    assert "子育て支援ネットワーク" in shortfall.text and "66団体" in shortfall.text


def test_question_naming_r2_is_answered_from_r2(engine):
    """A named project and a named earlier year: that year's figure, not the newest one's."""
    ans = engine.answer("令和2年度の児童館の来館者数は？")
    assert ans.status is AnswerStatus.ANSWERED
    assert "51,840人" in ans.text and "63,512" not in ans.text
    assert ans.sources and {s.plan_id for s in ans.sources} == {R2_ID}


def test_shortfall_list_naming_r2_is_the_r2_list(engine):
    ans = engine.answer("R2で計画を下回った事業は？")
    assert names(ans) == R2_FELL_SHORT
    assert "51,840人" in ans.text and "63,512" not in ans.text
    assert {i.plan_id for i in ans.indicators} == {R2_ID}


def test_trend_lists_every_year(engine):
    ans = engine.answer("児童館の来館者数の推移は？")
    assert ans.status is AnswerStatus.ANSWERED and ans.intent == "trend"
    text = ans.text
    assert "98,875" in text and "51,840人" in text and "63,512人" in text
    assert text.index("H30") < text.index("51,840") < text.index("63,512")  # oldest first
    assert {(r.result_year, r.plan_id) for r in ans.indicators} == {("R2", R2_ID), ("R3", R3_ID)}
    assert "開館延長" not in text  # only the indicator asked about


def test_trend_of_a_project_spans_the_years(engine):
    """A project's trend gives each indicator's H30 baseline, then every loaded year's result."""
    ans = engine.answer("児童館の推移は？")
    assert ans.status is AnswerStatus.ANSWERED and ans.intent == "trend"
    lines = [ln for ln in ans.text.splitlines() if ln.startswith("- ")]
    assert lines[0] == "- H30：98,875人"
    assert lines[1].startswith("- R2：51,840人") and "R2評価" in lines[1]
    assert lines[2].startswith("- R3：63,512人") and "R3評価" in lines[2]
    assert {(r.name, r.result_year, r.plan_id) for r in ans.indicators} >= {
        ("来館者数（人）", "R2", R2_ID), ("来館者数（人）", "R3", R3_ID)}
    assert {s.plan_id for s in ans.sources} == {R2_ID, R3_ID}


def test_fell_short_in_both_years(engine, r2, r3):
    ans = engine.answer("R2とR3の両方で計画を下回った事業は？")
    assert ans.status is AnswerStatus.ANSWERED
    # not R3's list (子育て支援ネットワーク met in R2) nor R2's (子育てに配慮した公共施設の改善 met in R3)
    assert names(ans) == BOTH_YEARS
    assert "51,840人" in ans.text and "63,512人" in ans.text  # each year's figure of the project
    assert {s.plan_id for s in ans.sources} == {R2_ID, R3_ID}
    # under each project, its own indicators that fell short, one line per year
    blocks = re.split(r"^\*\*(.+?)\*\*（", ans.text, flags=re.M)
    shown = dict(zip(blocks[1::2], blocks[2::2]))
    assert set(shown) == BOTH_YEARS
    for name, block in shown.items():
        lines = [ln for ln in block.splitlines() if ln.startswith("- ")]
        expected = [(plan.id, i.name) for plan in (r2, r3) for p in plan.projects if p.name == name
                    for i in p.indicators if evaluate(i).status is Status.FELL_SHORT]
        assert len(lines) == len(expected) and all(ind in ln for (_, ind), ln in zip(expected, lines)), (name, lines)


QUESTIONS = ["児童館の来館者数は？", "R3で計画を下回った事業は？", "子育て総合相談の相談件数は何件でしたか",
             "児童館事業への会議の意見は？", "赤ちゃんを連れて出かけやすい場所はありますか"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_citation_names_its_document(engine, question):
    ans = engine.answer(question)
    assert ans.sources, ans.text
    labels = {d.plan_id: d.label for d in engine.documents()}
    for s in ans.sources:
        assert s.plan_id in labels and s.document == labels[s.plan_id], s
    for p in ans.to_json()["sources"]:
        assert p["plan_id"] and p["document"]


def test_every_citation_names_its_source_and_document_over_a_question_set(engine):
    labels = {d.plan_id: d.label for d in engine.documents()}
    questions = benchmark_questions(BENCHMARK_FILES[0])
    answers = {q: engine.answer(q) for q in questions}
    assert sum(1 for a in answers.values() if a.sources) >= len(questions) // 2  # toy encoder: see test_pipeline
    assert all(s.document == labels[s.plan_id] for a in answers.values() for s in a.sources)
    problems = {q: found for q, a in answers.items() if (found := citation_problems(a, documents=True))}
    assert not problems, problems


def test_every_indicator_row_names_its_document(engine):
    labels = {d.plan_id: d.label for d in engine.documents()}
    for question in QUESTIONS[:3]:
        for row in engine.answer(question).indicators:
            assert row.plan_id in labels and row.document == labels[row.plan_id], (question, row)


# --- the web page's document selector -----------------------------------------------------------

def test_selector_choice_scopes_the_answer(engine, r2, r3):
    """The selector's value (a plan id, or "" for all) reaches the engine as plan_ids."""
    from ui.app import ALL_DOCUMENTS, ChatHandler
    from ui.feedback import Signer
    from ui.render import PageIndex

    handler = ChatHandler(engine.answer, PageIndex([r2, r3]), Signer(b"k" * 32))
    md, data, *_ = handler("児童館の来館者数は？", None, R2_ID)
    assert "51,840人" in md and "63,512" not in md
    assert {s["plan_id"] for s in data["sources"]} == {R2_ID}
    md, data, *_ = handler("児童館の来館者数は？", None, ALL_DOCUMENTS)
    assert "63,512人" in md and {s["plan_id"] for s in data["sources"]} == {R3_ID}


def test_start_screen_offers_both_documents(engine, r2, r3):
    from ui import strings as S
    from ui.app import ALL_DOCUMENTS, start_for

    docs = engine.documents()
    assert S.LEAD_MANY.format(n=2) in start_for([r2, r3], docs, ALL_DOCUMENTS)
    assert S.LEAD_ONE.format(label=docs[0].label) in start_for([r2, r3], docs, R3_ID)


# --- end to end, through the real index and model ------------------------------------------------

@pytest.mark.model
def test_cli_with_the_fixture_folder_builds_and_answers_both_documents(tmp_path):
    """No code change: with the fixture folder in PLANQA_DATA_DIRS the index of both documents is
    built on first use and the CLI answers from both evaluations."""
    from corpus.settings import get_settings

    home = tmp_path / "home"  # the two-document index goes here, not into the shared cache
    home.mkdir()
    models = get_settings().models_dir
    models.mkdir(parents=True, exist_ok=True)
    (home / "models").symlink_to(models, target_is_directory=True)  # the built model is reused
    env = {**os.environ, "PLANQA_DATA_DIRS": str(FIXTURE_DIR), "PLANQA_HOME": str(home)}
    lines = "児童館の来館者数の推移は？\nR3で計画を下回った事業は？\nR2とR3の両方で計画を下回った事業は？\n"
    proc = subprocess.run([sys.executable, "-m", "qa", "ask", "--jsonl"], input=lines, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    trend, r3_list, both = (json.loads(x) for x in proc.stdout.splitlines() if x.strip())
    assert "98,875" in trend["answer"] and "51,840人" in trend["answer"] and "63,512人" in trend["answer"]
    assert {s["plan_id"] for s in trend["sources"]} == {R2_ID, R3_ID}
    assert {p["name"] for p in r3_list["projects"]} == R3_FELL_SHORT
    assert {p["name"] for p in both["projects"]} == BOTH_YEARS
    for answer in (trend, r3_list, both):
        assert all(s["document"] and s["plan_id"] for s in answer["sources"])
