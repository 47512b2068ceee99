"""Engine guarantees: one transaction per turn, order per sender, bounded snapshot."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from bot.dialogue import Engine, UserMessage
from bot.dialogue.state import WINDOW
from bot.services import Services
from db.models import Conversation, ConversationEvent


async def test_concurrent_messages_from_one_sender_are_handled_in_order(
    services: Services,
) -> None:
    engine = services.engine
    messages = [UserMessage("rest:order", f'/greet{{"n": {i}}}', "rest", {}) for i in range(12)]
    others = [UserMessage(f"rest:o{i}", "/help", "rest", {}) for i in range(6)]
    await asyncio.gather(*(engine.handle(m) for m in messages + others))
    with services.session_factory() as session:
        rows = session.execute(
            sa.select(ConversationEvent.turn, ConversationEvent.event)
            .where(ConversationEvent.sender_key == "rest:order")
            .order_by(ConversationEvent.id)
        ).all()
        version = session.get(Conversation, "rest:order").version  # type: ignore[union-attr]
    users = [(turn, e["text"]) for turn, e in rows if e["event"] == "user"]
    assert users == [(i + 1, f'/greet{{"n": {i}}}') for i in range(12)]
    assert version == 12


async def test_a_failing_action_rolls_the_whole_turn_back(services: Services) -> None:
    engine: Engine = services.engine

    class Broken:
        def parse(self, text: str, now: object = None) -> dict[str, object]:
            raise RuntimeError("boom")

    await engine.handle(UserMessage("rest:rollback", "/greet", "rest", {}))
    engine.nlu = Broken()
    replies = await engine.handle(UserMessage("rest:rollback", "hello there", "rest", {}))
    assert replies == [{"text": "抱歉，系統暫時出了點問題，請稍後再試一次。"}]
    with services.session_factory() as session:
        row = session.get(Conversation, "rest:rollback")
        count = session.scalar(
            sa.select(sa.func.count()).where(ConversationEvent.sender_key == "rest:rollback")
        )
    assert row is not None and row.version == 1
    assert count == len(row.state["window"])


async def test_snapshot_stays_bounded_as_the_conversation_grows(services: Services) -> None:
    for _ in range(30):
        await services.engine.handle(UserMessage("rest:long", "/help", "rest", {}))
    with services.session_factory() as session:
        row = session.get(Conversation, "rest:long")
    assert row is not None and row.version == 30
    assert len(row.state["window"]) == WINDOW


async def test_over_long_and_blank_messages_change_nothing(services: Services) -> None:
    engine = services.engine
    long = await engine.handle(UserMessage("rest:x", "字" * 2001, "rest", {}))
    assert "2000" in long[0]["text"] and long[0]["text"].startswith("抱歉，訊息太長")
    blank = await engine.handle(UserMessage("rest:x", " 🙂 ", "rest", {}))
    assert blank[0]["text"].startswith("我好像沒收到文字")
    with services.session_factory() as session:
        assert session.get(Conversation, "rest:x") is None


async def test_update_state_is_a_locked_read_modify_write(services: Services) -> None:
    engine = services.engine
    await engine.handle(UserMessage("rest:update", "/greet", "rest", {}))

    def read(state: Any, session: Any) -> Any:
        return state.slots.get("org_name")

    def write(value: str) -> Any:
        return lambda state, session: state.set_slot("org_name", value, engine.domain)

    def broken(state: Any, session: Any) -> None:
        state.set_slot("org_name", "never saved", engine.domain)
        raise RuntimeError("boom")

    assert await engine.update_state("rest:update", read) is None
    with services.session_factory() as session:
        assert session.get(Conversation, "rest:update").version == 1  # type: ignore[union-attr]
    # writes from outside and turns of the same sender interleave without losing either
    await asyncio.gather(
        engine.update_state("rest:update", write("宏達智能")),
        engine.handle(UserMessage("rest:update", "/help", "rest", {})),
    )
    assert await engine.update_state("rest:update", read) == "宏達智能"
    with pytest.raises(RuntimeError):
        await engine.update_state("rest:update", broken)
    assert await engine.update_state("rest:update", read) == "宏達智能"  # rolled back
    with services.session_factory() as session:
        row = session.get(Conversation, "rest:update")
        events = session.scalars(
            sa.select(ConversationEvent.event).where(ConversationEvent.sender_key == "rest:update")
        ).all()
    assert row is not None and row.version == 3 and row.state["slots"]["org_name"] == "宏達智能"
    assert {"event": "slot", "name": "org_name", "value": "宏達智能"}.items() <= next(
        e for e in events if e.get("name") == "org_name"
    ).items()
