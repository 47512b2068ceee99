"""Pytest fixtures for the fake platforms (one server per test session, state reset per test).

``fake_line`` / ``fake_telegram`` yield the fake's state object; its base URL is ``.base_url``
(also ``fake_line_url`` / ``fake_telegram_url``). Point the service at them with
``LINE_API_BASE_URL`` / ``TELEGRAM_API_BASE_URL`` (see :func:`fake_platform_env`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.line import FakeLine, start_fake_line
from tests.fakes.server import ThreadedServer
from tests.fakes.telegram import FakeTelegram, start_fake_telegram


@pytest.fixture(scope="session")
def _fake_line_server() -> Iterator[tuple[FakeLine, ThreadedServer]]:
    fake, server = start_fake_line()
    yield fake, server
    server.stop()


@pytest.fixture(scope="session")
def _fake_telegram_server() -> Iterator[tuple[FakeTelegram, ThreadedServer]]:
    fake, server = start_fake_telegram()
    yield fake, server
    server.stop()


@pytest.fixture
def fake_line(_fake_line_server: tuple[FakeLine, ThreadedServer]) -> Iterator[FakeLine]:
    """The fake LINE API, emptied for this test; ``fake_line.base_url`` is its address."""
    fake, _server = _fake_line_server
    fake.reset()
    yield fake


@pytest.fixture
def fake_telegram(
    _fake_telegram_server: tuple[FakeTelegram, ThreadedServer],
) -> Iterator[FakeTelegram]:
    """The fake Telegram API, emptied for this test; ``fake_telegram.base_url`` is its address."""
    fake, _server = _fake_telegram_server
    fake.reset()
    yield fake


@pytest.fixture
def fake_platform_env(fake_line: FakeLine, fake_telegram: FakeTelegram) -> dict[str, str]:
    """Environment variables pointing the service at both fakes, with their tokens."""
    return {
        "LINE_API_BASE_URL": fake_line.base_url,
        "LINE_CHANNEL_ACCESS_TOKEN": fake_line.token,
        "LINE_CHANNEL_SECRET": "line-channel-secret-for-tests",
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_WEBHOOK_SECRET": "telegram-webhook-secret-for-tests",
    }
