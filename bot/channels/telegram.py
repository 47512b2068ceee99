"""The Telegram channel: ``POST /webhooks/telegram/webhook`` and the processing of stored updates.

Webhook (verify, then parse, then store, then ack):
1. Body over 1 MB → 413. ``X-Telegram-Bot-Api-Secret-Token`` compared in constant time with the
   configured secret → 401 on mismatch or absence; nothing is stored.
2. The body is parsed with ``telegram.Update.de_json`` (malformed → 400: also a date no clock
   holds, or a field processing reads without Telegram's type, such as a list as the text) and
   stored in the inbox under its ``update_id`` (a duplicate is a no-op); only after the commit the
   endpoint answers 200.
   ``aigo telegram poll`` feeds the same inbox from ``getUpdates``.

Processing (:meth:`TelegramChannel.process`, after the ack, in order per chat):
- Text → one dialogue turn for ``telegram:<chat_id>``; the commands in ``messages.yml``
  (/start /help /schedule /prize /eligibility /remind /stop /cancel) become their payloads, and
  /start also shows the welcome with language and role buttons. ``/start join-<code>`` (a deep
  link ``t.me/<bot>?start=join-<code>``, :func:`bot.channels.deep_links.join_link`) is the
  invite code typed instead:
  ``/join_team{"invite_code": …}``, checked and counted by the join form like any typed code.
- An inline-button press (``callback_query``) is acknowledged and its data (the ``/intent{...}``
  payload, or a ``cb:<token>`` reference to a stored long payload) becomes the turn's text.
- Stickers, photos, locations … → a polite hint; ``my_chat_member`` kicked → user inactive.
- Sending: plain text split at 4,096 characters; a 403 (bot blocked) marks the user inactive.
- Exactly once per update: the turn records its responses under ``telegram:<update_id>``
  (:mod:`db.event_outputs`) and each message's ``message_id`` is recorded as it is sent, so an
  update processed again replays, never re-runs the turn, and sends only what never went out.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Update

from bot.channels import render_telegram, safejson, texts
from bot.channels._http import BodyTooLarge, ThrottledWarning, error, read_body
from bot.channels.context import ChannelContext
from bot.channels.deep_links import start_payload
from bot.channels.errors import (
    InvalidRequest,
    OutcomeUnknown,
    RecipientUnreachable,
    SendError,
    with_retries,
)
from bot.channels.inbox import InboxRow, InboxWorker, NewEvent
from bot.channels.ratelimit import Verdict
from bot.channels.telegram_sender import TelegramSender

log = logging.getLogger(__name__)

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "x-telegram-bot-api-secret-token"


class TelegramChannel:
    """Receives Telegram updates into the inbox and answers stored updates."""

    def __init__(
        self,
        *,
        webhook_secret: str,
        sender: TelegramSender,
        inbox: InboxWorker,
        ctx: ChannelContext,
    ) -> None:
        self._secret = webhook_secret.encode()
        self.sender = sender
        self._inbox = inbox
        self._ctx = ctx
        self._commands = {c["command"]: c["payload"] for c in texts.telegram_commands()}
        self._refused = ThrottledWarning(log, "Telegram webhook with a wrong secret token refused")

    # --- webhook --------------------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """``POST /webhooks/telegram/webhook``: 200 once the update is durably stored."""
        try:
            body = await read_body(request)
        except BodyTooLarge:
            return error(413, "request body too large")
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not self._secret or not hmac.compare_digest(given, self._secret):
            self._refused()
            return error(401, "invalid secret token")
        try:
            data = safejson.loads(body)
            event = self.new_event(data)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            return error(400, "malformed update")
        if event is not None:
            await self._inbox.store([event])
        return JSONResponse({})

    def new_event(self, data: dict[str, Any]) -> NewEvent | None:
        """The inbox event for an update's JSON (None for updates without a chat or user)."""
        update = Update.de_json(data, self.sender.bot)
        if update is None:
            raise ValueError("empty update")
        _check_types(update)
        chat = update.effective_chat
        user = update.effective_user
        external = chat.id if chat is not None else (user.id if user is not None else None)
        if external is None:
            return None
        return NewEvent(CHANNEL, str(update.update_id), f"{CHANNEL}:{external}", data)

    # --- processing -----------------------------------------------------------------------------

    async def process(self, row: InboxRow) -> None:
        """Answer one stored update (see the module docstring)."""
        update = Update.de_json(row.payload, self.sender.bot)
        chat_id = row.sender_key.split(":", 1)[1]
        if update.my_chat_member is not None:
            status = update.my_chat_member.new_chat_member.status
            await self._ctx.set_active(CHANNEL, chat_id, status not in ("kicked", "left"))
            return
        key = f"{CHANNEL}:{row.event_id}"
        done = await self._ctx.output(key)
        if done is None:  # first time: run the turn (it records its responses under ``key``)
            responses, progress = await self._responses(update, row, key), {}
        else:  # processed before: replay what is not known to have been sent
            responses, progress = done.responses, done.progress
        if responses:
            await self._deliver(chat_id, responses, _Progress(self._ctx, key, row, progress))

    async def _responses(self, update: Update, row: InboxRow, key: str) -> list[dict[str, Any]]:
        text, prefix = await self._text(update)
        if text is None:
            return [{"text": texts.bilingual("unsupported")}] if update.message is not None else []
        verdict = await self._ctx.check_rate(row.sender_key, _sent_at(update, row))
        if verdict is Verdict.DROP:
            return []
        if verdict is Verdict.NOTIFY:
            return [{"text": texts.bilingual("rate_limited")}]
        metadata = {"telegram": {"update_id": update.update_id}, "event_key": key}
        return prefix + await self._ctx.turn(row.sender_key, text, CHANNEL, metadata)

    async def _text(self, update: Update) -> tuple[str | None, list[dict[str, Any]]]:
        """The turn text of ``update`` and responses to show before the turn's own."""
        query = update.callback_query
        if query is not None:
            try:
                await self.sender.answer_callback_query(query.id)
            except SendError as exc:
                log.info("answerCallbackQuery failed: %s", exc)
            data = query.data or ""
            if data.startswith("cb:"):
                payload = await self._ctx.load_payload(data)
                if payload is None:
                    return None, []
                return payload, []
            return data or None, []
        message = update.message
        if message is None or not message.text or not message.text.strip():
            return None, []
        text = message.text.strip()
        if text.startswith("/"):
            command = text[1:].split()[0].split("@")[0].lower() if len(text) > 1 else ""
            joining = start_payload(text) if command == "start" else None
            if joining is not None:
                return joining, []
            if command in self._commands:
                welcome = [texts.welcome()] if command == "start" else []
                return self._commands[command], welcome
        return text, []

    async def _deliver(
        self, chat_id: str, responses: list[dict[str, Any]], progress: _Progress | None = None
    ) -> None:
        """Send ``responses``; with ``progress``, each message once (see :class:`_Progress`)."""
        refs = await self._ctx.store_payloads(render_telegram.long_payloads(responses))
        for index, out in enumerate(render_telegram.render(responses, refs=refs)):
            if progress is not None and not await progress.begin(index, responses):
                continue
            try:
                message_id = await with_retries(
                    lambda out=out: self.sender.send_message(  # type: ignore[misc]
                        chat_id, out.text, reply_markup=out.reply_markup, parse_mode=out.parse_mode
                    )
                )
            except RecipientUnreachable:
                await self._ctx.set_active(CHANNEL, chat_id, False)
                return
            except OutcomeUnknown as exc:
                log.warning("Telegram message to chat %s may not have arrived: %s", chat_id, exc)
                continue
            except InvalidRequest as exc:
                log.error("Telegram refused a message to chat %s: %s", chat_id, exc)
                message_id = 0
            if progress is not None:
                await progress.sent(index, message_id, responses)


