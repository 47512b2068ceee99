"""The long-running service: start-up firing, and one leader among several processes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.channels.line_sender import LineSender
from bot.clock import FrozenClock
from bot.reminders import scheduler
from bot.reminders.dispatcher import Dispatcher, advancing
from bot.reminders.leader import LOCK_KEY
from bot.reminders.service import ReminderService
from db import make_engine, make_session_factory
from knowledge import Programme
from tests.fakes import FakeLine
from tests.reminders.conftest import add_user, at


def _service(engine: Engine, programme: Programme, line: LineSender, when: str) -> ReminderService:
    sessions = make_session_factory(engine)
    dispatcher = Dispatcher(sessions, now=advancing(at(when)), line=line, backoff=0.05)
    return ReminderService(
        engine=engine, sessions=sessions, programme=programme, clock=FrozenClock(at(when)),
        dispatcher=dispatcher, standby_retry=0.2, senders=(line,),
    )  # fmt: skip


async def _until(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    for _ in range(int(timeout / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


async def test_service_plans_fires_late_reminder_and_sends_on_start(
    engine: Engine, programme: Programme, fake_line: FakeLine
) -> None:
    with make_session_factory(engine).begin() as s:
        add_user(s, "line", "Ustart")
    line = LineSender(access_token=fake_line.token, base_url=fake_line.base_url)
    service = _service(engine, programme, line, "2019-05-30 11:00")  # T-1d was due at 10:00
    await service.start()
    try:
        assert await _until(lambda: bool(fake_line.by_endpoint("multicast")))
        assert service.leader.held
        assert "5月31日" in fake_line.by_endpoint("multicast")[0].messages[0]["text"]
        # The timer runs on real time, so with the frozen 2019 clock every reminder job has woken
        # the service already; the T-3h reminder (due 2019-05-31 09:00) must not have fired.
        await asyncio.sleep(0.5)
        pending = dict(scheduler.pending_times(service.sessions))
        assert "108-1:idea_deadline:T-3h" in pending
    finally:
        await service.stop()
    assert len(fake_line.by_endpoint("multicast")) == 1


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
async def test_one_leader_and_takeover_when_it_dies(
    db_url: str, engine: Engine, programme: Programme, fake_line: FakeLine
) -> None:
    engines = [make_engine(db_url), make_engine(db_url)]
    lines = [LineSender(access_token=fake_line.token, base_url=fake_line.base_url) for _ in "ab"]
    a, b = (
        _service(e, programme, ln, "2019-05-20 10:00") for e, ln in zip(engines, lines, strict=True)
    )
    await a.start()
    assert await _until(lambda: a.leader.held)
    await b.start()
    await asyncio.sleep(0.6)  # b retried several times and stays on standby
    assert not b.leader.held
    # The leader's database session dies (crash, network): PostgreSQL drops its advisory lock.
    with engine.connect() as conn:
        kill = sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks "
            "WHERE locktype = 'advisory' AND objid = :k AND granted"
        )
        conn.execute(kill, {"k": LOCK_KEY})
        conn.commit()
    try:
        assert await _until(lambda: b.leader.held)
        assert await _until(lambda: not a.leader.held)  # a noticed and stepped down
    finally:
        await a.stop()
        await b.stop()
        for e in engines:
            e.dispose()
