"""The challenges students may browse and apply to.

A challenge is open to applications once an organiser listed it. Until the review lifecycle adds
the ``listed`` status (issue 10, branch ``challenge``), submitted challenges are the open ones:
:data:`OPEN_STATUS` follows ``db.models.CHALLENGE_STATUSES``.

Functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from db.models import CHALLENGE_STATUSES, Challenge

OPEN_STATUS = "listed" if "listed" in CHALLENGE_STATUSES else "submitted"


def is_open(challenge: Challenge) -> bool:
    """True when teams may apply to ``challenge``."""
    return challenge.status == OPEN_STATUS


def open_challenges(*, session: Session) -> list[Challenge]:
    """Every challenge open to applications (organisation loaded), by reference."""
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.organisation))
        .where(Challenge.status == OPEN_STATUS)
        .order_by(Challenge.reference)
    )
    return list(session.scalars(query))
