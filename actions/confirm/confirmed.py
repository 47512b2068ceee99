"""Confirmation before anything destructive (removes, cancels, withdraws, leaves, unsubscribes).

A destructive action subclasses :class:`ConfirmedAction` and implements two methods:

- ``prepare(req) -> Ask | None``: check the request (who asks, what exists) and resolve its
  arguments. Return :class:`Ask` (the question and the resolved ``args``) when the action can go
  ahead, or utter a refusal / a picker on ``req.dispatcher`` and return None.
- ``perform(req, args) -> list[EventType]``: do it (through ``db`` functions in ``req.session``)
  and utter the outcome.

``run`` performs only when the request is confirmed: the message is a button payload the bot
issued to this sender for this exact action and arguments (:mod:`db.issued`), or an ``affirm``
(「是」「確定」"yes", or the 是 button) while the question is open. Otherwise it asks — the question
with a 是 button (an issued payload) and a 否 button (``/deny``) — and keeps the request in the
``pending_action`` slot. :class:`ActionResolvePending` handles that ``affirm`` / ``deny``.

The question stays open while the user only asks questions (「等等，移除後他還能加別隊嗎」): the
engine answers them and asks again (:func:`still_open`), up to :data:`HOLD_TURNS` times; any other
message drops it, and the bot never acts on it later.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions._asked import is_question, reads_as_question
from actions._forms import lang_of
from actions._words import fold
from actions.confirm._texts import data, say
from actions.context import sender_key, turn_now, turn_session
from db import issued

PENDING_SLOT = "pending_action"
ISSUED_ENTITY = "issued"
HOLD_TURNS = 3  # questions answered while a confirmation stays open
# Intents that only ask or look (they change nothing): a confirmation survives them.
_ONLY_ASKING = frozenset({"help", "my_status", "show_my_data", "ask_privacy", "nlu_fallback"})


@dataclass
class Request:
    """One request of a confirmed action, as ``prepare`` and ``perform`` see it."""

    session: Session
    tracker: Tracker
    dispatcher: CollectingDispatcher
    lang: str
    now: datetime
    args: dict[str, str] = field(default_factory=dict)
    events: list[EventType] = field(default_factory=list)  # returned with the outcome

    @property
    def text(self) -> str:
        """The text of the message being handled."""
        return str((self.tracker.latest_message or {}).get("text") or "")

    @property
    def sender(self) -> str:
        """The sender key (``<channel>:<external id>``)."""
        return sender_key(self.tracker)


@dataclass(frozen=True)
class Ask:
    """The action may go ahead once confirmed: the question and the resolved arguments; ``about``
    says what happens afterwards (answered when the user asks, see :func:`about_pending`), and
    ``buttons`` are offered between 是 and 否 (「先轉移隊長」)."""

    question: str
    args: dict[str, str]
    about: str | None = None
    buttons: tuple[dict[str, str], ...] = ()


def pending(tracker: Tracker) -> dict[str, Any] | None:
    """The request waiting for 是/否 (``{"action", "intent", "args", "token"}``), or None."""
    value = tracker.get_slot(PENDING_SLOT)
    return value if isinstance(value, dict) and "action" in value else None


def _entities(tracker: Tracker, names: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        name = str(entity.get("entity"))
        if name in names and name not in found and entity.get("value") is not None:
            found[name] = str(entity["value"])
    return found


def button(
    req: Request, intent: str, args: dict[str, str], title: str, *, confirmed: bool = False
) -> dict[str, str]:
    """A button asking for ``intent`` with ``args``; ``confirmed`` issues it as pre-confirmed (the
    action then runs without asking again), else pressing it asks first."""
    body = dict(args)
    if confirmed:
        body[ISSUED_ENTITY] = issued.issue(
            session=req.session, sender_key=req.sender, intent=intent, args=args, now=req.now
        )
    suffix = json.dumps(body, ensure_ascii=False, sort_keys=True) if body else ""
    return {"title": title, "payload": f"/{intent}{suffix}"}


class ConfirmedAction(Action, ABC):
    """Base of the destructive actions (see the module docstring)."""

    intent: str = ""
    arg_names: tuple[str, ...] = ()

    @abstractmethod
    def prepare(self, req: Request) -> Ask | None:
        """Check and resolve the request; None when a reply was uttered instead."""

    @abstractmethod
    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Carry the action out and utter the outcome."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask, or perform when confirmed; ``pending_action`` is set only while asking."""
        waiting = pending(tracker)
        intent = str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")
        affirmed = intent == "affirm" and waiting is not None and waiting["action"] == self.name()
        args = dict(waiting["args"]) if affirmed and waiting else _entities(tracker, self.arg_names)
        token = _entities(tracker, (ISSUED_ENTITY,)).get(ISSUED_ENTITY)
        with turn_session() as session:
            req = Request(session, tracker, dispatcher, lang_of(tracker), turn_now(tracker), args)
            plan = self.prepare(req)
            if plan is None:
                return [*req.events, SlotSet(PENDING_SLOT, None)]
            if affirmed or (token and self._issued(req, token, plan.args)):
                return [*req.events, SlotSet(PENDING_SLOT, None), *self.perform(req, plan.args)]
            yes = button(req, self.intent, plan.args, say(req.lang, "button_yes"), confirmed=True)
            no = {"title": say(req.lang, "button_no"), "payload": "/deny"}
            dispatcher.utter_message(text=plan.question, buttons=[yes, *plan.buttons, no])
        request = {"action": self.name(), "intent": self.intent, "args": plan.args}
        held = {"question": plan.question, "held": 0, "about": plan.about}
        held["buttons"] = list(plan.buttons)
        return [SlotSet(PENDING_SLOT, {**request, **held, "token": yes["payload"]})]

    def _issued(self, req: Request, token: str, args: dict[str, str]) -> bool:
        return issued.matches(
            session=req.session,
            token=token,
            sender_key=req.sender,
            intent=self.intent,
            args=args,
            now=req.now,
        )


