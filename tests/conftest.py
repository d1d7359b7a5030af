"""Shared fixtures: every test gets its own PLANQA_HOME unless it asks for the shared cache."""
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
