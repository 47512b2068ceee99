"""Fake LINE Messaging API and Telegram Bot API servers for tests and benchmarks.

Use :func:`start_fake_line` / :func:`start_fake_telegram` directly, or the pytest fixtures
``fake_line`` and ``fake_telegram`` from :mod:`tests.fakes.fixtures` (registered for the whole
suite via ``pytest_plugins`` in ``tests/conftest.py``).
"""

from tests.fakes.line import FakeLine, Sent, start_fake_line, utf16_len
from tests.fakes.server import ThreadedServer, free_port
from tests.fakes.telegram import FakeTelegram, TgSent, start_fake_telegram

__all__ = [
    "FakeLine",
    "FakeTelegram",
    "Sent",
    "TgSent",
    "ThreadedServer",
    "free_port",
    "start_fake_line",
    "start_fake_telegram",
    "utf16_len",
]