def still_open(waiting: dict[str, Any], intent: str, lang: str) -> dict[str, Any] | None:
    """After a turn that only asked something while ``waiting`` was open: the request, kept one
    more turn, and the reply asking 是/否 again; None when it lapses (another kind of message, or
    asked :data:`HOLD_TURNS` times already)."""
    asking = intent.startswith("ask_") or intent in _ONLY_ASKING
    if not asking or "question" not in waiting or int(waiting.get("held", 0)) >= HOLD_TURNS:
        return None
    kept = {**waiting, "held": int(waiting.get("held", 0)) + 1}
    yes = {"title": say(lang, "button_yes"), "payload": str(waiting["token"])}
    no = {"title": say(lang, "button_no"), "payload": "/deny"}
    text = say(lang, "still_open", question=waiting["question"])
    return {
        "pending": kept,
        "reply": {"text": text, "buttons": [yes, *waiting.get("buttons", []), no]},
    }


def about_pending(waiting: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The reply to a question about what the waiting request will do (「轉了之後我還能申請題目
    嗎」, "what happens after that?"): the request's ``about`` text; None when the request has
    none or ``text`` is not such a question (``about_cues`` of ``texts.yml``, and a question)."""
    about = waiting.get("about")
    asked = reads_as_question(text) or is_question(text)
    if not about or not asked or not re.search(data()["about_cues"], fold(text)):
        return None
    return {"text": str(about)}


class ActionResolvePending(Action):
    """「是」/「否」 right after a confirmation question: go ahead, or say nothing changed."""

    def name(self) -> str:
        """``action_resolve_pending``."""
        return "action_resolve_pending"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """``affirm`` runs the pending action (it sees the affirm); ``deny`` drops it."""
        waiting = pending(tracker)
        intent = str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")
        if waiting is not None and intent == "affirm":
            return [FollowupAction(str(waiting["action"]))]
        dispatcher.utter_message(text=say(lang_of(tracker), "declined"))
        return [SlotSet(PENDING_SLOT, None)]
