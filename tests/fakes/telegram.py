"""A fake Telegram Bot API (the methods AIGO uses), for tests and benchmarks.

``/bot<token>/<method>`` with the token checked (wrong token → 401 like the real API).
Parameters arrive as PTB sends them (form fields, JSON-encoded when not strings) or as JSON.
``sendMessage`` validates text (1–4,096 characters) and inline keyboards (callback_data 1–64
bytes), and records what was sent in ``sent``. Chats in ``blocked`` answer 403 "bot was blocked by
the user"; ``fail_next`` injects 429 (with ``parameters.retry_after``), 403 or 500; ``rate_limit``
(messages/s overall) answers 429 past the limit. ``getUpdates`` serves ``queue_update`` items.

Run standalone for benchmarks: ``python -m tests.fakes.telegram --port 8082 --token T``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import ThreadedServer

_JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "entities", "link_preview_options"}
_ERRORS = {
    400: "Bad Request: message text is empty",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
}


@dataclass
class TgSent:
    """One accepted ``sendMessage``."""

    chat_id: str
    text: str
    params: dict[str, Any]
    at: float

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class FakeTelegram:
    """State and behaviour of the fake; the Starlette app is :attr:`app`."""

    token: str = "123456:telegram-test-token"
    base_url: str = ""
    sent: list[TgSent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rejected: list[tuple[str, int, str]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    rate_limit: float | None = None  # sendMessage per second overall
    retry_after: int = 1
    webhook: dict[str, Any] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _failures: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    _window: deque[float] = field(default_factory=deque)
    _next_id: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, method: str, status: int, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status``."""
        with self._lock:
            self._failures[method].extend([status] * times)

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self.calls.clear()
            self.rejected.clear()
            self.blocked.clear()
            self._failures.clear()
            self._updates.clear()
            self.rate_limit = None

    def queue_update(self, update: dict[str, Any]) -> None:
        """Make ``getUpdates`` return ``update``."""
        with self._lock:
            self._updates.append(update)

    def texts_to(self, chat_id: int | str) -> list[str]:
        with self._lock:
            return [s.text for s in self.sent if s.chat_id == str(chat_id)]

    def _error(self, method: str, status: int, extra: dict[str, Any] | None = None) -> Response:
        description = _ERRORS.get(status, f"Error {status}").format(retry_after=self.retry_after)
        self.rejected.append((method, status, description))
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if status == 429:
            body["parameters"] = {"retry_after": self.retry_after}
        body.update(extra or {})
        return JSONResponse(body, status_code=status)

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            data: dict[str, Any] = await request.json()
            return data
        raw = (await request.body()).decode() if request.method == "POST" else ""
        pairs = parse_qsl(raw, keep_blank_values=True) if raw else request.query_params.items()
        params: dict[str, Any] = {}
        for key, value in pairs:
            params[key] = json.loads(value) if key in _JSON_PARAMS else value
        return params

    async def dispatch(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params = await self._params(request)
        with self._lock:
            self.calls.append((method, params))
            if self._failures[method]:
                return self._error(method, self._failures[method].popleft())
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
            )
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, Response):
            return result
        return JSONResponse({"ok": True, "result": result})

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        bot_id = int(self.token.split(":")[0]) if self.token.split(":")[0].isdigit() else 1
        return {"id": bot_id, "is_bot": True, "first_name": "AIGO", "username": "aigo_test_bot"}

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any] | Response:
        chat_id = str(params.get("chat_id", ""))
        text = str(params.get("text", ""))
        with self._lock:
            if chat_id in self.blocked:
                return self._error("sendMessage", 403)
            if self.rate_limit:
                now = time.monotonic()
                while self._window and self._window[0] <= now - 1.0:
                    self._window.popleft()
                if len(self._window) >= self.rate_limit:
                    return self._error("sendMessage", 429)
                self._window.append(now)
            problem = _validate_send(text, params)
            if problem:
                self.rejected.append(("sendMessage", 400, problem))
                return JSONResponse(
                    {"ok": False, "error_code": 400, "description": f"Bad Request: {problem}"},
                    status_code=400,
                )
            self.sent.append(TgSent(chat_id, text, params, time.monotonic()))
            message_id = self._next_id
            self._next_id += 1
        chat_key = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_key, "type": "private"},
            "text": text,
        }

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool | Response:
        secret = str(params.get("secret_token", ""))
        if secret and not all(c.isalnum() or c in "_-" for c in secret):
            return self._error("setWebhook", 400)
        self.webhook = params
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = list(params.get("commands", []))
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 1.0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                self._updates = ready
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.05)

    async def stats(self, request: Request) -> Response:
        with self._lock:
            return JSONResponse({"sendMessage": len(self.sent), "rejected": len(self.rejected)})

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/__fake/stats", self.stats, methods=["GET"]),
                Route("/bot{token}/{method}", self.dispatch, methods=["GET", "POST"]),
            ]
        )


def _validate_send(text: str, params: dict[str, Any]) -> str | None:
    if not 1 <= len(text) <= 4096:
        return "message text must be 1-4096 characters"
    if params.get("parse_mode") == "MarkdownV2" and _unescaped_markdown_v2(text):
        return "can't parse entities: character is reserved and must be escaped"
    for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                return "BUTTON_DATA_INVALID"
            if not button.get("text"):
                return "button text is empty"
    return None


def _unescaped_markdown_v2(text: str) -> bool:
    """True when a MarkdownV2 reserved character appears without a backslash (outside markup)."""
    reserved = set("_*[]()~`>#+-=|{}.!")
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in reserved and char not in "*_":
            return True
    return False


def start_fake_telegram(
    token: str = "123456:telegram-test-token", port: int | None = None
) -> tuple[FakeTelegram, ThreadedServer]:
    """Start a fake Telegram Bot API on 127.0.0.1; returns the state and the server (``.url``)."""
    fake = FakeTelegram(token=token)
    server = ThreadedServer(fake.app, port).start()
    fake.base_url = server.url
    return fake, server


def main() -> None:  # pragma: no cover - used by bench scripts
    parser = argparse.ArgumentParser(description="fake Telegram Bot API")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="123456:telegram-test-token")
    parser.add_argument("--rate-limit", type=float, default=None)
    args = parser.parse_args()
    import uvicorn

    fake = FakeTelegram(token=args.token, rate_limit=args.rate_limit)
    uvicorn.run(fake.app, host="127.0.0.1", port=args.port, log_level="error")


if __name__ == "__main__":  # pragma: no cover
    main()
