"""Telegram end to end: updates into the running app, answers read back from the fake Bot API."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from bot.channels.context import ChannelContext
from bot.services import Services
from db.models import InboxEvent
from db.users import find_user
from tests.channels.conftest import RunningApp, post_tg, tg_callback, tg_message, wait_for
from tests.fakes import FakeTelegram


def _inbox_count(services: Services) -> int:
    with services.session_factory() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) or 0)


def _all_done(services: Services, count: int) -> bool:
    """True once ``count`` updates are stored and all of them are processed (answers sent)."""
    with services.session_factory() as session:
        statuses = list(session.scalars(sa.select(InboxEvent.status)))
    return len(statuses) == count and all(s == "done" for s in statuses)


def test_secret_mismatch_refused(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    assert post_tg(client, tg_message(1, "hi"), secret="wrong").status_code == 401
    assert post_tg(client, tg_message(1, "hi"), secret=None).status_code == 401
    response = client.post(
        "/webhooks/telegram/webhook",
        content=b"{not json",
        headers={"x-telegram-bot-api-secret-token": "telegram-webhook-secret-for-tests"},
    )
    assert response.status_code == 400
    assert _inbox_count(services) == 0
    assert fake_telegram.sent == []


def test_text_answered_and_duplicate_update_processed_once(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    update = tg_message(101, "獎金有多少？", update_id=555)
    assert post_tg(client, update).status_code == 200
    assert post_tg(client, update).status_code == 200
    wait_for(lambda: fake_telegram.texts_to(101))
    wait_for(lambda: _inbox_count(services) == 1)
    first = len(fake_telegram.texts_to(101))
    assert first >= 1
    assert all(len(t) <= 4096 for t in fake_telegram.texts_to(101))


def test_start_shows_welcome_keyboard_and_buttons_work(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    post_tg(client, tg_message(102, "/start"))
    wait_for(lambda: _all_done(services, 1))  # /start sends several messages: wait for all
    first = [s for s in fake_telegram.sent if s.chat_id == "102" and s.buttons]
    data = [b["callback_data"] for b in first[0].buttons]
    assert all(len(d.encode()) <= 64 for d in data)
    before = len(fake_telegram.texts_to(102))
    post_tg(client, tg_callback(102, data[0]))
    wait_for(lambda: _all_done(services, 2))
    assert len(fake_telegram.texts_to(102)) > before
    assert any(m == "answerCallbackQuery" for m, _ in fake_telegram.calls)
    assert fake_telegram.rejected == []


def test_commands_map_to_intents(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    for number, command in enumerate(("/schedule", "/prize@aigo_test_bot", "/help"), 1):
        before = len(fake_telegram.texts_to(103))
        post_tg(client, tg_message(103, command))
        wait_for(lambda n=number: _all_done(services, n))  # type: ignore[misc]
        assert len(fake_telegram.texts_to(103)) > before
    assert fake_telegram.rejected == []


def test_blocked_bot_marks_user_inactive(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.blocked.add("104")
    post_tg(client, tg_message(104, "你好"))

    def inactive() -> bool:
        with services.session_factory() as session:
            user = find_user(session=session, channel="telegram", external_id="104")
            return user is not None and not user.active

    wait_for(inactive)


def test_sticker_gets_a_hint(client: RunningApp, fake_telegram: FakeTelegram) -> None:
    update = tg_message(105, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "f",
        "file_unique_id": "u",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    post_tg(client, update)
    texts = wait_for(lambda: fake_telegram.texts_to(105))
    assert "文字" in texts[0]


def test_long_payloads_stored_and_resolved(services: Services) -> None:
    async def no_turn(*_: object) -> list[dict[str, object]]:
        return []

    ctx = ChannelContext(
        session_factory=services.session_factory, now=services.clock.now, turn=no_turn
    )
    payload = '/register_team{"team_name": "' + "很長的隊名" * 20 + '"}'

    async def roundtrip() -> tuple[dict[str, str], str | None, str | None]:
        refs = await ctx.store_payloads([payload])
        return refs, await ctx.load_payload(refs[payload]), await ctx.load_payload("cb:nope")

    refs, loaded, missing = asyncio.run(roundtrip())
    assert len(refs[payload].encode()) <= 64
    assert loaded == payload and missing is None


def test_updates_with_fields_of_the_wrong_type_are_a_400_and_not_stored(
    client: RunningApp, services: Services
) -> None:
    """Found by the fuzz test: a list as the text was stored, then failed in the inbox worker on
    every attempt (``.strip()`` of a list); a date past year 9999 was a 500 (``OverflowError``)."""

    def changed(**fields: object) -> dict[str, object]:
        update = tg_message(7002, "hi")
        update["message"] = {**update["message"], **fields}
        return update

    for update in (
        changed(text=["hi"]),
        changed(date=10**50),
        changed(date=10**12),
        changed(chat={"id": {"x": 1}, "type": "private"}),
        {**tg_message(7002, "hi"), "update_id": {}},
        {
            **tg_callback(7002, "x"),
            "callback_query": {**tg_callback(7002, "x")["callback_query"], "data": [1]},
        },
    ):
        response = post_tg(client, update)
        assert response.status_code == 400, update
        assert response.json() == {"error": "malformed update"}
    assert _inbox_count(services) == 0
    assert post_tg(client, tg_message(7002, "hi")).status_code == 200
