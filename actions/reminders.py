"""``action_subscribe_reminders`` / ``action_unsubscribe_reminders`` (also Telegram /remind, /stop).

A question about reminders that reaches ``subscribe_reminders`` (「我訂了哪些提醒」, 「截止前幾天會
提醒」) is answered from the current subscription and the reminder plan and changes nothing
(:mod:`actions.reminder_info`). Subscribing reads the ``round`` entities (none: every round), the
kinds named in the message (截止/deadline → deadlines, 活動/說明會/event → events, 個人/nudge →
personal nudges; none named: all three), quiet hours (on unless the message asks for any hour:
全天/不限時段/any time) and the reply language; an active subscription keeps what the message does
not name (:func:`wanted`). Unsubscribing asks 是/否 first
(:mod:`actions.confirm`), then opts the user out and cancels their pending deliveries at once.
:func:`status_line` is the one-line summary ``my_status`` shows.
Replies come from ``reminder_texts.yml``; the database work joins the turn's transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

import knowledge
from actions.confirm import Ask, ConfirmedAction, Request
from actions.context import sender_key, turn_now, turn_session
from actions.reminder_info import (
    adds_to,
    answer,
    asks_every_round,
    asks_settings_not_stop,
    describe,
    grouped,
    question_kind,
    reminder_line,
    requested_kinds,
    say,
    upcoming,
)
from db.subscriptions import REMINDER_KINDS, SubscriptionView, get_subscription
from db.subscriptions import subscribe as subscribe_user
from db.subscriptions import unsubscribe as unsubscribe_user
from db.users import get_or_create_user_for_sender

_ANY_HOUR = re.compile(r"全天|不限時段|半夜也|any ?time|any hour|no quiet", re.IGNORECASE)
PUSH_CHANNELS = ("line", "telegram")


def _lang(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "zh-TW"


def status_line(*, session: Session, user_id: int, lang: str) -> str:
    """One line for ``my_status``: what the user is subscribed to, or that reminders are off."""
    view = get_subscription(session=session, user_id=user_id)
    if view is None or not view.active:
        return say(lang, "status_off")
    return say(lang, "status_subscribed", **describe(view, lang))


def status_line_if_any(*, session: Session, user_id: int, lang: str) -> str | None:
    """:func:`status_line`, or None for a user who never subscribed (``my_status`` omits it)."""
    if get_subscription(session=session, user_id=user_id) is None:
        return None
    return status_line(session=session, user_id=user_id, lang=lang)


@dataclass(frozen=True)
class Wanted:
    """The subscription a request asks for (rounds / kinds empty: all)."""

    rounds: list[str]
    kinds: list[str]
    quiet_hours: bool


def wanted(text: str, rounds: list[str], before: SubscriptionView | None) -> Wanted | None:
    """What a reminder request asks for, or None when it changes nothing.

    A first subscription takes what the message names (nothing named: every round and kind).
    An active subscription keeps what the message does not name: 「改成只要第一梯」 changes the
    rounds and keeps the kinds; a request naming nothing new (「訂閱提醒」 again) changes
    nothing; 「所有梯次」 / "all rounds" asks for every round (and kind, unless kinds are named);
    「也要」 / "also" adds the rounds or kinds named to those chosen.
    """
    kinds, any_hour = requested_kinds(text), bool(_ANY_HOUR.search(text))
    if before is None or not before.active:
        return Wanted(rounds, kinds, not any_hour)
    every = asks_every_round(text)
    if not (rounds or kinds or any_hour or every):
        return None
    keep_kinds = [] if every and not rounds else list(before.kinds)
    if adds_to(text):  # 「活動也要提醒」: added to what is chosen (no rounds chosen: all already)
        kinds = sorted(set(kinds) | set(before.kinds), key=REMINDER_KINDS.index) if kinds else []
        rounds = sorted(set(rounds) | set(before.rounds)) if rounds and before.rounds else []
    return Wanted(
        rounds or ([] if every else list(before.rounds)),
        kinds or keep_kinds,
        False if any_hour else before.quiet_hours,
    )


class ActionSubscribeReminders(Action):
    """Create or change the user's reminder subscription and confirm it; a question about
    reminders (:func:`actions.reminder_info.question_kind`) is answered and changes nothing."""

    def name(self) -> str:
        """The action name used in ``bot/rules.yml``."""
        return "action_subscribe_reminders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer, subscribe or say nothing changed (see the module docstring)."""
        lang, now = _lang(tracker), turn_now(tracker)
        text = str((tracker.latest_message or {}).get("text") or "")
        rounds = sorted({str(v) for v in tracker.get_latest_entity_values("round")})
        with turn_session() as session:
            user = get_or_create_user_for_sender(session=session, sender_key=sender_key(tracker))
            asked = question_kind(text)
            if asked is not None:
                reply = answer(session=session, user_id=user.id, kind=asked, now=now, lang=lang)
                dispatcher.utter_message(text=reply, buttons=self._offer(session, user.id, lang))
                return []
            before = get_subscription(session=session, user_id=user.id)
            want = wanted(text, rounds, before)
            if want is None and before is not None:
                quiet = say(lang, "quiet_on" if before.quiet_hours else "quiet_off")
                lines = [say(lang, "unchanged", quiet=quiet, **describe(before, lang))]
                lines += [say(lang, "how_to_change")]
                dispatcher.utter_message(text="\n".join(lines))
                return []
            want = want or Wanted([], [], True)
            view = subscribe_user(
                session=session, user_id=user.id, now=now, rounds=want.rounds,
                kinds=want.kinds, quiet_hours=want.quiet_hours, language=lang,
            )  # fmt: skip
        quiet_text = say(lang, "quiet_on" if view.quiet_hours else "quiet_off")
        done = "updated" if before is not None and before.active else "subscribed"
        lines = [say(lang, done, quiet=quiet_text, **describe(view, lang))]
        programme = knowledge.load()
        coming = grouped(upcoming(view, now, programme))
        if coming:
            shown = reminder_line(coming[0], lang, programme).lstrip("・- ")
            lines.append(say(lang, "first_next", line=shown))
        if sender_key(tracker).partition(":")[0] not in PUSH_CHANNELS:
            lines.append(say(lang, "push_only"))
        dispatcher.utter_message(text="\n".join(lines))
        return []

    @staticmethod
    def _offer(session: Session, user_id: int, lang: str) -> list[dict[str, str]]:
        view = get_subscription(session=session, user_id=user_id)
        if view is not None and view.active:
            return []
        return [{"title": say(lang, "button_subscribe"), "payload": "/subscribe_reminders"}]


