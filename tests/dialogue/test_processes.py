"""Whole processes: the standalone rasa_sdk action server, and ``aigo serve`` killed mid-form."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.dialogue import load_domain
from bot.services import DOMAIN_PATH

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(args: list[str], url: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``args`` and wait until ``url`` answers 200 (fail after 60 s)."""
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{args} did not start"
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def tracker(active_loop: str | None) -> dict[str, Any]:
    return {
        "sender_id": "rest:x",
        "slots": {"language": "en", "requested_slot": "email"},
        "latest_message": {"text": "cancel", "intent": {"name": "cancel", "confidence": 1.0}},
        "events": [],
        "active_loop": {"name": active_loop} if active_loop else {},
        "paused": False,
        "latest_action_name": "action_listen",
    }


@pytest.mark.slow
def test_standalone_action_server_serves_the_same_actions(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "AIGO_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    args = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)]
    with process(args, f"http://127.0.0.1:{port}/health", env):
        body = {
            "next_action": "action_cancel",
            "sender_id": "rest:x",
            "tracker": tracker("post_challenge_form"),
            "domain": load_domain(DOMAIN_PATH).raw,
            "version": "3.6.21",
        }
        response = httpx.post(f"http://127.0.0.1:{port}/webhook", json=body, timeout=10)
        assert response.status_code == 200
        data = response.json()
        events = [(e["event"], e.get("name"), e.get("value")) for e in data["events"]]
        assert events == [("active_loop", None, None), ("slot", "requested_slot", None)]
        assert data["responses"][0]["response"] == "utter_cancelled"
        listed = httpx.get(f"http://127.0.0.1:{port}/actions").json()
        assert isinstance(listed, list), (
            f"GET /actions failed (an Action without a name?): {listed}"
        )
        names = {a["name"] for a in listed}
        assert {"action_cancel", "action_switch_language"} <= names


@pytest.mark.slow
def test_sigkilled_server_resumes_the_conversation(tmp_path: Path, nlu_model_path: Path) -> None:
    """A real ``aigo serve`` is killed with SIGKILL mid-conversation; a new one continues it."""
    port = free_port()
    env = {
        **os.environ,
        "AIGO_DATABASE_URL": f"sqlite:///{tmp_path / 'aigo.db'}",
        "AIGO_NLU_MODEL": str(nlu_model_path),
        "AIGO_NOW": "2019-05-20T10:00:00+08:00",
        "AIGO_LOG_LEVEL": "WARNING",
    }
    args = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"

    def say(text: str) -> str:
        body = {"sender": "kill", "message": text}
        replies = httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=10).json()
        return "\n".join(r.get("text", "") for r in replies)

    with process(args, f"{url}/health", env) as first:
        assert "reply in English" in say("English please")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    with process(args, f"{url}/health", env):
        assert "I can help you" in say("/help")
