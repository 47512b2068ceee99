"""Figures for the console's overview, computed from the conversation log and the tables.

Days are calendar days in ``tz`` (the caller passes Asia/Taipei). Everything reads the window
``[since, until)`` of ``conversation_events`` through its ``created_at`` index, so the cost
follows the window, not the size of the log.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import (
    Application,
    Challenge,
    ConversationEvent,
    Delivery,
    Membership,
    Team,
    User,
)

_KIND = ConversationEvent.event["event"].as_string()
_NAME = ConversationEvent.event["name"].as_string()


def _window(since: datetime, until: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(ConversationEvent.created_at >= since, ConversationEvent.created_at < until)


def _day(session: Session, tz: tzinfo, at: datetime) -> sa.ColumnElement[str]:
    """The calendar day of ``created_at`` in ``tz`` as ``YYYY-MM-DD`` text (fixed offset)."""
    offset = tz.utcoffset(at) or timedelta()
    hours = int(offset.total_seconds() // 3600)
    column = ConversationEvent.created_at
    if session.get_bind().dialect.name == "postgresql":
        shifted = column + sa.text(f"interval '{hours} hours'")
        return sa.func.to_char(sa.func.timezone("UTC", shifted), "YYYY-MM-DD")
    return sa.func.date(column, f"{hours:+d} hours")


def _channel(session: Session) -> sa.ColumnElement[str]:
    key = ConversationEvent.sender_key
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.split_part(key, ":", 1)
    return sa.func.substr(key, 1, sa.func.instr(key, ":") - 1)


def conversations_per_day(
    *, session: Session, since: datetime, until: datetime, tz: tzinfo
) -> dict[date, Counter[str]]:
    """Per day: how many senders wrote at least one message, per channel (counted in SQL)."""
    day, channel = _day(session, tz, until), _channel(session)
    query = (
        sa.select(day, channel, sa.func.count(sa.distinct(ConversationEvent.sender_key)))
        .where(_window(since, until), _KIND == "user")
        .group_by(day, channel)
    )
    found: dict[date, Counter[str]] = defaultdict(Counter)
    for when, name, count in session.execute(query):
        found[date.fromisoformat(str(when))][str(name)] = int(count)
    return dict(found)


def new_users_per_day(
    *, session: Session, since: datetime, until: datetime, tz: tzinfo
) -> Counter[date]:
    """Users created per day."""
    query = sa.select(User.created_at).where(User.created_at >= since, User.created_at < until)
    return Counter(at.astimezone(tz).date() for at in session.scalars(query))


def questions_by_topic(*, session: Session, since: datetime, until: datetime) -> Counter[str]:
    """User messages per recognised intent (``nlu_fallback`` included)."""
    intent = ConversationEvent.event["parse_data"]["intent"]["name"].as_string()
    query = (
        sa.select(intent, sa.func.count())
        .where(_window(since, until), _KIND == "user")
        .group_by(intent)
    )
    return Counter({str(name): int(n) for name, n in session.execute(query) if name})


@dataclass
class FormFigures:
    """Forms started, submitted and abandoned (and at which field) in the window."""

    started: Counter[str] = field(default_factory=Counter)
    submitted: Counter[str] = field(default_factory=Counter)
    abandoned: Counter[str] = field(default_factory=Counter)
    abandoned_at: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def forms(*, session: Session, since: datetime, until: datetime) -> FormFigures:
    """Walk each sender's form events in order: a form that ends after ``action_cancel`` (or has
    not ended by ``until``) is abandoned at its last requested field; one that ends otherwise is
    submitted."""
    wanted = sa.or_(
        _KIND == "active_loop",
        sa.and_(_KIND == "slot", _NAME == "requested_slot"),
        sa.and_(_KIND == "action", _NAME == "action_cancel"),
    )
    query = (
        sa.select(ConversationEvent.sender_key, ConversationEvent.event)
        .where(_window(since, until), wanted)
        .order_by(ConversationEvent.sender_key, ConversationEvent.id)
    )
    figures = FormFigures()
    state: dict[str, dict[str, Any]] = {}
    for sender, event in session.execute(query):
        _step(figures, state.setdefault(sender, {}), event)
    for open_form in state.values():
        if open_form.get("form"):
            figures.abandoned[open_form["form"]] += 1
            figures.abandoned_at[open_form["form"]][open_form.get("slot") or "-"] += 1
    return figures


def _step(figures: FormFigures, current: dict[str, Any], event: dict[str, Any]) -> None:
    kind, name = event.get("event"), event.get("name")
    if kind == "action":
        current["cancelled"] = True
    elif kind == "slot" and event.get("value"):
        current["slot"] = event["value"]
    elif kind == "active_loop" and name:
        if current.get("form") != name:
            figures.started[name] += 1
        current.update(form=name, cancelled=False)
    elif kind == "active_loop" and current.get("form"):
        form = current["form"]
        if current.get("cancelled"):
            figures.abandoned[form] += 1
            figures.abandoned_at[form][current.get("slot") or "-"] += 1
        else:
            figures.submitted[form] += 1
        current.clear()


def totals(*, session: Session) -> dict[str, int]:
    """Current totals: users, teams, members, challenges per status, applications."""
    count = sa.func.count()
    found = {
        "users": session.scalar(sa.select(count).select_from(User)) or 0,
        "teams": session.scalar(sa.select(count).select_from(Team)) or 0,
        "members": session.scalar(sa.select(count).select_from(Membership)) or 0,
        "applications": session.scalar(sa.select(count).select_from(Application)) or 0,
    }
    for status, n in session.execute(sa.select(Challenge.status, count).group_by(Challenge.status)):
        found[f"challenges_{status}"] = int(n)
    return {k: int(v) for k, v in found.items()}


def applications_per_challenge(*, session: Session, limit: int = 15) -> list[tuple[str, int]]:
    """The challenges with the most applications: ``(reference, count)``, most first."""
    n = sa.func.count(Application.id)
    query = (
        sa.select(Challenge.reference, n)
        .join(Application, Application.challenge_id == Challenge.id)
        .group_by(Challenge.reference)
        .order_by(n.desc(), Challenge.reference)
        .limit(limit)
    )
    return [(str(ref), int(c)) for ref, c in session.execute(query)]


def deliveries(*, session: Session) -> Counter[str]:
    """Outbox rows per status (sent / failed / pending …), reminders and broadcasts together."""
    query = sa.select(Delivery.status, sa.func.count()).group_by(Delivery.status)
    return Counter({str(s): int(n) for s, n in session.execute(query)})