class ActionUnsubscribeReminders(ConfirmedAction):
    """Opt the user out of every reminder and cancel what is still waiting to be sent, once the
    user confirmed (:mod:`actions.confirm`); someone not subscribed is told so and nothing asked."""

    intent = "unsubscribe_reminders"

    def name(self) -> str:
        """The action name used in ``bot/rules.yml``."""
        return "action_unsubscribe_reminders"

    def prepare(self, req: Request) -> Ask | None:
        """Ask only a subscribed user; a question about the settings is answered instead."""
        user = get_or_create_user_for_sender(session=req.session, sender_key=req.sender)
        if asks_settings_not_stop(req.text):
            reply = answer(session=req.session, user_id=user.id, kind="settings", now=req.now,
                           lang=req.lang)  # fmt: skip
            req.dispatcher.utter_message(text=reply)
            return None
        before = get_subscription(session=req.session, user_id=user.id)
        if before is None or not before.active:
            req.dispatcher.utter_message(text=say(req.lang, "not_subscribed"))
            return None
        return Ask(
            say(req.lang, "confirm_unsubscribe"), {}, about=say(req.lang, "about_unsubscribe")
        )

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Unsubscribe and confirm."""
        user = get_or_create_user_for_sender(session=req.session, sender_key=req.sender)
        skipped = unsubscribe_user(session=req.session, user_id=user.id, now=req.now)
        pending = say(req.lang, "pending_skipped", count=skipped) if skipped else ""
        req.dispatcher.utter_message(text=say(req.lang, "unsubscribed", pending=pending))
        return []
