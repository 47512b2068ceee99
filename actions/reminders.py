"""``action_subscribe_reminders`` / ``action_unsubscribe_reminders`` (also Telegram /remind, /stop).

Subscribing reads the ``round`` entities (none: every round), the kinds named in the message
(截止/deadline → deadlines, 活動/說明會/event → events, 個人/nudge → personal nudges; none named:
all three), quiet hours (on unless the message asks for any hour: 全天/不限時段/any time) and the
reply language. It replaces any earlier subscription. Unsubscribing asks 是/否 first
(:mod:`actions.confirm`), then opts the user out and cancels their pending deliveries at once.
:func:`status_line` is the one-line summary ``my_status`` shows.
Replies come from ``reminder_texts.yml``; the database work joins the turn's transaction.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.confirm import Ask, ConfirmedAction, Request
from actions.context import sender_key, turn_now, turn_session
from db.subscriptions import REMINDER_KINDS, SubscriptionView, get_subscription
from db.subscriptions import subscribe as subscribe_user
from db.subscriptions import unsubscribe as unsubscribe_user
from db.users import get_or_create_user_for_sender

TEXTS_PATH = Path(__file__).with_name("reminder_texts.yml")
_KIND_CUES = {
    "deadlines": re.compile(r"截止|期限|deadline", re.IGNORECASE),
    "events": re.compile(r"活動|說明會|輪桌|審查會|發表會|event|session|meeting", re.IGNORECASE),
    "nudges": re.compile(r"個人|nudge|personal", re.IGNORECASE),
}
_ANY_HOUR = re.compile(r"全天|不限時段|半夜也|any ?time|any hour|no quiet", re.IGNORECASE)
PUSH_CHANNELS = ("line", "telegram")


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    with TEXTS_PATH.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, str]] = yaml.load(handle, Loader=yaml.CSafeLoader)
    return data


def _say(lang: str, key: str, **values: Any) -> str:
    return _texts()["en" if lang == "en" else "zh-TW"][key].format(**values)


def _lang(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "zh-TW"


def describe(view: SubscriptionView, lang: str) -> dict[str, str]:
    """``rounds`` and ``kinds`` of a subscription as words in ``lang``."""
    joiner = _say(lang, "joiner")
    rounds = (
        _say(lang, "round_list", rounds=joiner.join(view.rounds))
        if view.rounds
        else _say(lang, "all_rounds")
    )
    kinds = joiner.join(_say(lang, f"kind_{k}") for k in view.kinds)
    return {"rounds": rounds, "kinds": kinds}


def status_line(*, session: Session, user_id: int, lang: str) -> str:
    """One line for ``my_status``: what the user is subscribed to, or that reminders are off."""
    view = get_subscription(session=session, user_id=user_id)
    if view is None or not view.active:
        return _say(lang, "status_off")
    return _say(lang, "status_subscribed", **describe(view, lang))


def status_line_if_any(*, session: Session, user_id: int, lang: str) -> str | None:
    """:func:`status_line`, or None for a user who never subscribed (``my_status`` omits it)."""
    if get_subscription(session=session, user_id=user_id) is None:
        return None
    return status_line(session=session, user_id=user_id, lang=lang)


def requested_kinds(text: str) -> list[str]:
    """The reminder kinds a message names (empty: none named, i.e. all)."""
    return [kind for kind in REMINDER_KINDS if _KIND_CUES[kind].search(text)]


class ActionSubscribeReminders(Action):
    """Create or replace the user's reminder subscription and confirm it."""

    def name(self) -> str:
        """The action name used in ``bot/rules.yml``."""
        return "action_subscribe_reminders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Subscribe (see the module docstring); never raises on odd input."""
        lang = _lang(tracker)
        text = str((tracker.latest_message or {}).get("text") or "")
        rounds = sorted({str(v) for v in tracker.get_latest_entity_values("round")})
        quiet = not _ANY_HOUR.search(text)
        with turn_session() as session:
            user = get_or_create_user_for_sender(session=session, sender_key=sender_key(tracker))
            view = subscribe_user(
                session=session, user_id=user.id, now=turn_now(tracker), rounds=rounds,
                kinds=requested_kinds(text), quiet_hours=quiet, language=lang,
            )  # fmt: skip
        quiet_text = _say(lang, "quiet_on" if view.quiet_hours else "quiet_off")
        reply = _say(lang, "subscribed", quiet=quiet_text, **describe(view, lang))
        if sender_key(tracker).partition(":")[0] not in PUSH_CHANNELS:
            reply += "\n" + _say(lang, "push_only")
        dispatcher.utter_message(text=reply)
        return []


class ActionUnsubscribeReminders(ConfirmedAction):
    """Opt the user out of every reminder and cancel what is still waiting to be sent, once the
    user confirmed (:mod:`actions.confirm`); someone not subscribed is told so and nothing asked."""

    intent = "unsubscribe_reminders"

    def name(self) -> str:
        """The action name used in ``bot/rules.yml``."""
        return "action_unsubscribe_reminders"

    def prepare(self, req: Request) -> Ask | None:
        """Ask only a subscribed user."""
        user = get_or_create_user_for_sender(session=req.session, sender_key=req.sender)
        before = get_subscription(session=req.session, user_id=user.id)
        if before is None or not before.active:
            req.dispatcher.utter_message(text=_say(req.lang, "not_subscribed"))
            return None
        return Ask(_say(req.lang, "confirm_unsubscribe"), {})

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Unsubscribe and confirm."""
        user = get_or_create_user_for_sender(session=req.session, sender_key=req.sender)
        skipped = unsubscribe_user(session=req.session, user_id=user.id, now=req.now)
        pending = _say(req.lang, "pending_skipped", count=skipped) if skipped else ""
        req.dispatcher.utter_message(text=_say(req.lang, "unsubscribed", pending=pending))
        return []
