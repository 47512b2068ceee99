"""Subscribing and unsubscribing in conversation, through the real app and NLU (REST channel)."""

from __future__ import annotations

from actions.reminders import requested_kinds, status_line
from bot.services import Services
from db.models import Delivery
from db.subscriptions import get_subscription
from db.users import find_user
from tests.actions.forms_support import NOW, rest, text


def test_kinds_named_in_a_message() -> None:
    assert requested_kinds("只要截止提醒") == ["deadlines"]
    assert requested_kinds("remind me of deadlines and events") == ["deadlines", "events"]
    assert requested_kinds("訂閱提醒") == []


async def test_subscribe_then_unsubscribe(services: Services) -> None:
    replies = text(await rest(services, "alice", "/subscribe_reminders"))
    assert "已為您訂閱提醒" in replies and "所有梯次" in replies and "22:00" in replies
    assert "LINE 或 Telegram" in replies  # REST cannot receive pushes
    with services.session_factory() as session:
        user = find_user(session=session, channel="rest", external_id="alice")
        assert user is not None
        view = get_subscription(session=session, user_id=user.id)
        assert view is not None and view.active and view.kinds == ("deadlines", "events", "nudges")
        assert "已訂閱" in status_line(session=session, user_id=user.id, lang="zh-TW")
        pending = Delivery(reminder_key="k", user_id=user.id, channel="line", external_id="U1",
                           payload={"text": "x"}, next_attempt_at=NOW)  # fmt: skip
        session.add(pending)
        session.commit()
    assert "確定要取消所有提醒嗎" in text(await rest(services, "alice", "/unsubscribe_reminders"))
    replies = text(await rest(services, "alice", "是"))
    assert "已取消所有提醒" in replies and "1 則待送提醒已取消" in replies
    with services.session_factory() as session:
        view = get_subscription(session=session, user_id=user.id)
        assert view is not None and not view.active
        assert status_line(session=session, user_id=user.id, lang="en") == "Reminders: off"
    again = text(await rest(services, "alice", "/unsubscribe_reminders"))
    assert "沒有訂閱提醒" in again


async def test_subscribe_in_english_to_one_round(services: Services) -> None:
    replies = text(await rest(services, "bob", "remind me of the 108-2 deadlines at any time"))
    with services.session_factory() as session:
        user = find_user(session=session, channel="rest", external_id="bob")
        assert user is not None
        view = get_subscription(session=session, user_id=user.id)
    assert view is not None, replies
    assert view.rounds == ("108-2",) and view.kinds == ("deadlines",) and not view.quiet_hours
    assert "round 108-2" in replies and "any hour" in replies


async def test_my_status_shows_the_subscription(services: Services) -> None:
    await rest(services, "carol", "/subscribe_reminders")
    replies = text(await rest(services, "carol", "/my_status"))
    assert "提醒：已訂閱（所有梯次，截止提醒、活動提醒、個人化提醒）" in replies
