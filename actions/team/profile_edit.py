"""A member corrects their own name or expertise (QA wave 6, item 9; the privacy notice promises
更正): 「修改稱呼」「改名字」「我的名字打錯了 應該是王大同」「我要改專長」"change my name".

::

    edit_profile ─▶ action_start_edit_profile
        ├─ value given (「…應該是王大同」) ─▶ checked, saved, "「A」 → 「B」" (no form)
        ├─ field named, no value ─▶ edit_profile_form ─▶ action_save_profile_edit
        └─ no field named ─▶ which one? (buttons: 稱呼, 專長)

The new value gets the same checks as at registration (:func:`actions.team.logic.check_name`,
:func:`actions.team.logic.parse_expertise` with negations); age and nationality decide
eligibility, so changing them goes through the programme office (the reply says how).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import knowledge
from actions._editable import EditableForm
from actions._edits import read_edit
from actions._forms import REQUESTED_SLOT, busy_elsewhere, lang_of, latest_text, say, user_id_for
from actions.context import turn_now, turn_session
from actions.team import logic as tl
from actions.team import profile
from db.models import Profile, User

FORM = "edit_profile_form"
FIELD_SLOT = "profile_edit_field"
VALUE_SLOT = "profile_edit_value"
EDITABLE = ("person_name", "profile_expertise")
NAMED = (*EDITABLE, "profile_age", "profile_nationality")  # what a request may name


def _current(user_id: int, field: str) -> Any:
    """The stored name or expertise of the user (None: not given yet)."""
    with turn_session() as session:
        if field == "person_name":
            user = session.get(User, user_id)
            return user.display_name if user else None
        row = session.get(Profile, user_id)
        return row.expertise if row else None


def _shown(field: str, value: Any, lang: str) -> str:
    if value is None:
        return say(lang, "profile_edit_empty")
    return tl.shown_profile(field, value, lang)


def check(field: str, value: str, text: str, lang: str) -> tuple[Any, str | None]:
    """``(new value, None)``, or ``(None, the text saying why not)``."""
    if field == "person_name":
        name, problem = tl.check_name(value)
        if problem is None:
            return name, None
        label = say(lang, "profile_edit_label_person_name")
        return None, say(lang, problem, value=value.strip(), field=label)
    denied = profile.negated_kinds(text)
    kept = {k for k in ("ai", "domain") if k not in denied and profile.mentions(text, k)}
    if denied == {"ai", "domain"}:
        found: str | None = "none"
    elif denied:  # 「我沒有AI背景 但我是護理師」: what is left, if named
        found = kept.pop() if len(kept) == 1 else None
    else:
        found = tl.parse_expertise(value)
    return (found, None) if found else (None, say(lang, "invalid_expertise"))


def save(user_id: int, field: str, value: Any, now: Any) -> None:
    """Store the new name (``users.display_name``) or expertise (``profiles.expertise``)."""
    with turn_session() as session:
        if field == "person_name":
            user = session.get(User, user_id)
            if user is not None:
                user.display_name = value
            return
        row = session.get(Profile, user_id)
        if row is None:
            row = Profile(user_id=user_id)
            session.add(row)
        row.expertise, row.updated_at = value, now
        session.flush()


def changed_text(field: str, before: Any, after: Any, lang: str) -> str:
    """ "已把您的稱呼從「A」改成「B」" and who sees it."""
    label = say(lang, f"profile_edit_label_{field}")
    old, new = _shown(field, before, lang), _shown(field, after, lang)
    key = "profile_edit_same" if before == after else f"profile_edit_done_{field}"
    return say(lang, key, field=label, old=old, new=new)


class ActionStartEditProfile(Action):
    """``edit_profile``: change at once, open the small form, or ask which field."""

    def name(self) -> str:
        """``action_start_edit_profile``."""
        return "action_start_edit_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """See the module docstring."""
        lang = lang_of(tracker)
        if busy_elsewhere(dispatcher, tracker, [FORM]):
            return []
        text = latest_text(tracker)
        edit = read_edit(text, NAMED)
        field = edit.slot if edit else None
        if field in ("profile_age", "profile_nationality"):
            c = knowledge.load().contacts
            values = {"email": c.email, "phone": c.phone, "ext": c.phone_extension}
            dispatcher.utter_message(text=say(lang, "profile_edit_eligibility", **values))
            return []
        if field not in EDITABLE:
            buttons = [
                {"title": say(lang, f"profile_edit_label_{f}"), "payload": _payload(f)}
                for f in EDITABLE
            ]
            dispatcher.utter_message(text=say(lang, "profile_edit_which"), buttons=buttons)
            return []
        user_id = user_id_for(tracker)
        before = _current(user_id, str(field))
        if edit is not None and edit.value:
            value, problem = check(str(field), edit.value, edit.value, lang)
            if problem is None:
                save(user_id, str(field), value, turn_now(tracker))
                dispatcher.utter_message(text=changed_text(str(field), before, value, lang))
                return []
            dispatcher.utter_message(text=problem)
        events: list[EventType] = [SlotSet(FIELD_SLOT, field), SlotSet(VALUE_SLOT, None)]
        if tracker.active_loop_name == FORM:  # the form asks again after this interruption
            return events
        return [*events, FollowupAction(FORM)]


def _payload(field: str) -> str:
    """The button's message: the request naming the field (「修改稱呼」 / 「修改專長」)."""
    return {"person_name": "修改稱呼", "profile_expertise": "修改專長"}[field]


