"""YAML conversation tests driven through the REST channel of a real app (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from bot.app import create_app
from bot.config import Settings
from bot.services import build_services
from tests.dialogue.conversation_runner import (
    Conversation,
    capture,
    check_turn,
    fill,
    load_conversations,
)

CONVERSATIONS = load_conversations()


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
async def test_conversation(conversation: Conversation, settings: Settings) -> None:
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
            app = create_app(settings, services)
            transport = httpx.ASGITransport(app=app)
            sender = str(turn.get("sender") or conversation.sender)
            async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
                response = await client.post(
                    "/webhooks/rest/webhook",
                    json={"sender": sender, "message": fill(str(turn["user"]), values)},
                )
            assert response.status_code == 200, f"{where}: HTTP {response.status_code}"
            replies = response.json()
            assert all(r["recipient_id"] == sender for r in replies), where
            check_turn(turn, replies, where)
            capture(turn, replies, values)
    finally:
        services.close()


def test_conversation_files_are_well_formed() -> None:
    assert CONVERSATIONS, "no conversations found in tests/conversations"
    for conversation in CONVERSATIONS:
        for turn in conversation.turns:
            assert ("user" in turn) != ("restart" in turn), conversation.id
