"""Fixtures for the LINE / Telegram channel tests: the real app, engine and DB, fake platforms.

``channel_app`` is the real ASGI app (real services: DB on SQLite and PostgreSQL, NLU, engine),
pointed at the fake LINE and Telegram servers and driven through Starlette's ``TestClient``, so
the app's lifespan (inbox worker, senders) runs exactly as in production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.config import Secret, Settings
from bot.services import Services, build_services
from tests.fakes import FakeLine, FakeTelegram, ThreadedServer
from tests.fakes.service import shared_nlu_model

FROZEN_NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")
NOW_MS = int(FROZEN_NOW.timestamp() * 1000)
LINE_SECRET = "line-channel-secret-for-tests"
TG_SECRET = "telegram-webhook-secret-for-tests"


@pytest.fixture(scope="session")
def nlu_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained NLU model file per test session, shared by every test package."""
    return shared_nlu_model(tmp_path_factory)


@pytest.fixture
def settings(
    db_url: str,
    nlu_model_path: Path,
    tmp_path: Path,
    fake_line: FakeLine,
    fake_telegram: FakeTelegram,
) -> Settings:
    """Settings for a fresh database, the clock frozen at ``FROZEN_NOW``, both fakes configured."""
    return replace(
        Settings(),
        database_url=db_url,
        now=FROZEN_NOW,
        data_dir=tmp_path,
        nlu_model_path=nlu_model_path,
        line_channel_secret=Secret(LINE_SECRET),
        line_channel_access_token=Secret(fake_line.token),
        line_api_base_url=fake_line.base_url,
        telegram_bot_token=Secret(fake_telegram.token),
        telegram_webhook_secret=Secret(TG_SECRET),
        telegram_api_base_url=fake_telegram.base_url,
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()


class RunningApp:
    """The app served by uvicorn on 127.0.0.1 (lifespan on); ``stop()`` ends it like a shutdown."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.app = create_app(settings, services)
        self.server = ThreadedServer(self.app, lifespan="on").start()
        self.http = httpx.Client(base_url=self.server.url, timeout=60)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def stop(self) -> None:
        self.http.close()
        self.server.stop()


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[RunningApp]:
    """The running app (lifespan entered: inbox worker and senders started)."""
    running = RunningApp(settings, services)
    try:
        yield running
    finally:
        running.stop()


# --- LINE webhook helpers ---------------------------------------------------------------------


def sign(body: bytes, secret: str = LINE_SECRET) -> str:
    """``X-Line-Signature`` for ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def line_event(
    user_id: str,
    kind: str = "message",
    *,
    text: str | None = None,
    data: str | None = None,
    message: dict[str, Any] | None = None,
    event_id: str | None = None,
    timestamp_ms: int | None = None,
    reply_token: str | None = None,
) -> dict[str, Any]:
    """A LINE webhook event as the platform sends it."""
    event: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": timestamp_ms if timestamp_ms is not None else NOW_MS - 2000,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id or f"01H{uuid.uuid4().hex[:23].upper()}",
        "deliveryContext": {"isRedelivery": False},
    }
    if kind != "unfollow":
        event["replyToken"] = reply_token or uuid.uuid4().hex
    if kind == "message":
        event["message"] = message or {
            "type": "text",
            "id": "1",
            "text": text or "",
            "quoteToken": "q",
        }
    if kind == "postback":
        event["postback"] = {"data": data or ""}
    if kind == "follow":
        event["follow"] = {"isUnblocked": False}
    return event


def line_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}).encode()


def post_line(client: RunningApp, *events: dict[str, Any], signature: str | None = None) -> Any:
    body = line_body(*events)
    headers = {"x-line-signature": signature or sign(body), "content-type": "application/json"}
    return client.post("/webhooks/line/webhook", content=body, headers=headers)


# --- Telegram helpers -------------------------------------------------------------------------

_update_ids = iter(range(10_000, 10**9))


def tg_message(chat_id: int, text: str, *, update_id: int | None = None) -> dict[str, Any]:
    """A Telegram ``Update`` with a private text message."""
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "message": {
            "message_id": 1,
            "date": int(FROZEN_NOW.timestamp()) - 1,
            "chat": {"id": chat_id, "type": "private", "first_name": "T"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "T"},
            "text": text,
        },
    }


def tg_callback(chat_id: int, data: str) -> dict[str, Any]:
    """A Telegram ``Update`` with an inline-button press."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": uuid.uuid4().hex,
            "from": {"id": chat_id, "is_bot": False, "first_name": "T"},
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": 2,
                "date": int(FROZEN_NOW.timestamp()) - 60,
                "chat": {"id": chat_id, "type": "private", "first_name": "T"},
                "text": "…",
            },
        },
    }


def post_tg(client: RunningApp, update: dict[str, Any], secret: str | None = TG_SECRET) -> Any:
    headers = {"x-telegram-bot-api-secret-token": secret} if secret is not None else {}
    return client.post("/webhooks/telegram/webhook", json=update, headers=headers)


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``predicate`` until truthy; fail the test with a clear message on timeout.

    The deadline is generous on purpose (a passing test returns as soon as the condition holds;
    only a loaded CI machine ever gets near it).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")
