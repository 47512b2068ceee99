"""SQLite write path: checkpoints off the request path (background thread), a lean snapshot."""

from __future__ import annotations

import sqlite3
import time

import pytest
import sqlalchemy as sa

from bot.dialogue import UserMessage
from bot.dialogue.wal import sqlite_path
from bot.services import Services
from db.models import Conversation, ConversationEvent


async def test_turns_leave_checkpoints_to_the_background_thread(services: Services) -> None:
    path = sqlite_path(services.db_engine)
    if path is None:
        pytest.skip("PostgreSQL has no WAL file to checkpoint")
    assert services.checkpointer is not None
    with services.db_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    for text in ("你好", "獎金多少", "/help"):
        await services.engine.handle(UserMessage("rest:wal", text, "rest", {}))
    done = services.checkpointer.checkpoints
    deadline = time.monotonic() + 60
    while services.checkpointer.checkpoints < done + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services.checkpointer.checkpoints >= done + 2
    # Everything committed is in the database file: a reader without the WAL sees the turns.
    with sqlite3.connect(path) as conn:
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and frames == copied
    services.close()
    assert not services.checkpointer._thread.is_alive()


async def test_snapshot_window_keeps_bot_text_but_not_buttons(services: Services) -> None:
    await services.engine.handle(UserMessage("rest:lean", "/help", "rest", {}))
    with services.session_factory() as session:
        state = session.get(Conversation, "rest:lean").state  # type: ignore[union-attr]
        logged = list(
            session.scalars(
                sa.select(ConversationEvent.event).where(
                    ConversationEvent.sender_key == "rest:lean"
                )
            )
        )
    bots = [e for e in state["window"] if e["event"] == "bot"]
    assert bots and all("data" not in e and e["text"] for e in bots)
    full = [e for e in logged if e["event"] == "bot"]
    assert full[0]["data"]["buttons"]  # the event log keeps everything
