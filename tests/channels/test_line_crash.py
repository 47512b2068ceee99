"""Kill -9 the service after it acknowledged a LINE event and before it answered; restart it.

The fake LINE answers 500 to every send while the first process runs, so that process is stuck
between the ack and the answer when it is killed. The restarted process finds the pending inbox
row and answers it exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.channels.conftest import LINE_SECRET, line_body, line_event, sign, wait_for
from tests.fakes import FakeLine, free_port

ROOT = Path(__file__).resolve().parents[2]


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "service exited during start-up"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("service did not start")


@pytest.mark.slow
def test_event_acknowledged_before_a_crash_is_answered_after_restart(
    fake_line: FakeLine, db_url: str, tmp_path: Path, nlu_model_path: Path
) -> None:
    env = {
        **os.environ,
        "AIGO_DATABASE_URL": db_url,
        "AIGO_DATA_DIR": str(tmp_path),
        "AIGO_NLU_MODEL": str(nlu_model_path),
        "AIGO_NOW": "2019-05-20T10:00:00+08:00",
        "AIGO_LOG_LEVEL": "ERROR",
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": fake_line.token,
        "LINE_API_BASE_URL": fake_line.base_url,
    }
    port = free_port()
    fake_line.fail_next("reply", 500, times=1000)
    fake_line.fail_next("push", 500, times=1000)
    first = _serve(env, port)
    try:
        body = line_body(line_event("Ucrash", text="你好", reply_token="crash-token"))
        response = httpx.post(
            f"http://127.0.0.1:{port}/webhooks/line/webhook",
            content=body,
            headers={"x-line-signature": sign(body)},
        )
        assert response.status_code == 200
        wait_for(lambda: fake_line.rejected, timeout=30)  # it tried to answer and failed
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert fake_line.sent == []

    fake_line.reset()
    second = _serve(env, port)
    try:
        answers = wait_for(lambda: fake_line.sent, timeout=30)
        time.sleep(0.5)
        assert len(fake_line.sent) == 1
        assert answers[0].endpoint == "reply" and answers[0].body["replyToken"] == "crash-token"
    finally:
        second.terminate()
        second.wait(timeout=15)
