"""Kill -9 the service after it acknowledged a LINE event and before it answered; restart it.

The fake LINE answers 500 to every send while the first process runs, so that process is stuck
between the ack and the answer when it is killed. The restarted process finds the pending inbox
row and answers it exactly once.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from db.models import InboxEvent
from db.session import make_engine
from tests.channels.conftest import LINE_SECRET, line_body, line_event, sign, wait_for
from tests.fakes import FakeLine
from tests.fakes.service import REQUEST_TIMEOUT, Service, start_service

ROOT = Path(__file__).resolve().parents[2]


def _serve(env: dict[str, str]) -> Service:
    return start_service(
        lambda port: [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], env, cwd=ROOT
    )


def _env(fake_line: FakeLine, db_url: str, tmp_path: Path, model: Path) -> dict[str, str]:
    """A LINE-only service on ``db_url`` at the usual frozen clock, talking to ``fake_line``."""
    return {
        **os.environ,
        "AIGO_DATABASE_URL": db_url,
        "AIGO_DATA_DIR": str(tmp_path),
        "AIGO_NLU_MODEL": str(model),
        "AIGO_NOW": "2019-05-20T10:00:00+08:00",
        "AIGO_LOG_LEVEL": "ERROR",
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": fake_line.token,
        "LINE_API_BASE_URL": fake_line.base_url,
    }


def _inbox_statuses(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.select(InboxEvent.status).order_by(InboxEvent.id)))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_event_acknowledged_before_a_crash_is_answered_after_restart(
    fake_line: FakeLine, db_url: str, tmp_path: Path, nlu_model_path: Path
) -> None:
    env = _env(fake_line, db_url, tmp_path, nlu_model_path)
    fake_line.fail_next("reply", 500, times=1000)
    fake_line.fail_next("push", 500, times=1000)
    first = _serve(env)
    try:
        body = line_body(line_event("Ucrash", text="你好", reply_token="crash-token"))
        response = httpx.post(
            f"{first.url}/webhooks/line/webhook",
            content=body,
            headers={"x-line-signature": sign(body)},
            timeout=REQUEST_TIMEOUT,
        )
        assert response.status_code == 200
        wait_for(lambda: fake_line.rejected)  # it tried to answer and failed
    finally:
        first.kill()
        first.stop()
    assert fake_line.sent == []
    assert _inbox_statuses(db_url) == ["pending"]

    fake_line.reset()
    second = _serve(env)
    try:
        answers = wait_for(lambda: fake_line.sent)
        wait_for(lambda: _inbox_statuses(db_url) == ["done"])  # nothing left that could re-send
        assert len(fake_line.sent) == 1
        assert answers[0].endpoint == "reply" and answers[0].body["replyToken"] == "crash-token"
    finally:
        second.stop()


@pytest.mark.slow
def test_sigterm_drains_an_answer_in_flight(
    fake_line: FakeLine, db_url: str, tmp_path: Path, nlu_model_path: Path
) -> None:
    """SIGTERM while the answer to an acknowledged event is on its way to LINE: the process waits
    for it, records the event as done and exits cleanly, so no restart sends it again."""
    env = _env(fake_line, db_url, tmp_path, nlu_model_path)
    fake_line.slow_next("reply", 3.0)
    service = _serve(env)
    try:
        body = line_body(line_event("Udrain", text="你好", reply_token="drain-token"))
        response = httpx.post(
            f"{service.url}/webhooks/line/webhook",
            content=body,
            headers={"x-line-signature": sign(body)},
            timeout=REQUEST_TIMEOUT,
        )
        assert response.status_code == 200
        wait_for(lambda: fake_line.sent)  # the reply is in flight (LINE answers in 3 s)
        started = time.monotonic()
        service.proc.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught (exit -SIGTERM).
        assert service.proc.wait(60) == -signal.SIGTERM
        assert time.monotonic() - started >= 1.0  # it waited for LINE rather than dying at once
    finally:
        service.stop()
    assert [s.endpoint for s in fake_line.sent] == ["reply"]
    assert _inbox_statuses(db_url) == ["done"]
