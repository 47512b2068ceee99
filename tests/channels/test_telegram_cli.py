"""``aigo telegram setup|poll`` and ``aigo line setup`` against the fake platforms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.commands.line import DEFAULT_RICH_MENU
from db.models import InboxEvent
from db.session import make_engine
from tests.channels.conftest import tg_message
from tests.fakes import FakeLine, FakeTelegram


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch,
    fake_platform_env: dict[str, str],
    db_url: str,
    tmp_path: Path,
    nlu_model_path: Path,
) -> str:
    for key, value in fake_platform_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AIGO_DATABASE_URL", db_url)
    monkeypatch.setenv("AIGO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AIGO_NLU_MODEL", str(nlu_model_path))
    monkeypatch.setenv("AIGO_NOW", "2019-05-20T10:00:00+08:00")
    return db_url


def test_telegram_setup_sets_webhook_secret_and_commands(
    env: str, fake_telegram: FakeTelegram, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["telegram", "setup", "--url", "https://bot.example.org"]) == 0
    assert fake_telegram.webhook["url"] == "https://bot.example.org/webhooks/telegram/webhook"
    assert fake_telegram.webhook["secret_token"] == "telegram-webhook-secret-for-tests"
    commands = {c["command"] for c in fake_telegram.commands}
    assert commands == {
        "start",
        "help",
        "schedule",
        "prize",
        "eligibility",
        "remind",
        "stop",
        "cancel",
    }
    out = capsys.readouterr().out
    assert "telegram-webhook-secret-for-tests" not in out
    assert main(["telegram", "setup", "--url", "http://insecure"]) == 2


def test_telegram_poll_feeds_the_inbox_and_answers(env: str, fake_telegram: FakeTelegram) -> None:
    fake_telegram.queue_update(tg_message(201, "你好", update_id=9001))
    fake_telegram.queue_update(tg_message(201, "/schedule", update_id=9002))
    assert main(["telegram", "poll", "--once"]) == 0
    assert len(fake_telegram.texts_to(201)) >= 2
    engine = make_engine(env)
    with engine.connect() as conn:
        statuses = conn.execute(sa.select(InboxEvent.event_id, InboxEvent.status)).all()
    engine.dispose()
    assert sorted(statuses) == [("9001", "done"), ("9002", "done")]


def test_line_setup_validates_url_and_creates_rich_menu(
    env: str, fake_line: FakeLine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["line", "setup", "--url", "http://x.example"]) == 2
    assert (
        main(
            ["line", "setup", "--url", "https://bot.example.org/", "--set-endpoint", "--rich-menu"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "https://bot.example.org/webhooks/line/webhook" in out
    assert fake_line.webhook_endpoint == "https://bot.example.org/webhooks/line/webhook"
    menu = json.loads(DEFAULT_RICH_MENU.read_text(encoding="utf-8"))
    assert fake_line.default_rich_menu is not None
    assert fake_line.rich_menus[fake_line.default_rich_menu]["name"] == menu["name"]
