"""AIGO_REPLY_SCRIPT=follow: a Simplified question gets a Simplified reply (OpenCC)."""

from __future__ import annotations

from dataclasses import replace

from bot.config import ConfigError, Settings
from bot.dialogue import UserMessage
from bot.services import build_services


async def _ask(settings: Settings, text: str) -> list[dict[str, object]]:
    services = build_services(settings)
    try:
        return await services.engine.handle(UserMessage("rest:s", text, "rest", {}))
    finally:
        services.close()


async def test_follow_answers_simplified_in_simplified(settings: Settings) -> None:
    replies = await _ask(replace(settings, reply_script="follow"), "时程表")
    text = str(replies[0]["text"])
    assert text.startswith("下一个截止日是108-1场 构想收件截止")
    buttons = replies[0]["buttons"]
    assert isinstance(buttons, list) and buttons[-1]["title"] == "完整时程"
    assert buttons[-1]["payload"] == '/ask_schedule{"scope": "full"}'


async def test_default_answers_simplified_in_traditional(settings: Settings) -> None:
    replies = await _ask(settings, "时程表")
    assert str(replies[0]["text"]).startswith("下一個截止日是108-1場 構想收件截止")


def test_reply_script_setting_is_checked() -> None:
    assert Settings.from_env({"AIGO_REPLY_SCRIPT": "follow"}).reply_script == "follow"
    assert Settings.from_env({}).reply_script == "traditional"
    try:
        Settings.from_env({"AIGO_REPLY_SCRIPT": "simplified"})
    except ConfigError as exc:
        assert "AIGO_REPLY_SCRIPT" in str(exc)
    else:
        raise AssertionError("a bad AIGO_REPLY_SCRIPT must stop start-up")
