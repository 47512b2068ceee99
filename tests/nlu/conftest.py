"""NLU fixtures: one model trained per test session (training takes seconds), saved to a file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import nlu
from nlu import NLUModel

NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")  # a Monday


@pytest.fixture(scope="session")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained from nlu/data and saved (load_or_train will accept it as up to date)."""
    path = tmp_path_factory.mktemp("nlu") / "nlu-model.json.gz"
    nlu.train().save(path)
    return path


@pytest.fixture(scope="session")
def model(model_file: Path) -> NLUModel:
    """The session's model, loaded from its file (as the service does)."""
    return NLUModel.load(model_file)


@pytest.fixture
def now() -> datetime:
    """The frozen clock used by the date tests."""
    return NOW
