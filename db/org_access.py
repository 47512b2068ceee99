"""Who may post for an organisation: its owner, and the members the owner (or its e-mail) let in.

Contracts:
- An organisation is the oldest row of its :func:`db.org_names.normalise_org_name` key
  (:func:`canonical`), so every spelling of a name is one organisation with one owner.
- The owner is the user who first *submits* a challenge for it (:func:`claim`, called by
  :func:`db.challenges.submit`; a draft claims nothing). ``claim`` is one conditional UPDATE, so of
  two racing first submissions exactly one becomes the owner and the other is a stranger.
- Anyone else may submit for an owned organisation only as a member. One joins with an owner's
  invite code (:func:`issue_invite` / :func:`redeem_invite`: single use, :data:`INVITE_TTL`) or with
  a code e-mailed to the organisation's registered address (:func:`request_email_code` /
  :func:`verify_email_code`: single use, :data:`EMAIL_CODE_TTL`, :data:`MAX_TRIES_PER_CODE`).
- Only hashes of codes are stored. Wrong codes are limited per user and per organisation in
  ``rate_counters`` (:mod:`db.ratelimits`), so the limits hold across every worker and a sender
  minted for the purpose gets no fresh allowance against the same organisation. E-mails per
  organisation and per user are limited the same way.
- Functions take a keyword-only ``session``, may flush, never commit.

Errors::

    AccessError
     ├── NotAMember     (a stranger submits for an owned organisation)
     └── NotTheOwner    (someone other than the owner asks for an invite code)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db import ratelimits
from db.invites import format_code, new_code, normalise_code
from db.models import (
    Application,
    Challenge,
    Organisation,
    OrganisationCode,
    OrganisationMember,
    Team,
)
from db.org_names import normalise_org_name

Access = Literal["owner", "member", "open", "stranger"]
Verdict = Literal["joined", "wrong", "expired", "used", "limited", "own"]

INVITE_TTL = timedelta(hours=48)
EMAIL_CODE_TTL = timedelta(minutes=30)
EMAIL_CODE_DIGITS = 6
MAX_TRIES_PER_CODE = 5
CODE_WINDOW = timedelta(minutes=15)
MAX_WRONG_PER_USER = 5  # wrong codes per user per CODE_WINDOW
MAX_WRONG_PER_ORG = 20  # wrong codes against one organisation per CODE_WINDOW, all senders
MAIL_WINDOW = timedelta(hours=1)
MAX_MAILS_PER_ORG = 3  # e-mailed codes to one organisation's address per MAIL_WINDOW
MAX_MAILS_PER_USER = 3


class AccessError(Exception):
    """Base: the organisation ``organisation`` (its display name) refused the user."""

    def __init__(self, organisation: str, message: str) -> None:
        super().__init__(message)
        self.organisation = organisation


class NotAMember(AccessError):
    """The user is neither the owner nor a member of the owned organisation ``organisation``."""

    def __init__(self, organisation: str) -> None:
        super().__init__(organisation, f"{organisation!r} belongs to someone else")


class NotTheOwner(AccessError):
    """Only the owner of ``organisation`` may issue its invite codes."""

    def __init__(self, organisation: str) -> None:
        super().__init__(organisation, f"only the owner of {organisation!r} may invite")


@dataclass(frozen=True)
class Attempt:
    """What a code did: ``verdict``; ``organisation`` joined (``joined``/``own``), if any;
    ``retry_at`` when a ``limited`` user may try again."""

    verdict: Verdict
    organisation: Organisation | None = None
    retry_at: datetime | None = None


def _oldest(session: Session, name_key: str) -> Organisation | None:
    query = sa.select(Organisation).where(Organisation.name_key == name_key)
    return session.scalars(query.order_by(Organisation.id)).first()


def canonical(*, session: Session, organisation: Organisation) -> Organisation:
    """The oldest organisation row sharing ``organisation``'s name key (usually itself)."""
    return _oldest(session, organisation.name_key) or organisation


