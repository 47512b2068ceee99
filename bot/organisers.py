"""Organiser accounts: password hashing (argon2id), sign-in with throttling, and audited changes.

Used by ``aigo admin`` and the web console alike. Security times (throttle windows, audit
timestamps, last sign-in) follow the real clock (:class:`bot.clock.Clock`), not ``AIGO_NOW``: a
frozen demo clock must neither lock organisers out for ever nor date their changes in 2019.

Sign-in outcomes (:class:`SignIn`): ``ok`` (with the account), ``refused`` (unknown e-mail, wrong
password or a disabled account; indistinguishable on purpose), ``throttled`` (too many failures for
this e-mail or from this address in :data:`THROTTLE_WINDOW`; nothing is checked until it passes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from bot.clock import Clock
from db import organisers as repo
from db.models import OrganiserAccount

MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (tests swap in a cheaper one)
_clock = Clock()


class WeakPassword(ValueError):
    """The password is shorter than :data:`MIN_PASSWORD` characters."""


@dataclass(frozen=True)
class Organiser:
    """A signed-in organiser, as the console keeps it."""

    id: int
    email: str
    role: str

    @property
    def can_edit(self) -> bool:
        """Editors change things; viewers only read and download."""
        return self.role == "editor"


@dataclass(frozen=True)
class SignIn:
    """The outcome of :func:`sign_in`."""

    outcome: Literal["ok", "refused", "throttled"]
    organiser: Organiser | None = None


def now() -> datetime:
    """The real current time (Asia/Taipei)."""
    return _clock.now()


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``; raises :class:`WeakPassword` when it is too short."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add(*, session: Session, email: str, password: str, role: str, actor: str) -> bool:
    """Create or update an account (audited); True when it was created.

    Raises :class:`WeakPassword` or :class:`db.organisers.UnknownRole`.
    """
    if "@" not in email.strip():
        raise ValueError(f"{email!r} is not an e-mail address")
    account, created = repo.save_account(
        session=session, email=email, password_hash=hash_password(password), role=role, now=now()
    )
    action = "account.add" if created else "account.update"
    audit(session=session, actor=actor, action=action, target=account.email, role=role)
    return created


def sign_in(*, session: Session, email: str, password: str, address: str) -> SignIn:
    """Check a sign-in attempt (recorded); see the module docstring for the outcomes."""
    at = now()
    since = at - THROTTLE_WINDOW
    if repo.recent_failures(session=session, email=email, address=address, since=since) >= (
        MAX_FAILURES
    ):
        return SignIn("throttled")
    account = repo.find_account(session=session, email=email)
    if account is None:  # costs one hash too, so timing does not reveal which e-mails exist
        _hasher.hash(password)
    valid = account is not None and _verify(account.password_hash, password)
    ok = valid and account is not None and account.active
    repo.record_attempt(session=session, email=email, address=address, succeeded=ok, now=at)
    if not ok or account is None:
        return SignIn("refused")
    account.last_login_at = at
    return SignIn("ok", _organiser(account))


def current(*, session: Session, account_id: int) -> Organiser | None:
    """The organiser behind a session's account id, or None when removed or disabled."""
    account = repo.get_account(session=session, account_id=account_id)
    return _organiser(account) if account is not None and account.active else None


def _organiser(account: OrganiserAccount) -> Organiser:
    return Organiser(account.id, account.email, account.role)


def audit(*, session: Session, actor: str, action: str, target: str = "", **detail: Any) -> None:
    """Record that ``actor`` did ``action`` to ``target`` now (the console shows the log)."""
    repo.audit(session=session, actor=actor, action=action, target=target, detail=detail, now=now())
