"""Fixtures for dialogue tests: real settings, DB (SQLite and PostgreSQL), NLU and engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.dialogue import Engine, load_domain, load_rules
from bot.services import Services, build_services, make_executor
from tests.dialogue import form_actions
from tests.fakes.service import shared_nlu_model

DATA = Path(__file__).parent / "data"
FROZEN_NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")


@pytest.fixture(scope="session")
def nlu_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained NLU model file per test session, shared by every test package."""
    return shared_nlu_model(tmp_path_factory)


@pytest.fixture
def settings(db_url: str, nlu_model_path: Path, tmp_path: Path) -> Settings:
    """Settings for a fresh database with the clock frozen at ``FROZEN_NOW``."""
    return replace(
        Settings(),
        database_url=db_url,
        now=FROZEN_NOW,
        data_dir=tmp_path,
        nlu_model_path=nlu_model_path,
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """The real service container (migrations applied)."""
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()


def make_form_engine(services: Services) -> Engine:
    """An engine over the test form domain, sharing the services' DB, NLU and clock."""
    executor = make_executor()
    for action in (
        form_actions.ValidateSignupForm,
        form_actions.ActionAskConfirm,
        form_actions.ActionSubmitSignup,
    ):
        executor.register_action(action)
    return Engine(
        domain=load_domain(DATA / "form_domain.yml"),
        rules=load_rules(DATA / "form_rules.yml"),
        nlu=services.nlu,
        executor=executor,
        session_factory=services.session_factory,
        clock=services.clock,
    )


@pytest.fixture
def form_engine(services: Services) -> Engine:
    """See :func:`make_form_engine`."""
    return make_form_engine(services)
