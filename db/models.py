"""SQLAlchemy 2.0 models: the whole schema of AIGO Assistant.

Contracts:
- Table and column names are pinned (see ``docs/CONTRACTS.md``); other packages code against them.
  Add columns freely, never rename. After changing anything here add a migration revision
  (``python -m db.new_migration "…"``, see ``db/README.md``); a test fails on any drift.
- Every ``datetime`` column is a :class:`UTCDateTime`: it accepts only *aware* datetimes (any zone),
  stores UTC, and always returns aware UTC datetimes, on SQLite and PostgreSQL alike. A naive
  datetime is a bug and raises ``ValueError`` at flush time.
- Status-like columns are plain strings checked by a named CHECK constraint; the allowed values are
  the ``*_STATUSES`` / ``*_ROLES`` tuples below (use those constants rather than literals).
- ``created_at`` / ``updated_at`` default to the real UTC time when the caller does not set them;
  code that runs under a fake clock should pass its own ``now``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from db.org_names import normalise_org_name

# Lifecycle in db/challenge_states.py; submitted and listed challenges hold an organisation slot.
CHALLENGE_STATUSES = ("draft", "submitted", "listed", "returned", "closed", "withdrawn")
SLOT_STATUSES = ("submitted", "listed")
SLOT_CHECK = (
    "(org_slot IS NOT NULL AND org_key IS NOT NULL AND org_slot >= 1 "
    "AND status IN ('submitted', 'listed')) "
    "OR (org_slot IS NULL AND status NOT IN ('submitted', 'listed'))"
)
CHALLENGE_FILE_KINDS = ("presentation",)
MEMBERSHIP_ROLES = ("leader", "member")
USER_ROLES = ("student", "enterprise", "organiser")
PLANNED_REMINDER_STATUSES = ("pending", "fired", "missed", "cancelled")
# "unknown": a Telegram send whose outcome could not be learned (a crash or timeout mid-send) and
# that was not sent again, so that nobody gets it twice; counted and reported, never silent.
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "dead", "skipped", "unknown")
INBOX_STATUSES = ("pending", "done", "failed")
CHANNELS = ("line", "telegram", "rest", "console", "web", "rasa")
ORGANISER_ROLES = ("viewer", "editor")
# How someone came to post for an organisation they do not own (db/org_access.py).
ORG_MEMBER_VIA = ("invite", "email", "migration")
ORG_CODE_KINDS = ("invite", "email")
# The e-mail outbox (bot/mail/): like deliveries, "unknown" is a send whose outcome was not
# learned (the connection dropped after the message was handed over); never sent again.
EMAIL_STATUSES = ("pending", "sending", "sent", "dead", "unknown")


def utcnow() -> datetime:
    """The real current time, aware UTC (only used as a column default)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as UTC; always read back as an aware UTC datetime.

    PostgreSQL: ``timestamp with time zone``. SQLite: naive UTC text (SQLite has no zone type),
    which sorts and compares correctly because every value is UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The one declarative base; ``Base.metadata`` is Alembic's target."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's documented class attribute
        datetime: UTCDateTime(),
        date: sa.Date(),
        str: sa.String(),
        dict[str, Any]: sa.JSON(),
        list[str]: sa.JSON(),
    }


def _check_in(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name)


# --- people -------------------------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None]
    role: Mapped[str | None]
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    display_name: Mapped[str | None]

    identities: Mapped[list[ChannelIdentity]] = relationship(back_populates="user")
    profile: Mapped[Profile | None] = relationship(back_populates="user")

    __table_args__ = (_check_in("role", USER_ROLES, "role"),)


class ChannelIdentity(Base):
    """How one user is known on one channel (LINE user id, Telegram chat id, REST sender)."""

    __tablename__ = "channel_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str]
    external_id: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="identities")

    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id"),
        _check_in("channel", CHANNELS, "channel"),
    )


class Profile(Base):
    """What eligibility needs to know about a person."""

    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    age: Mapped[int | None]
    birth_date: Mapped[date | None]
    nationality: Mapped[str | None]  # ROC / foreign
    expertise: Mapped[str | None]  # ai / domain / both
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")


# --- enterprises and their challenges -------------------------------------------------------------


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    # normalise_org_name(name), set with the name: spellings of one organisation share it
    name_key: Mapped[str] = mapped_column(index=True)
    contact_name: Mapped[str | None]
    phone: Mapped[str | None]
    email: Mapped[str | None]
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The user who first submitted a challenge for it (db/org_access.py); others post for it
    # only as members. contact_name / phone / email above are its registered contact (the
    # owner's), which the e-mail confirmation of a joining member goes to.
    owner_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    owned_at: Mapped[datetime | None]

    challenges: Mapped[list[Challenge]] = relationship(back_populates="organisation")

    @validates("name")
    def _keep_key(self, _: str, name: str) -> str:
        self.name_key = normalise_org_name(name)
        return name