def find(*, session: Session, name: str) -> Organisation | None:
    """The organisation any spelling of ``name`` names (its canonical row), or None."""
    return _oldest(session, normalise_org_name(name))


def _is_member(session: Session, organisation_id: int, user_id: int) -> bool:
    query = sa.select(OrganisationMember.id).where(
        OrganisationMember.organisation_id == organisation_id,
        OrganisationMember.user_id == user_id,
    )
    return session.scalar(query) is not None


def access(*, session: Session, organisation: Organisation, user_id: int | None) -> Access:
    """``owner``, ``member``, ``open`` (nobody owns it yet) or ``stranger``."""
    org = canonical(session=session, organisation=organisation)
    session.refresh(org, ["owner_user_id"])
    if org.owner_user_id is None:
        return "open"
    if user_id is None:
        return "stranger"
    if org.owner_user_id == user_id:
        return "owner"
    return "member" if _is_member(session, org.id, user_id) else "stranger"


def may_post(*, session: Session, organisation: Organisation, user_id: int | None) -> bool:
    """Whether ``user_id`` may submit for ``organisation`` now (it may become theirs)."""
    return access(session=session, organisation=organisation, user_id=user_id) != "stranger"


def claim(
    *, session: Session, organisation: Organisation, user_id: int | None, now: datetime
) -> Access:
    """Before a submission: make ``user_id`` the owner of an unowned organisation and return
    their access (``owner`` / ``member``). Raises :class:`NotAMember` for a stranger."""
    org = canonical(session=session, organisation=organisation)
    if user_id is not None:
        session.execute(
            sa.update(Organisation)
            .where(Organisation.id == org.id, Organisation.owner_user_id.is_(None))
            .values(owner_user_id=user_id, owned_at=now)
            .execution_options(synchronize_session=False)
        )
    found = access(session=session, organisation=org, user_id=user_id)
    if found in ("stranger", "open"):
        raise NotAMember(org.name)
    return found


def owned_by(*, session: Session, user_id: int) -> list[Organisation]:
    """The organisations ``user_id`` owns, oldest first."""
    query = (
        sa.select(Organisation)
        .where(Organisation.owner_user_id == user_id)
        .order_by(Organisation.id)
    )
    return list(session.scalars(query))


def applications_to(
    *, session: Session, user_id: int
) -> list[tuple[Challenge, list[tuple[Team, Application]]]]:
    """The submitted challenges of the organisations ``user_id`` owns or is a member of, each
    with the teams that applied to it (oldest application first); challenges by reference."""
    member_of = sa.select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user_id
    )
    orgs = sa.select(Organisation.id).where(
        sa.or_(Organisation.owner_user_id == user_id, Organisation.id.in_(member_of))
    )
    challenges = session.scalars(
        sa.select(Challenge)
        .where(Challenge.organisation_id.in_(orgs), Challenge.status != "draft")
        .order_by(Challenge.reference)
    ).all()
    if not challenges:
        return []
    rows = session.execute(
        sa.select(Application, Team)
        .join(Team, Team.id == Application.team_id)
        .where(Application.challenge_id.in_([c.id for c in challenges]))
        .order_by(Application.created_at, Application.id)
    ).tuples()
    by_challenge: dict[int, list[tuple[Team, Application]]] = {c.id: [] for c in challenges}
    for application, team in rows:
        by_challenge[application.challenge_id].append((team, application))
    return [(c, by_challenge[c.id]) for c in challenges]


