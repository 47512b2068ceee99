"""Organisations and their challenges: drafts saved every turn, submission with a reference.

Contracts:
- Functions take a keyword-only ``session``, may flush, never commit (the caller owns the turn).
- Organisations are one row per :func:`db.org_names.normalise_org_name` key: a new spelling of a
  known organisation (``宏達智能 股份有限公司`` / ``宏達智能股份有限公司``) finds the existing row.
- Lifecycle (:mod:`db.challenge_states`): :func:`submit`, then :func:`transition` (``list``,
  ``return``, ``close``, ``withdraw``; :func:`withdraw` also removes the applications to it).
  Submitted and listed challenges count towards the limit: each holds a slot 1..limit of its
  organisation key, unique in the database (``uq_challenges_org_slot``), so racing submissions
  from any senders cannot pass the limit (the loser of a race retries, sees the slot taken and
  gets :class:`LimitReached`).
- References look like ``AIGO-108-0001``: ROC year of the submission, then a per-year sequence.
- ``CHALLENGE_FIELDS`` / ``DATASET_FIELDS`` name the columns a draft carries (the export order).
- Contact details live on each challenge (``CONTACT_COLUMNS``): saving a draft never changes
  another challenge's contact nor the organisation's. The organisation's own contact columns are
  its *registered* contact: the owner's, copied from the owner's submissions only.
- Ownership (:mod:`db.org_access`): :func:`submit` first claims the organisation for the
  submitter (the first to submit owns it) and raises :class:`db.org_access.NotAMember` for
  anyone else who has not joined it, before any slot of its limit is looked at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db import challenge_states as states
from db import org_access
from db.challenge_states import Action
from db.models import Application, Challenge, Dataset, Membership, Organisation, Team

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
# the ``contact`` keys of save_draft -> the challenge's columns
CONTACT_COLUMNS = {
    "contact_name": "contact_name",
    "phone": "contact_phone",
    "email": "contact_email",
}
REFERENCE_PREFIX = "AIGO"


class LimitReached(Exception):
    """The organisation already has ``limit`` submitted challenges (listed in ``existing``)."""

    def __init__(self, organisation: str, limit: int, existing: Sequence[Challenge]) -> None:
        super().__init__(f"{organisation!r} already has {len(existing)} of {limit} challenges")
        self.organisation = organisation
        self.limit = limit
        self.existing = list(existing)


def find_organisation(*, session: Session, name: str) -> Organisation | None:
    """The organisation ``name`` names after normalisation (the oldest such row), or None."""
    return org_access.find(session=session, name=name)


def get_or_create_organisation(*, session: Session, name: str, user_id: int | None) -> Organisation:
    """Return the organisation ``name`` names (any spelling, see :func:`find_organisation`),
    creating it when new."""
    found = find_organisation(session=session, name=name)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            org = Organisation(name=name, created_by_user_id=user_id)
            session.add(org)
    except IntegrityError:  # created concurrently by someone else
        return session.scalars(sa.select(Organisation).where(Organisation.name == name)).one()
    return org


def counted_of(*, session: Session, name_key: str) -> list[Challenge]:
    """The submitted and listed challenges of organisation key ``name_key``, oldest first."""
    query = (
        sa.select(Challenge)
        .where(Challenge.org_key == name_key, Challenge.status.in_(states.COUNTED))
        .order_by(Challenge.submitted_at, Challenge.id)
    )
    return list(session.scalars(query))


def submitted_of(*, session: Session, organisation_id: int) -> list[Challenge]:
    """The challenges counting towards the limit of the organisation ``organisation_id``."""
    org = session.get(Organisation, organisation_id)
    return counted_of(session=session, name_key=org.name_key) if org else []


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

    Unknown keys raise ``KeyError``. A ``draft_id`` that is missing, not the user's or in a state
    that may not be edited (listed, closed, withdrawn) starts a new draft; a submitted or returned
    challenge is edited in place and keeps its state (``edit`` in :mod:`db.challenge_states`), and
    a submitted one keeps its organisation (``ValueError`` otherwise: it holds that one's slot).
    ``contact`` (keys of :data:`ORGANISATION_FIELDS`) sets the draft's own contact columns; the
    organisation is not changed.
    """
    for key in contact:
        if key not in ORGANISATION_FIELDS:
            raise KeyError(key)
    draft = get_challenge(session=session, challenge_id=draft_id) if draft_id else None
    if (
        draft is None
        or draft.created_by_user_id != user_id
        or not states.allowed(draft.status, "edit")
    ):
        draft = Challenge(created_by_user_id=user_id, status="draft", created_at=now)
        session.add(draft)
    if draft.org_slot is not None and draft.org_key != organisation.name_key:
        raise ValueError(f"{draft.reference} is submitted for {draft.organisation.name!r}")
    draft.organisation = organisation
    draft.updated_at = now
    columns = {CONTACT_COLUMNS[k]: v for k, v in contact.items()}
    _assign(draft, columns, tuple(CONTACT_COLUMNS.values()))
    _assign(draft, challenge, CHALLENGE_FIELDS)
    if draft.dataset is None:
        draft.dataset = Dataset()
    _assign(draft.dataset, dataset, DATASET_FIELDS)
    session.flush()
    return draft


