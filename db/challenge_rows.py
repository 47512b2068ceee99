"""Challenges flattened for listing and export (``aigo challenges list|export``, the console).

Functions take a keyword-only ``session`` and only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from db.challenges import CHALLENGE_FIELDS, DATASET_FIELDS
from db.models import Challenge, Organisation
from db.org_names import normalise_org_name


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


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def rows(
    *, session: Session, status: str | None = None, organisation: str | None = None
) -> list[ChallengeRow]:
    """Every challenge (optionally one status and/or one organisation, any spelling), flattened."""
    query = (
        sa.select(Challenge)
        .join(Challenge.organisation)
        .options(selectinload(Challenge.dataset), selectinload(Challenge.organisation))
        .order_by(Organisation.name, Challenge.id)
    )
    if status is not None:
        query = query.where(Challenge.status == status)
    if organisation is not None:
        query = query.where(Organisation.name_key == normalise_org_name(organisation))
    result = []
    for ch in session.scalars(query):
        fields = {f: _iso(getattr(ch, f)) for f in CHALLENGE_FIELDS}
        dataset = ch.dataset
        fields |= {f"dataset_{f}": _iso(getattr(dataset, f, None)) for f in DATASET_FIELDS}
        name, phone, email = ch.contact_name, ch.contact_phone, ch.contact_email
        result.append(
            ChallengeRow(ch.reference, ch.status, ch.organisation.name, name, phone, email, fields)
        )
    return result