def mask_email(address: str) -> str:
    """``hello@example.com`` → ``h***@example.com`` (enough to recognise, not to harvest)."""
    local, at, domain = address.strip().partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def _hash(code: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _join(session: Session, org: Organisation, user_id: int, via: str, now: datetime) -> None:
    if org.owner_user_id == user_id or _is_member(session, org.id, user_id):
        return
    session.add(OrganisationMember(organisation_id=org.id, user_id=user_id, via=via, joined_at=now))
    session.flush()


# --- invite codes ---------------------------------------------------------------------------------


def issue_invite(
    *, session: Session, organisation: Organisation, user_id: int, now: datetime
) -> str:
    """A fresh single-use invite code (shown as ``ABCD-2345``), valid for :data:`INVITE_TTL`.

    Raises :class:`NotTheOwner` unless ``user_id`` owns the organisation."""
    org = canonical(session=session, organisation=organisation)
    if access(session=session, organisation=org, user_id=user_id) != "owner":
        raise NotTheOwner(org.name)
    code = new_code()
    session.add(
        OrganisationCode(
            organisation_id=org.id, kind="invite", code_hash=_hash(code),
            created_by_user_id=user_id, created_at=now, expires_at=now + INVITE_TTL,
        )
    )  # fmt: skip
    session.flush()
    return format_code(code)


def window_end(now: datetime, window: timedelta = CODE_WINDOW) -> datetime:
    """When the fixed rate-limit window containing ``now`` ends (a limited user may retry)."""
    length = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // length * length + length, now.tzinfo)


def _limited(session: Session, org: Organisation, user_id: int, now: datetime) -> Attempt | None:
    """A ``limited`` attempt when the user's or the organisation's wrong codes are used up."""
    user = ratelimits.count(session=session, key=f"org-code-user:{user_id}", now=now,
                            window=CODE_WINDOW)  # fmt: skip
    total = ratelimits.count(session=session, key=f"org-code-org:{org.id}", now=now,
                             window=CODE_WINDOW)  # fmt: skip
    if user < MAX_WRONG_PER_USER and total < MAX_WRONG_PER_ORG:
        return None
    return Attempt("limited", org, window_end(now))


def _wrong(session: Session, org: Organisation, user_id: int, now: datetime) -> None:
    for key in (f"org-code-user:{user_id}", f"org-code-org:{org.id}"):
        ratelimits.hit(session=session, key=key, now=now, window=CODE_WINDOW)


def wrong_codes_left(
    *, session: Session, organisation: Organisation, user_id: int, now: datetime
) -> int:
    """How many more wrong codes ``user_id`` may type for ``organisation`` in this window."""
    org = canonical(session=session, organisation=organisation)
    user = ratelimits.count(session=session, key=f"org-code-user:{user_id}", now=now,
                            window=CODE_WINDOW)  # fmt: skip
    total = ratelimits.count(session=session, key=f"org-code-org:{org.id}", now=now,
                             window=CODE_WINDOW)  # fmt: skip
    return max(0, min(MAX_WRONG_PER_USER - user, MAX_WRONG_PER_ORG - total))


def _before_checking(
    session: Session, organisation: Organisation, user_id: int, now: datetime
) -> tuple[Organisation, Attempt | None]:
    """The canonical organisation, and the outcome when no code needs checking: ``own`` for
    the owner or a member, ``limited`` while the wrong codes are used up."""
    org = canonical(session=session, organisation=organisation)
    if access(session=session, organisation=org, user_id=user_id) in ("owner", "member"):
        return org, Attempt("own", org)
    return org, _limited(session, org, user_id, now)


def redeem_invite(
    *, session: Session, organisation: Organisation, code: str, user_id: int, now: datetime
) -> Attempt:
    """Join ``organisation`` with its invite ``code`` (any case, spaces, dashes).

    Verdicts: ``joined``; ``own`` (already the owner or a member); ``wrong`` (no such code for
    this organisation, counted); ``expired`` / ``used``; ``limited`` (too many wrong codes now:
    nothing is checked). A code is used once: the UPDATE that marks it used is conditional."""
    org, settled = _before_checking(session, organisation, user_id, now)
    if settled is not None:
        return settled
    row = session.scalars(
        sa.select(OrganisationCode).where(
            OrganisationCode.code_hash == _hash(normalise_code(code)),
            OrganisationCode.kind == "invite",
            OrganisationCode.organisation_id == org.id,
        )
    ).first()
    if row is None:
        _wrong(session, org, user_id, now)
        return Attempt("wrong", org)
    if row.used_at is not None:
        return Attempt("used", org)
    if row.expires_at <= now:
        return Attempt("expired", org)
    if not _use(session, row, user_id, now):
        return Attempt("used", org)
    _join(session, org, user_id, "invite", now)
    return Attempt("joined", org)


def _use(session: Session, row: OrganisationCode, user_id: int, now: datetime) -> bool:
    """Mark ``row`` used by ``user_id`` unless someone else did first; True when this did."""
    result = session.execute(
        sa.update(OrganisationCode)
        .where(OrganisationCode.id == row.id, OrganisationCode.used_at.is_(None))
        .values(used_at=now, used_by_user_id=user_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


# --- e-mailed codes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailedCode:
    """A code to e-mail (``code`` None: refused, ``reason`` says why: ``no_email``,
    ``too_many`` with ``retry_at``, ``own``)."""

    code: str | None
    address: str | None
    reason: str = ""
    retry_at: datetime | None = None
    code_id: int | None = None


def request_email_code(
    *, session: Session, organisation: Organisation, user_id: int, now: datetime
) -> MailedCode:
    """A fresh e-mail code for ``user_id`` to join ``organisation`` (earlier unused ones of the
    same user stop working). The caller e-mails ``code`` to ``address`` (the registered one)
    through the e-mail outbox in the same transaction."""
    org = canonical(session=session, organisation=organisation)
    if access(session=session, organisation=org, user_id=user_id) in ("owner", "member"):
        return MailedCode(None, org.email, "own")
    if not org.email:
        return MailedCode(None, None, "no_email")
    for key, limit in ((f"org-mail:{org.id}", MAX_MAILS_PER_ORG),
                       (f"org-mail-user:{user_id}", MAX_MAILS_PER_USER)):  # fmt: skip
        if ratelimits.count(session=session, key=key, now=now, window=MAIL_WINDOW) >= limit:
            return MailedCode(None, org.email, "too_many", window_end(now, MAIL_WINDOW))
    for key in (f"org-mail:{org.id}", f"org-mail-user:{user_id}"):
        ratelimits.hit(session=session, key=key, now=now, window=MAIL_WINDOW)
    session.execute(
        sa.update(OrganisationCode)
        .where(
            OrganisationCode.organisation_id == org.id,
            OrganisationCode.for_user_id == user_id,
            OrganisationCode.kind == "email",
            OrganisationCode.used_at.is_(None),
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    code = "".join(secrets.choice("0123456789") for _ in range(EMAIL_CODE_DIGITS))
    salt = secrets.token_hex(8)
    row = OrganisationCode(
        organisation_id=org.id, kind="email", code_hash=_hash(code, salt), salt=salt,
        created_by_user_id=user_id, for_user_id=user_id, created_at=now,
        expires_at=now + EMAIL_CODE_TTL,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return MailedCode(code, org.email, code_id=row.id)


def verify_email_code(
    *, session: Session, organisation: Organisation, code: str, user_id: int, now: datetime
) -> Attempt:
    """Join ``organisation`` with the code e-mailed for ``user_id``. Verdicts as
    :func:`redeem_invite`; ``expired`` also when no live code was requested, and a code that
    had :data:`MAX_TRIES_PER_CODE` wrong tries stops working."""
    org, settled = _before_checking(session, organisation, user_id, now)
    if settled is not None:
        return settled
    row = session.scalars(
        sa.select(OrganisationCode)
        .where(
            OrganisationCode.organisation_id == org.id,
            OrganisationCode.for_user_id == user_id,
            OrganisationCode.kind == "email",
            OrganisationCode.used_at.is_(None),
            OrganisationCode.expires_at > now,
            OrganisationCode.wrong_attempts < MAX_TRIES_PER_CODE,
        )
        .order_by(OrganisationCode.id.desc())
    ).first()
    if row is None:
        return Attempt("expired", org)
    typed = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(_hash(typed, row.salt), row.code_hash):
        row.wrong_attempts += 1
        _wrong(session, org, user_id, now)
        session.flush()
        return Attempt("wrong", org)
    if not _use(session, row, user_id, now):
        return Attempt("used", org)
    _join(session, org, user_id, "email", now)
    return Attempt("joined", org)