def contact_of(challenge: Challenge) -> dict[str, str | None]:
    """The challenge's contact under the :data:`ORGANISATION_FIELDS` keys."""
    return {key: getattr(challenge, column) for key, column in CONTACT_COLUMNS.items()}


def _assign(target: object, values: Mapping[str, Any], allowed: Iterable[str]) -> None:
    for key, value in values.items():
        if key not in allowed:
            raise KeyError(key)
        setattr(target, key, value)


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
    """Submit a draft or returned ``challenge``: take its organisation's lowest free slot and (the
    first time) a fresh reference. Raises :class:`LimitReached` when all ``limit`` slots are taken,
    :class:`InvalidTransition` from other states, :class:`db.org_access.NotAMember` when the
    organisation belongs to someone the submitter has not joined. Submitting twice is a no-op.
    The owner's submission updates the organisation's registered contact."""
    if challenge.status == "submitted":
        return challenge
    states.target(challenge.status, "submit", challenge.reference)
    org = challenge.organisation
    role = org_access.claim(
        session=session, organisation=org, user_id=challenge.created_by_user_id, now=now
    )
    if role == "owner" and challenge.contact_email:
        owned = org_access.canonical(session=session, organisation=org)
        for key, value in contact_of(challenge).items():
            setattr(owned, key, value)
    key = org.name_key
    for _ in range(2 * limit + 5):
        existing = counted_of(session=session, name_key=key)
        free = sorted(set(range(1, limit + 1)) - {c.org_slot for c in existing})
        if not free:
            raise LimitReached(challenge.organisation.name, limit, existing)
        try:
            with session.begin_nested():
                challenge.reference = challenge.reference or next_reference(
                    session=session, now=now
                )
                challenge.org_key, challenge.org_slot = key, free[0]
                challenge.status = "submitted"
                challenge.submitted_at = challenge.updated_at = now
                session.flush()
            return challenge
        except IntegrityError:  # a slot or reference taken concurrently: look again
            continue
    raise RuntimeError("could not submit the challenge (slots or references kept colliding)")


def transition(
    *,
    session: Session,
    challenge: Challenge,
    action: Action,
    now: datetime,
    note: str | None = None,
) -> Challenge:
    """Apply ``action`` (``list``, ``return``, ``close``, ``withdraw``) to ``challenge``.

    Raises :class:`InvalidTransition` when the state does not allow it. States that stop counting
    release the organisation slot; ``note`` is the organisers' reason (kept on ``review_note``).
    """
    if action in ("submit", "edit"):
        raise ValueError(f"use submit() / save_draft() for {action!r}")
    after = states.target(challenge.status, action, challenge.reference)
    challenge.status = after
    if after not in states.COUNTED:
        challenge.org_key = challenge.org_slot = None
    if action in states.ORGANISER_ACTIONS:
        challenge.reviewed_at = now
        challenge.review_note = note if action == "return" else challenge.review_note
    challenge.updated_at = now
    session.flush()
    return challenge


def withdraw(
    *, session: Session, challenge: Challenge, now: datetime
) -> list[tuple[str, list[int]]]:
    """The organisation withdraws ``challenge`` (:func:`transition` ``withdraw``; raises
    :class:`InvalidTransition`). Applications to it are removed with it; returns, per team that had
    applied, its name and its members' user ids (to be told)."""
    transition(session=session, challenge=challenge, action="withdraw", now=now)
    applied = session.execute(
        sa.select(Application, Team)
        .join(Team, Team.id == Application.team_id)
        .where(Application.challenge_id == challenge.id)
        .order_by(Application.id)
    ).tuples()
    told: list[tuple[str, list[int]]] = []
    for application, team in list(applied):
        members = sa.select(Membership.user_id).where(Membership.team_id == team.id)
        told.append((team.name, list(session.scalars(members.order_by(Membership.id)))))
        session.delete(application)
    session.flush()
    return told


def find_by_reference(*, session: Session, reference: str) -> Challenge | None:
    """The challenge with ``reference`` (case-insensitive), or None."""
    query = sa.select(Challenge).where(Challenge.reference == reference.strip().upper())
    return session.scalar(query)


def challenges_of_user(*, session: Session, user_id: int) -> list[Challenge]:
    """Challenges the user created, and the submitted ones of organisations the user owns (not
    merely typed first: see :mod:`db.org_access`); newest first."""
    orgs = sa.select(Organisation.id).where(Organisation.owner_user_id == user_id)
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.organisation))
        .where(
            sa.or_(
                Challenge.created_by_user_id == user_id,
                sa.and_(Challenge.organisation_id.in_(orgs), Challenge.status != "draft"),
            )
        )
        .order_by(Challenge.id.desc())
    )
    return list(session.scalars(query))


def open_challenges(*, session: Session) -> list[Challenge]:
    """The challenges teams may apply to (listed), by reference."""
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.organisation))
        .where(Challenge.status.in_(states.OPEN_TO_TEAMS))
        .order_by(Challenge.reference)
    )
    return list(session.scalars(query))
