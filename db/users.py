"""Users and their channel identities.

A person is one ``users`` row; each channel they talk through (LINE user id, Telegram chat id,
REST sender, console) is one ``channel_identities`` row, unique on ``(channel, external_id)``.
A dialogue ``sender_key`` is ``"<channel>:<external id>"``.

All functions take a keyword-only ``session`` and never commit (they may flush and use a
SAVEPOINT); the caller owns the transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import CHANNELS, ChannelIdentity, Conversation, User

__all__ = [
    "chat_language",
    "find_user",
    "get_or_create_user",
    "get_or_create_user_for_sender",
    "identities_of",
    "parse_sender_key",
    "sender_key",
    "set_active",
]


def sender_key(channel: str, external_id: str) -> str:
    """The dialogue sender key of an identity, e.g. ``line:U123``."""
    return f"{channel}:{external_id}"


def parse_sender_key(key: str) -> tuple[str, str]:
    """Split ``"<channel>:<external id>"``; ``ValueError`` for an unknown channel or empty id."""
    channel, sep, external_id = key.partition(":")
    if not sep or channel not in CHANNELS or not external_id:
        raise ValueError(f"not a sender key: {key!r} (expected '<channel>:<id>')")
    return channel, external_id


def find_user(*, session: Session, channel: str, external_id: str) -> User | None:
    """The user behind ``(channel, external_id)``, or None."""
    stmt = (
        sa.select(User)
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
    )
    return session.scalars(stmt).one_or_none()


def get_or_create_user(
    *, session: Session, channel: str, external_id: str, language: str | None = None
) -> User:
    """Return the user for this identity, creating user and identity when new.

    Idempotent and safe under concurrency: if another transaction creates the same identity first,
    the unique constraint fires inside a SAVEPOINT and the existing user is returned. ``language``
    is only used for a new user. ``ValueError`` for an unknown channel or an empty id.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    if not external_id:
        raise ValueError("external_id must not be empty")
    user = find_user(session=session, channel=channel, external_id=external_id)
    if user is not None:
        return user
    try:
        with session.begin_nested():
            user = User(language=language)
            session.add(user)
            session.flush()
            session.add(ChannelIdentity(user_id=user.id, channel=channel, external_id=external_id))
            session.flush()
    except IntegrityError:
        user = find_user(session=session, channel=channel, external_id=external_id)
        if user is None:  # pragma: no cover - the conflicting row must exist
            raise
    return user


def get_or_create_user_for_sender(*, session: Session, sender_key: str) -> User:
    """:func:`get_or_create_user` for a dialogue sender key such as ``telegram:12345``."""
    channel, external_id = parse_sender_key(sender_key)
    return get_or_create_user(session=session, channel=channel, external_id=external_id)


def identities_of(*, session: Session, user_id: int) -> list[ChannelIdentity]:
    """Every channel identity of a user, oldest first."""
    stmt = (
        sa.select(ChannelIdentity)
        .where(ChannelIdentity.user_id == user_id)
        .order_by(ChannelIdentity.id)
    )
    return list(session.scalars(stmt))


def set_active(*, session: Session, channel: str, external_id: str, active: bool) -> User | None:
    """Mark the user behind an identity active/inactive (unfollow, blocked bot); None if unknown."""
    user = find_user(session=session, channel=channel, external_id=external_id)
    if user is not None:
        user.active = active
        session.flush()
    return user


def chat_language(*, session: Session, user_id: int) -> str | None:
    """The language the user chats in: that of their most recent conversation over any of their
    identities, else the user's stored language (None when neither is known)."""
    key = ChannelIdentity.channel + ":" + ChannelIdentity.external_id
    latest = (
        sa.select(Conversation.language)
        .join(ChannelIdentity, Conversation.sender_key == key)
        .where(ChannelIdentity.user_id == user_id, Conversation.language.is_not(None))
        .order_by(Conversation.updated_at.desc())
        .limit(1)
    )
    found = session.scalar(latest)
    if found:
        return str(found)
    user = session.get(User, user_id)
    return user.language if user is not None else None
