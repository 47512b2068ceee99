"""Notices reach users known only through the web chat: a returned challenge's notice waits in the
outbox as a ``web`` row the dispatcher never claims, follows the replies of the user's next message
and is returned by ``POST /chat/notices`` (the open page polls it), exactly once."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from bot.challenge_review import review
from bot.services import Services
from db import challenges
from db.models import ChannelIdentity, Conversation, Delivery
from db.notices import notify
from db.users import get_or_create_user_for_sender
from tests.actions.forms_support import NOW


def _csrf(client: httpx.Client) -> str:
    page = client.get("/chat").text
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def _submit_as_chat_user(services: Services, title: str) -> str:
    """A challenge submitted by the one web chat user so far (as the chat form would)."""
    with services.session_factory.begin() as session:
        sender = session.scalars(sa.select(Conversation.sender_key)).one()
        assert sender.startswith("web:")
        user = get_or_create_user_for_sender(session=session, sender_key=sender)
        org = challenges.get_or_create_organisation(
            session=session, name="大同醫院", user_id=user.id
        )
        draft = challenges.save_draft(
            session=session, user_id=user.id, organisation=org, contact={},
            challenge={"title": title}, dataset={}, now=NOW,
        )  # fmt: skip
        challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
        return str(draft.reference)


def test_a_returned_challenge_is_told_in_the_web_chat_once(
    web_client: httpx.Client, web_services: Services
) -> None:
    csrf = _csrf(web_client)
    headers = {"X-CSRF-Token": csrf}
    first = web_client.post("/chat/messages", json={"text": "你好"}, headers=headers)
    assert first.status_code == 200 and not any(r.get("notice") for r in first.json()["replies"])
    reference = _submit_as_chat_user(web_services, "病歷摘要")
    with web_services.session_factory.begin() as session:
        review(session=session, reference=reference, action="return", now=NOW, actor="cli",
               reason="請補充資料欄位說明")  # fmt: skip
    with web_services.session_factory() as session:
        row = session.scalars(sa.select(Delivery).where(Delivery.channel == "web")).one()
        assert (
            row.status == "pending"
        )  # waits for the page: the dispatcher claims LINE/Telegram only

    assert web_client.post("/chat/notices", json={}).status_code == 403  # CSRF, as every POST
    polled = web_client.post("/chat/notices", json={}, headers=headers).json()["replies"]
    assert len(polled) == 1 and polled[0]["notice"] is True
    assert reference in polled[0]["text"] and "請補充資料欄位說明" in polled[0]["text"]
    assert web_client.post("/chat/notices", json={}, headers=headers).json() == {"replies": []}
    later = web_client.post("/chat/messages", json={"text": "獎金多少"}, headers=headers)
    assert not any(r.get("notice") for r in later.json()["replies"])  # shown once
    with web_services.session_factory() as session:
        row = session.scalars(sa.select(Delivery).where(Delivery.channel == "web")).one()
        assert row.status == "sent" and row.sent_at is not None


def test_a_notice_follows_the_replies_of_the_next_message(
    web_client: httpx.Client, web_services: Services
) -> None:
    headers = {"X-CSRF-Token": _csrf(web_client)}
    web_client.post("/chat/messages", json={"text": "hi"}, headers=headers)
    reference = _submit_as_chat_user(web_services, "X-ray triage")
    with web_services.session_factory.begin() as session:
        review(session=session, reference=reference, action="list", now=NOW, actor="cli")
    replies = web_client.post("/chat/messages", json={"text": "謝謝"}, headers=headers).json()
    texts = [r.get("text", "") for r in replies["replies"]]
    assert replies["replies"][-1].get("notice") is True and reference in texts[-1]
    assert not replies["replies"][0].get("notice")  # the answer to the message comes first


def test_a_team_notice_prefers_a_push_channel_and_falls_back_to_the_web_chat(
    web_services: Services,
) -> None:
    with web_services.session_factory.begin() as session:
        web_only = get_or_create_user_for_sender(session=session, sender_key="web:abc")
        both = get_or_create_user_for_sender(session=session, sender_key="web:def")
        session.add(ChannelIdentity(user_id=both.id, channel="line", external_id="Uboth"))
        rest_only = get_or_create_user_for_sender(session=session, sender_key="rest:ghi")
        for user in (web_only, both, rest_only):
            notify(
                session=session, user_id=user.id, text="隊長已將您移出團隊", kind="removed", now=NOW
            )
    with web_services.session_factory() as session:
        rows = {r.user_id: r.channel for r in session.scalars(sa.select(Delivery))}
    assert rows == {web_only.id: "web", both.id: "line"}  # REST: nowhere to deliver
