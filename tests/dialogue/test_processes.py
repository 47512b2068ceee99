"""Whole processes: the standalone rasa_sdk action server, and ``aigo serve`` killed mid-form."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.dialogue import load_domain
from bot.services import DOMAIN_PATH
from tests.fakes.service import REQUEST_TIMEOUT, running_service

ROOT = Path(__file__).resolve().parents[2]


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
    env = {**os.environ, "AIGO_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}

    def args(port: int) -> list[str]:
        return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)]

    with running_service(args, env, cwd=ROOT) as server:
        port = server.port
        body = {
            "next_action": "action_cancel",
            "sender_id": "rest:x",
            "tracker": tracker("post_challenge_form"),
            "domain": load_domain(DOMAIN_PATH).raw,
            "version": "3.6.21",
        }
        response = httpx.post(
            f"http://127.0.0.1:{port}/webhook", json=body, timeout=REQUEST_TIMEOUT
        )
        assert response.status_code == 200
        data = response.json()
        events = [(e["event"], e.get("name"), e.get("value")) for e in data["events"]]
        assert events == [("active_loop", None, None), ("slot", "requested_slot", None)]
        assert data["responses"][0]["response"] == "utter_cancelled_post_challenge_form"
        listed = httpx.get(f"http://127.0.0.1:{port}/actions", timeout=REQUEST_TIMEOUT).json()
        assert isinstance(listed, list), (
            f"GET /actions failed (an Action without a name?): {listed}"
        )
        names = {a["name"] for a in listed}
        assert {"action_cancel", "action_switch_language"} <= names


@pytest.mark.slow
def test_sigkilled_server_resumes_the_conversation(tmp_path: Path, nlu_model_path: Path) -> None:
    """A real ``aigo serve`` is killed with SIGKILL mid-conversation; a new one continues it.

    The NLU model is trained before the first start (``nlu_model_path`` fixture), so both starts
    only load it; readiness is polled on ``/health`` with a generous deadline (a loaded machine).
    """
    env = {
        **os.environ,
        "AIGO_DATABASE_URL": f"sqlite:///{tmp_path / 'aigo.db'}",
        "AIGO_NLU_MODEL": str(nlu_model_path),
        "AIGO_NOW": "2019-05-20T10:00:00+08:00",
        "AIGO_LOG_LEVEL": "WARNING",
    }

    def args(port: int) -> list[str]:
        return [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]

    def say(url: str, text: str) -> str:
        body = {"sender": "kill", "message": text}
        response = httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200, response.text
        return "\n".join(r.get("text", "") for r in response.json())

    with running_service(args, env, cwd=ROOT) as first:
        assert "reply in English" in say(first.url, "English please")
        first.kill()
    with running_service(args, env, cwd=ROOT) as second:
        assert "I can help you" in say(second.url, "/help")
