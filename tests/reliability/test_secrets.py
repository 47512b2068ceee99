"""Secrets stay secret (issue 16, finding 8, and the wrong-secret log noise of finding 9)."""

from __future__ import annotations

import logging

import pytest

from bot import redact
from bot.channels.telegram_sender import TelegramSender
from bot.config import ConfigError, Settings
from tests.channels.conftest import RunningApp, post_tg, tg_message
from tests.fakes import FakeTelegram


@pytest.mark.parametrize(
    "name", ["TELEGRAM_WEBHOOK_SECRET", "LINE_CHANNEL_SECRET", "AIGO_ADMIN_TOKEN"]
)
def test_short_secrets_are_refused_at_start_up(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"{name} is too short \(1 characters\).*at least 16"):
        Settings.from_env({name: "x"})
    assert Settings.from_env({name: "0123456789abcdef"})


async def test_debug_logs_never_show_the_bot_token(
    fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    redact.install([fake_telegram.token])
    caplog.set_level(logging.DEBUG)
    sender = TelegramSender(token=fake_telegram.token, base_url=fake_telegram.base_url)
    await sender.start()
    await sender.send_message("42", "hello")
    await sender.close()
    lines = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert not [line for line in lines if fake_telegram.token in line]
    assert not [line for line in lines if "telegram-test-token" in line]
    assert [line for line in lines if "bot[REDACTED]" in line]  # the URL was logged, masked


def test_redact_masks_telegram_urls_and_bearer_tokens() -> None:
    text = "GET https://api.telegram.org/bot999:AAE-x_y/getMe Authorization: Bearer abcdefgh12345"
    assert redact.redact(text) == (
        "GET https://api.telegram.org/bot[REDACTED]/getMe Authorization: Bearer [REDACTED]"
    )


def test_a_wrong_telegram_secret_does_not_warn_per_request(
    client: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(20):
        assert post_tg(client, tg_message(5, "hi"), secret="wrong-secret-wrong").status_code == 401
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "wrong secret token" in warnings[0].getMessage()
