"""Shared fixtures: every test gets its own PLANQA_HOME unless it asks for the shared cache; the
bundled plan, the real search index built in memory with the toy encoder, and an answer engine
over them for qa's fast tests (no model, no files).

A test asks for the shared cache (the built model and index of the environment's PLANQA_HOME)
by being marked ``model`` or ``browser``: those need the real e5 model, or a server that loads
it. Every other test sees a fresh, empty PLANQA_HOME, so nothing a fast test stores leaks into
the cache or into another test.
"""
from __future__ import annotations

import pytest

from corpus import settings as settings_mod

SHARED_CACHE_MARKS = ("model", "browser")


def uses_shared_cache(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in SHARED_CACHE_MARKS)


@pytest.fixture(autouse=True)
def _own_home(request, monkeypatch, tmp_path_factory):
    """A fresh PLANQA_HOME for each test (not created: code that stores must make it)."""
    if uses_shared_cache(request.node):
        yield None
        return
    home = tmp_path_factory.mktemp("t", numbered=True) / "home"
    monkeypatch.setenv("PLANQA_HOME", str(home))
    settings_mod.reset_settings()
    yield home
    settings_mod.reset_settings()


@pytest.fixture
def planqa_env(monkeypatch, _own_home):
    """Set more environment variables for one test (settings are re-read after each call).

    The test's own PLANQA_HOME is already in place; ``planqa_env(PLANQA_HOME=...)`` moves it."""

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
    """The answer engine over ``toy_index`` (modules with the real model use ``real_engine``)."""
    from qa.engine import Engine

    return Engine(plan=plan, index=toy_index)


@pytest.fixture(scope="session")
def real_engine():
    """The engine over the real model and index in the shared cache, loaded once for every
    ``model`` test that asks for it."""
    from qa.engine import Engine

    eng = Engine()
    eng.warm_up(progress=False)
    return eng
