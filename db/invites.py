"""Invite codes: issuing, revoking and checking them, and the wrong-code limit.

Contracts:
- Functions take a keyword-only ``session``, may flush, never commit.
- Invite codes are ``CODE_LENGTH`` characters from :data:`INVITE_ALPHABET` (no 0/O, 1/I/L), drawn
  with :mod:`secrets`, containing a letter and a digit; shown as ``ABCD-2345``. They expire after
  :data:`INVITE_TTL` and can be revoked; :func:`normalise_code` accepts lower case, spaces and
  dashes.
- Wrong codes are counted in ``invite_attempts``; :func:`attempts_left` implements the limit
  (:data:`MAX_WRONG_CODES` per :data:`WRONG_CODE_WINDOW`).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import InviteAttempt, Team, TeamInvite

INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
INVITE_TTL = timedelta(days=14)
MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=10)


def normalise_code(text: str) -> str:
    """Upper-case ``text`` and drop spaces and dashes (``abcd-2345`` → ``ABCD2345``)."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


_CODE_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z0-9]{4})[ \t-]?([A-Z0-9]{4})(?![A-Z0-9])")


def find_code(text: str) -> str | None:
    """The first thing in ``text`` shaped like an invite code, canonical (``ABCD2345``), or None.

    Accepts ``ABCD-2345``, ``abcd 2345`` or ``ABCD2345`` anywhere in a sentence
    (「我有邀請碼 ABCD-2345」). Characters outside :data:`INVITE_ALPHABET` make it no code.
    """
    for match in _CODE_IN_TEXT.finditer(text.upper()):
        code = match.group(1) + match.group(2)
        if all(ch in INVITE_ALPHABET for ch in code):
            return code
    return None


def format_code(code: str) -> str:
    """``ABCD2345`` → ``ABCD-2345`` (how codes are shown to people)."""
    return f"{code[:4]}-{code[4:]}" if len(code) > 4 else code


def new_code() -> str:
    """A random code from :data:`INVITE_ALPHABET` with at least one letter and one digit."""
    while True:
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def issue_invite(*, session: Session, team: Team, now: datetime) -> TeamInvite:
    """Revoke the team's live codes and issue a fresh one valid for :data:`INVITE_TTL`."""
    revoke_invites(session=session, team_id=team.id, now=now)
    for _ in range(5):
        try:
            with session.begin_nested():
                invite = TeamInvite(
                    team_id=team.id, code=new_code(), created_at=now, expires_at=now + INVITE_TTL
                )
                session.add(invite)
                session.flush()
            return invite
        except IntegrityError:  # pragma: no cover - a 31^8 collision
            continue
    raise RuntimeError("could not issue a unique invite code")  # pragma: no cover


def revoke_invites(*, session: Session, team_id: int, now: datetime) -> int:
    """Revoke every live code of the team; return how many were revoked."""
    result = session.execute(
        sa.update(TeamInvite)
        .where(TeamInvite.team_id == team_id, TeamInvite.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def live_invite(*, session: Session, team_id: int, now: datetime) -> TeamInvite | None:
    """The team's newest code that is neither revoked nor expired."""
    query = (
        sa.select(TeamInvite)
        .where(
            TeamInvite.team_id == team_id,
            TeamInvite.revoked_at.is_(None),
            TeamInvite.expires_at > now,
        )
        .order_by(TeamInvite.id.desc())
    )
    return session.scalars(query).first()


def find_invite(*, session: Session, code: str) -> TeamInvite | None:
    """The invite with ``code`` (normalised), whatever its state."""
    return session.scalar(sa.select(TeamInvite).where(TeamInvite.code == normalise_code(code)))


def invite_state(invite: TeamInvite | None, now: datetime) -> str:
    """``unknown``, ``revoked``, ``expired`` or ``valid``."""
    if invite is None:
        return "unknown"
    if invite.revoked_at is not None:
        return "revoked"
    return "expired" if invite.expires_at <= now else "valid"


def record_attempt(*, session: Session, user_id: int, success: bool, now: datetime) -> None:
    """Record one try of an invite code."""
    session.add(InviteAttempt(user_id=user_id, success=success, attempted_at=now))
    session.flush()


def attempts_left(*, session: Session, user_id: int, now: datetime) -> tuple[int, datetime | None]:
    """(wrong codes still allowed now, when the oldest counted one stops counting)."""
    since = now - WRONG_CODE_WINDOW
    times = list(
        session.scalars(
            sa.select(InviteAttempt.attempted_at)
            .where(
                InviteAttempt.user_id == user_id,
                InviteAttempt.success.is_(False),
                InviteAttempt.attempted_at > since,
            )
            .order_by(InviteAttempt.attempted_at)
        )
    )
    left = max(0, MAX_WRONG_CODES - len(times))
    return left, (times[0] + WRONG_CODE_WINDOW if times else None)
