"""Telegram ``/start`` payloads through the real python-telegram-bot and the fake Telegram API:
``/start join-<code>`` (the team page's deep link ``t.me/<bot>?start=join-<code>``) joins exactly
as typing the invite code does (same checks, same wrong-code count, same messages); a plain
``/start`` (or another payload) greets."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.channels.deep_links import join_link, start_payload
from bot.services import Services
from db.models import Membership
from tests.channels.conftest import RunningApp, post_tg, tg_message, wait_for
from tests.fakes import FakeTelegram
from tests.web.team_support import seed_team


def _start(chat_id: int, parameter: str = "") -> dict[str, Any]:
    """The update Telegram sends when a deep link is opened (``/start <parameter>``)."""
    text = f"/start {parameter}".strip()
    update = tg_message(chat_id, text)
    update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    return update


def _say(client: RunningApp, fake: FakeTelegram, chat_id: int, text: str, expect: str) -> str:
    before = len(fake.texts_to(chat_id))
    post_tg(client, tg_message(chat_id, text) if not text.startswith("/start") else _start(
        chat_id, text.removeprefix("/start").strip()
    ))  # fmt: skip
    return str(
        wait_for(lambda: next((t for t in fake.texts_to(chat_id)[before:] if expect in t), None))
    )


def test_start_payloads_map_to_the_typed_invite_code() -> None:
    assert start_payload("/start join-ABCD2345") == '/join_team{"invite_code": "ABCD2345"}'
    assert start_payload("/start@aigo_bot join-abcd-2345") == (
        '/join_team{"invite_code": "abcd-2345"}'
    )
    for plain in ("/start", "/start hello", "/start join-", '/start join-A"}'):
        assert start_payload(plain) is None
    assert join_link("aigo_bot", "ABCD2345") == "https://t.me/aigo_bot?start=join-ABCD2345"


def test_deep_link_joins_the_team_like_a_typed_code(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    seeded = seed_team(services.session_factory)
    asked = _say(client, fake_telegram, 555, f"/start join-{seeded.code}", "怎麼稱呼")
    assert "邀請碼正確，這是「影像小隊」的邀請" in "\n".join(fake_telegram.texts_to(555))
    assert "歡迎加入 AIGO 助理" not in asked  # no welcome menu in the middle of joining
    _say(client, fake_telegram, 555, "陳小華", "年齡")
    _say(client, fake_telegram, 555, "22", "國籍")
    _say(client, fake_telegram, 555, "本國", "專長")
    joined = _say(client, fake_telegram, 555, "AI", "歡迎加入「影像小隊」")
    assert "目前共有 3 位成員" in joined
    with services.session_factory() as session:
        members = session.scalars(
            sa.select(Membership).where(Membership.team_id == seeded.team_id)
        ).all()
    assert len(members) == 3
    assert fake_telegram.rejected == []


def test_wrong_codes_by_deep_link_and_typed_are_counted_together(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    seed_team(services.session_factory)
    first = _say(client, fake_telegram, 556, "/start join-ZZZZ2222", "找不到邀請碼")
    assert "找不到邀請碼「ZZZZ-2222」" in first and "還可以再試 4 次" in first
    typed = _say(client, fake_telegram, 556, "ZZZZ-3333", "找不到邀請碼")
    assert "還可以再試 3 次" in typed
    _say(client, fake_telegram, 556, "/start join-ZZZZ4444", "還可以再試 2 次")
    _say(client, fake_telegram, 556, "/start join-ZZZZ5555", "還可以再試 1 次")
    limited = _say(client, fake_telegram, 556, "/start join-ZZZZ6666", "錯誤太多次")
    assert "10 分鐘" in limited


def test_plain_start_and_other_payloads_greet(
    client: RunningApp, fake_telegram: FakeTelegram
) -> None:
    _say(client, fake_telegram, 557, "/start", "歡迎加入 AIGO 助理")
    welcome = [s for s in fake_telegram.sent if s.chat_id == "557" and "歡迎加入" in s.text][-1]
    assert any(b["text"] == "English" for b in welcome.buttons)
    _say(client, fake_telegram, 558, "/start from-website", "歡迎加入 AIGO 助理")
