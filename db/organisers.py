"""Organiser accounts, their sign-in attempts and the audit log of their changes.

Passwords arrive here already hashed (hashing lives with the caller, ``bot.organisers``). Like every
repository module, functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import ORGANISER_ROLES, AuditEntry, LoginAttempt, OrganiserAccount


class UnknownRole(ValueError):
    """``role`` is not one of :data:`db.models.ORGANISER_ROLES`."""

    def __init__(self, role: str) -> None:
        super().__init__(f"unknown organiser role {role!r} (expected {', '.join(ORGANISER_ROLES)})")
        self.role = role


def normalise_email(email: str) -> str:
    """E-mails are compared trimmed and in lower case."""
    return email.strip().lower()


def find_account(*, session: Session, email: str) -> OrganiserAccount | None:
    """The account with ``email`` (any case), or None."""
    stmt = sa.select(OrganiserAccount).where(OrganiserAccount.email == normalise_email(email))
    return session.scalars(stmt).one_or_none()


def get_account(*, session: Session, account_id: int) -> OrganiserAccount | None:
    """The account with ``account_id``, or None."""
    return session.get(OrganiserAccount, account_id)


def save_account(
    *, session: Session, email: str, password_hash: str, role: str, now: datetime
) -> tuple[OrganiserAccount, bool]:
    """Create the account, or update its password and role; return ``(account, created)``.

    Raises :class:`UnknownRole`. Saving re-activates a disabled account.
    """
    if role not in ORGANISER_ROLES:
        raise UnknownRole(role)
    account = find_account(session=session, email=email)
    created = account is None
    if account is None:
        account = OrganiserAccount(email=normalise_email(email), created_at=now)
        session.add(account)
    account.password_hash, account.role, account.active = password_hash, role, True
    session.flush()
    return account, created


def accounts(*, session: Session) -> Sequence[OrganiserAccount]:
    """Every account, by e-mail."""
    return session.scalars(sa.select(OrganiserAccount).order_by(OrganiserAccount.email)).all()


def record_attempt(
    *, session: Session, email: str, address: str, succeeded: bool, now: datetime
) -> None:
    """Store one sign-in attempt."""
    session.add(
        LoginAttempt(email=normalise_email(email), address=address, succeeded=succeeded, at=now)
    )
    session.flush()


def recent_failures(*, session: Session, email: str, address: str, since: datetime) -> int:
    """Failed attempts since ``since`` for this e-mail or from this address, whichever is more."""
    failed = sa.select(sa.func.count()).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
    )
    by_email = session.scalar(failed.where(LoginAttempt.email == normalise_email(email))) or 0
    by_address = session.scalar(failed.where(LoginAttempt.address == address)) or 0
    return max(int(by_email), int(by_address))


def audit(
    *, session: Session, actor: str, action: str, now: datetime, target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:  # fmt: skip
    """Append one audit entry (``actor`` is an organiser's e-mail or ``cli``)."""
    entry = AuditEntry(actor=actor, action=action, target=target, detail=detail or {}, at=now)
    session.add(entry)
    session.flush()
    return entry


def audit_rows(*, session: Session, limit: int = 100_000) -> list[dict[str, Any]]:
    """The audit log as export rows (``bot/exports.yml`` sheet ``audit``), newest first."""
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
         "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else ""}
        for e in audit_entries(session=session, limit=limit)
    ]  # fmt: skip


def audit_entries(
    *, session: Session, limit: int = 100, offset: int = 0, actor: str | None = None
) -> Sequence[AuditEntry]:
    """The newest audit entries first (optionally one actor's)."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    return session.scalars(stmt).all()