class Challenge(Base):
    """A challenge posted by an organisation: a draft until submitted with a reference number."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    reference: Mapped[str | None] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(default="draft", server_default="draft")
    title: Mapped[str | None]
    description: Mapped[str | None] = mapped_column(sa.Text())
    category: Mapped[str | None]
    industry: Mapped[str | None]
    dataset_type: Mapped[str | None]
    data_readiness: Mapped[str | None]
    expected_outcome: Mapped[str | None] = mapped_column(sa.Text())
    resources: Mapped[str | None] = mapped_column(sa.Text())
    incentives: Mapped[str | None] = mapped_column(sa.Text())
    presentation: Mapped[str | None]
    # The contact for this challenge (a later challenge's contact never changes this one's)
    contact_name: Mapped[str | None]
    contact_phone: Mapped[str | None]
    contact_email: Mapped[str | None]
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    # While submitted or listed: the organisation's name_key and a slot number 1..limit, unique
    # together, so the database refuses a fourth challenge however the submissions race.
    org_key: Mapped[str | None]
    org_slot: Mapped[int | None]
    review_note: Mapped[str | None] = mapped_column(sa.Text())  # the organisers' reason to return
    reviewed_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="challenges")
    dataset: Mapped[Dataset | None] = relationship(back_populates="challenge")

    __table_args__ = (
        _check_in("status", CHALLENGE_STATUSES, "status"),
        sa.Index(None, "organisation_id", "status"),
        sa.UniqueConstraint("org_key", "org_slot", name="uq_challenges_org_slot"),
        sa.CheckConstraint(SLOT_CHECK, name="slot_while_counted"),
    )


class OrganisationMember(Base):
    """Someone other than the owner who may post for an organisation (joined with the owner's
    invite code or by confirming the organisation's registered e-mail)."""

    __tablename__ = "organisation_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    via: Mapped[str]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "user_id"),
        _check_in("via", ORG_MEMBER_VIA, "via"),
    )


class OrganisationCode(Base):
    """A single-use, expiring code that lets one more person join an organisation: an owner's
    invite code (``kind`` invite) or a code e-mailed to the registered address (``email``).

    Only a hash is stored: ``code_hash`` = sha256 of ``salt`` + the code (invite codes have no
    salt, so they are found by their hash; an e-mail code belongs to ``for_user_id``).
    """

    __tablename__ = "organisation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str]
    code_hash: Mapped[str] = mapped_column(index=True)
    salt: Mapped[str] = mapped_column(default="", server_default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    for_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    wrong_attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (_check_in("kind", ORG_CODE_KINDS, "kind"),)


class Dataset(Base):
    """The dataset description of one challenge."""

    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenges.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str | None]
    field_names: Mapped[str | None] = mapped_column(sa.Text())
    encoding: Mapped[str | None]
    file_type: Mapped[str | None]
    volume: Mapped[str | None]
    time_range_start: Mapped[date | None]
    time_range_end: Mapped[date | None]
    delivery_method: Mapped[str | None]

    challenge: Mapped[Challenge] = relationship(back_populates="dataset")


class ChallengeFile(Base):
    """A file an organisation uploaded for its challenge (the presentation), kept in the database:
    one per challenge and kind; the bytes load only when asked for (``deferred``)."""

    __tablename__ = "challenge_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id", ondelete="CASCADE"))
    kind: Mapped[str]
    filename: Mapped[str]
    media_type: Mapped[str]
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary(), deferred=True)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    challenge: Mapped[Challenge] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("challenge_id", "kind", name="uq_challenge_files_challenge_kind"),
        _check_in("kind", CHALLENGE_FILE_KINDS, "kind"),
    )


# --- teams ----------------------------------------------------------------------------------------


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    leader_user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="team")


class TeamInvite(Base):
    __tablename__ = "team_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class InviteAttempt(Base):
    """One try of an invite code (rate limiting of wrong codes)."""

    __tablename__ = "invite_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    success: Mapped[bool]

    __table_args__ = (sa.Index(None, "user_id", "attempted_at"),)


class Membership(Base):
    """A person in a team.

    ``user_id`` is UNIQUE: one solving team per person, enforced by the database.
    """

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    role: Mapped[str] = mapped_column(default="member", server_default="member")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")

    __table_args__ = (_check_in("role", MEMBERSHIP_ROLES, "role"),)


