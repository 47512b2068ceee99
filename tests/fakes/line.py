"""A fake LINE Messaging API (the endpoints AIGO uses), for tests and benchmarks.

It checks the bearer token, validates bodies against the documented limits (1–5 messages, text
≤ 5,000 UTF-16 units, quick reply ≤ 13 items with labels ≤ 20, postback data ≤ 300, multicast
≤ 500 ids, Flex carousel ≤ 12 bubbles), remembers used reply tokens (a second use → 400), records
every accepted request in ``sent``, answers 409 to a repeated ``X-Line-Retry-Key``, and fails on
demand (``fail_next``) or when a per-endpoint rate limit (``rate_limits``) is exceeded (429).

LINE Login's ``POST /oauth2/v2.1/verify`` (LIFF ID tokens) takes a form body with ``id_token`` and
``client_id`` (the channel id; both required, else 400 ``invalid_request``) and answers like LINE:
the claims of a token made by :meth:`FakeLine.issue_id_token`, or 400 with ``error_description``
"Invalid IdToken." (unknown), "Invalid IdToken Audience." (another channel), "IdToken expired.".
Every call is recorded in ``verify_calls``.

Run standalone for benchmarks: ``python -m tests.fakes.line --port 8081 --token T``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import ThreadedServer

MAX_TEXT_UTF16 = 5000
MAX_ALT_TEXT = 1500


def utf16_len(text: str) -> int:
    """Length of ``text`` as LINE counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Sent:
    """One accepted request: endpoint (``reply``/``push``/``multicast``) and its JSON body."""

    endpoint: str
    body: dict[str, Any]
    retry_key: str | None
    at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def recipients(self) -> list[str]:
        to = self.body.get("to")
        if isinstance(to, list):
            return [str(t) for t in to]
        return [str(to)] if to else []


