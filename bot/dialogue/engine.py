"""The dialogue engine: one user message in, Rasa-style responses out, one transaction per turn.

``Engine.handle(message)`` contract:

- Messages from one sender are handled one at a time, in arrival order (a per-sender
  ``asyncio.Lock``; on PostgreSQL also ``SELECT … FOR UPDATE`` on the conversation row). SQLite has
  a single writer, so on SQLite turns of all senders are serialised in-process as well (they are
  CPU-bound anyway).
- A turn loads the snapshot row, parses the text (button payloads ``/intent{…}`` without NLU),
  sets the reply language, runs the policy (:mod:`bot.dialogue.policy`), then writes the snapshot
  and the turn's events and commits, all in one transaction. An action that fails rolls the whole
  turn back and the user gets a polite error reply.
- A message whose metadata carries an ``event_key`` (``<channel>:<platform event id>``) is handled
  at most once: the turn records its responses under that key in its own transaction
  (:mod:`db.event_outputs`), and the same key again returns the recorded responses unchanged.
- Texts over :data:`MAX_MESSAGE_CHARS` characters and texts with no letters or digits get a polite
  reply and change nothing.
- Actions see the turn's time as ``latest_message.metadata.now`` and the turn's DB session through
  :func:`actions.context.turn_session`.
- :meth:`Engine.update_state` changes a sender's state from outside a conversation (the web
  challenge form writes the same slots the chat form reads): under the same per-sender lock and
  in one transaction like a turn, so a page and a chat message never overwrite each other.
- Turns run in worker threads (:mod:`bot.dialogue.workers`; ``workers`` threads, 1 on SQLite,
  :data:`DEFAULT_WORKERS` otherwise, 0 = inline on the caller's loop), so the service's event loop
  keeps serving while a turn waits on the database. :meth:`Engine.close` stops them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from rasa_sdk.executor import ActionExecutor
from sqlalchemy.orm import Session, sessionmaker

from actions.confirm import CHOICE_SLOT, PENDING_SLOT, about_pending, pick, still_open
from actions.context import bind_session
from bot import logs
from bot.clock import Clock
from bot.dialogue import script
from bot.dialogue.domain import Domain
from bot.dialogue.inputs import detect_language, is_blank, parse_payload
from bot.dialogue.policy import FALLBACK_INTENT, Turn
from bot.dialogue.rules import RuleSet
from bot.dialogue.runner import ActionRunner
from bot.dialogue.state import DialogueState
from bot.dialogue.store import load_for_update, peek_language, save
from bot.dialogue.workers import TurnWorkers
from db import event_outputs

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
DEFAULT_LANGUAGE = "zh-TW"
# Turn threads when the database takes concurrent writers (PostgreSQL); SQLite has one writer.
DEFAULT_WORKERS = 16
_NO_SWITCH_INTENTS = {"out_of_scope"}
_SWITCH_ONLY_INTENTS = {FALLBACK_INTENT, "greet", "affirm"}
ABOUT_PENDING = "ask_about_pending"  # a question about the waiting confirmation keeps it open
T = TypeVar("T")


def _first_words(state: DialogueState) -> bool:
    """True while no earlier message of the conversation showed a language (only button
    payloads such as /start): then even a single English word ("hello", "hi") sets English."""
    earlier = [e for e in state.window if e.get("event") == "user"]
    return not any(detect_language(str(e.get("text") or "")) for e in earlier)


# change(state, session) -> result: a read-modify-write of one sender's state (update_state)
StateChange = Callable[[DialogueState, Session], T]


class Parser(Protocol):
    """What the engine needs from the NLU (``nlu.NLUModel``)."""

    def parse(self, text: str, now: Any = None) -> dict[str, Any]:
        """Return a Rasa parse dict for ``text``."""
        ...


@dataclass(frozen=True)
class UserMessage:
    """One message from a channel. ``sender_key`` is ``"<channel>:<external id>"``."""

    sender_key: str
    text: str
    channel: str
    metadata: dict[str, Any] = field(default_factory=dict)


class _KeyedLocks:
    """One ``asyncio.Lock`` per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Engine:
    """Runs the domain and rules for every channel (see the module docstring)."""

    def __init__(
        self,
        *,
        domain: Domain,
        rules: RuleSet,
        nlu: Parser,
        executor: ActionExecutor,
        session_factory: sessionmaker[Session],
        clock: Clock,
        workers: int | None = None,
        observe_turn: Callable[[str, float], None] | None = None,
        decorate: Callable[[UserMessage, list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
        reply_script: str = "traditional",
    ) -> None:
        self.domain, self.rules, self.nlu, self.clock = domain, rules, nlu, clock
        self.reply_script = reply_script  # "follow": Simplified questions get Simplified replies
        self.session_factory = session_factory
        self.runner = ActionRunner(domain, executor)
        self._senders = _KeyedLocks()
        bind = session_factory.kw.get("bind")
        single_writer = bind is not None and bind.dialect.name == "sqlite"
        self._writer = asyncio.Lock() if single_writer else None
        if workers is None:
            workers = 1 if single_writer else DEFAULT_WORKERS
        self._workers = TurnWorkers(workers)
        self._observe_turn = observe_turn  # (channel, seconds) after each message: metrics
        self._decorate = decorate  # adds to a turn's replies (calendar links), before the script

    def close(self) -> None:
        """Stop the turn worker threads (a later turn starts them again)."""
        self._workers.close()

    def _db_turn(self) -> AbstractAsyncContextManager[Any]:
        return self._writer if self._writer is not None else nullcontext()

    async def handle(self, message: UserMessage) -> list[dict[str, Any]]:
        """Handle one message; return the replies (Rasa response dicts: text, buttons, …)."""
        token = logs.sender.set(logs.sender_hash(message.sender_key))
        started = time.perf_counter()
        try:
            return await self._handle(message)
        finally:
            logs.sender.reset(token)
            if self._observe_turn is not None:
                self._observe_turn(message.channel, time.perf_counter() - started)

    async def _handle(self, message: UserMessage) -> list[dict[str, Any]]:
        text = message.text.strip()
        if len(message.text) > MAX_MESSAGE_CHARS or is_blank(text):
            too_long = len(message.text) > MAX_MESSAGE_CHARS
            name = "utter_message_too_long" if too_long else "utter_empty_message"
            return await self._reply_only(message, name)
        async with self._senders.hold(message.sender_key):
            try:
                async with self._db_turn():
                    return await self._workers.run(lambda: self._turn(message, text))
            except Exception:
                log.exception("turn failed on channel %s; rolled back", message.channel)
            return await self._reply_only(message, "utter_internal_error")

    async def _reply_only(self, message: UserMessage, response: str) -> list[dict[str, Any]]:
        async with self._db_turn():
            stored = await self._workers.run(lambda: self._peek_language(message.sender_key))
        language = stored or detect_language(message.text) or DEFAULT_LANGUAGE
        reply = self.domain.render(response, {"language": language}, limit=str(MAX_MESSAGE_CHARS))
        return [reply] if reply else []

    async def update_state(self, sender_key: str, change: StateChange[T]) -> T:
        """Return ``change(state, session)`` run on ``sender_key``'s dialogue state.

        Runs like a turn: under the sender's lock (and the single-writer lock on SQLite), in a
        worker thread, in one transaction with the sender's row locked, the session bound for
        ``actions.context.turn_session``. Slots ``change`` sets with ``state.set_slot`` are saved
        with their events; when it sets none, nothing is written (a read). An exception from
        ``change`` rolls everything back and propagates.
        """
        async with self._senders.hold(sender_key), self._db_turn():
            return await self._workers.run(lambda: self._update_state(sender_key, change))

    async def _update_state(self, sender_key: str, change: StateChange[T]) -> T:
        now = self.clock.now()
        with self.session_factory() as session, session.begin(), bind_session(session):
            state = load_for_update(session, sender_key, self.domain, now)
            result = change(state, session)
            if state.new_events:
                for event in state.new_events:
                    event["timestamp"] = now.timestamp()
                save(session, state, now)
        return result

    async def _peek_language(self, sender_key: str) -> str | None:
        with self.session_factory() as session:
            return peek_language(session, sender_key)

    async def _turn(self, message: UserMessage, text: str) -> list[dict[str, Any]]:
        now = self.clock.now()
        with self.session_factory() as session, session.begin(), bind_session(session):
            state = load_for_update(session, message.sender_key, self.domain, now)
            event_key = message.metadata.get("event_key")
            if event_key:  # the sender's row is locked: nobody else runs this event meanwhile
                done = event_outputs.find(session=session, event_key=str(event_key))
                if done is not None:
                    return done.responses  # processed before: replay, never run twice
            state.turn += 1
            choice = state.slots.get(CHOICE_SLOT)
            picked = pick(choice, text) if choice is not None else None
            parse = parse_payload(picked or text) or self.nlu.parse(text, now)
            if picked:  # a typed name or number for a button just offered: that button
                parse["text"] = text
            self._user_event(state, message, parse, now)
            switched = self._set_language(state, parse, text)
            waiting = state.slots.get(PENDING_SLOT)
            about = about_pending(waiting, text) if isinstance(waiting, dict) else None
            turn = Turn(self.domain, self.rules, self.runner, state)
            asked = script.requested(text) if not text.startswith("/") else None
            if asked:
                state.set_slot("reply_script", asked, self.domain)
            if asked and script.only_request(text):  # "用简体": acknowledged, nothing else runs
                ack = self.domain.render(f"utter_script_{asked}", state.slots)
                replies = [ack] if ack else []
            elif switched and turn.intent in _SWITCH_ONLY_INTENTS:
                await self.runner.run("action_switch_language", state, turn.out)
                await turn.resume_form()
                replies = turn.out
            elif about is not None:  # 「轉了之後我還能申請題目嗎」: what the waiting action does
                replies = [about]
            else:
                prefix: list[dict[str, Any]] = []
                if switched:
                    await self.runner.run("action_switch_language", state, prefix)
                replies = prefix + await turn.handle()
            if choice is not None and state.slots.get(CHOICE_SLOT) == choice:
                state.set_slot(CHOICE_SLOT, None, self.domain)  # offered for one turn
            if waiting is not None and state.slots.get(PENDING_SLOT) == waiting:
                # untouched by the turn: kept (and asked again) after a question, else dropped
                question = "" if turn.filled else turn.intent  # a form value is not a question
                question = ABOUT_PENDING if about is not None else question
                kept = still_open(waiting, question, str(state.slots.get("language") or ""))
                state.set_slot(PENDING_SLOT, kept and kept["pending"], self.domain)
                if kept:
                    replies = [*replies, kept["reply"]]
            if self._decorate is not None:  # before the script: calendar lines too (QA #35)
                replies = self._decorate(message, replies)
            chosen = state.slots.get("reply_script")
            if script.reply_script(chosen, self.reply_script, text) == "hans":
                replies = script.to_simplified(replies)
            elif script.offers_simplified(chosen, text, bool(state.slots.get("script_offered"))):
                offer = self.domain.render("utter_script_offer", state.slots)  # QA #35
                replies = [*replies, *script.to_simplified([offer] if offer else [])]
                state.set_slot("script_offered", True, self.domain)
            stamp = now.timestamp()
            for event in state.new_events:
                event["timestamp"] = stamp
            save(session, state, now)
            if event_key:
                event_outputs.record(
                    session=session, event_key=str(event_key),
                    sender_key=message.sender_key, responses=replies, now=now,
                )  # fmt: skip
        return replies

    def _user_event(
        self, state: DialogueState, message: UserMessage, parse: dict[str, Any], now: Any
    ) -> None:
        metadata = {**message.metadata, "now": now.isoformat()}
        latest = {**parse, "metadata": metadata, "input_channel": message.channel}
        state.apply(
            {
                "event": "user",
                "text": parse.get("text"),
                "parse_data": latest,
                "input_channel": message.channel,
                "metadata": metadata,
            },
            self.domain,
        )
        # Keep the stored window small: the full ranking only lives in latest_message.
        state.new_events[-1] = {
            **state.new_events[-1],
            "parse_data": {k: v for k, v in latest.items() if k != "intent_ranking"},
        }

    def _set_language(self, state: DialogueState, parse: dict[str, Any], text: str) -> bool:
        """Set ``language`` for this message; True when the user explicitly asked to switch."""
        intent = (parse.get("intent") or {}).get("name")
        asked = [
            e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "language"
        ]
        confidence = float((parse.get("intent") or {}).get("confidence", 0))
        off_topic = intent in _NO_SWITCH_INTENTS and confidence >= 0.8  # "幫我翻譯這段英文"
        if asked and asked[0] in ("zh-TW", "en") and not off_topic:
            state.set_slot("language_locked", True, self.domain)
            state.set_slot("language", asked[0], self.domain)
            return True
        if state.slots.get("language_locked") or state.active_loop:
            return False
        detected = detect_language(text) if not text.startswith("/") else None
        if detected is None and not text.startswith("/") and _first_words(state):
            detected = detect_language(text, min_words=1)  # "hello" as the first message
        if detected and detected != state.slots.get("language"):
            state.set_slot("language", detected, self.domain)
        return False
