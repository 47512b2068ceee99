"""The post_challenge form: an organisation drafts a challenge turn by turn and submits it.

Flow (``bot/domain.yml`` ``post_challenge_form``; rules in ``bot/rules.yml``)::

    post_challenge ─▶ action_start_challenge (resume a draft / intro; refused at the limit)
                   ─▶ post_challenge_form (FollowupAction)
      org_* ▶ challenge_* ▶ dataset_* ▶ challenge_confirm (summary) ─▶ action_submit_challenge

- Every answer is validated by :class:`ValidatePostChallengeForm` (``validate_<slot>``; ``None``
  re-asks with a specific reason) and the draft row is saved on every turn, so it survives a
  restart and can be resumed days later (also after "取消").
- "修改 email" / "change the title" empties that field and asks it next (:class:`EditableForm`).
- Optional fields accept "跳過" / "skip" (stored as empty).
- Submission enforces the programme's per-organisation limit (drafts don't count); the start
  already refuses when the sender's organisation (its draft's, or its latest challenge's) is full.
- The start offers 「用網頁填寫」 (:func:`offer_web_form`): the web form edits the same slots and
  draft (:mod:`actions.challenge.draft`).
- An organisation someone else owns is refused at its name, with the ways to join it
  (:mod:`actions.challenge.ownership`).
- The same form edits a submitted or returned challenge (:mod:`actions.challenge.lifecycle`):
  slot ``challenge_editing``; nothing is saved before 確認送出 then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

import knowledge
from actions._asked import reads_as_question
from actions._editable import EditableForm
from actions._forms import (
    REQUESTED_SLOT,
    SKIPPED,
    busy_elsewhere,
    is_confirm,
    is_skip,
    lang_of,
    latest_intent,
    latest_text,
    match_choice,
    say,
    says_none,
    user_id_for,
    utter_web_page,
)
from actions._words import data
from actions.challenge import fields as cf
from actions.challenge import ownership
from actions.challenge.ask import wants_summary
from actions.challenge.lifecycle import clear_edit, editing, original_organisation, save_edit
from actions.challenge.store import (
    FIELDS,
    OPTIONAL,
    SLOTS,
    SUMMARY_SLOT,
    counted_for,
    display_value,
    field_example,
    field_label,
    latest_organisation_slots,
    limit_lines,
    limit_text,
    load_draft_slots,
    save_draft_from_slots,
    shown_value,
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

    def shows_changes(self, asked: Any) -> bool:
        """The confirmation lists the fields changed since the summary (``ask.py``)."""
        return bool(asked == "challenge_confirm")

    def shown(self, slot: str, value: Any, lang: str) -> str:
        """A stored value as the summary shows it (phones as people write them…)."""
        return shown_value(knowledge.load(), slot, value, lang)

    async def edit_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Edit commands, except the request that just opened an edit ("修改題目 AIGO-…": the
        challenge, not its title field; ``action_edit_challenge`` already chose the field)."""
        if tracker.latest_action_name == OPENED_BY:
            return []
        return await super().edit_events(dispatcher, tracker, domain)

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
        if is_skip(value, tracker) or says_none(value):  # "跳過", "不知道", "沒有簡報"
            if slot in OPTIONAL:
                return {slot: SKIPPED}
            label = self.field_label(slot, lang)
            lines = [say(lang, "required", field=label), self.field_help(slot, lang) or ""]
            dispatcher.utter_message(text="".join(lines))
            return {slot: None}
        try:
            return {slot: parse(value)}
        except cf.Invalid as bad:
            label, choices = self.field_label(slot, lang), cf.choice_labels(slot, lang)
            values = {"field": label, "choices": choices} | bad.values
            dispatcher.utter_message(text=say(lang, bad.key, **values))
            return {slot: None}

    def field_help(self, slot: str, lang: str) -> str | None:
        """Choices, length or format of ``slot`` (the validators' own rules), or that it is
        optional."""
        values = {"field": self.field_label(slot, lang) if slot in FIELDS else slot}
        if slot == "challenge_category":
            return say(lang, "field_help_choices", choices=cf.choice_labels(slot, lang), **values)
        if slot in ("challenge_industry", "dataset_delivery_method"):
            choices = cf.choice_labels(slot, lang)
            return say(lang, "field_help_open_choices", choices=choices, **values)
        if slot == "challenge_description":
            lengths = {"min": cf.MIN_DESCRIPTION, "max": cf.MAX_ANSWER}
            return say(lang, "field_help_length", **lengths, **values)
        formats = {"org_phone": "phone", "org_email": "email", "dataset_volume": "volume",
                   "dataset_time_range": "time_range"}  # fmt: skip
        if slot in formats:
            return say(lang, f"field_help_{formats[slot]}", **values)
        if slot in OPTIONAL:
            return say(lang, "field_help_optional", **values)
        example = field_example(knowledge.load(), slot) if slot in FIELDS else None
        return say(lang, "field_help_example", example=example, **values) if example else None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A code or an e-mail request for the organisation being joined comes first; at the
        confirmation, a question about when the challenge is listed is answered (then the short
        confirmation prompt)."""
        joined = ownership.join_step(dispatcher, tracker)
        if joined is not None:
            return joined
        text, asked = latest_text(tracker), tracker.get_slot(REQUESTED_SLOT)
        listing = match_choice(text, {"listing": data()["listing_words"]})
        if asked == "challenge_confirm" and reads_as_question(text) and listing:
            dispatcher.utter_message(text=listing_answer(lang_of(tracker), turn_now(tracker)))
            return [SlotSet(asked, None), SlotSet(REQUESTED_SLOT, asked)]  # "送出後多久會上架？"
        return await super().run(dispatcher, tracker, domain)

    async def validate_org_name(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """Any name; one owned by someone the sender has not joined is refused with the ways
        to join it (:func:`ownership.refuse_stranger`)."""
        result = self._check("org_name", value, d, t, lambda v: cf.parse_field("org_name", v))
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
        said_none = is_skip(value, t) or says_none(value)  # answered by _check: required
        if result["challenge_category"] is None and value is not None and not said_none:
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
        lang, text = lang_of(t), latest_text(t)
        if wants_summary(text):  # 「看摘要」: the summary again (action_ask_challenge_confirm)
            return {"challenge_confirm": None, REQUESTED_SLOT: "challenge_confirm"}
        if reads_as_question(text):
            if not str(latest_intent(t) or "").startswith("ask_"):
                d.utter_message(text=say(lang, "question_not_placed"))
            return {"challenge_confirm": None}  # else answered by its rule; asked again briefly
        d.utter_message(text=say(lang, "confirm_hint"))
        return {"challenge_confirm": None}

    async def validate_parsed(
        self, slot: str, value: Any, d: CollectingDispatcher, t: Tracker
    ) -> dict[str, Any]:
        """The fields without a method of their own: :func:`cf.parse_field`."""
        today = turn_now(t).date()
        return self._check(slot, value, d, t, lambda v: cf.parse_field(slot, v, today))

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


def listing_answer(lang: str, now: datetime) -> str:
    """ "送出後多久會上架？": what the document says about listing (after coaching and review), this
    round's listing date, and that it doesn't say how long after submission (with the contact)."""
    programme = knowledge.load()
    language: Any = "en" if lang == "en" else "zh-TW"
    milestone = programme.milestone("challenge_listing")
    about = milestone.about.get(language) if milestone.about else ""
    round_id = knowledge.current_round(programme, now, "challenge_listing")
    date = knowledge.render_date(programme, "challenge_listing", round_id, language)
    c = programme.contacts
    contact = f"{c.email}, {c.phone} #{c.phone_extension}"
    return say(lang, "listing_answer", about=about, round=round_id, date=date, contact=contact)


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
    """Before the form: handle "修改 …" mid-form (or say the form is under way), resume a draft or
    introduce the form; refuse at once when the sender's organisation is at its limit."""

    def name(self) -> str:
        """``action_start_challenge``."""
        return "action_start_challenge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Slot events and ``FollowupAction`` of the form (unless the limit refused); mid-form,
        the edit's events (the form asks again after this interruption)."""
        lang = lang_of(tracker)
        if busy_elsewhere(dispatcher, tracker, [FORM]):
            return []
        if tracker.active_loop_name == FORM:
            edit = await ValidatePostChallengeForm().edit_events(dispatcher, tracker, domain)
            if not edit:  # "我要出題" while drafting: say so; the form then asks where it is
                dispatcher.utter_message(text=say(lang, "draft_in_progress"))
            return edit
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
            if refused_at_limit(dispatcher, tracker, slots.get("org_name")):
                return events
            title = slots.get("challenge_title") or slots.get("org_name") or ""
            dispatcher.utter_message(text=say(lang, "draft_resumed", title=title))
            offer_web_form(dispatcher, lang)
            return [*events, *_fresh_confirm(), FollowupAction(FORM)]
        with turn_session() as session:
            known = latest_organisation_slots(session, user_id_for(tracker))
        if refused_at_limit(dispatcher, tracker, known.get("org_name")):
            return events
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
            *reuse_organisation(dispatcher, tracker, known),
            *_fresh_confirm(),
            SlotSet(ownership.PENDING_SLOT, None),
            FollowupAction(FORM),
        ]


