"""How the challenge form asks its choice slots (buttons from the knowledge data) and the
summary it shows before submitting (``action_ask_<slot>``, run by the engine instead of
``utter_ask_<slot>``)."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import knowledge
from actions._forms import lang_of, latest_text, say, skip_button
from actions._words import data, fold
from actions.challenge.store import FIELDS, OPTIONAL, SUMMARY_SLOT, field_line, summary_text
from knowledge import Lang


def _button(title: str, slot: str, value: str) -> dict[str, str]:
    payload = json.dumps({slot: value}, ensure_ascii=False)
    return {"title": title, "payload": f"/post_challenge{payload}"}


class _AskChoice(Action, ABC):
    """Ask a choice slot with buttons built from the knowledge data."""

    slot = ""

    def name(self) -> str:
        """``action_ask_<slot>``."""
        return f"action_ask_{self.slot}"

    @abstractmethod
    def choices(self, lang: Lang) -> list[tuple[str, str]]:
        """(button title, stored value) pairs."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter ``utter_ask_<slot>`` with one button per choice."""
        lang = lang_of(tracker)
        buttons = [_button(title, self.slot, value) for title, value in self.choices(lang)]
        if self.slot in OPTIONAL:
            buttons += skip_button(lang)
        dispatcher.utter_message(response=f"utter_ask_{self.slot}", buttons=buttons)
        return []


class ActionAskChallengeCategory(_AskChoice):
    """Categories from ``challenge_posting.categories``."""

    slot = "challenge_category"

    def choices(self, lang: Lang) -> list[tuple[str, str]]:
        """Each category's label in ``lang``; the stored value is the zh-TW label."""
        items = knowledge.load().challenge_posting.categories.items
        return [(c.label(lang), c.zh_TW) for c in items]


class ActionAskChallengeIndustry(_AskChoice):
    """Industries from ``programme.industries`` (open-ended)."""

    slot = "challenge_industry"

    def choices(self, lang: Lang) -> list[tuple[str, str]]:
        """Each industry's name in ``lang``."""
        items = knowledge.load().programme.industries.items
        return [(i.get(lang), i.zh_TW) for i in items]


class ActionAskDatasetDeliveryMethod(_AskChoice):
    """Delivery methods from ``challenge_posting.delivery_methods`` (open-ended)."""

    slot = "dataset_delivery_method"

    def choices(self, lang: Lang) -> list[tuple[str, str]]:
        """Each method's label in ``lang``."""
        items = knowledge.load().challenge_posting.delivery_methods.items
        return [(m.label(lang), m.zh_TW) for m in items]


class ActionAskChallengeConfirm(Action):
    """The summary shown before submitting (QA wave 6, item 33: once is enough)."""

    def name(self) -> str:
        """``action_ask_challenge_confirm``."""
        return "action_ask_challenge_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Every field grouped as in the seed, then a confirm button. Once shown (the values it
        showed are kept in ``challenge_summary``), it is asked again with only the fields changed
        since, or with nothing changed a short prompt; 「看摘要」/"summary" shows it all again."""
        lang, programme = lang_of(tracker), knowledge.load()
        current = {s: tracker.get_slot(s) for s in FIELDS}
        before = tracker.get_slot(SUMMARY_SLOT)
        if not isinstance(before, dict) or wants_summary(latest_text(tracker)):
            text = summary_text(programme, current, lang)
        else:
            changed = [s for s in FIELDS if before.get(s) != current[s]]
            lines = [field_line(programme, s, current[s], lang) for s in changed]
            text = say(lang, "summary_changed", lines="\n".join(lines)) if lines else ""
            text = text or say(lang, "confirm_again")
        button = {"title": say(lang, "confirm_button"), "payload": "/affirm"}
        dispatcher.utter_message(text=text, buttons=[button])
        return [SlotSet(SUMMARY_SLOT, current)]


def wants_summary(text: str) -> bool:
    """「看摘要」「顯示全部資料」"show the summary" (``summary_words``)."""
    folded = fold(text).strip(" .!！。?？")
    return any(fold(w) == folded or fold(w) in folded for w in data()["summary_words"])
