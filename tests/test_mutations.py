"""The mutation harness (benchmarks/mutations.py) finds its breakages itself: each one applies
to exactly one place and leaves valid Python, and the sample does not change when code moves."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mutations():
    spec = importlib.util.spec_from_file_location("mutations", ROOT / "benchmarks" / "mutations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_every_generated_breakage_applies_once_and_the_sampled_ones_compile(mutations):
    candidates = mutations.generated_breakages()
    assert {b.kind for b in candidates} == set(mutations.QUOTAS)
    texts = {f: (ROOT / f).read_text(encoding="utf-8") for f in {b.file for b in candidates}}
    for b in candidates:
        assert texts[b.file].count(b.original) == 1 and b.original != b.replacement, b
    for b in mutations.sample(candidates, 60):  # compiling all ~1,300 takes half a minute
        compile(texts[b.file].replace(b.original, b.replacement, 1), b.file, "exec")


def test_the_sample_is_fixed_and_split_by_kind(mutations):
    candidates = mutations.generated_breakages()
    first, again = mutations.sample(candidates, 60), mutations.sample(list(reversed(candidates)), 60)
    assert first == again and len(set(first)) == 60
    assert {b.kind for b in first} == set(mutations.QUOTAS)


def test_moved_code_keeps_its_breakages(mutations, tmp_path):
    for rel in ("qa", "corpus"):
        shutil.copytree(ROOT / rel, tmp_path / rel, ignore=shutil.ignore_patterns("__pycache__", "data"))
    engine = tmp_path / "qa" / "engine.py"
    engine.write_text('"""Moved."""\n\n\ndef _new_helper():\n    return None\n\n\n' + engine.read_text(encoding="utf-8"),
                      encoding="utf-8")
    before = mutations.sample(mutations.generated_breakages(ROOT), 60)
    after = mutations.sample(mutations.generated_breakages(tmp_path), 60)
    assert [b.key for b in before] == [b.key for b in after]


def test_every_hand_breakage_and_reviewed_equivalent_names_todays_code(mutations):
    """A hand entry whose snippet moved would be reported stale and never run; an equivalence
    reviewed on code that has since changed would leave a breakage out of the share unseen."""
    for b in mutations.HAND:
        assert (ROOT / b.file).read_text(encoding="utf-8").count(b.original) == 1, b.rule
    keys = {b.key for b in mutations.generated_breakages()} | {b.key for b in mutations.HAND}
    assert set(mutations.EQUIVALENT) <= keys, set(mutations.EQUIVALENT) - keys
    assert all(reason.strip() for reason in mutations.EQUIVALENT.values())
