"""Never act on a guess: a state-changing intent read below a clear confidence is not run.

:func:`needs_clarifying` tells the dialogue policy when a parse is such a guess (the intent is in
``state_changing_intents`` of ``texts.yml`` and its confidence is under ``clear_confidence``; button
payloads have confidence 1.0). The policy then runs :class:`ActionClarifyIntent` instead of the
intent's rule: it asks which of the two likeliest readings was meant, as buttons that carry the
message's entities, plus a "neither" button (``/help``). A destructive reading picked this way is
still confirmed by its own action.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._forms import lang_of
from actions.confirm._texts import data, intent_label, say
from actions.reminder_info import question_kind

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


def readings(parse: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """Buttons for the likeliest intents of ``parse`` that have a label (at most two)."""
    buttons: list[dict[str, str]] = []
    for ranked in parse.get("intent_ranking") or [parse.get("intent") or {}]:
        name = str(ranked.get("name") or "")
        title = intent_label(lang, name)
        if title and all(b["title"] != title for b in buttons):
            buttons.append({"title": title, "payload": _payload(name, parse)})
        if len(buttons) == MAX_READINGS:
            break
    return buttons


class ActionClarifyIntent(Action):
    """Ask what was meant, offering the two likeliest readings (see the module docstring)."""

    def name(self) -> str:
        """``action_clarify_intent``."""
        return "action_clarify_intent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the question with the readings as buttons; change nothing."""
        lang = lang_of(tracker)
        buttons = readings(tracker.latest_message or {}, lang)
        buttons.append({"title": say(lang, "clarify_none"), "payload": "/help"})
        dispatcher.utter_message(text=say(lang, "clarify"), buttons=buttons)
        return []
