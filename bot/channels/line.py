"""The LINE channel: ``POST /webhooks/line/webhook`` and the processing of stored LINE events.

Webhook (verify, then parse, then store, then ack):
1. Body over 1 MB → 413. No ``X-Line-Signature`` → 400. line-bot-sdk's ``SignatureValidator``
   checks the HMAC-SHA256 signature over the *raw* body with the channel secret → 401 when it does
   not match; nothing is stored. A body that is signed but not a webhook payload → 400.
2. Each event is stored in the inbox under its ``webhookEventId`` (a redelivery is a no-op), and
   only after the commit the endpoint answers 200. The console's verify request (no events) → 200.

Processing (:meth:`LineChannel.process`, run by the inbox worker after the ack, in order per user):
- ``message`` (text) and ``postback`` (``data`` is a ``/intent{...}`` payload) → one dialogue turn
  for ``line:<userId>``; other message types (sticker, image, location …) → a polite hint.
- ``follow`` → user (re)activated and welcomed with language and role choices; ``unfollow`` →
  user marked inactive (no more reminders). Group/room events, ``standby`` mode and other event
  types are ignored.
- Exactly once per event: the turn records its responses under ``line:<webhookEventId>``
  (:mod:`db.event_outputs`); an event processed again (a crash, a retry) replays them and never
  runs the turn twice. The answer goes by reply while the token is fresh (< 50 s after the event,
  by the service clock), else by push with an ``X-Line-Retry-Key`` derived from the event id; the
  way is recorded (durably) before sending, and an answer is never sent by both
  (:class:`_Delivery`); the "delivered" mark after it does not wait for the disk.
- Per-user rate limit: the first message over the limit gets one notice, later ones are dropped.
- A signed event can still carry a field of the wrong type (a ``source`` that is a list, a
  ``timestamp`` that is not a time): such a field is read as absent, never raised on.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from linebot.v3 import SignatureValidator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.channels import render_line, safejson, texts
from bot.channels._http import BodyTooLarge, ThrottledWarning, error, read_body
from bot.channels.context import ChannelContext
from bot.channels.errors import (
    InvalidRequest,
    RateLimited,
    RecipientUnreachable,
    ReplyTokenInvalid,
    SendError,
    with_retries,
)
from bot.channels.inbox import InboxRow, InboxWorker, NewEvent
from bot.channels.line_sender import LineSender
from bot.channels.ratelimit import Verdict

log = logging.getLogger(__name__)

CHANNEL = "line"
WEBHOOK_PATH = "/webhooks/line/webhook"
REPLY_TOKEN_TTL = timedelta(seconds=50)  # LINE: use within 1 minute; keep a safety margin
REPLY_ATTEMPTS = 3  # a reply whose outcome is unknown is retried with the same token
_LAST_MS = 253_402_300_799_000  # 9999-12-31T23:59:59Z, the last time a datetime holds
_RETRY_NAMESPACE = uuid.UUID("6f1d4a52-7b1e-4c55-9a43-4f3b0b6c2a10")


class LineChannel:
    """Receives LINE webhooks into the inbox and answers stored events."""

    def __init__(
        self, *, channel_secret: str, sender: LineSender, inbox: InboxWorker, ctx: ChannelContext
    ) -> None:
        # The SDK's validator (HMAC-SHA256 of the raw body, compared in constant time); events are
        # read as plain dicts, so a new LINE event type is stored and ignored, never refused.
        self._validator = SignatureValidator(channel_secret)
        self.sender = sender
        self._inbox = inbox
        self._ctx = ctx
        self._refused = ThrottledWarning(log, "LINE webhook with an invalid signature refused")

    # --- webhook --------------------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """``POST /webhooks/line/webhook``: 200 once every event is durably stored."""
        try:
            body = await read_body(request)
        except BodyTooLarge:
            return error(413, "request body too large")
        signature = request.headers.get("x-line-signature")
        if not signature:
            return error(400, "missing X-Line-Signature")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or not self._validator.validate(text, signature):
            self._refused()
            return error(401, "invalid signature")
        try:
            raw_events = safejson.loads(text)["events"]
            events = [_new_event(raw) for raw in raw_events]
        except (ValueError, KeyError, TypeError, AttributeError):
            return error(400, "malformed webhook body")
        await self._inbox.store([e for e in events if e is not None])
        return JSONResponse({})

    # --- processing -----------------------------------------------------------------------------

    async def process(self, row: InboxRow) -> None:
        """Answer one stored LINE event (see the module docstring)."""
        event = row.payload
        source = _object(event.get("source"))
        user_id = source.get("userId")
        if source.get("type") != "user" or not isinstance(user_id, str) or not user_id:
            return
        if event.get("mode", "active") != "active":
            return
        kind = event.get("type")
        if kind == "unfollow":
            await self._ctx.set_active(CHANNEL, user_id, False)
            return
        key = f"{CHANNEL}:{row.event_id}"
        done = await self._ctx.output(key)
        if done is None:  # first time: run the turn (it records its responses under ``key``)
            responses = await self._responses(row, kind, event, user_id, key)
            progress: dict[str, Any] = {}
        else:  # processed before (a crash, a retry): replay, never run the turn again
            responses, progress = done.responses, done.progress
        if responses and not progress.get("delivered"):
            await self._send(row, event, user_id, responses, progress)

    async def _responses(
        self, row: InboxRow, kind: Any, event: dict[str, Any], user_id: str, key: str
    ) -> list[dict[str, Any]]:
        if kind == "follow":
            await self._ctx.set_active(CHANNEL, user_id, True)
            return [texts.welcome()]
        text = _user_text(event)
        if text is None:
            return [{"text": texts.bilingual("unsupported")}] if kind == "message" else []
        verdict = await self._ctx.check_rate(row.sender_key, _sent_at(event))
        if verdict is Verdict.DROP:
            return []
        if verdict is Verdict.NOTIFY:
            return [{"text": texts.bilingual("rate_limited")}]
        metadata = {"line": {"event_id": row.event_id, "type": kind}, "event_key": key}
        return await self._ctx.turn(row.sender_key, text, CHANNEL, metadata)

    async def _send(
        self,
        row: InboxRow,
        event: dict[str, Any],
        user_id: str,
        responses: list[dict[str, Any]],
        progress: dict[str, Any],
    ) -> None:
        messages = render_line.render(responses, _language(responses))
        if not messages:
            return
        key = f"{CHANNEL}:{row.event_id}"

        async def note(durable: bool = True, **changes: Any) -> None:
            progress.update(changes)
            await self._ctx.save_progress(key, row.sender_key, responses, progress, durable=durable)

        try:
            await _Delivery(self, row, event, user_id, messages, progress, note).run()
        except RecipientUnreachable:
            await self._ctx.set_active(CHANNEL, user_id, False)
        except InvalidRequest as exc:  # our bug or bad data: retrying would not help
            log.error("LINE refused the answer to %s: %s", row.event_id, exc)

    def _token_fresh(self, event: dict[str, Any]) -> bool:
        token = event.get("replyToken")
        if not isinstance(token, str) or not token:
            return False
        age = self._ctx.now().timestamp() - _sent_at(event)
        return age < REPLY_TOKEN_TTL.total_seconds()


class _Delivery:
    """Sends one event's answer exactly once: by reply, or by push, never both.

    The way is chosen once and recorded before the first request (``progress["via"]``):
    ``reply`` while the token is fresh and no earlier processing chose otherwise, else ``push``
    with the event's retry key (LINE answers 409 to a repeat, so a push is idempotent). A reply
    whose outcome is unknown (timeout, 5xx) is retried with the same token; LINE refusing the token
    after such an attempt (or after an earlier processing tried it) means our first request used
    it, so the answer counts as delivered and is not pushed. Only a token refused on the very
    first request (it had expired) falls back to push.
    """

    def __init__(
        self, channel: LineChannel, row: InboxRow, event: dict[str, Any], user_id: str,
        messages: list[dict[str, Any]], progress: dict[str, Any],
        note: Callable[..., Awaitable[None]],
    ) -> None:  # fmt: skip
        self.channel, self.row, self.event, self.user_id = channel, row, event, user_id
        self.messages, self.progress, self.note = messages, progress, note

    async def run(self) -> None:
        via = self.progress.get("via")
        tried_before = via == "reply"
        if via is None:
            via = "reply" if self.channel._token_fresh(self.event) else "push"
            await self.note(via=via)
        if via == "reply" and not await self._reply(tried_before):
            await self.note(via="push")
            via = "push"
        if via == "push":
            await with_retries(self._push)
        # Not waiting for the disk: if this mark is lost, processing again re-sends with the
        # same token or retry key, which LINE refuses (400 / 409), and nothing goes out twice.
        await self.note(durable=False, delivered=True)

    async def _reply(self, tried_before: bool) -> bool:
        """True when the reply went out (or, by the rule above, must have); False: push instead."""
        uncertain = tried_before
        for attempt in range(REPLY_ATTEMPTS):
            try:
                await self.channel.sender.reply(self.event["replyToken"], self.messages)
                return True
            except ReplyTokenInvalid:
                if uncertain:
                    log.info(
                        "LINE reply to %s: token used by an earlier attempt", self.row.event_id
                    )
                    return True
                log.info("LINE reply token for %s unusable, pushing", self.row.event_id)
                return False
            except SendError as exc:
                if not exc.retryable or attempt + 1 == REPLY_ATTEMPTS:
                    raise
                uncertain = True
                await asyncio.sleep(_backoff(exc, attempt))
        return True  # unreachable

    async def _push(self) -> None:
        retry_key = retry_key_for(self.row.event_id)
        await self.channel.sender.push(self.user_id, self.messages, retry_key=retry_key)


def _backoff(exc: SendError, attempt: int) -> float:
    wait = exc.retry_after if isinstance(exc, RateLimited) else None
    return wait if wait is not None else 0.5 * 2**attempt


def retry_key_for(event_id: str) -> str:
    """The ``X-Line-Retry-Key`` for the push answering ``event_id`` (same id → same key)."""
    return str(uuid.uuid5(_RETRY_NAMESPACE, f"line-push:{event_id}"))


def _new_event(raw: dict[str, Any]) -> NewEvent | None:
    """The inbox event for one webhook event (None without ``webhookEventId``)."""
    event_id = raw.get("webhookEventId")
    if not event_id:
        return None
    source = _object(raw.get("source"))
    ids = (source.get(key) for key in ("userId", "groupId", "roomId"))
    external = next((found for found in ids if isinstance(found, str) and found), "unknown")
    return NewEvent(CHANNEL, str(event_id), f"{CHANNEL}:{external}", raw)


def _object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a field of the wrong type)."""
    return value if isinstance(value, dict) else {}


def _user_text(event: dict[str, Any]) -> str | None:
    if event.get("type") == "postback":
        data = _object(event.get("postback")).get("data")
        return str(data) if data else None
    message = _object(event.get("message"))
    if event.get("type") == "message" and message.get("type") == "text":
        text = str(message.get("text") or "").strip()
        return text or None
    return None


def _sent_at(event: dict[str, Any]) -> float:
    """The event's timestamp in epoch seconds (LINE sends milliseconds); 0 when it is missing or
    not a time from 1970 to 9999."""
    stamp = event.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        return 0.0
    return float(stamp) / 1000.0 if 0 <= stamp <= _LAST_MS else 0.0


def _language(responses: list[dict[str, Any]]) -> str | None:
    for response in responses:
        custom = response.get("custom")
        if isinstance(custom, dict) and custom.get("language"):
            return str(custom["language"])
    return None
