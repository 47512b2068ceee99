"""The challenge form's slots and how they map to the knowledge fields and the database.

``FIELDS`` is the order the form asks in (the seed's application example: organisation, then
challenge, then dataset). Skipped optional answers are the slot value ``"-"`` and stored as NULL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

import knowledge
from actions._forms import SKIPPED, say
from actions.challenge.fields import format_range, shown_choice, split_range
from actions.contact import phone_display
from db import challenges as repo
from db.models import Challenge
from db.org_names import normalise_org_name

# slot -> (knowledge group, knowledge field id, db target "org.<col>" / "ch.<col>" / "ds.<col>");
# "org.<contact key>" other than the name is the challenge's own contact (db CONTACT_COLUMNS)
FIELD_MAP: dict[str, tuple[str, str, str]] = {
    "org_name": ("organisation_fields", "organisation_name", "org.name"),
    "org_contact": ("organisation_fields", "contact_person", "org.contact_name"),
    "org_phone": ("organisation_fields", "contact_phone", "org.phone"),
    "org_email": ("organisation_fields", "contact_email", "org.email"),
    "challenge_title": ("challenge_fields", "title", "ch.title"),
    "challenge_description": ("challenge_fields", "description", "ch.description"),
    "challenge_category": ("challenge_fields", "category", "ch.category"),
    "challenge_industry": ("challenge_fields", "industry", "ch.industry"),
    "challenge_dataset_type": ("challenge_fields", "dataset_type", "ch.dataset_type"),
    "challenge_data_readiness": ("challenge_fields", "data_readiness", "ch.data_readiness"),
    "challenge_expected_outcome": ("challenge_fields", "expected_outcome", "ch.expected_outcome"),
    "challenge_resources": ("challenge_fields", "resources_offered", "ch.resources"),
    "challenge_incentives": ("challenge_fields", "extra_incentives", "ch.incentives"),
    "challenge_presentation": ("challenge_fields", "presentation", "ch.presentation"),
    "dataset_name": ("dataset_fields", "name", "ds.name"),
    "dataset_field_names": ("dataset_fields", "field_names", "ds.field_names"),
    "dataset_encoding": ("dataset_fields", "encoding", "ds.encoding"),
    "dataset_file_type": ("dataset_fields", "file_type", "ds.file_type"),
    "dataset_volume": ("dataset_fields", "volume", "ds.volume"),
    "dataset_time_range": ("dataset_fields", "time_range", "ds.time_range"),
    "dataset_delivery_method": ("dataset_fields", "delivery_method", "ds.delivery_method"),
}
FIELDS: tuple[str, ...] = tuple(FIELD_MAP)
SLOTS = FIELDS
SUMMARY_SLOT = "challenge_summary"  # the values the confirmation summary last showed
OPTIONAL = frozenset(
    {
        "challenge_resources",
        "challenge_incentives",
        "challenge_presentation",
        "dataset_field_names",
        "dataset_encoding",
    }
)
_SECTIONS = (
    ("organisation_fields", "summary_section_org"),
    ("challenge_fields", "summary_section_challenge"),
    ("dataset_fields", "summary_section_dataset"),
)


def field_label(programme: knowledge.Programme, slot: str, lang: str) -> str:
    """The label of ``slot``'s field in the knowledge data."""
    group, field_id, _ = FIELD_MAP[slot]
    fields = getattr(programme.challenge_posting, group).fields
    found = next(f for f in fields if f.id == field_id)
    return str(found.label("en" if lang == "en" else "zh-TW"))


def field_example(programme: knowledge.Programme, slot: str) -> str | None:
    """The document's example answer for ``slot`` (its application example), if it has one."""
    group, field_id, _ = FIELD_MAP[slot]
    fields = getattr(programme.challenge_posting, group).fields
    found = next(f for f in fields if f.id == field_id)
    example = str(getattr(found, "example", "") or "")
    return example if example and example not in (found.label("zh-TW"), "") else None


def _stored(value: Any) -> Any:
    return None if value in (None, SKIPPED, "") else value


def counted_for(session: Session, name: str) -> list[Challenge]:
    """The challenges counting towards the limit of the organisation ``name`` (any spelling)."""
    return repo.counted_of(session=session, name_key=normalise_org_name(name))


def save_draft_from_slots(
    session: Session, user_id: int, slots: dict[str, Any], now: datetime, draft_id: Any
) -> Challenge:
    """Save every filled slot into the user's draft (creating it and the organisation)."""
    org = repo.get_or_create_organisation(session=session, name=slots["org_name"], user_id=user_id)
    contact: dict[str, Any] = {}
    challenge: dict[str, Any] = {}
    dataset: dict[str, Any] = {}
    for slot, (_, _, target) in FIELD_MAP.items():
        table, column = target.split(".")
        value = _stored(slots.get(slot))
        if table == "org" and column != "name":
            if value is not None:
                contact[column] = value
        elif table == "ch":
            challenge[column] = value
        elif table == "ds" and column == "time_range":
            start, end = split_range(value) if value else (None, None)
            dataset |= {"time_range_start": start, "time_range_end": end}
        elif table == "ds":
            dataset[column] = value
    return repo.save_draft(
        session=session,
        user_id=user_id,
        organisation=org,
        contact=contact,
        challenge=challenge,
        dataset=dataset,
        now=now,
        draft_id=int(draft_id) if draft_id else None,
    )