class Application(Base):
    """A team applying to a submitted challenge (once per pair)."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    challenge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(default="applied", server_default="applied")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("team_id", "challenge_id"),)


# --- reminders ------------------------------------------------------------------------------------


class ReminderSubscription(Base):
    __tablename__ = "reminder_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    rounds: Mapped[list[str]] = mapped_column(default=list)
    kinds: Mapped[list[str]] = mapped_column(default=list)
    quiet_hours: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    language: Mapped[str | None]
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PlannedReminder(Base):
    """One reminder derived from the knowledge schedule; ``key`` is stable across re-planning."""

    __tablename__ = "planned_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    kind: Mapped[str]
    round: Mapped[str | None]
    milestone: Mapped[str | None]
    audience: Mapped[str]
    fire_at: Mapped[datetime]
    deadline_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(default="pending", server_default="pending")
    fired_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        _check_in("status", PLANNED_REMINDER_STATUSES, "status"),
        sa.Index(None, "status", "fire_at"),
    )


class Delivery(Base):
    """The outbox: one message to one recipient for one reminder or broadcast."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_key: Mapped[str]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str]
    external_id: Mapped[str]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text())
    retry_key: Mapped[str | None]
    claimed_at: Mapped[datetime | None]  # when a dispatcher moved it to 'sending'
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("reminder_key", "user_id"),
        _check_in("status", DELIVERY_STATUSES, "status"),
        sa.Index(None, "status", "next_attempt_at"),
        sa.Index(None, "retry_key"),  # a LINE multicast batch is claimed by its retry key
    )


# --- webhooks and conversations -------------------------------------------------------------------


class InboxEvent(Base):
    """A webhook event, stored before the ack; processed once, in order per sender."""

    __tablename__ = "inbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str]
    event_id: Mapped[str]
    sender_key: Mapped[str]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text())
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("channel", "event_id"),
        _check_in("status", INBOX_STATUSES, "status"),
        sa.Index(None, "status", "sender_key", "id"),
    )


class EmailMessage(Base):
    """The e-mail outbox: one message, written in the turn's transaction, sent by the mail
    dispatcher (bot/mail/) with retries; ``key`` makes enqueueing idempotent and
    ``message_id`` is the same Message-ID header on every attempt."""

    __tablename__ = "email_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    to_address: Mapped[str]
    subject: Mapped[str]
    body: Mapped[str] = mapped_column(sa.Text())
    message_id: Mapped[str]
    status: Mapped[str] = mapped_column(default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text())
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        _check_in("status", EMAIL_STATUSES, "status"),
        sa.Index(None, "status", "next_attempt_at"),
    )


class RateCounter(Base):
    """Hits of one rate-limit key in its current fixed window, shared by every worker."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(primary_key=True)  # e.g. "rest-ip:203.0.113.7"
    window_start: Mapped[int]  # epoch seconds, a multiple of the window length
    hits: Mapped[int] = mapped_column(default=0, server_default="0")


class EventOutput(Base):
    """What one platform event produced: the turn's responses, recorded in the turn's own
    transaction, and how far sending them got (``progress``), so that processing the event again
    replays them instead of running the turn twice, and never sends them twice."""

    __tablename__ = "event_outputs"

    event_key: Mapped[str] = mapped_column(primary_key=True)  # "<channel>:<platform event id>"
    sender_key: Mapped[str]
    responses: Mapped[list[Any]] = mapped_column(sa.JSON(), default=list)
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Conversation(Base):
    """The dialogue tracker snapshot of one sender; ``version`` increments on every save."""

    __tablename__ = "conversations"

    sender_key: Mapped[str] = mapped_column(primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    language: Mapped[str | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConversationEvent(Base):
    """One tracker event (user message, bot utterance, slot set …) in a sender's history."""

    __tablename__ = "conversation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_key: Mapped[str]
    turn: Mapped[int]
    event: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index(None, "sender_key", "id"), sa.Index(None, "created_at"))


class CallbackPayload(Base):
    """A button payload too long for the platform (Telegram callback_data ≤ 64 bytes)."""

    __tablename__ = "callback_payloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(unique=True)
    payload: Mapped[str] = mapped_column(sa.Text())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- organisers' console --------------------------------------------------------------------------


class OrganiserAccount(Base):
    """An organiser who signs in to the web console; ``role`` is viewer (read) or editor."""

    __tablename__ = "organiser_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)
    password_hash: Mapped[str]
    role: Mapped[str]
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    __table_args__ = (_check_in("role", ORGANISER_ROLES, "role"),)


class LoginAttempt(Base):
    """One console sign-in attempt (throttling counts the recent failures per e-mail)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    address: Mapped[str]
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index(None, "email", "at"), sa.Index(None, "address", "at"))


class AuditEntry(Base):
    """Who changed what, when: one row per change an organiser makes (CLI or console)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str]  # the organiser's e-mail (kept when the account is removed), or "cli"
    action: Mapped[str]
    target: Mapped[str] = mapped_column(default="", server_default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ReviewedMessage(Base):
    """A message the bot missed, labelled by an organiser in the console's teach-the-bot inbox.

    ``label`` is an intent name, ``out_of_scope`` or ``ignore``; ``entities`` are Rasa entity
    annotations ``[{"entity", "value", "start", "end"}]`` on ``text`` (personal data masked).
    """

    __tablename__ = "reviewed_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(unique=True)
    label: Mapped[str]
    entities: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON(), default=list)
    actor: Mapped[str]
    at: Mapped[datetime] = mapped_column(default=utcnow)
