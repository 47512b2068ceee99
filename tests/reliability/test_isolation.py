"""A failure to store one event never fails another (issue 16, finding 4)."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa

from bot.channels.inbox import InboxWorker, NewEvent, StoreFailed
from bot.services import Services
from db.models import InboxEvent
from tests.channels.conftest import RunningApp, line_event, sign, wait_for


def _event(n: int, payload: dict[str, object] | None = None) -> NewEvent:
    return NewEvent("line", f"ev-{n}", f"line:U{n}", payload or {"n": n})


async def test_a_poison_event_fails_only_its_own_webhook(services: Services) -> None:
    worker = InboxWorker(services.session_factory, {}, now=services.clock.now)
    poison = _event(99, {"bad": {1, 2}})  # cannot be serialised: the insert raises
    calls = [worker.store([_event(n)]) for n in range(20)]
    calls.insert(7, worker.store([_event(98), poison]))
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert isinstance(results[7], StoreFailed)
    assert [r for i, r in enumerate(results) if i != 7] == [1] * 20
    with services.session_factory() as session:
        stored = set(session.scalars(sa.select(InboxEvent.event_id)))
    assert stored == {f"ev-{n}" for n in [*range(20), 98]}
    await worker.stop()


def test_a_surrogate_in_one_signed_event_fails_no_webhook(
    client: RunningApp, services: Services
) -> None:
    """The issue's reproduction: ``\\ud800`` in one event among normal ones, all acknowledged."""
    bodies = []
    for n in range(20):
        text = "\\ud800" if n == 5 else "hi"
        raw = json.dumps({"destination": "U", "events": [line_event(f"Uiso{n}", text="T")]})
        bodies.append(raw.replace('"T"', f'"{text}"').encode())
    statuses = [
        client.post(
            "/webhooks/line/webhook", content=b, headers={"x-line-signature": sign(b)}
        ).status_code
        for b in bodies
    ]
    assert statuses == [200] * 20
    with services.session_factory() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(InboxEvent))
    assert count == 20
    wait_for(lambda: _all_done(services))


def _all_done(services: Services) -> bool:
    with services.session_factory() as session:
        statuses = set(session.scalars(sa.select(InboxEvent.status)))
    return statuses == {"done"}


pytestmark = pytest.mark.timeout(120)
