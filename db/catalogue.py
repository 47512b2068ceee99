"""The challenges students may browse and apply to.

A challenge is open to applications once an organiser listed it
(:data:`db.challenge_states.OPEN_TO_TEAMS`).

Functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from db.challenge_states import OPEN_TO_TEAMS
from db.models import Challenge


def is_open(challenge: Challenge) -> bool:
    """True when teams may apply to ``challenge``."""
    return challenge.status in OPEN_TO_TEAMS


def open_challenges(*, session: Session) -> list[Challenge]:
    """Every challenge open to applications (organisation loaded), by reference."""
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.organisation))
        .where(Challenge.status.in_(OPEN_TO_TEAMS))
        .order_by(Challenge.reference)
    )
    return list(session.scalars(query))
