"""LINE end to end: signed webhooks into the running app, answers read back from the fake LINE."""

from __future__ import annotations

import logging
import time

import pytest
import sqlalchemy as sa

from bot.channels.line import retry_key_for
from bot.services import Services
from db.models import Conversation, InboxEvent, User
from db.users import find_user
from tests.channels.conftest import (
    NOW_MS,
    RunningApp,
    line_body,
    line_event,
    post_line,
    sign,
    wait_for,
)
from tests.fakes import FakeLine


def _inbox(services: Services) -> list[InboxEvent]:
    with services.session_factory() as session:
        return list(session.scalars(sa.select(InboxEvent).order_by(InboxEvent.id)))


def test_bad_signature_refused_and_nothing_stored(
    client: RunningApp, services: Services, fake_line: FakeLine
) -> None:
    event = line_event("U1", text="你好")
    assert post_line(client, event, signature=sign(b"other body")).status_code == 401
    body = line_body(event)
    assert client.post("/webhooks/line/webhook", content=body).status_code == 400
    assert _inbox(services) == []
    assert fake_line.sent == []


def test_verify_request_malformed_and_oversized_bodies(
    client: RunningApp, services: Services
) -> None:
    assert post_line(client).status_code == 200  # the console's verify request: no events
    junk = b'{"events": [oops'
    response = client.post(
        "/webhooks/line/webhook", content=junk, headers={"x-line-signature": sign(junk)}
    )
    assert response.status_code == 400
    big = b'{"events": [], "pad": "' + b"x" * 1_100_000 + b'"}'
    response = client.post(
        "/webhooks/line/webhook", content=big, headers={"x-line-signature": sign(big)}
    )
    assert response.status_code == 413
    assert _inbox(services) == []


def test_text_message_answered_with_reply_token(client: RunningApp, fake_line: FakeLine) -> None:
    event = line_event("U1", text="構想收件截止是什麼時候？", reply_token="tok-1")
    assert post_line(client, event).status_code == 200
    replies = wait_for(lambda: fake_line.by_endpoint("reply"))
    assert replies[0].body["replyToken"] == "tok-1"
    assert replies[0].messages and replies[0].messages[0]["type"] in {"text", "flex"}
    assert fake_line.rejected == []


def test_redelivered_event_processed_once(
    client: RunningApp, services: Services, fake_line: FakeLine
) -> None:
    event = line_event("U2", text="你好", event_id="01HREDELIVERY0000000000001")
    assert post_line(client, event).status_code == 200
    event["deliveryContext"] = {"isRedelivery": True}
    assert post_line(client, event).status_code == 200
    wait_for(lambda: [r for r in _inbox(services) if r.status == "done"])
    assert len(_inbox(services)) == 1
    assert len(fake_line.by_endpoint("reply")) + len(fake_line.by_endpoint("push")) == 1


def test_stale_reply_token_falls_back_to_push(client: RunningApp, fake_line: FakeLine) -> None:
    old = line_event("U3", text="你好", timestamp_ms=NOW_MS - 5 * 60_000, event_id="01HSTALE")
    assert post_line(client, old).status_code == 200
    pushes = wait_for(lambda: fake_line.by_endpoint("push"))
    assert pushes[0].body["to"] == "U3"
    assert pushes[0].retry_key == retry_key_for("01HSTALE")
    assert fake_line.by_endpoint("reply") == []


def test_rejected_reply_token_falls_back_to_push(client: RunningApp, fake_line: FakeLine) -> None:
    fake_line.expire_reply_token("used-token")
    assert (
        post_line(client, line_event("U4", text="你好", reply_token="used-token")).status_code
        == 200
    )
    pushes = wait_for(lambda: fake_line.by_endpoint("push"))
    assert pushes[0].body["to"] == "U4"


def test_follow_welcomes_and_unfollow_deactivates(
    client: RunningApp, services: Services, fake_line: FakeLine
) -> None:
    post_line(client, line_event("U5", "follow", reply_token="follow-token"))
    reply = wait_for(lambda: fake_line.by_endpoint("reply"))[0]
    items = reply.messages[-1]["quickReply"]["items"]
    assert 2 <= len(items) <= 13
    assert {i["action"]["type"] for i in items} == {"postback"}
    assert any('"language": "en"' in i["action"]["data"] for i in items)

    post_line(client, line_event("U5", "unfollow", timestamp_ms=NOW_MS - 1000))

    def inactive() -> bool:
        with services.session_factory() as session:
            user = find_user(session=session, channel="line", external_id="U5")
            return user is not None and not user.active

    wait_for(inactive)


