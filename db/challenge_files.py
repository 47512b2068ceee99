"""Files uploaded for a challenge (the presentation), stored in the database.

Functions take a keyword-only ``session``, may flush, never commit. A challenge has at most one
file per kind: a new upload replaces the old one. The bytes are a deferred column, so listing
files never loads them; :func:`content_of` does.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from db.models import Challenge, ChallengeFile

PRESENTATION = "presentation"


def save_file(
    *,
    session: Session,
    challenge: Challenge,
    filename: str,
    media_type: str,
    content: bytes,
    user_id: int | None,
    now: datetime,
    kind: str = PRESENTATION,
) -> ChallengeFile:
    """Store ``content`` as the ``kind`` file of ``challenge`` (replacing an earlier one)."""
    row = file_of(session=session, challenge_id=challenge.id, kind=kind)
    if row is None:
        row = ChallengeFile(challenge_id=challenge.id, kind=kind)
        session.add(row)
    row.filename, row.media_type, row.content = filename, media_type, content
    row.size, row.sha256 = len(content), hashlib.sha256(content).hexdigest()
    row.uploaded_by_user_id, row.created_at = user_id, now
    session.flush()
    return row


def file_of(
    *, session: Session, challenge_id: int, kind: str = PRESENTATION
) -> ChallengeFile | None:
    """The ``kind`` file of the challenge (its bytes not loaded), or None."""
    query = sa.select(ChallengeFile).where(
        ChallengeFile.challenge_id == challenge_id, ChallengeFile.kind == kind
    )
    return session.scalar(query)


def content_of(*, session: Session, file_id: int) -> ChallengeFile | None:
    """The file ``file_id`` with its bytes loaded, or None."""
    return session.get(ChallengeFile, file_id, options=[undefer(ChallengeFile.content)])
