"""Shared fixtures: every test gets its own PLANQA_HOME unless it asks for the shared cache; the
bundled plan and an answer engine over it with the fake retriever (no model) for qa's fast tests."""
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
def engine(plan):
    """The answer engine with tests.qa_fakes.FakeIndex (modules with the real model define their own)."""
    from qa.engine import Engine
    from tests.qa_fakes import FakeIndex

    return Engine(plan=plan, index=FakeIndex(plan))