class _Progress:
    """Which of an update's messages were sent (their Telegram ``message_id``) or attempted.

    A message is marked attempted before its request and sent after it; processing the update
    again sends only the messages never attempted. One attempted without an answer (a crash or a
    timeout mid-request) may have arrived and, as Telegram has no idempotency key, is not sent
    again: a resend only when the first is known not to have arrived.
    """

    def __init__(
        self, ctx: ChannelContext, key: str, row: InboxRow, progress: dict[str, Any]
    ) -> None:
        self.ctx, self.key, self.row = ctx, key, row
        self.parts: dict[str, Any] = dict(progress.get("parts") or {})

    async def begin(self, index: int, responses: list[dict[str, Any]]) -> bool:
        if str(index) in self.parts:
            return False
        self.parts[str(index)] = "attempted"
        await self._save(responses)
        return True

    async def sent(self, index: int, message_id: int, responses: list[dict[str, Any]]) -> None:
        self.parts[str(index)] = message_id
        await self._save(responses)

    async def _save(self, responses: list[dict[str, Any]]) -> None:
        progress = {"parts": self.parts}
        await self.ctx.save_progress(self.key, self.row.sender_key, responses, progress)


def _check_types(update: Update) -> None:
    """Raise ``ValueError`` unless the fields processing reads have Telegram's types (the library
    keeps whatever JSON it is given: a list as the text, an object as the id)."""
    holders = (update.effective_chat, update.effective_user)
    ids = [update.update_id, *(holder.id for holder in holders if holder is not None)]
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise ValueError("update, chat and user ids must be integers")
    message, query = update.message, update.callback_query
    strings = [message.text if message else None, *((query.id, query.data) if query else ())]
    if any(s is not None and not isinstance(s, str) for s in strings):
        raise ValueError("texts must be strings")


def _sent_at(update: Update, row: InboxRow) -> float:
    """When the user sent it: the message date, else (button presses) when we received it."""
    if update.message is not None and update.message.date is not None:
        return update.message.date.timestamp()
    return row.received_at.timestamp()
