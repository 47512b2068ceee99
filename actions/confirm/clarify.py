"""Never act on a guess: a state-changing intent read below a clear confidence is not run.

:func:`needs_clarifying` tells the dialogue policy when a parse is such a guess (the intent is in
``state_changing_intents`` of ``texts.yml`` and its confidence is under ``clear_confidence``; button
payloads have confidence 1.0). The policy then runs :class:`ActionClarifyIntent` instead of the
intent's rule: it asks which of the two likeliest readings was meant, as buttons that carry the
message's entities, plus a "neither" button (``/help``). A destructive reading picked this way is
still confirmed by its own action.

Only readings that fit the user's state are offered (:mod:`actions.confirm.fit`: no 「轉移隊長」
without a team). A change of the reminders (「改成只要第一梯」 from a subscribed user: a change
word and a round or kind) is a reading too; when nothing else fits, it is simply carried out (the
reply states the new settings). When no reading fits at all, the message gets the fallback
answer instead of a question with only "neither".
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._forms import lang_of
from actions.confirm._texts import data, intent_label, say
from actions.confirm.fit import facts, fits
from actions.context import sender_key, turn_session
from actions.reminder_info import changes_reminders, question_kind
from db.users import get_or_create_user_for_sender

MAX_READINGS = 2


def state_changing_intents() -> frozenset[str]:
    """The intents that change state (never run on a guess)."""
    return frozenset(data()["state_changing_intents"])


def needs_clarifying(parse: dict[str, Any]) -> bool:
    """True when ``parse`` names a state-changing intent with less than the clear confidence.
    A question about reminders read as ``subscribe_reminders`` ("my reminders") is not a guess
    to clarify: that action answers questions without changing anything."""
    intent = parse.get("intent") or {}
    confidence = float(intent.get("confidence") or 0.0)
    threshold = float(data()["clear_confidence"])
    if intent.get("name") == "subscribe_reminders" and question_kind(str(parse.get("text") or "")):
        return False
    return intent.get("name") in state_changing_intents() and confidence < threshold


def _payload(intent: str, parse: dict[str, Any]) -> str:
    values = {
        str(e["entity"]): e["value"]
        for e in parse.get("entities") or []
        if isinstance(e.get("value"), (str, int, float)) and e.get("entity") != "language"
    }
    return f"/{intent}" + (json.dumps(values, ensure_ascii=False) if values else "")


def readings(
    parse: dict[str, Any], lang: str, known: frozenset[str] | None = None
) -> list[dict[str, str]]:
    """Buttons for the likeliest intents of ``parse`` that have a label (at most two); with
    ``known`` (:func:`actions.confirm.fit.facts`), only those that fit the user's state and were
    not guessed below ``min_reading``."""
    buttons: list[dict[str, str]] = []
    for ranked in parse.get("intent_ranking") or [parse.get("intent") or {}]:
        name = str(ranked.get("name") or "")
        title = intent_label(lang, name)
        unlikely = float(ranked.get("confidence") or 0.0) < float(data()["min_reading"])
        if known is not None and (unlikely or name == "help" or not fits(name, known)):
            continue  # "neither" already offers help
        if title and all(b["title"] != title for b in buttons):
            buttons.append({"title": title, "payload": _payload(name, parse)})
        if len(buttons) == MAX_READINGS:
            break
    return buttons


def reminder_change(
    parse: dict[str, Any], known: frozenset[str], lang: str
) -> dict[str, str] | None:
    """The reading "change my reminders" (a button), when a subscribed user's message reads as a
    change of reminder settings (:func:`actions.reminder_info.changes_reminders`); else None."""
    if "subscribed" not in known or not changes_reminders(parse):
        return None
    rounds = sorted(
        {str(e["value"]) for e in parse.get("entities") or [] if e.get("entity") == "round"}
    )
    title = say(lang, "reminder_rounds", rounds="、".join(rounds)) if rounds else None
    return {
        "title": title or say(lang, "reminder_change"),
        "payload": _payload("subscribe_reminders", parse),
    }


class ActionClarifyIntent(Action):
    """Ask what was meant, offering the two likeliest readings (see the module docstring)."""

    def name(self) -> str:
        """``action_clarify_intent``."""
        return "action_clarify_intent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the question with the fitting readings as buttons; change nothing. A reminder
        change that is the only fitting reading runs; no fitting reading: the fallback answer."""
        lang, parse = lang_of(tracker), tracker.latest_message or {}
        with turn_session() as session:
            user = get_or_create_user_for_sender(session=session, sender_key=sender_key(tracker))
            known = facts(session, user.id, tracker)
        change = reminder_change(parse, known, lang)
        others = [
            b for b in readings(parse, lang, known) if not b["payload"].startswith("/subscribe_")
        ]
        if change and not others:
            return [FollowupAction("action_subscribe_reminders")]
        buttons = ([change] if change else []) + others[: MAX_READINGS - bool(change)]
        if not buttons:
            return [FollowupAction("action_answer_fallback")]
        buttons.append({"title": say(lang, "clarify_none"), "payload": "/help"})
        dispatcher.utter_message(text=say(lang, "clarify"), buttons=buttons)
        return []
