"""Fixtures for the service-level tests: the dialogue tests' settings and services, and the app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import create_app
from bot.config import Settings
from bot.services import Services
from tests.dialogue.conftest import nlu_model_path, services, settings

__all__ = ["http", "nlu_model_path", "services", "settings"]


@pytest.fixture
async def http(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The app over ASGI (the given services: lifespan not needed)."""
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
        yield client
