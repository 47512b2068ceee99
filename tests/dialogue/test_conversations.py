"""YAML conversation tests driven through the REST channel of a real app (SQLite and PostgreSQL).

Turns of a conversation with ``channel: line`` / ``telegram`` go to the engine as that platform's
messages; ``cli`` turns run ``aigo`` in-process on the conversation's database and clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import shlex
from dataclasses import replace
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bot.app import create_app
from bot.cli import main
from bot.config import Settings
from bot.dialogue import UserMessage
from bot.services import Services, build_services
from db.models import ChannelIdentity, Delivery
from db.users import parse_sender_key
from tests.dialogue.conversation_runner import (
    Conversation,
    capture,
    check_outbox,
    check_output,
    check_turn,
    fill,
    load_conversations,
)

CONVERSATIONS = load_conversations()


async def _say(
    services: Services, settings: Settings, conversation: Conversation, sender: str, text: str
) -> list[dict[str, Any]]:
    if conversation.channel != "rest":
        key = f"{conversation.channel}:{sender}"
        message = UserMessage(key, text, conversation.channel, {})
        return [{"recipient_id": sender, **r} for r in await services.engine.handle(message)]
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
        response = await client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
    assert response.status_code == 200, f"HTTP {response.status_code}"
    replies: list[dict[str, Any]] = response.json()
    return replies


async def _aigo(
    command: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    monkeypatch.setenv("AIGO_DATABASE_URL", settings.database_url)
    if settings.now is not None:
        monkeypatch.setenv("AIGO_NOW", settings.now.isoformat())
    for name in ("LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)  # notices stay queued, for ``expect.outbox``
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # in a thread: the command runs its own event loop
        code = await asyncio.to_thread(main, shlex.split(command))
    return code, out.getvalue()


def _outbox(services: Services, sender_key: str) -> list[str]:
    """The texts of the notices queued for ``sender_key``'s user."""
    channel, external_id = parse_sender_key(sender_key)
    user = sa.select(ChannelIdentity.user_id).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
    )
    with services.session_factory() as session:
        rows = session.scalars(sa.select(Delivery).where(Delivery.user_id.in_(user)))
        return [str(d.payload.get("text", "")) for d in rows]


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
async def test_conversation(
    conversation: Conversation, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if conversation.now is not None:
        settings = replace(settings, now=conversation.now)
    services = build_services(settings)
    values: dict[str, str] = {}
    try:
        for index, turn in enumerate(conversation.turns, 1):
            where = f"{conversation.id} turn {index}"
            if turn.get("restart"):
                services.close()
                services = build_services(settings)
                continue
            sender = str(turn.get("sender") or conversation.sender)
            if "cli" in turn:
                code, output = await _aigo(fill(str(turn["cli"]), values), settings, monkeypatch)
                check_output(turn, code, output, where)
            else:
                text = fill(str(turn["user"]), values)
                replies = await _say(services, settings, conversation, sender, text)
                assert all(r["recipient_id"] == sender for r in replies), where
                check_turn(turn, replies, where)
                capture(turn, replies, values)
            if (turn.get("expect") or {}).get("outbox"):
                queued = _outbox(services, f"{conversation.channel}:{sender}")
                check_outbox(turn, queued, where)
    finally:
        services.close()


def test_conversation_files_are_well_formed() -> None:
    assert CONVERSATIONS, "no conversations found in tests/conversations"
    for conversation in CONVERSATIONS:
        assert conversation.channel in ("rest", "line", "telegram"), conversation.id
        for turn in conversation.turns:
            assert len({"user", "restart", "cli"} & set(turn)) == 1, conversation.id
