"""Organisations and their challenges: drafts saved every turn, submission with a reference.

Contracts:
- Functions take a keyword-only ``session``, may flush, never commit (the caller owns the turn).
- A challenge is a ``draft`` until :func:`submit`; drafts never count towards the per-organisation
  limit. :func:`submit` locks the organisation row (``FOR UPDATE`` on PostgreSQL; SQLite has one
  writer) before counting, so two racing submissions cannot both pass the limit.
- References look like ``AIGO-108-0001``: ROC year of the submission, then a per-year sequence.
- ``CHALLENGE_FIELDS`` / ``DATASET_FIELDS`` name the columns a draft carries (the export order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db.models import Challenge, Dataset, Organisation

CHALLENGE_FIELDS = (
    "title",
    "description",
    "category",
    "industry",
    "dataset_type",
    "data_readiness",
    "expected_outcome",
    "resources",
    "incentives",
    "presentation",
)
DATASET_FIELDS = (
    "name",
    "field_names",
    "encoding",
    "file_type",
    "volume",
    "time_range_start",
    "time_range_end",
    "delivery_method",
)
ORGANISATION_FIELDS = ("contact_name", "phone", "email")
REFERENCE_PREFIX = "AIGO"


class LimitReached(Exception):
    """The organisation already has ``limit`` submitted challenges (listed in ``existing``)."""

    def __init__(self, organisation: str, limit: int, existing: Sequence[Challenge]) -> None:
        super().__init__(f"{organisation!r} already has {len(existing)} of {limit} challenges")
        self.organisation = organisation
        self.limit = limit
        self.existing = list(existing)


@dataclass(frozen=True)
class ChallengeRow:
    """One challenge flattened for listing and export (dates as ISO strings)."""

    reference: str | None
    status: str
    organisation: str
    contact_name: str | None
    phone: str | None
    email: str | None
    fields: dict[str, str | None]

    def as_dict(self) -> dict[str, str | None]:
        """Flat mapping in export column order."""
        head = {
            "reference": self.reference,
            "status": self.status,
            "organisation": self.organisation,
            "contact_name": self.contact_name,
            "phone": self.phone,
            "email": self.email,
        }
        return head | self.fields


def get_or_create_organisation(*, session: Session, name: str, user_id: int | None) -> Organisation:
    """Return the organisation called ``name`` (exact match), creating it when new."""
    found = session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            org = Organisation(name=name, created_by_user_id=user_id)
            session.add(org)
    except IntegrityError:  # created concurrently by someone else
        return session.scalars(sa.select(Organisation).where(Organisation.name == name)).one()
    return org


def submitted_of(*, session: Session, organisation_id: int) -> list[Challenge]:
    """Submitted challenges of an organisation, oldest first."""
    query = (
        sa.select(Challenge)
        .where(Challenge.organisation_id == organisation_id, Challenge.status == "submitted")
        .order_by(Challenge.submitted_at, Challenge.id)
    )
    return list(session.scalars(query))


def latest_draft(*, session: Session, user_id: int) -> Challenge | None:
    """The user's most recently updated draft, if any."""
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.dataset), selectinload(Challenge.organisation))
        .where(Challenge.created_by_user_id == user_id, Challenge.status == "draft")
        .order_by(Challenge.updated_at.desc(), Challenge.id.desc())
    )
    return session.scalars(query).first()


def get_challenge(*, session: Session, challenge_id: int) -> Challenge | None:
    """The challenge with ``challenge_id`` (with its dataset and organisation loaded)."""
    return session.get(
        Challenge,
        challenge_id,
        options=[selectinload(Challenge.dataset), selectinload(Challenge.organisation)],
    )


