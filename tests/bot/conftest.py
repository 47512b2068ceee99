"""Fixtures for the service-level tests: real settings, services and app, no platforms."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.config import Settings
from bot.services import Services, build_services
from tests.fakes.service import shared_nlu_model

FROZEN_NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")


@pytest.fixture(scope="session")
def nlu_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained NLU model file per test session, shared by every test package."""
    return shared_nlu_model(tmp_path_factory)


@pytest.fixture
def settings(db_url: str, nlu_model_path: Path, tmp_path: Path) -> Settings:
    """Settings for a fresh database at ``FROZEN_NOW``; no LINE or Telegram."""
    return replace(
        Settings(),
        database_url=db_url,
        now=FROZEN_NOW,
        data_dir=tmp_path,
        nlu_model_path=nlu_model_path,
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
async def http(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The app over ASGI (the given services: lifespan not needed)."""
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
        yield client
