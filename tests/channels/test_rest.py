"""The REST channel (Rasa's shape) against a real app, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa

from bot.app import create_app
from bot.config import Settings
from bot.services import Services
from db.models import Conversation, ConversationEvent

URL = "/webhooks/rest/webhook"


@pytest.fixture
async def rest(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
        yield client


async def test_reply_shape_is_rasa_rest(rest: httpx.AsyncClient) -> None:
    response = await rest.post(URL, json={"sender": "alice", "message": "/help"})
    assert response.status_code == 200
    [reply] = response.json()
    assert reply["recipient_id"] == "alice"
    assert reply["text"].startswith("我可以幫您")
    assert {"title": "獎金", "payload": "/ask_bonus"} in reply["buttons"]
    assert set(reply) == {"recipient_id", "text", "buttons"}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"message": "hi"}', "'sender'"),
        (b'{"sender": "  ", "message": "hi"}', "'sender'"),
        (b'{"sender": "a", "message": 5}', "'message'"),
        (b'{"sender": "a"}', "'message'"),
        (b'{"sender": "a", "message": "hi", "metadata": []}', "'metadata'"),
    ],
)
async def test_malformed_requests_get_400_json(
    rest: httpx.AsyncClient, services: Services, body: bytes, error: str
) -> None:
    response = await rest.post(URL, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error in response.json()["error"]
    with services.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0


async def test_too_long_message_is_refused_politely_without_state_change(
    rest: httpx.AsyncClient, services: Services
) -> None:
    await rest.post(URL, json={"sender": "bob", "message": "hello there"})
    response = await rest.post(URL, json={"sender": "bob", "message": "a" * 2001})
    [reply] = response.json()
    assert reply["text"].startswith("Sorry, that message is too long (limit 2000")
    with services.session_factory() as session:
        row = session.get(Conversation, "rest:bob")
    assert row is not None and row.version == 1
    ok = await rest.post(URL, json={"sender": "bob", "message": "a" * 2000})
    assert ok.status_code == 200


async def test_oversized_body_is_413(rest: httpx.AsyncClient) -> None:
    body = b'{"sender": "a", "message": "' + b"x" * 1_000_001 + b'"}'
    response = await rest.post(URL, content=body)
    assert response.status_code == 413


async def test_rest_sender_is_namespaced(rest: httpx.AsyncClient, services: Services) -> None:
    await rest.post(URL, json={"sender": "line:U123", "message": "/greet"})
    await rest.post(URL, json={"sender": 42, "message": "/greet"})
    with services.session_factory() as session:
        keys = set(session.scalars(sa.select(Conversation.sender_key)))
    assert keys == {"rest:line:U123", "rest:42"}


async def test_concurrent_posts_from_one_sender_stay_in_order(
    rest: httpx.AsyncClient, services: Services
) -> None:
    messages = [f'/greet{{"i": {i}}}' for i in range(10)]
    await asyncio.gather(*(rest.post(URL, json={"sender": "c", "message": m}) for m in messages))
    with services.session_factory() as session:
        turns = list(
            session.scalars(
                sa.select(ConversationEvent.turn)
                .where(ConversationEvent.sender_key == "rest:c")
                .order_by(ConversationEvent.id)
            )
        )
    assert turns == sorted(turns) and turns[-1] == 10


async def test_health_answers_when_the_database_does(
    settings: Settings, services: Services, rest: httpx.AsyncClient
) -> None:
    assert (await rest.get("/health")).json()["status"] == "ok"
    transport = httpx.ASGITransport(app=create_app(settings))  # lifespan not run: no services
    async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
        response = await client.get("/health")
    assert response.status_code == 503
