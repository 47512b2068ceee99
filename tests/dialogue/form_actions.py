"""Actions for the test form in ``data/form_domain.yml`` (written the way real forms will be)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

SKIPPED = "-"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_EDIT = re.compile(r"^(?:修改|change|edit)\s*(?P<slot>\S+)$", re.IGNORECASE)
_EDITABLE = {
    "email": "email",
    "姓名": "full_name",
    "name": "full_name",
    "年齡": "age",
    "age": "age",
}


class ValidateSignupForm(FormValidationAction):
    """Validation with a specific re-ask, an optional field and edit-by-name at the summary."""

    def name(self) -> str:
        return "validate_signup_form"

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if isinstance(value, str) and _EMAIL.match(value.strip()):
            return {"email": value.strip()}
        dispatcher.utter_message(response="utter_invalid_email")
        return {"email": None}

    def validate_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        intent = tracker.get_intent_of_latest_message()
        if intent == "deny" or str(value).strip().lower() in {"跳過", "skip"}:
            return {"age": SKIPPED}
        return {"age": str(value).strip()}

    def validate_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = str(value).strip()
        edit = _EDIT.match(text)
        if edit and edit.group("slot").lower() in _EDITABLE:
            return {"confirm": None, _EDITABLE[edit.group("slot").lower()]: None}
        if tracker.get_intent_of_latest_message() == "affirm" or text.lower() in {"確認", "yes"}:
            return {"confirm": "yes"}
        return {"confirm": None}


class ActionAskConfirm(Action):
    """The summary shown before confirming."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        summary = (
            f"請確認：姓名 {tracker.get_slot('full_name')}、email {tracker.get_slot('email')}、"
            f"年齡 {tracker.get_slot('age')}。輸入「確認」送出，或「修改 email」。"
        )
        dispatcher.utter_message(text=summary, buttons=[{"title": "確認", "payload": "/affirm"}])
        return []


class ActionSubmitSignup(Action):
    """The submit action named in the form's rule; clears the form's slots."""

    def name(self) -> str:
        return "action_submit_signup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_submitted")
        return [SlotSet(s, None) for s in ("full_name", "email", "age", "confirm")]
