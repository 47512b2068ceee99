"""``aigo actions serve``: the real rasa_sdk action server answers Rasa's requests like the engine.

A conversation runs in-process while every action call the engine makes is recorded; each call is
then posted, as Rasa would (plain sender id ``alice``), to the action server started by ``aigo
actions serve`` on a database that was never migrated, and the events and responses must be the
same. The subscription it makes belongs to the ``rasa`` channel's user ``rasa:alice``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.dialogue import UserMessage
from bot.services import build_services
from db import make_engine, make_session_factory
from db.users import find_user

NOW = "2019-05-20T10:00:00+08:00"
QUESTIONS = ["構想什麼時候截止", "那第二梯呢", "獎金多少", "提醒我截止日", "取消提醒"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def action_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(webhook URL, database URL) of ``aigo actions serve`` on a fresh, unmigrated SQLite file."""
    port, data = free_port(), tmp_path / "rasa"
    env = {**os.environ, "AIGO_DATA_DIR": str(data), "AIGO_NOW": NOW, "AIGO_LOG_LEVEL": "WARNING"}
    env.pop("AIGO_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "actions", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield f"{url}/webhook", f"sqlite:///{data / 'aigo.db'}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def recorded_calls(settings: Settings) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Run ``QUESTIONS`` in-process; return each action call with the engine's result."""
    services = build_services(settings)
    calls: list[tuple[dict[str, Any], dict[str, Any]]] = []
    executor = services.engine.runner.executor
    original = executor.run

    async def recording(call: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        result = await original(call, *args, **kwargs)
        if result is not None:
            calls.append((call, {"events": result.events, "responses": result.responses}))
        return result

    executor.run = recording
    try:
        for text in QUESTIONS:
            await services.engine.handle(UserMessage("rest:alice", text, "rest", {}))
    finally:
        services.close()
    return calls


def as_rasa(call: dict[str, Any]) -> dict[str, Any]:
    """The call as a Rasa server sends it: a plain sender id."""
    tracker = {**call["tracker"], "sender_id": "alice"}
    return {**call, "sender_id": "alice", "tracker": tracker}


_ISSUED = re.compile(r"(issued[\\\":\s]+)[A-Za-z0-9_-]+")


def _unissued(body: dict[str, Any]) -> Any:
    """``body`` with the random ids of issued buttons (confirmations) replaced by one marker."""
    return json.loads(_ISSUED.sub(r"\1*", json.dumps(body, ensure_ascii=False)))


async def test_action_server_events_match_the_engine(
    action_server: tuple[str, str], tmp_path: Path, nlu_model_path: Path
) -> None:
    webhook, rasa_db = action_server
    settings = replace(
        Settings(), database_url=f"sqlite:///{tmp_path / 'engine.db'}", data_dir=tmp_path,
        nlu_model_path=nlu_model_path, now=datetime.fromisoformat(NOW),
    )  # fmt: skip
    calls = await recorded_calls(settings)
    names = [call["next_action"] for call, _ in calls]
    assert "action_answer_schedule" in names and "action_subscribe_reminders" in names
    async with httpx.AsyncClient(timeout=60) as client:
        for call, expected in calls:
            response = await client.post(webhook, json=as_rasa(call))
            assert response.status_code == 200, (call["next_action"], response.text)
            got, want = _unissued(response.json()), _unissued(expected)
            assert got == want, call["next_action"]
    engine = make_engine(rasa_db)
    with make_session_factory(engine)() as session:
        assert find_user(session=session, channel="rasa", external_id="alice") is not None
    engine.dispose()


def test_an_unusable_database_is_reported_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from actions.context import DatabaseUnavailable, _standalone_factory
    from bot.cli import main

    url = "postgresql+psycopg://nobody:pw@127.0.0.1:1/nothing?connect_timeout=2"
    with pytest.raises(DatabaseUnavailable) as raised:
        _standalone_factory(url)
    assert "aigo db upgrade" in str(raised.value) and "pw" not in str(raised.value)
    monkeypatch.setenv("AIGO_DATABASE_URL", url)
    assert main(["actions", "serve", "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aigo: cannot migrate the database:") and err.count("\n") == 1