class ActionAskProfileEditValue(Action):
    """The question of ``edit_profile_form``: the new name, or the expertise with buttons."""

    def name(self) -> str:
        """``action_ask_profile_edit_value``."""
        return "action_ask_profile_edit_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask with the current value shown."""
        lang, field = lang_of(tracker), str(tracker.get_slot(FIELD_SLOT))
        now = _shown(field, _current(user_id_for(tracker), field), lang)
        text = say(lang, f"profile_edit_ask_{field}", now=now)
        buttons = []
        if field == "profile_expertise":
            for kind in ("ai", "domain", "both"):
                title = say(lang, f"expertise_{kind}")
                buttons.append(
                    {"title": title, "payload": f'/edit_profile{{"expertise": "{kind}"}}'}
                )
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ValidateEditProfileForm(EditableForm):
    """``edit_profile_form``: the new value, with the registration's checks."""

    editable = (VALUE_SLOT,)

    def name(self) -> str:
        """``validate_edit_profile_form``."""
        return "validate_edit_profile_form"

    def field_label(self, slot: str, lang: str) -> str:
        """How the asked value is named (「新的內容」)."""
        return say(lang, "profile_edit_label_value")

    def free_text(self, slot: str) -> bool:
        """A name takes any text."""
        return True

    async def edit_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """「名字應該是王大同」 answers with the value; 「我要改專長」 switches to that field."""
        edit = read_edit(latest_text(tracker), EDITABLE)
        if edit is None:
            return []
        if edit.value is None:
            switch = [SlotSet(FIELD_SLOT, edit.slot), SlotSet(VALUE_SLOT, None)]
            return [*switch, SlotSet(REQUESTED_SLOT, VALUE_SLOT)]
        lang = lang_of(tracker)
        found, problem = check(edit.slot, edit.value, edit.value, lang)
        if problem is not None:
            dispatcher.utter_message(text=problem)
            return [
                SlotSet(FIELD_SLOT, edit.slot),
                SlotSet(VALUE_SLOT, None),
                SlotSet(REQUESTED_SLOT, VALUE_SLOT),
            ]
        return [SlotSet(FIELD_SLOT, edit.slot), SlotSet(VALUE_SLOT, found)]

    async def validate_profile_edit_value(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """The new name or expertise; a re-ask saying why when it is none."""
        if value is None:
            return {VALUE_SLOT: None}
        field, lang = str(t.get_slot(FIELD_SLOT)), lang_of(t)
        found, problem = check(field, str(value), latest_text(t), lang)
        if problem is not None:
            d.utter_message(text=problem)
            return {VALUE_SLOT: None}
        return {VALUE_SLOT: found}


class ActionSaveProfileEdit(Action):
    """After ``edit_profile_form``: save and say what changed."""

    def name(self) -> str:
        """``action_save_profile_edit``."""
        return "action_save_profile_edit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Save the value; clear the form's slots."""
        lang, field = lang_of(tracker), str(tracker.get_slot(FIELD_SLOT))
        value, user_id = tracker.get_slot(VALUE_SLOT), user_id_for(tracker)
        if field in EDITABLE and value is not None:
            before = _current(user_id, field)
            save(user_id, field, value, turn_now(tracker))
            dispatcher.utter_message(text=changed_text(field, before, value, lang))
        return [SlotSet(FIELD_SLOT, None), SlotSet(VALUE_SLOT, None)]


__all__ = [
    "ActionAskProfileEditValue",
    "ActionSaveProfileEdit",
    "ActionStartEditProfile",
    "ValidateEditProfileForm",
]
