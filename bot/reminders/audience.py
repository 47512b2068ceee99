"""Who receives what: recipient selection for reminders, nudges and broadcasts.

A recipient is a user with a LINE or Telegram identity (one delivery per user: LINE preferred,
the oldest identity of that channel). Never selected: inactive users (blocked the bot, unfollowed)
and users who opted out (``reminder_subscriptions.active`` false).

- Reminders go to active subscribers whose ``rounds`` (empty: all) contain the round and whose
  ``kinds`` (empty: all) contain the reminder's kind.
- Nudges go to subscribers to ``nudges`` who are members of a team without an application, and to
  those who created an organisation or challenge that still has a draft challenge.
- Broadcasts go to every user not opted out (``all``), team members (``teams``) or organisation
  contacts (``organisations``); ``round_id`` drops subscribers who chose other rounds only.

All functions take a keyword-only ``session``, only read, and return recipients ordered by user id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import (
    Application,
    Challenge,
    ChannelIdentity,
    Membership,
    Organisation,
    ReminderSubscription,
    Team,
    User,
)

PUSH_CHANNELS = ("line", "telegram")
Audience = Literal["all", "teams", "organisations"]
AUDIENCES: tuple[Audience, ...] = ("all", "teams", "organisations")


@dataclass(frozen=True)
class Recipient:
    """One person to message on one channel; ``extra`` carries nudge details (team, title)."""

    user_id: int
    channel: str
    external_id: str
    lang: str
    quiet_hours: bool
    extra: str | None = None


def _base_query() -> Any:
    sub = ReminderSubscription
    return (
        sa.select(
            User.id,
            User.language,
            ChannelIdentity.channel,
            ChannelIdentity.external_id,
            sub.active,
            sa.cast(sub.rounds, sa.Text),  # decoded only when not empty (fast for 100k rows)
            sa.cast(sub.kinds, sa.Text),
            sub.quiet_hours,
            sub.language,
        )
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .outerjoin(sub, sub.user_id == User.id)
        .where(User.active.is_(True), ChannelIdentity.channel.in_(PUSH_CHANNELS))
        .order_by(User.id, ChannelIdentity.channel, ChannelIdentity.id)
    )


def _allows(raw: str | None, value: str) -> bool:
    """True when the JSON list ``raw`` is empty/null (everything) or contains ``value``."""
    if raw is None or raw in ("[]", "null"):
        return True
    return value in json.loads(raw)


def _rows(session: Session, query: Any) -> Any:
    """Core execution (no ORM row processing) on the session's connection."""
    return session.connection().execute(query)


def _collect(
    rows: Any, *, round_id: str | None, kind: str | None, need_subscription: bool,
    extras: dict[int, str] | None = None,
) -> list[Recipient]:  # fmt: skip
    out: list[Recipient] = []
    last_user = None
    for user_id, user_lang, channel, external_id, active, rounds, kinds, quiet, sub_lang in rows:
        if user_id == last_user:  # one delivery per user: the first identity (line < telegram)
            continue
        if active is False or (need_subscription and active is None):
            continue
        if round_id and not _allows(rounds, round_id):
            continue
        if kind and not _allows(kinds, kind):
            continue
        last_user = user_id
        lang = sub_lang or user_lang or "zh-TW"
        quiet_hours = True if quiet is None else bool(quiet)
        extra = extras.get(user_id) if extras is not None else None
        out.append(Recipient(user_id, channel, external_id, lang, quiet_hours, extra))
    return out


def subscribers(*, session: Session, round_id: str, kind: str) -> list[Recipient]:
    """Active subscribers to ``kind`` (``deadlines``/``events``/``nudges``) for ``round_id``."""
    rows = _rows(session, _base_query().where(ReminderSubscription.active.is_(True)))
    return _collect(rows, round_id=round_id, kind=kind, need_subscription=True)


def _teams_without_application(session: Session) -> dict[int, str]:
    applied = sa.select(Application.team_id)
    stmt = (
        sa.select(Membership.user_id, Team.name)
        .join(Team, Team.id == Membership.team_id)
        .where(Team.id.not_in(applied))
    )
    return {user_id: name for user_id, name in session.execute(stmt)}


def _draft_owners(session: Session) -> dict[int, str]:
    owner = sa.func.coalesce(Challenge.created_by_user_id, Organisation.created_by_user_id)
    stmt = (
        sa.select(owner, Challenge.title)
        .join(Organisation, Organisation.id == Challenge.organisation_id)
        .where(Challenge.status == "draft", owner.is_not(None))
        .order_by(Challenge.id)
    )
    found: dict[int, str] = {}
    for user_id, title in session.execute(stmt):
        found.setdefault(int(user_id), title or "")
    return found


def nudge_recipients(*, session: Session, round_id: str) -> tuple[list[Recipient], list[Recipient]]:
    """``(team members without an application, owners of draft challenges)`` subscribed to nudges.

    ``extra`` is the team name, or the draft challenge's title ('' when untitled). A person who is
    both gets the team nudge only.
    """
    teams = _teams_without_application(session)
    owners = {k: v for k, v in _draft_owners(session).items() if k not in teams}
    query = _base_query().where(ReminderSubscription.active.is_(True))
    members = _collect(
        _rows(session, query.where(User.id.in_(list(teams) or [-1]))),
        round_id=round_id, kind="nudges", need_subscription=True, extras=teams,
    )  # fmt: skip
    contacts = _collect(
        _rows(session, query.where(User.id.in_(list(owners) or [-1]))),
        round_id=round_id, kind="nudges", need_subscription=True, extras=owners,
    )  # fmt: skip
    return members, contacts


def broadcast_recipients(
    *, session: Session, audience: Audience, round_id: str | None = None
) -> list[Recipient]:
    """Everyone in ``audience`` who may be messaged (see the module docstring)."""
    query = _base_query()
    if audience == "teams":
        query = query.where(User.id.in_(sa.select(Membership.user_id)))
    elif audience == "organisations":
        owners = sa.union(
            sa.select(Organisation.created_by_user_id),
            sa.select(Challenge.created_by_user_id),
        ).subquery()
        query = query.where(sa.or_(User.role == "enterprise", User.id.in_(sa.select(owners.c[0]))))
    elif audience != "all":
        raise ValueError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    return _collect(_rows(session, query), round_id=round_id, kind=None, need_subscription=False)
