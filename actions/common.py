"""Generic actions: cancel and language switch.

Replies are domain responses (``bot/domain.yml``) named with ``response=``; the engine renders them
in the user's language. Actions never send anything themselves: they return events.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._words import data
from actions.confirm import pending
from actions.context import sender_key, turn_session
from db.subscriptions import get_subscription
from db.users import get_or_create_user_for_sender

REQUESTED_SLOT = "requested_slot"


def _subscribed(tracker: Tracker) -> bool:
    with turn_session() as session:
        user = get_or_create_user_for_sender(session=session, sender_key=sender_key(tracker))
        view = get_subscription(session=session, user_id=user.id)
    return view is not None and view.active


class ActionCancel(Action):
    """Leave the active form (deactivate it and confirm), or say there is nothing to cancel.

    Slots the form already collected are kept, so a form that persists drafts can offer to resume.
    With no form: a confirmation waiting for 是/否 is declined (「取消」 answers it); 「算了還是
    退出好了」 / "I want to quit" (``leave_words`` in ``form_data.yml``) means leaving the team;
    for a user with active reminders, "stop" / 「停止」 means stopping them (both ask first).
    """

    def name(self) -> str:
        """The action name used in ``bot/rules.yml``."""
        return "action_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Return ``ActiveLoop(None)`` and ``requested_slot = None`` when a form is active."""
        if not tracker.active_loop_name:
            text = str((tracker.latest_message or {}).get("text") or "")
            if pending(tracker) is not None:
                return [FollowupAction("action_resolve_pending")]
            if re.search(data()["leave_words"], text, re.IGNORECASE):
                return [FollowupAction("action_leave_team")]
            if _subscribed(tracker):
                return [FollowupAction("action_unsubscribe_reminders")]
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return []
        own = f"utter_cancelled_{tracker.active_loop_name}"  # e.g. "your draft is kept"
        responses = domain.get("responses") or {}
        dispatcher.utter_message(response=own if own in responses else "utter_cancelled")
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]


class ActionSwitchLanguage(Action):
    """Confirm the reply language after the user asked for one (``language`` entity).

    The engine has already set the ``language`` slot (and ``language_locked``) when it runs this.
    """

    def name(self) -> str:
        """The action name the engine runs on an explicit language request."""
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter ``utter_language_switched`` (rendered in the new language)."""
        dispatcher.utter_message(response="utter_language_switched")
        return []
