"""What the service holds about one person, and erasing it (Taiwan's Personal Data Protection
Act: the right to see, copy and delete one's data).

:func:`personal_data` gathers everything tied to a user (profile, name, identities, teams,
organisations they entered or own, challenges with their contacts, reminder subscription, stored
conversation) as plain values. :func:`erase_personal_data` deletes or blanks the personal fields
and the conversation history, and keeps the records organisers need — team memberships,
challenges, applications — with the personal fields blanked. Neither commits; the caller owns
the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import (
    Challenge,
    ChannelIdentity,
    ConversationEvent,
    InboxEvent,
    InviteAttempt,
    Membership,
    Organisation,
    Profile,
    ReminderSubscription,
    Team,
    User,
)

FINISHED_INBOX = ("done", "failed")


def sender_keys(*, session: Session, user_id: int) -> list[str]:
    """The dialogue sender keys (``<channel>:<external id>``) of a user's identities."""
    rows = session.execute(
        sa.select(ChannelIdentity.channel, ChannelIdentity.external_id)
        .where(ChannelIdentity.user_id == user_id)
        .order_by(ChannelIdentity.id)
    )
    return [f"{channel}:{external}" for channel, external in rows]


def _profile(session: Session, user_id: int) -> dict[str, Any] | None:
    profile = session.get(Profile, user_id)
    if profile is None:
        return None
    birth = profile.birth_date.isoformat() if profile.birth_date else None
    return {
        "age": profile.age,
        "birth_date": birth,
        "nationality": profile.nationality,
        "expertise": profile.expertise,
    }


def _entered(user_id: int) -> Any:
    """Organisations the user created or owns (their registered contact is the user's)."""
    return sa.or_(Organisation.created_by_user_id == user_id, Organisation.owner_user_id == user_id)


def _organisations(session: Session, user_id: int) -> list[dict[str, Any]]:
    orgs = session.scalars(
        sa.select(Organisation).where(_entered(user_id)).order_by(Organisation.id)
    )
    return [
        {"name": o.name, "contact_name": o.contact_name, "phone": o.phone, "email": o.email}
        for o in orgs
    ]


def personal_data(*, session: Session, user_id: int) -> dict[str, Any]:
    """Everything held about ``user_id``, as JSON-ready values (empty dict for no such user)."""
    user = session.get(User, user_id)
    if user is None:
        return {}
    keys = sender_keys(session=session, user_id=user_id)
    team = session.execute(
        sa.select(Team.name, Membership.role)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user_id)
    ).first()
    challenges = session.scalars(
        sa.select(Challenge.reference).where(Challenge.created_by_user_id == user_id)
    )
    subscription = session.scalar(
        sa.select(ReminderSubscription.active).where(ReminderSubscription.user_id == user_id)
    )
    events = sa.select(sa.func.count()).select_from(ConversationEvent)
    events = events.where(ConversationEvent.sender_key.in_(keys))
    messages = session.scalar(events)
    typed = session.scalar(events.where(ConversationEvent.event["event"].as_string() == "user"))
    return {
        "name": user.display_name,
        "language": user.language,
        "identities": keys,
        "profile": _profile(session, user_id),
        "team": {"name": team[0], "role": team[1]} if team else None,
        "organisations": _organisations(session, user_id),
        "challenges": [c or "draft" for c in challenges],
        "reminders": subscription,
        "conversation_events": int(messages or 0),
        "messages_sent": int(typed or 0),  # what the person typed or tapped (events: bot's too)
    }


@dataclass
class Erasure:
    """What :func:`erase_personal_data` did: fields blanked, rows deleted, records kept."""

    blanked: list[str] = field(default_factory=list)
    deleted_events: int = 0
    kept: list[str] = field(default_factory=list)


def _delete_where(session: Session, model: Any, column: Any, values: Iterable[Any]) -> int:
    result = session.execute(sa.delete(model).where(column.in_(list(values))))
    return int(getattr(result, "rowcount", 0) or 0)


def erase_personal_data(*, session: Session, user_id: int) -> Erasure:
    """Delete the profile and conversation history, blank the name and the contact fields of the
    organisations the user entered; keep memberships, teams, challenges and applications (the
    programme's records) with those personal fields blank. Identities stay so the person can
    still talk to the bot (they hold only the platform's opaque id)."""
    done = Erasure()
    user = session.get(User, user_id)
    if user is None:
        return done
    keys = sender_keys(session=session, user_id=user_id)
    if user.display_name:
        user.display_name = None
        done.blanked.append("name")
    if _delete_where(session, Profile, Profile.user_id, [user_id]):
        done.blanked.append("profile")
    for org in session.scalars(sa.select(Organisation).where(_entered(user_id))):
        if org.contact_name or org.phone or org.email:
            org.contact_name = org.phone = org.email = None
            done.blanked.append("organisation_contact")
    mine = sa.select(Challenge).where(Challenge.created_by_user_id == user_id)
    for challenge in session.scalars(mine):
        if challenge.contact_name or challenge.contact_phone or challenge.contact_email:
            challenge.contact_name = challenge.contact_phone = challenge.contact_email = None
            if "organisation_contact" not in done.blanked:  # the same fields, per challenge
                done.blanked.append("organisation_contact")
    done.deleted_events = _delete_where(
        session, ConversationEvent, ConversationEvent.sender_key, keys
    )
    session.execute(  # finished webhook events hold the raw messages; the one in flight stays
        sa.delete(InboxEvent).where(
            InboxEvent.sender_key.in_(keys), InboxEvent.status.in_(FINISHED_INBOX)
        )
    )
    _delete_where(session, InviteAttempt, InviteAttempt.user_id, [user_id])
    data = personal_data(session=session, user_id=user_id)
    done.kept = [k for k in ("team", "challenges") if data.get(k)]
    session.flush()
    return done
