"""Privacy actions (Taiwan's Personal Data Protection Act): the notice, "my data", "delete my data".

- ``action_answer_privacy`` (``ask_privacy``): the notice from ``texts.yml`` (what is collected,
  why, who sees it, how long, the person's rights and the office's contact).
- ``action_show_my_data`` (``show_my_data``): what the service holds about this user.
- ``action_delete_my_data`` (``delete_my_data``): asks for confirmation first
  (:class:`actions.confirm.ConfirmedAction`; a team leader is first told what it does to the team
  and offered to hand over or dissolve first), then erases (:func:`db.privacy.erase_personal_data`),
  restarts the conversation (slots such as the typed name are forgotten) and says what was
  deleted, what was kept and why.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions._forms import lang_of
from actions.confirm import Ask, ConfirmedAction, Request
from actions.context import sender_key, turn_session
from actions.privacy._texts import asked_point, held_lines, text, what
from db import privacy, teams
from db.users import get_or_create_user_for_sender

FIRST = {"transfer": "/transfer_leadership", "dissolve": "/dissolve_team"}


class ActionAnswerPrivacy(Action):
    """ask_privacy: the privacy notice."""

    def name(self) -> str:
        """``action_answer_privacy``."""
        return "action_answer_privacy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the notice in the user's language; a question about one point of it gets
        that point first ("資料會保存多久")."""
        lang = lang_of(tracker)
        lead = asked_point(str((tracker.latest_message or {}).get("text") or ""))
        if lead is not None:
            dispatcher.utter_message(text=text(lang, lead) + "\n" + text(lang, "lead_more"))
            return []
        dispatcher.utter_message(text=text(lang, "notice"))
        return []


class ActionShowMyData(Action):
    """show_my_data: what the service holds about this user."""

    def name(self) -> str:
        """``action_show_my_data``."""
        return "action_show_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """List the data held, or say there is none; then how to delete or get a copy."""
        lang = lang_of(tracker)
        with turn_session() as session:
            user = get_or_create_user_for_sender(session=session, sender_key=sender_key(tracker))
            data = privacy.personal_data(session=session, user_id=user.id)
        lines = held_lines(data, lang)
        if data.get("reminders") is not None:
            state = text(lang, "reminders_on" if data["reminders"] else "reminders_off")
            lines.append(text(lang, "held_reminders", state=state))
        lines.append(text(lang, "held_history", count=data.get("messages_sent", 0)))
        head = text(lang, "held_title") if held_lines(data, lang) else text(lang, "nothing_held")
        dispatcher.utter_message(text="\n".join([head, *lines, text(lang, "held_footer")]))
        return []


class ActionDeleteMyData(ConfirmedAction):
    """delete_my_data: asks first; then erases the personal fields and the conversation history,
    keeps the team and challenge records (blanked), restarts the conversation and says what was
    deleted, what was kept and why."""

    intent = "delete_my_data"

    def name(self) -> str:
        """``action_delete_my_data``."""
        return "action_delete_my_data"

    def prepare(self, req: Request) -> Ask | None:
        """Always possible: the question says what goes and what stays. A team leader is told
        first what it does to the team, with a button to hand over (or dissolve) first."""
        about = text(req.lang, "delete_about")
        user = get_or_create_user_for_sender(session=req.session, sender_key=req.sender)
        mine = teams.membership_of(session=req.session, user_id=user.id)
        if mine is None or mine.role != "leader":
            return Ask(text(req.lang, "delete_ask"), {}, about=about)
        others = len(teams.members(session=req.session, team_id=mine.team_id)) - 1
        key, intent = (
            ("delete_ask_leader", "transfer") if others else ("delete_ask_alone", "dissolve")
        )
        question = text(req.lang, key, team=mine.team.name, others=others, id=user.id)
        first = {"title": text(req.lang, f"button_{intent}_first"), "payload": FIRST[intent]}
        return Ask(question, {}, about=about, buttons=(first,))

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Erase, then report deleted / kept; ``Restarted`` forgets the slots (names typed)."""
        user = get_or_create_user_for_sender(session=req.session, sender_key=req.sender)
        done = privacy.erase_personal_data(session=req.session, user_id=user.id)
        gone = [*done.blanked, "history"] if done.deleted_events else list(done.blanked)
        lines = [text(req.lang, "deleted", what=what(req.lang, gone, done.deleted_events))]
        if not done.blanked:
            lines = [text(req.lang, "deleted_nothing")]
        if done.kept:
            lines.append(text(req.lang, "deleted_kept", what=what(req.lang, done.kept)))
        req.dispatcher.utter_message(text="\n".join(lines))
        return [Restarted()]
