"""The Milvus backend against the default one: the real milvus-lite, the same rankings.

milvus-lite keeps its data in one local file, so these tests need no server; the same code runs
against a server when ``PLANQA_MILVUS_URI`` is an http:// address.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest

if not os.environ.get("CI"):  # CI installs the test extra, which brings Milvus: there it must run
    pytest.importorskip("pymilvus", reason="the milvus extra is not installed: pip install 'planqa[milvus]'")
    pytest.importorskip("milvus_lite", reason="the milvus extra is not installed: pip install 'planqa[milvus]'")

from corpus.settings import from_env, get_settings  # noqa: E402
from index import Filters, Retriever, SearchIndex, build_index, load_index, with_milvus  # noqa: E402
from index.evaluate import load_questions  # noqa: E402
from index.milvus import filter_expression, query_sparse, sparse_rows  # noqa: E402
from tests.toy_encoder import HashEncoder  # noqa: E402

# the project's own question set (always in the tree; the shared dev set may not be beside it)
QUESTIONS = Path(__file__).resolve().parents[1] / "benchmarks" / "questions_tuning.json"

QUERIES = ("じどうかんのいけん", "虐待相談件数", "ひとり親で家事が大変", "放課後子ども教室", "待機児童の解消")
FILTERS = (
    Filters(sections=("参考指標",)),
    Filters(department="保育課"),
    Filters(goal=2, sections=("子ども・子育て会議意見", "結果の説明")),
    Filters(plan_ids=("koganei_r2", "another")),
    Filters(plan_id="not-loaded"),
)


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[SearchIndex, SearchIndex]:
    """The default index and the same index served by milvus-lite (fake encoder, real records)."""
    home = tmp_path_factory.mktemp("home")
    settings = from_env({"PLANQA_HOME": str(home), "PLANQA_RETRIEVER": "milvus"})
    assert settings.retriever == "milvus" and settings.milvus_target == str(home / "milvus" / "planqa.db")
    build_index(settings, progress=False, encoder=HashEncoder())
    milvus = load_index(settings, build_if_missing=False, encoder=HashEncoder(), query_threads=None)
    local = load_index(dataclasses.replace(settings, retriever="faiss"), build_if_missing=False,
                       encoder=HashEncoder(), query_threads=None)
    return local, milvus


def test_both_backends_implement_the_retriever_interface(pair):
    local, milvus = pair
    assert local.backend.name == "faiss" and milvus.backend.name == "milvus"
    assert isinstance(local, Retriever) and isinstance(milvus, Retriever)


def test_sparse_vectors_reproduce_bm25_scores(pair):
    local, _ = pair
    lemma = local.artifacts.lemma
    rows = list(sparse_rows(lemma))
    for query in QUERIES:
        terms = local.profile(query).terms
        q = query_sparse(lemma, terms)
        dot = np.array([sum(w * row.get(t, 0.0) for t, w in q.items()) for row in rows], dtype=np.float32)
        np.testing.assert_allclose(dot, lemma.scores(terms), rtol=1e-5, atol=1e-6)


def test_milvus_ranks_the_questions_like_the_default(pair):
    local, milvus = pair
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 10
    for q in questions:
        a = local.rank_projects(q.question, k=5)
        b = milvus.rank_projects(q.question, k=5)
        assert [p.name for p in a] == [p.name for p in b], q.id
        # Milvus sums float32 weights in its own order: a near-tie inside one list may swap, nothing more
        assert [p.score for p in a] == pytest.approx([p.score for p in b], rel=1e-2), q.id


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: filter_expression(f)[:40])
def test_filters_give_the_same_passages(pair, filters):
    local, milvus = pair
    for query in QUERIES:
        a = [h.chunk.id for h in local.search(query, k=8, filters=filters)]
        b = [h.chunk.id for h in milvus.search(query, k=8, filters=filters)]
        assert a == b, query
        assert all(filters.accepts(h.chunk) for h in milvus.search(query, k=8, filters=filters))
        pa = [p.project_id for p in local.rank_projects(query, k=5, filters=filters)]
        pb = [p.project_id for p in milvus.rank_projects(query, k=5, filters=filters)]
        assert pa == pb, query


def test_filter_expressions_quote_what_users_type():
    expr = filter_expression(Filters(plan_ids=('a"b', "c"), department="子育て支援課", goal=1, sections=("意見",)))
    assert expr == ('plan_id in ["a\\"b", "c"] and goal == 1 and array_contains(departments, "子育て支援課") '
                    'and section in ["子ども・子育て会議意見"]')
    assert filter_expression(Filters(sections=("意見",)), sections=False) == ""
    assert filter_expression(None) == ""


def test_a_rebuilt_index_gets_fresh_collections(pair, tmp_path):
    local, _ = pair
    settings = from_env({"PLANQA_HOME": str(tmp_path), "PLANQA_MILVUS_URI": str(tmp_path / "m.db")})
    first = with_milvus(local, settings)
    assert first.backend.store.ready()
    other = dataclasses.replace(local.manifest, files={**local.manifest.files, "chunks.json": "0" * 64})
    rebuilt = SearchIndex(local.artifacts, local.encoder, manifest=other, folder=local.folder)
    second = with_milvus(rebuilt, settings)
    names = second.backend.store.client.list_collections()
    assert second.backend.store.passages in names and first.backend.store.passages not in names


@pytest.mark.model
def test_milvus_with_the_real_model_ranks_the_questions_like_the_default(tmp_path):
    settings = get_settings()  # the shared cache: the real model and index
    local = load_index(settings, progress=False)
    milvus = with_milvus(local, dataclasses.replace(settings, milvus_uri=str(tmp_path / "planqa.db")))
    for q in load_questions(QUESTIONS):
        a = [p.name for p in local.rank_projects(q.question, k=5)]
        b = [p.name for p in milvus.rank_projects(q.question, k=5)]
        assert a == b, q.id


# --- failures in one line each: a damaged collection, a file in use, the first fill ------------------------


def test_a_damaged_collection_is_found_and_refilled(pair, tmp_path):
    from index.milvus import _forget_client, milvus_problems

    local, _ = pair
    uri = str(tmp_path / "damaged.db")
    settings = from_env({"PLANQA_HOME": str(tmp_path), "PLANQA_MILVUS_URI": uri})
    served = with_milvus(local, settings)
    name = local.folder.path.name
    assert milvus_problems(uri, name, local.manifest) == ("ok", ())
    _forget_client(uri)  # as in a new process: nothing of the file cached in memory
    segment = next((tmp_path / "damaged.db" / "collections" / served.backend.store.passages).rglob("*.parquet"))
    segment.write_bytes(segment.read_bytes()[:3000])  # cut short, as a full disk or a crash leaves it
    state, reasons = milvus_problems(uri, name, local.manifest)
    assert state == "corrupt" and "cannot be read" in reasons[0] and served.backend.store.passages in reasons[0]
    refilled = with_milvus(local, settings)  # what every load does: drop, refill, say so
    assert milvus_problems(uri, name, local.manifest) == ("ok", ())
    assert [h.chunk.id for h in refilled.search("児童館", k=3)] == [h.chunk.id for h in local.search("児童館", k=3)]


def test_a_file_held_by_another_process_is_named_as_such(pair, tmp_path):
    import subprocess
    import sys
    import time

    from index.errors import IndexNotReadyError
    from index.milvus import MilvusInUseError, _connect, milvus_problems

    local, _ = pair
    uri = str(tmp_path / "held.db")
    holder = subprocess.Popen([sys.executable, "-c", f"from index.milvus import _client; _client({uri!r}); "
                               "print('ready', flush=True); import time; time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, cwd=str(__import__("pathlib").Path(__file__).parents[1]))
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(MilvusInUseError, match="in use by another process") as exc:
            _connect(uri)
        assert isinstance(exc.value, IndexNotReadyError) and "PLANQA_MILVUS_URI" in str(exc.value)
        state, reasons = milvus_problems(uri, local.folder.path.name, local.manifest)
        assert state == "busy" and "one process at a time" in reasons[0]
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)


def test_the_first_fill_prints_no_traceback(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from corpus.settings import from_env\n"
        "from index import build_index, load_index\n"
        "from tests.test_index import HashEncoder\n"
        f"s = from_env({{'PLANQA_HOME': {str(tmp_path)!r}, 'PLANQA_RETRIEVER': 'milvus'}})\n"
        "build_index(s, progress=False, encoder=HashEncoder())\n"
        "i = load_index(s, build_if_missing=False, encoder=HashEncoder(), query_threads=None)\n"
        "print(len(i.search('児童館', k=3)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1],
                          timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "3", proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Method not implemented" not in proc.stderr, proc.stderr[-2000:]
    assert "Milvus に検索索引を登録します" in proc.stderr
