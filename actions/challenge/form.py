"""The post_challenge form: an organisation drafts a challenge turn by turn and submits it.

Flow (``bot/domain.yml`` ``post_challenge_form``; rules in ``bot/rules.yml``)::

    post_challenge ─▶ action_start_challenge (resume a draft / intro) ─▶ post_challenge_form
      org_* ▶ challenge_* ▶ dataset_* ▶ challenge_confirm (summary) ─▶ action_submit_challenge

- Every answer is validated by :class:`ValidatePostChallengeForm` (``validate_<slot>``; ``None``
  re-asks with a specific reason) and the draft row is saved on every turn, so it survives a
  restart and can be resumed days later (also after "取消").
- "修改 email" / "change the title" empties that field and asks it next (:class:`EditableForm`).
- Optional fields accept "跳過" / "skip" (stored as empty).
- Submission enforces the programme's per-organisation limit (drafts don't count).
- The start offers 「用網頁填寫」 (:func:`offer_web_form`): the web form edits the same slots and
  draft (:mod:`actions.challenge.draft`).
- An organisation someone else owns is refused at its name, with the ways to join it
  (:mod:`actions.challenge.ownership`).
- The same form edits a submitted or returned challenge (:mod:`actions.challenge.lifecycle`):
  slot ``challenge_editing``; nothing is saved before 確認送出 then.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

import knowledge
from actions._forms import (
    REQUESTED_SLOT,
    SKIPPED,
    EditableForm,
    is_confirm,
    is_skip,
    lang_of,
    say,
    user_id_for,
    utter_web_page,
)
from actions.challenge import fields as cf
from actions.challenge import ownership
from actions.challenge.lifecycle import clear_edit, editing, original_organisation, save_edit
from actions.challenge.store import (
    FIELDS,
    OPTIONAL,
    SLOTS,
    counted_for,
    field_label,
    latest_organisation_slots,
    limit_lines,
    limit_text,
    load_draft_slots,
    save_draft_from_slots,
    submit_draft,
    submitted_text,
)
from actions.context import turn_now, turn_session
from db.challenges import LimitReached
from db.org_access import NotAMember
from db.org_names import normalise_org_name

FORM = "post_challenge_form"
DRAFT_SLOT = "challenge_draft_id"
OPENED_BY = "action_edit_challenge"


# Fields whose answers have a shape to check; every other field takes any text.
CHECKED = frozenset(
    {"org_phone", "org_email", "challenge_description", "challenge_category", "dataset_volume",
     "dataset_time_range", "challenge_confirm"}
)  # fmt: skip


def offer_web_form(dispatcher: CollectingDispatcher, lang: str) -> None:
    """「用網頁填寫」: a signed link to the challenge form page (the same draft)."""
    utter_web_page(
        dispatcher, lang, purpose="challenge", intro="web_form_offer", title="web_form_button"
    )


class ValidatePostChallengeForm(EditableForm):
    """Validation, draft saving and edits for ``post_challenge_form``."""

    editable = SLOTS
    optional = OPTIONAL

    def name(self) -> str:
        """``validate_post_challenge_form``."""
        return "validate_post_challenge_form"

    def field_label(self, slot: str, lang: str) -> str:
        """The knowledge data's label of ``slot``."""
        return field_label(knowledge.load(), slot, lang)

    def edit_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Edit commands, except the request that just opened an edit ("修改題目 AIGO-…": the
        challenge, not its title field; ``action_edit_challenge`` already chose the field)."""
        if tracker.latest_action_name == OPENED_BY:
            return []
        return super().edit_events(dispatcher, tracker)

    def free_text(self, slot: str) -> bool:
        """Fields whose answers are not checked for a shape (names, titles, open lists)."""
        return slot not in CHECKED

    def _check(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        parse: Any,
    ) -> dict[str, Any]:
        lang = lang_of(tracker)
        if value is None:  # a slot cleared by an action, not an answer
            return {slot: None}
        if is_skip(value, tracker):
            if slot in OPTIONAL:
                return {slot: SKIPPED}
            label = self.field_label(slot, lang)
            dispatcher.utter_message(text=say(lang, "required", field=label))
            return {slot: None}
        try:
            return {slot: parse(value)}
        except cf.Invalid as bad:
            dispatcher.utter_message(text=say(lang, bad.key, **bad.values))
            return {slot: None}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A code or an e-mail request for the organisation being joined comes first."""
        joined = ownership.join_step(dispatcher, tracker)
        if joined is not None:
            return joined
        return await super().run(dispatcher, tracker, domain)

    async def validate_org_name(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """Any name; one owned by someone the sender has not joined is refused with the ways
        to join it (:func:`ownership.refuse_stranger`)."""
        result = self._check("org_name", value, d, t, cf.parse_text)
        name = result["org_name"]
        if not name or name == SKIPPED:
            return result
        refused = ownership.refuse_stranger(d, t, str(name))
        return refused or {"org_name": name, ownership.PENDING_SLOT: None}

    async def validate_challenge_category(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """One of the knowledge data's categories (typed names matched)."""
        programme = knowledge.load()
        result = self._check(
            "challenge_category", value, d, t, lambda v: cf.parse_field("challenge_category", v)
        )
        if result["challenge_category"] is None and value is not None and not is_skip(value, t):
            d.messages.pop()  # replace the generic line with the one listing the choices
            lang = lang_of(t)
            labels = [c.label(lang) for c in programme.challenge_posting.categories.items]
            choices = say(lang, "sep").join(labels)
            d.utter_message(
                text=say(lang, "invalid_choice", value=str(value).strip(), choices=choices)
            )
        return result

    async def validate_challenge_confirm(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """ "確認" submits; anything else explains how to confirm or edit."""
        if value is None:
            return {"challenge_confirm": None}
        if is_confirm(value, t):
            return {"challenge_confirm": "yes"}
        d.utter_message(text=say(lang_of(t), "confirm_hint"))
        return {"challenge_confirm": None}

    async def validate_parsed(
        self, slot: str, value: Any, d: CollectingDispatcher, t: Tracker
    ) -> dict[str, Any]:
        """The fields without a method of their own: :func:`cf.parse_field`."""
        return self._check(slot, value, d, t, lambda v: cf.parse_field(slot, v))

    async def after_validation(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        values: dict[str, Any],
        changed: set[str],
    ) -> list[EventType]:
        """Refuse early when the organisation is at its limit; else save the draft. An edit of a
        submitted challenge is saved only when confirmed, and keeps its organisation."""
        name = values.get("org_name")
        if not name or name == SKIPPED:
            return []
        programme, lang = knowledge.load(), lang_of(tracker)
        limit = programme.challenge_posting.max_per_organisation
        with turn_session() as session:
            if editing(tracker):
                return self._keep_organisation(dispatcher, session, tracker, name, changed)
            existing = counted_for(session, name)
            if len(existing) >= limit and "org_name" in changed:
                text = say(lang, "limit_early", organisation=name, count=len(existing), max=limit)
                dispatcher.utter_message(text="\n".join([text, *limit_lines(existing, lang)]))
                return [SlotSet("org_name", None), ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
            user_id = user_id_for(tracker)
            draft = save_draft_from_slots(
                session, user_id, values, turn_now(tracker), values.get(DRAFT_SLOT)
            )
            return [SlotSet(DRAFT_SLOT, draft.id)] if draft.id != values.get(DRAFT_SLOT) else []

    def _keep_organisation(
        self,
        dispatcher: CollectingDispatcher,
        session: Session,
        tracker: Tracker,
        name: str,
        changed: set[str],
    ) -> list[EventType]:
        """While editing, another organisation's name is refused (the original is put back)."""
        original = original_organisation(session, tracker)
        if "org_name" not in changed or original is None:
            return []
        if normalise_org_name(name) == normalise_org_name(original):
            return [SlotSet("org_name", original)]
        text = say(lang_of(tracker), "ch_edit_org_fixed", organisation=original)
        dispatcher.utter_message(text=text)
        return [SlotSet("org_name", original)]


# rasa_sdk calls ``validate_<slot>``; the slots without a method all share ``validate_parsed``.
for _slot in SLOTS:
    _method = f"validate_{_slot}"
    if not hasattr(ValidatePostChallengeForm, _method):

        async def _plain(
            self: ValidatePostChallengeForm,
            value: Any,
            d: CollectingDispatcher,
            t: Tracker,
            _: DomainDict,
            _slot: str = _slot,
        ) -> dict[str, Any]:
            return await self.validate_parsed(_slot, value, d, t)

        setattr(ValidatePostChallengeForm, _method, _plain)


class ActionStartChallenge(Action):
    """Before the form: handle "修改 …" mid-form, resume a draft, or introduce the form."""

    def name(self) -> str:
        """``action_start_challenge``."""
        return "action_start_challenge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Return slot events only; the rule then runs the form."""
        lang = lang_of(tracker)
        if tracker.active_loop_name == FORM:
            return ValidatePostChallengeForm().edit_events(dispatcher, tracker)
        slots = {s: tracker.get_slot(s) for s in FIELDS}
        events: list[EventType] = []
        if editing(tracker):  # an edit left unconfirmed: dropped, the challenge is unchanged
            title = slots.get("challenge_title") or ""
            dispatcher.utter_message(text=say(lang, "ch_edit_dropped", title=title))
            slots, events = {}, clear_edit()
        if not any(v is not None for v in slots.values()):
            with turn_session() as session:
                loaded = load_draft_slots(session, user_id_for(tracker))
            events += [SlotSet(k, v) for k, v in loaded.items()]
            slots.update(loaded)
        if any(v is not None for v in slots.values()):
            title = slots.get("challenge_title") or slots.get("org_name") or ""
            dispatcher.utter_message(text=say(lang, "draft_resumed", title=title))
            offer_web_form(dispatcher, lang)
            return [*events, SlotSet("challenge_confirm", None)]
        programme = knowledge.load()
        optional = say(lang, "sep").join(
            field_label(programme, f, lang) for f in FIELDS if f in OPTIONAL
        )
        dispatcher.utter_message(
            text=say(lang, "draft_start", count=len(FIELDS), optional=optional)
        )
        offer_web_form(dispatcher, lang)
        return [
            *events,
            *reuse_organisation(dispatcher, tracker),
            SlotSet("challenge_confirm", None),
            SlotSet(ownership.PENDING_SLOT, None),
        ]


def reuse_organisation(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A new challenge from someone who posted before: fill in the organisation and contact of
    their latest challenge and say how to change them; else no events."""
    with turn_session() as session:
        known = latest_organisation_slots(session, user_id_for(tracker))
    if not known:
        return []
    lang = lang_of(tracker)
    shown = {slot: value or "-" for slot, value in known.items()}
    dispatcher.utter_message(text=say(lang, "org_reused", **shown))
    return [SlotSet(slot, value) for slot, value in known.items() if value]


class ActionSubmitChallenge(Action):
    """After the confirmation: submit the draft (or refuse at the limit, keeping the draft)."""

    def name(self) -> str:
        """``action_submit_challenge``."""
        return "action_submit_challenge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Clear the form's slots on success; keep them (confirm reset) on refusal."""
        programme, lang = knowledge.load(), lang_of(tracker)
        slots = dict(tracker.slots)
        try:
            with turn_session() as session:
                if editing(tracker):
                    key, values = save_edit(session, tracker, slots, programme)
                    dispatcher.utter_message(text=say(lang, key, **values))
                    return clear_edit()
                challenge, count = submit_draft(
                    session, user_id_for(tracker), slots, turn_now(tracker), programme
                )
                contact = slots.get("org_contact")
                text = submitted_text(programme, challenge, count, contact, lang)
        except LimitReached as full:
            dispatcher.utter_message(text=limit_text(full, lang))
            return [SlotSet("challenge_confirm", None)]
        except NotAMember as stranger:
            text = ownership.say(lang, "not_member", organisation=stranger.organisation)
            dispatcher.utter_message(text=text)
            return [SlotSet("challenge_confirm", None)]
        dispatcher.utter_message(text=text)
        return [SlotSet(s, None) for s in (*FIELDS, DRAFT_SLOT, "challenge_confirm")]


__all__ = [
    "ActionStartChallenge",
    "ActionSubmitChallenge",
    "ValidatePostChallengeForm",
]
