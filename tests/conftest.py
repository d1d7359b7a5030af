"""Shared fixtures: every test gets its own PLANQA_HOME unless it asks for the shared cache; the
bundled plan, the real search index built in memory with the toy encoder, and an answer engine
over them for qa's fast tests (no model, no files).
"""
from __future__ import annotations

import pytest

from corpus import settings as settings_mod


@pytest.fixture
def planqa_env(monkeypatch, tmp_path):
    """Point all stored data at a temp folder and return a function to set more variables."""
    monkeypatch.setenv("PLANQA_HOME", str(tmp_path / "home"))
    settings_mod.reset_settings()

    def set_env(**values: str) -> None:
        for k, v in values.items():
            monkeypatch.setenv(k, v)
        settings_mod.reset_settings()

    yield set_env
    settings_mod.reset_settings()


@pytest.fixture(scope="session")
def plan():
    from corpus import load_plan

    return load_plan()


@pytest.fixture(scope="session")
def toy_index(plan):
    """The real ``index.search.SearchIndex`` over the bundled plan, built in memory with the toy
    encoder (tests/toy_encoder.py): the real Retriever, its result types, query profiles and
    fusion, with hashed-term vectors instead of e5's. Built once per session (about 0.5 s)."""
    from tests.toy_encoder import memory_index

    return memory_index([plan])


@pytest.fixture(scope="session")
def engine(plan, toy_index):
    """The answer engine over ``toy_index`` (modules with the real model define their own)."""
    from qa.engine import Engine

    return Engine(plan=plan, index=toy_index)
