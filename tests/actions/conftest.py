"""Fixtures for the actions tests: a real app on the ``db_url`` database with a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.services import Services, build_services
from tests.actions.forms_support import settings_for


@pytest.fixture(scope="module")
def nlu_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this test module's NLU model is trained once and kept."""
    return tmp_path_factory.mktemp("nlu") / "model.json.gz"


@pytest.fixture
def services(db_url: str, nlu_path: Path, tmp_path: Path) -> Iterator[Services]:
    """The app's services on ``db_url``, clock frozen at ``forms_support.NOW``; closed after."""
    built = build_services(settings_for(db_url, nlu_path, tmp_path))
    yield built
    built.close()