def test_postback_driven_flow(client: RunningApp, fake_line: FakeLine) -> None:
    post_line(client, line_event("U6", "follow", reply_token="t-follow"))
    welcome = wait_for(lambda: fake_line.by_endpoint("reply"))[0]
    choice = welcome.messages[-1]["quickReply"]["items"][1]["action"]  # English
    post_line(client, line_event("U6", "postback", data=choice["data"], reply_token="t-choice"))
    answer = wait_for(
        lambda: [r for r in fake_line.by_endpoint("reply") if r.body["replyToken"] == "t-choice"]
    )
    assert answer[0].messages
    post_line(client, line_event("U6", "postback", data="/ask_schedule", reply_token="t-sched"))
    schedule = wait_for(
        lambda: [r for r in fake_line.by_endpoint("reply") if r.body["replyToken"] == "t-sched"]
    )
    assert schedule[0].messages and fake_line.rejected == []


def test_unsupported_event_types_answered_or_ignored(
    client: RunningApp, services: Services, fake_line: FakeLine
) -> None:
    sticker = line_event(
        "U7",
        message={
            "type": "sticker",
            "id": "1",
            "packageId": "1",
            "stickerId": "2",
            "stickerResourceType": "STATIC",
            "quoteToken": "q",
        },
        reply_token="t-st",
    )
    join = line_event("U7", "join")
    join["source"] = {"type": "group", "groupId": "G1"}
    beacon = line_event("U7", "beacon")
    beacon["beacon"] = {"hwid": "d41d8cd98f", "type": "enter"}
    assert post_line(client, sticker, join, beacon).status_code == 200
    reply = wait_for(lambda: fake_line.by_endpoint("reply"))[0]
    assert "文字" in reply.messages[0]["text"]
    wait_for(
        lambda: all(r.status == "done" for r in _inbox(services)) and len(_inbox(services)) == 3
    )
    assert len(fake_line.sent) == 1


def test_rate_limit_sends_one_notice(client: RunningApp, fake_line: FakeLine) -> None:
    events = [
        line_event("U8", text=f"你好 {i}", timestamp_ms=NOW_MS - 3000 + i * 10) for i in range(24)
    ]
    for chunk in (events[:12], events[12:]):
        assert post_line(client, *chunk).status_code == 200
    wait_for(lambda: len(fake_line.by_endpoint("reply")) >= 21, timeout=60)
    texts = fake_line.texts()
    notices = [t for t in texts if "稍等幾秒" in t]
    assert len(notices) == 1
    assert len(fake_line.by_endpoint("reply")) == 21


def test_users_of_two_channels_stay_apart(client: RunningApp, services: Services) -> None:
    post_line(client, line_event("U9", "follow"))

    def both() -> bool:
        with services.session_factory() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(User)) == 1

    wait_for(both)


def test_rest_caller_cannot_act_as_a_line_user(client: RunningApp, services: Services) -> None:
    response = client.post(
        "/webhooks/rest/webhook", json={"sender": "line:Uforged", "message": "你好"}
    )
    assert response.status_code == 200
    with services.session_factory() as session:
        keys = set(session.scalars(sa.select(Conversation.sender_key)))
        forged = find_user(session=session, channel="line", external_id="Uforged")
    assert "line:Uforged" not in keys and forged is None


def test_a_signed_event_with_fields_of_the_wrong_type_is_done_without_an_error(
    client: RunningApp, services: Services, fake_line: FakeLine, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the fuzz test: a ``timestamp`` that is a list failed the event in the inbox worker
    (``float()`` of a list, logged with its traceback on every attempt); a year-10000 timestamp,
    a ``source`` or ``message`` that is not an object, or a reply token that is a number did too."""
    caplog.set_level(logging.ERROR)
    odd = [
        line_event("U8", text="獎金多少", timestamp_ms=0) | {"timestamp": [[], []]},
        line_event("U8", text="獎金多少") | {"timestamp": 10**20},
        line_event("U8", text="x") | {"source": ["U8"]},
        line_event("U8", text="x") | {"message": "hi"},
        line_event("U8", "postback") | {"postback": [1]},
        line_event("U8", text="獎金多少") | {"replyToken": 12345},
    ]
    assert post_line(client, *odd).status_code == 200
    wait_for(
        lambda: len(_inbox(services)) == 6 and all(r.status == "done" for r in _inbox(services))
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert fake_line.by_endpoint("push")  # the number as reply token: answered by push


def test_on_postgresql_a_slow_answer_does_not_hold_up_other_users(
    client: RunningApp, fake_line: FakeLine, db_url: str
) -> None:
    """Several senders are answered at once on PostgreSQL (scale-out: one sender at a time left
    a worker idle while LINE or a commit answered)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has a single writer: one sender at a time")
    fake_line.slow_next("reply", 8.0)  # accepted (recorded) now, answered 8 s later
    assert post_line(client, line_event("Uslow", text="獎金多少")).status_code == 200
    wait_for(lambda: fake_line.by_endpoint("reply"))
    started = time.monotonic()
    assert post_line(client, line_event("Uquick", text="獎金多少")).status_code == 200
    wait_for(lambda: len(fake_line.by_endpoint("reply")) == 2)
    assert time.monotonic() - started < 6.0