def save_draft(
    *,
    session: Session,
    user_id: int,
    organisation: Organisation,
    contact: Mapping[str, str | None],
    challenge: Mapping[str, Any],
    dataset: Mapping[str, Any],
    now: datetime,
    draft_id: int | None = None,
) -> Challenge:
    """Create or update the user's draft ``draft_id`` with the given values; return it.

    Unknown keys raise ``KeyError``. A ``draft_id`` that is missing, not the user's or already
    submitted starts a new draft. ``contact`` updates the organisation's contact columns.
    """
    for key, value in contact.items():
        if key not in ORGANISATION_FIELDS:
            raise KeyError(key)
        setattr(organisation, key, value)
    draft = get_challenge(session=session, challenge_id=draft_id) if draft_id else None
    if draft is None or draft.created_by_user_id != user_id or draft.status != "draft":
        draft = Challenge(created_by_user_id=user_id, status="draft", created_at=now)
        session.add(draft)
    draft.organisation = organisation
    draft.updated_at = now
    _assign(draft, challenge, CHALLENGE_FIELDS)
    if draft.dataset is None:
        draft.dataset = Dataset()
    _assign(draft.dataset, dataset, DATASET_FIELDS)
    session.flush()
    return draft


def _assign(target: object, values: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key, value in values.items():
        if key not in allowed:
            raise KeyError(key)
        setattr(target, key, value)


def _lock_organisation(session: Session, organisation_id: int) -> None:
    query = sa.select(Organisation.id).where(Organisation.id == organisation_id)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        query = query.with_for_update()
    session.execute(query)


def next_reference(*, session: Session, now: datetime) -> str:
    """The next free reference for ``now``'s ROC year (``AIGO-108-0001`` …)."""
    prefix = f"{REFERENCE_PREFIX}-{now.year - 1911:03d}-"
    query = sa.select(sa.func.max(Challenge.reference)).where(
        Challenge.reference.like(prefix + "%")
    )
    last = session.scalar(query)
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def submit(*, session: Session, challenge: Challenge, limit: int, now: datetime) -> Challenge:
    """Mark ``challenge`` submitted with a fresh reference; raise :class:`LimitReached` first if
    its organisation already has ``limit`` submitted challenges. Submitting twice is a no-op."""
    if challenge.status == "submitted":
        return challenge
    _lock_organisation(session, challenge.organisation_id)
    existing = submitted_of(session=session, organisation_id=challenge.organisation_id)
    if len(existing) >= limit:
        raise LimitReached(challenge.organisation.name, limit, existing)
    for _ in range(5):
        try:
            with session.begin_nested():
                challenge.reference = next_reference(session=session, now=now)
                challenge.status = "submitted"
                challenge.submitted_at = now
                challenge.updated_at = now
                session.flush()
            return challenge
        except IntegrityError:  # a reference taken concurrently: take the next one
            continue
    raise RuntimeError("could not allocate a challenge reference")


def find_by_reference(*, session: Session, reference: str) -> Challenge | None:
    """The challenge with ``reference`` (case-insensitive), or None."""
    query = sa.select(Challenge).where(Challenge.reference == reference.strip().upper())
    return session.scalar(query)


def challenges_of_user(*, session: Session, user_id: int) -> list[Challenge]:
    """Challenges the user created, or of organisations the user created; newest first."""
    orgs = sa.select(Organisation.id).where(Organisation.created_by_user_id == user_id)
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.organisation))
        .where(sa.or_(Challenge.created_by_user_id == user_id, Challenge.organisation_id.in_(orgs)))
        .order_by(Challenge.id.desc())
    )
    return list(session.scalars(query))


def open_challenges(*, session: Session) -> list[Challenge]:
    """All submitted challenges, by reference."""
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.organisation))
        .where(Challenge.status == "submitted")
        .order_by(Challenge.reference)
    )
    return list(session.scalars(query))


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def rows(
    *, session: Session, status: str | None = None, organisation: str | None = None
) -> list[ChallengeRow]:
    """Every challenge (optionally one status and/or one organisation by name), flattened."""
    query = (
        sa.select(Challenge)
        .join(Challenge.organisation)
        .options(selectinload(Challenge.dataset), selectinload(Challenge.organisation))
        .order_by(Organisation.name, Challenge.id)
    )
    if status is not None:
        query = query.where(Challenge.status == status)
    if organisation is not None:
        query = query.where(Organisation.name == organisation)
    result = []
    for ch in session.scalars(query):
        fields = {f: _iso(getattr(ch, f)) for f in CHALLENGE_FIELDS}
        dataset = ch.dataset
        fields |= {f"dataset_{f}": _iso(getattr(dataset, f, None)) for f in DATASET_FIELDS}
        org = ch.organisation
        result.append(
            ChallengeRow(
                ch.reference, ch.status, org.name, org.contact_name, org.phone, org.email, fields
            )
        )
    return result
