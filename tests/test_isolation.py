"""The test suite's own promise: a test stores nothing in the shared cache unless it asks for it
(tests/conftest.py), so fast tests neither read a built index nor leave files behind."""
from __future__ import annotations

import os

import pytest

from corpus.settings import get_settings

HOME_AT_COLLECTION = os.environ.get("PLANQA_HOME")


def test_an_ordinary_test_has_a_home_of_its_own(tmp_path_factory):
    home = get_settings().home
    assert os.environ["PLANQA_HOME"] == str(home) != HOME_AT_COLLECTION
    assert home.is_relative_to(tmp_path_factory.getbasetemp())


def test_planqa_env_sets_more_variables_on_top_of_the_own_home(planqa_env, tmp_path):
    own = get_settings().home
    planqa_env(PLANQA_PORT="7999")
    assert get_settings().port == 7999 and get_settings().home == own
    planqa_env(PLANQA_HOME=str(tmp_path / "moved"))
    assert get_settings().home == tmp_path / "moved"


@pytest.mark.model
def test_a_model_test_sees_the_shared_cache():
    assert os.environ.get("PLANQA_HOME") == HOME_AT_COLLECTION
