"""The challenge draft edited outside the chat (the web form), with the chat's own parts.

One draft, two editors: the web form reads and writes the same dialogue slots the chat form
uses (``FIELDS`` and ``challenge_draft_id``), checks every answer with the chat's check
(:func:`actions.challenge.fields.parse_field`), saves the same draft row
(:func:`actions.challenge.store.save_draft_from_slots`) and submits through the same function
(:func:`actions.challenge.store.submit_draft`: the per-organisation limit, the state
``submitted``). These functions take the sender's current slots and return what to change; the
caller applies the changes to the dialogue state under the engine's per-sender lock
(``Engine.update_state``), so a page and a chat turn never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

import knowledge
from actions._forms import SKIPPED, say
from actions.challenge import fields as cf
from actions.challenge.form import DRAFT_SLOT
from actions.challenge.ownership import owned_problem
from actions.challenge.store import (
    FIELDS,
    OPTIONAL,
    counted_for,
    field_label,
    latest_organisation_slots,
    limit_lines,
    load_draft_slots,
    save_draft_from_slots,
    submit_draft,
)
from db.models import Challenge

REQUIRED = tuple(f for f in FIELDS if f not in OPTIONAL)


@dataclass
class Edit:
    """The outcome of :func:`edit`: slot changes to apply, problems per field (texts in the
    page's language), and the form's values after the changes."""

    changes: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


def values_of(session: Session, user_id: int, slots: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values: the conversation's slots when they hold any field, else the user's
    latest draft (as the chat resumes it), else the organisation of their latest challenge."""
    current = {slot: slots.get(slot) for slot in (*FIELDS, DRAFT_SLOT)}
    if any(current[slot] is not None for slot in FIELDS):
        return current
    loaded = load_draft_slots(session, user_id) or {
        slot: value for slot, value in latest_organisation_slots(session, user_id).items() if value
    }
    return current | loaded


def problem_text(slot: str, bad: cf.Invalid, lang: str) -> str:
    """The chat's re-ask text for an answer :func:`cf.parse_field` refused."""
    label = field_label(knowledge.load(), slot, lang)
    if bad.key == "invalid_choice" and not bad.values.get("value"):
        return say(lang, "required", field=label)
    values = {"field": label, "choices": cf.choice_labels(slot, lang)} | bad.values
    return say(lang, bad.key, **values)


def check(slot: str, answer: Any) -> Any:
    """The value to store for ``answer`` (None for an empty answer); :class:`cf.Invalid` when
    the chat would refuse it. ``KeyError`` for a slot that is not a form field."""
    if slot not in FIELDS:
        raise KeyError(slot)
    text = str(answer or "").strip()
    return cf.parse_field(slot, text) if text else None


def limit_problem(session: Session, name: str, lang: str) -> str | None:
    """The chat's early limit notice when the organisation ``name`` has no challenge left."""
    existing = counted_for(session, name)
    limit = knowledge.load().challenge_posting.max_per_organisation
    if len(existing) < limit:
        return None
    head = say(lang, "limit_early", organisation=name, count=len(existing), max=limit)
    return "\n".join([head, *limit_lines(existing, lang)])


def edit(
    session: Session,
    user_id: int,
    slots: Mapping[str, Any],
    answers: Mapping[str, Any],
    now: datetime,
    lang: str,
) -> Edit:
    """Check ``answers`` (field -> text) as the chat does and save the valid ones into the draft.

    A refused answer leaves its field as it was and has a problem text. The draft row is saved
    once the organisation is named (as in the chat); ``changes`` also carries the values the
    conversation did not hold yet (a draft loaded from the database) and the draft id.
    """
    values = values_of(session, user_id, slots)
    result = Edit(values=values)
    for slot, answer in answers.items():
        try:
            values[slot] = check(slot, answer)
        except cf.Invalid as bad:
            result.problems[slot] = problem_text(slot, bad, lang)
    name = values.get("org_name")
    if "org_name" in answers and name and name != slots.get("org_name"):
        refused = owned_problem(session, str(name), user_id, lang) or limit_problem(
            session, str(name), lang
        )
        if refused:
            result.problems["org_name"] = refused
            values["org_name"] = name = slots.get("org_name")
    if name:
        draft = save_draft_from_slots(session, user_id, values, now, values.get(DRAFT_SLOT))
        values[DRAFT_SLOT] = draft.id
    result.changes = {s: v for s, v in values.items() if slots.get(s) != v}
    return result


def missing(values: Mapping[str, Any]) -> list[str]:
    """The required fields without a value, in the form's order."""
    return [slot for slot in REQUIRED if values.get(slot) in (None, "", SKIPPED)]


def submit(
    session: Session,
    user_id: int,
    values: Mapping[str, Any],
    now: datetime,
    programme: knowledge.Programme,
) -> tuple[Challenge, int]:
    """Submit the draft with ``values`` (empty optional fields count as skipped) through the
    chat's :func:`submit_draft`; raises :class:`db.challenges.LimitReached` like it."""
    filled = {**values, **{s: SKIPPED for s in OPTIONAL if values.get(s) in (None, "")}}
    return submit_draft(session, user_id, filled, now, programme)
