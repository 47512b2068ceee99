"""Fixtures for the actions tests: a real app on the ``db_url`` database with a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.services import Services, build_services
from tests.actions.forms_support import settings_for
from tests.fakes.service import shared_nlu_model


@pytest.fixture(scope="module")
def nlu_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared NLU model file (trained once for every test package, not per module:
    no test here changes the model)."""
    return shared_nlu_model(tmp_path_factory)


@pytest.fixture
def services(db_url: str, nlu_path: Path, tmp_path: Path) -> Iterator[Services]:
    """The app's services on ``db_url``, clock frozen at ``forms_support.NOW``; closed after."""
    built = build_services(settings_for(db_url, nlu_path, tmp_path))
    yield built
    built.close()
