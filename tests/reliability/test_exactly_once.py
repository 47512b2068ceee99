"""Exactly once per event (issue 16, finding 1): a re-processed event replays, never re-runs,
and an answer is never sent by both reply and push."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.services import Services
from db.models import ConversationEvent, EventOutput, InboxEvent
from tests.channels.conftest import (
    RunningApp,
    line_event,
    post_line,
    post_tg,
    tg_message,
    wait_for,
)
from tests.fakes import FakeLine, FakeTelegram

pytestmark = pytest.mark.timeout(180)


def _done(services: Services) -> bool:
    with services.session_factory() as session:
        return set(session.scalars(sa.select(InboxEvent.status))) == {"done"}


def _user_turns(services: Services, sender_key: str) -> int:
    with services.session_factory() as session:
        stmt = sa.select(ConversationEvent.event).where(ConversationEvent.sender_key == sender_key)
        return sum(1 for event in session.scalars(stmt) if event.get("event") == "user")


def _process_again(services: Services, event_id: str) -> None:
    """As after a crash between sending and recording ``done``: the row is pending again."""
    with services.session_factory.begin() as session:
        session.execute(
            sa.update(InboxEvent).where(InboxEvent.event_id == event_id).values(status="pending")
        )
    wait_for(lambda: _done(services))


def test_a_reply_answered_after_the_client_timeout_is_not_pushed_again(
    client: RunningApp, services: Services, fake_line: FakeLine
) -> None:
    client.app.state.channels.line.sender.timeout = 0.5
    fake_line.slow_next("reply", 1.5)  # LINE takes the reply, answers after our timeout
    assert post_line(client, line_event("Uslow", text="獎金多少")).status_code == 200
    wait_for(lambda: _done(services))
    assert len(fake_line.by_endpoint("reply")) == 1
    assert fake_line.by_endpoint("push") == []


def test_an_event_processed_again_replays_by_push_with_its_retry_key(
    client: RunningApp, services: Services, fake_line: FakeLine
) -> None:
    """A crash after the turn and before ``done``: the worker runs the row again."""
    event = line_event("Uagain", text="構想什麼時候截止")
    assert post_line(client, event).status_code == 200
    wait_for(lambda: _done(services))
    fake_line.expire_reply_token(event["replyToken"])
    _process_again(services, event["webhookEventId"])  # nothing is sent again, no turn runs
    assert len(fake_line.messages_to("Uagain")) == 1
    assert _user_turns(services, "line:Uagain") == 1

    second = line_event("Uagain", text="那第二梯呢")
    client.app.state.channels.line.sender.timeout = 0.5
    fake_line.fail_next("push", 500)
    fake_line.expire_reply_token(second["replyToken"])
    post_line(client, second)  # the token is refused on the first request: push, once
    wait_for(lambda: _done(services) and len(fake_line.by_endpoint("push")) == 1)
    with services.session_factory.begin() as session:  # as if the crash hit before "delivered"
        output = session.get(EventOutput, f"line:{second['webhookEventId']}")
        assert output is not None and output.progress == {"via": "push", "delivered": True}
        output.progress = {"via": "push"}
    _process_again(services, second["webhookEventId"])
    pushes = fake_line.by_endpoint("push")
    assert len(pushes) == 1  # LINE answered 409 to the repeat: the retry key is the event's
    assert fake_line.by_endpoint("reply") == [fake_line.by_endpoint("reply")[0]]
    assert _user_turns(services, "line:Uagain") == 2


def test_a_reply_whose_delivered_mark_was_lost_is_not_sent_again(
    client: RunningApp, services: Services, fake_line: FakeLine
) -> None:
    """The "delivered" mark does not wait for the disk: if a database crash loses it, the event
    is processed again, tries the same reply token, LINE refuses it, and nothing else goes out."""
    event = line_event("Ulost", text="獎金多少")
    assert post_line(client, event).status_code == 200
    wait_for(lambda: _done(services))
    with services.session_factory.begin() as session:
        output = session.get(EventOutput, f"line:{event['webhookEventId']}")
        assert output is not None and output.progress == {"via": "reply", "delivered": True}
        output.progress = {"via": "reply"}
    _process_again(services, event["webhookEventId"])
    assert len(fake_line.by_endpoint("reply")) == 1
    assert fake_line.by_endpoint("push") == []
    assert _user_turns(services, "line:Ulost") == 1


def test_a_telegram_update_processed_again_sends_only_what_never_went_out(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    update = tg_message(4242, "/start")  # the welcome, then the turn's answer: several messages
    assert post_tg(client, update).status_code == 200
    wait_for(lambda: _done(services))
    sent = fake_telegram.texts_to(4242)
    assert len(sent) >= 2
    key = f"telegram:{update['update_id']}"
    with services.session_factory.begin() as session:
        output = session.get(EventOutput, key)
        assert output is not None
        assert all(isinstance(v, int) and v > 0 for v in output.progress["parts"].values())
        parts = dict(output.progress["parts"])
        parts["0"] = "attempted"  # a crash mid-request: may have arrived, so not sent again
        del parts[str(len(parts) - 1)]  # a crash before the last one was even tried
        output.progress = {"parts": parts}
    _process_again(services, str(update["update_id"]))
    wait_for(lambda: len(fake_telegram.texts_to(4242)) == len(sent) + 1)
    assert fake_telegram.texts_to(4242) == [*sent, sent[-1]]
    assert _user_turns(services, "telegram:4242") == 1