def _fresh_confirm() -> list[EventType]:
    """The confirmation not asked yet (the first one shows the whole summary)."""
    return [SlotSet("challenge_confirm", None), SlotSet(SUMMARY_SLOT, None)]


def refused_at_limit(dispatcher: CollectingDispatcher, tracker: Tracker, name: Any) -> bool:
    """When the organisation ``name`` (the draft's, or the sender's latest) already has the
    programme's maximum of challenges counted (:func:`counted_for`, the submission's count): say
    so with the rule and the challenges, and return True (the form is not opened)."""
    if not name or name == SKIPPED:
        return False
    limit = knowledge.load().challenge_posting.max_per_organisation
    with turn_session() as session:
        existing = counted_for(session, str(name))
        if len(existing) < limit:
            return False
        lang = lang_of(tracker)
        text = say(lang, "limit_at_start", organisation=name, count=len(existing), max=limit)
        dispatcher.utter_message(text="\n".join([text, *limit_lines(existing, lang)]))
    return True


def reuse_organisation(
    dispatcher: CollectingDispatcher, tracker: Tracker, known: dict[str, Any]
) -> list[EventType]:
    """A new challenge from someone who posted before: fill in the organisation and contact of
    their latest challenge (``known``: :func:`latest_organisation_slots`) and say how to change
    them (the phone as people write it); else no events."""
    if not known:
        return []
    lang, programme = lang_of(tracker), knowledge.load()
    shown = {
        slot: display_value(programme, slot, value, lang) if value else "-"
        for slot, value in known.items()
    }
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
        return [SlotSet(s, None) for s in (*FIELDS, DRAFT_SLOT, "challenge_confirm", SUMMARY_SLOT)]


__all__ = [
    "ActionStartChallenge",
    "ActionSubmitChallenge",
    "ValidatePostChallengeForm",
]