@dataclass
class FakeLine:
    """State and behaviour of the fake; the Starlette app is :attr:`app`."""

    token: str = "line-test-token"
    base_url: str = ""
    sent: list[Sent] = field(default_factory=list)
    rejected: list[tuple[str, int, str]] = field(default_factory=list)
    rate_limits: dict[str, float] = field(default_factory=dict)  # endpoint -> requests/s
    rich_menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    default_rich_menu: str | None = None
    webhook_endpoint: str | None = None
    quota: int | None = 200  # monthly message limit (None: "none", unlimited)
    _failures: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    _used_tokens: set[str] = field(default_factory=set)
    _slow: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _retry_keys: dict[str, str] = field(default_factory=dict)
    _windows: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    verify_calls: list[dict[str, str]] = field(default_factory=list)
    _id_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- test controls --------------------------------------------------------------------------

    def fail_next(self, endpoint: str, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests to ``endpoint`` with ``status``."""
        with self._lock:
            self._failures[endpoint].extend([status] * times)

    def slow_next(self, endpoint: str, seconds: float, times: int = 1) -> None:
        """Accept the next ``times`` requests to ``endpoint``, then answer only after ``seconds``
        (a client with a shorter timeout sees a timeout although the message went out)."""
        with self._lock:
            self._slow[endpoint].extend([seconds] * times)

    def expire_reply_token(self, token: str) -> None:
        """Make ``token`` invalid (as if a minute had passed)."""
        with self._lock:
            self._used_tokens.add(token)

    def issue_id_token(
        self, sub: str, channel_id: str, *, expires_in: int = 3600, name: str = "LINE user"
    ) -> str:
        """An ID token for ``sub`` issued to ``channel_id`` (negative ``expires_in``: expired)."""
        token = f"eyJ.fake-id-token.{uuid.uuid4().hex}"
        now = int(time.time())
        claims = {
            "iss": "https://access.line.me",
            "sub": sub,
            "aud": channel_id,
            "exp": now + expires_in,
            "iat": now,
            "amr": ["linesso"],
            "name": name,
        }
        with self._lock:
            self._id_tokens[token] = claims
        return token

    def by_endpoint(self, endpoint: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.endpoint == endpoint]

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """Every message pushed/multicast to ``user_id`` plus replies (in order)."""
        with self._lock:
            out: list[dict[str, Any]] = []
            for s in self.sent:
                if s.endpoint == "reply" or user_id in s.recipients:
                    out.extend(s.messages)
            return out

    def texts(self) -> list[str]:
        with self._lock:
            return [m.get("text", "") for s in self.sent for m in s.messages if m["type"] == "text"]

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self.rejected.clear()
            self._failures.clear()
            self._retry_keys.clear()
            self._used_tokens.clear()
            self._slow.clear()
            self.rate_limits.clear()
            self.verify_calls.clear()
            self._id_tokens.clear()

    # --- request handling -----------------------------------------------------------------------

    def _error(self, endpoint: str, status: int, message: str) -> Response:
        self.rejected.append((endpoint, status, message))
        return JSONResponse({"message": message}, status_code=status)

    def _rate_limited(self, endpoint: str, now: float) -> bool:
        limit = self.rate_limits.get(endpoint)
        if not limit:
            return False
        window = self._windows[endpoint]
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= limit:
            return True
        window.append(now)
        return False

    async def _send(self, request: Request, endpoint: str) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self._error(endpoint, 401, "Authentication failed")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return self._error(endpoint, 400, "The request body has 1 error(s)")
        retry_key = request.headers.get("x-line-retry-key")
        with self._lock:
            if self._failures[endpoint]:
                status = self._failures[endpoint].popleft()
                return self._error(endpoint, status, f"injected {status}")
            if self._rate_limited(endpoint, time.monotonic()):
                return self._error(endpoint, 429, "The API rate limit has been exceeded.")
            problem = _validate(endpoint, body, retry_key)
            if problem:
                return self._error(endpoint, 400, problem)
            if retry_key and retry_key in self._retry_keys:
                accepted = self._retry_keys[retry_key]
                return JSONResponse(
                    {"message": "The retry key is already accepted"},
                    status_code=409,
                    headers={"x-line-accepted-request-id": accepted},
                )
            if endpoint == "reply":
                token = body["replyToken"]
                if token in self._used_tokens:
                    return self._error(endpoint, 400, "Invalid reply token")
                self._used_tokens.add(token)
            request_id = str(uuid.uuid4())
            if retry_key:
                self._retry_keys[retry_key] = request_id
            self.sent.append(Sent(endpoint, body, retry_key, time.monotonic()))
            delay = self._slow[endpoint].popleft() if self._slow[endpoint] else 0.0
        if delay:
            await asyncio.sleep(delay)
        sent_messages = [{"id": str(uuid.uuid4().int)[:18]} for _ in body["messages"]]
        payload = {"sentMessages": sent_messages} if endpoint != "multicast" else {}
        return JSONResponse(payload, headers={"x-line-request-id": request_id})

    async def reply(self, request: Request) -> Response:
        return await self._send(request, "reply")

    async def push(self, request: Request) -> Response:
        return await self._send(request, "push")

    async def multicast(self, request: Request) -> Response:
        return await self._send(request, "multicast")

    async def create_rich_menu(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self._error("richmenu", 401, "Authentication failed")
        body = await request.json()
        areas = body.get("areas", [])
        if not body.get("size") or not 1 <= len(areas) <= 20 or len(body.get("name", "")) > 300:
            return self._error("richmenu", 400, "invalid rich menu")
        for area in areas:
            problem = _validate_action(area.get("action", {}))
            if problem:
                return self._error("richmenu", 400, problem)
        menu_id = f"richmenu-{uuid.uuid4().hex}"
        self.rich_menus[menu_id] = body
        return JSONResponse({"richMenuId": menu_id})

    async def set_default_rich_menu(self, request: Request) -> Response:
        menu_id = request.path_params["menu_id"]
        if menu_id not in self.rich_menus:
            return self._error("richmenu", 404, "Not found")
        self.default_rich_menu = menu_id
        return JSONResponse({})

    async def webhook_endpoint_get(self, request: Request) -> Response:
        return JSONResponse({"endpoint": self.webhook_endpoint or "", "active": True})

    async def webhook_endpoint_put(self, request: Request) -> Response:
        body = await request.json()
        if not str(body.get("endpoint", "")).startswith("https://"):
            return self._error("webhook", 400, "endpoint must be https")
        self.webhook_endpoint = body["endpoint"]
        return JSONResponse({})

    async def stats(self, request: Request) -> Response:
        """``GET /__fake/stats``: accepted requests and messages per endpoint (for benchmarks)."""
        with self._lock:
            counts: dict[str, int] = defaultdict(int)
            for s in self.sent:
                counts[s.endpoint] += 1
                counts["recipients"] += len(s.recipients) if s.endpoint != "reply" else 1
            counts["rejected"] = len(self.rejected)
        return JSONResponse(dict(counts))

    async def quota_get(self, request: Request) -> Response:
        """``GET /v2/bot/message/quota``: the monthly limit."""
        if self.quota is None:
            return JSONResponse({"type": "none"})
        return JSONResponse({"type": "limited", "value": self.quota})

    async def quota_consumption(self, request: Request) -> Response:
        """``GET /v2/bot/message/quota/consumption``: pushed/multicast messages × recipients."""
        with self._lock:
            used = sum(
                len(s.recipients) * len(s.messages) for s in self.sent if s.endpoint != "reply"
            )
        return JSONResponse({"totalUsage": used})

    async def verify_id_token(self, request: Request) -> Response:
        """``POST /oauth2/v2.1/verify`` (see the module docstring)."""

        def invalid(description: str) -> Response:
            self.rejected.append(("verify", 400, description))
            body = {"error": "invalid_request", "error_description": description}
            return JSONResponse(body, status_code=400)

        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return invalid("Content-Type must be application/x-www-form-urlencoded")
        form = {k: str(v) for k, v in (await request.form()).items()}
        with self._lock:
            self.verify_calls.append(form)
            claims = self._id_tokens.get(form.get("id_token", ""))
        if not form.get("id_token"):
            return invalid("id_token is required")
        if not form.get("client_id"):
            return invalid("client_id is required")
        if claims is None:
            return invalid("Invalid IdToken.")
        if claims["aud"] != form["client_id"]:
            return invalid("Invalid IdToken Audience.")
        if claims["exp"] <= time.time():
            return invalid("IdToken expired.")
        return JSONResponse(claims)

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/__fake/stats", self.stats, methods=["GET"]),
                Route("/oauth2/v2.1/verify", self.verify_id_token, methods=["POST"]),
                Route("/v2/bot/message/reply", self.reply, methods=["POST"]),
                Route("/v2/bot/message/push", self.push, methods=["POST"]),
                Route("/v2/bot/message/multicast", self.multicast, methods=["POST"]),
                Route("/v2/bot/message/quota", self.quota_get, methods=["GET"]),
                Route("/v2/bot/message/quota/consumption", self.quota_consumption, methods=["GET"]),
                Route("/v2/bot/richmenu", self.create_rich_menu, methods=["POST"]),
                Route(
                    "/v2/bot/user/all/richmenu/{menu_id}",
                    self.set_default_rich_menu,
                    methods=["POST"],
                ),
                Route(
                    "/v2/bot/channel/webhook/endpoint", self.webhook_endpoint_get, methods=["GET"]
                ),
                Route(
                    "/v2/bot/channel/webhook/endpoint", self.webhook_endpoint_put, methods=["PUT"]
                ),
            ]
        )


def _validate(endpoint: str, body: dict[str, Any], retry_key: str | None) -> str | None:
    """Return what is wrong with a send request, or None."""
    if endpoint == "reply":
        if retry_key:
            return "X-Line-Retry-Key is not supported on reply"
        if not body.get("replyToken"):
            return "replyToken is required"
    elif endpoint == "push":
        if not body.get("to"):
            return "to is required"
    elif endpoint == "multicast":
        to = body.get("to")
        if not isinstance(to, list) or not 1 <= len(to) <= 500:
            return "to must hold 1-500 user ids"
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return "messages must hold 1-5 message objects"
    for message in messages:
        problem = _validate_message(message)
        if problem:
            return problem
    return None


def _validate_message(message: dict[str, Any]) -> str | None:
    kind = message.get("type")
    if kind == "text":
        text = message.get("text", "")
        if not text or utf16_len(text) > MAX_TEXT_UTF16:
            return f"text length must be 1-{MAX_TEXT_UTF16}"
    elif kind == "flex":
        problem = _validate_flex(message)
        if problem:
            return problem
    elif kind not in {"sticker", "image"}:
        return f"unsupported message type {kind!r}"
    items = message.get("quickReply", {}).get("items", [])
    if len(items) > 13:
        return "quickReply.items must hold at most 13 items"
    for item in items:
        problem = _validate_action(item.get("action", {}))
        if problem:
            return problem
    return None


def _validate_action(action: dict[str, Any]) -> str | None:
    label = action.get("label", "")
    if label and len(label) > 20:
        return f"action label longer than 20: {label!r}"
    if action.get("type") == "postback":
        data = action.get("data", "")
        if not data or len(data) > 300:
            return "postback data must be 1-300 characters"
        if len(action.get("displayText", "")) > 300:
            return "displayText longer than 300"
    elif action.get("type") == "message":
        if not 1 <= len(action.get("text", "")) <= 300:
            return "message action text must be 1-300 characters"
    elif action.get("type") not in {
        "uri",
        "datetimepicker",
        "camera",
        "location",
        "richmenuswitch",
    }:
        return f"unknown action type {action.get('type')!r}"
    return None


def _validate_flex(message: dict[str, Any]) -> str | None:
    alt = message.get("altText", "")
    if not alt or len(alt) > MAX_ALT_TEXT:
        return "altText must be 1-1500 characters"
    contents = message.get("contents", {})
    bubbles = contents.get("contents", []) if contents.get("type") == "carousel" else [contents]
    if not 1 <= len(bubbles) <= 12:
        return "a carousel holds 1-12 bubbles"
    for bubble in bubbles:
        if bubble.get("type") != "bubble":
            return "carousel contents must be bubbles"
        if len(json.dumps(bubble, ensure_ascii=False).encode()) > 30_000:
            return "bubble larger than 30 KB"
        for component in _walk(bubble):
            if component.get("type") == "text" and not component.get("text"):
                return "flex text component needs non-empty text"
            if "action" in component:
                problem = _validate_action(component["action"])
                if problem:
                    return problem
    return None


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for key in ("header", "hero", "body", "footer"):
        if isinstance(node.get(key), dict):
            found.extend(_walk(node[key]))
    for child in node.get("contents", []) if isinstance(node.get("contents"), list) else []:
        if isinstance(child, dict):
            found.extend(_walk(child))
    return found


def start_fake_line(
    token: str = "line-test-token", port: int | None = None
) -> tuple[FakeLine, ThreadedServer]:
    """Start a fake LINE API on 127.0.0.1; returns the state and the running server (``.url``)."""
    fake = FakeLine(token=token)
    server = ThreadedServer(fake.app, port).start()
    fake.base_url = server.url
    return fake, server


def main() -> None:  # pragma: no cover - used by bench scripts
    parser = argparse.ArgumentParser(description="fake LINE Messaging API")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="line-test-token")
    parser.add_argument("--multicast-rate", type=float, default=None)
    args = parser.parse_args()
    import uvicorn

    fake = FakeLine(token=args.token)
    if args.multicast_rate:
        fake.rate_limits["multicast"] = args.multicast_rate
    uvicorn.run(fake.app, host="127.0.0.1", port=args.port, log_level="error")


if __name__ == "__main__":  # pragma: no cover
    main()