def latest_organisation_slots(session: Session, user_id: int) -> dict[str, Any]:
    """``org_*`` slots from the organisation of the user's latest non-draft challenge ({} when
    none): a second challenge reuses the organisation and contact details."""
    posted = [
        c
        for c in repo.challenges_of_user(session=session, user_id=user_id)
        if c.status != "draft" and c.created_by_user_id == user_id  # their own contact only
    ]
    if not posted:
        return {}
    latest = posted[0]
    contact = repo.contact_of(latest)
    return {"org_name": latest.organisation.name, "org_contact": contact["contact_name"],
            "org_phone": contact["phone"], "org_email": contact["email"]}  # fmt: skip


def load_draft_slots(session: Session, user_id: int) -> dict[str, Any]:
    """The slots of the user's latest draft (empty dict when there is none)."""
    draft = repo.latest_draft(session=session, user_id=user_id)
    return challenge_slots(draft) if draft is not None else {}


def challenge_slots(draft: Challenge) -> dict[str, Any]:
    """The form's slots holding ``draft``'s values (any state: a draft, or a challenge to edit)."""
    org, ds, contact = draft.organisation, draft.dataset, repo.contact_of(draft)
    slots: dict[str, Any] = {"challenge_draft_id": draft.id}
    for slot, (_, _, target) in FIELD_MAP.items():
        table, column = target.split(".")
        if table == "org":
            slots[slot] = org.name if column == "name" else contact[column]
        elif table == "ch":
            slots[slot] = getattr(draft, column)
        elif column == "time_range":
            start = ds.time_range_start if ds else None
            end = ds.time_range_end if ds else None
            slots[slot] = format_range(start, end) if start and end else None
        else:
            slots[slot] = getattr(ds, column) if ds else None
    return slots


def submit_draft(
    session: Session,
    user_id: int,
    slots: dict[str, Any],
    now: datetime,
    programme: knowledge.Programme,
) -> tuple[Challenge, int]:
    """Save and submit the draft; return it and the organisation's submitted count.

    Raises :class:`db.challenges.LimitReached` (the draft stays saved)."""
    draft = save_draft_from_slots(session, user_id, slots, now, slots.get("challenge_draft_id"))
    limit = programme.challenge_posting.max_per_organisation
    repo.submit(session=session, challenge=draft, limit=limit, now=now)
    return draft, len(repo.submitted_of(session=session, organisation_id=draft.organisation_id))


def submitted_text(
    programme: knowledge.Programme, challenge: Challenge, count: int, contact: Any, lang: str
) -> str:
    """What the user is told after a submission (the reference and the organisation's count)."""
    return say(
        lang,
        "submitted",
        title=challenge.title,
        reference=challenge.reference,
        organisation=challenge.organisation.name,
        count=count,
        max=programme.challenge_posting.max_per_organisation,
        contact=contact or "",
    )


def limit_text(full: repo.LimitReached, lang: str) -> str:
    """What the user is told when the organisation's limit refused a submission."""
    head = say(
        lang,
        "limit_reached",
        organisation=full.organisation,
        count=len(full.existing),
        max=full.limit,
    )
    return "\n".join([head, *limit_lines(full.existing, lang)])


def limit_lines(existing: Sequence[Challenge], lang: str) -> list[str]:
    """One line per existing challenge (reference, title, state); a draft says how far it is
    (「・（未命名草稿，第 5/21 項）」)."""
    return [_line(c, lang) for c in existing]


def _line(challenge: Challenge, lang: str) -> str:
    if challenge.status == "draft" and not challenge.reference:
        key = "draft_line" if challenge.title else "draft_line_untitled"
        return say(lang, key, title=challenge.title, n=draft_item(challenge), total=len(FIELDS))
    return say(
        lang,
        "challenge_line",
        reference=challenge.reference or "-",
        title=challenge.title or "-",
        status=say(lang, f"status_{challenge.status}"),
    )


def draft_item(draft: Challenge) -> int:
    """The item (1-based) the draft's form is at: its first empty required field."""
    slots = challenge_slots(draft)
    missing = (i for i, s in enumerate(FIELDS, 1) if s not in OPTIONAL and slots.get(s) is None)
    return next(missing, len(FIELDS))


def display_value(programme: knowledge.Programme, slot: str, value: Any, lang: str) -> str:
    """A stored field value as the user reads it (choices in their language, the phone number
    as dialled, a time range as ``start – end``); it reads back through the field's check."""
    if slot == "org_phone":
        return phone_display(str(value), lang)
    if slot == "dataset_time_range":
        start, end = split_range(str(value))
        return f"{start.isoformat()} – {end.isoformat()}"
    return shown_choice(programme, slot, str(value), lang)


def summary_text(programme: knowledge.Programme, slots: dict[str, Any], lang: str) -> str:
    """The confirmation summary: every field under its seed section heading."""
    lines = [say(lang, "summary_head")]
    for group, heading in _SECTIONS:
        lines.append(say(lang, heading))
        for slot in FIELDS:
            if FIELD_MAP[slot][0] != group:
                continue
            lines.append(field_line(programme, slot, slots.get(slot), lang))
    lines.append(say(lang, "summary_tail"))
    return "\n".join(lines)


def shown_value(programme: knowledge.Programme, slot: str, value: Any, lang: str) -> str:
    """:func:`display_value`, and 「（略過）」 for a skipped or empty field."""
    if value in (None, SKIPPED):
        return say(lang, "skipped")
    return display_value(programme, slot, value, lang)


def field_line(programme: knowledge.Programme, slot: str, value: Any, lang: str) -> str:
    """One line of the summary: 「・聯繫窗口：李經理」."""
    label, shown = field_label(programme, slot, lang), shown_value(programme, slot, value, lang)
    return say(lang, "summary_line", label=label, value=shown)
