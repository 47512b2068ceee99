"""Fixtures for the reminder tests: the programme and people to remind (the migrated database
is ``sessions`` from tests/conftest.py, the fake platforms come from tests/fakes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

import knowledge
from db.models import ChannelIdentity, User
from db.subscriptions import subscribe
from knowledge import TZ, Programme


@pytest.fixture(scope="session")
def programme() -> Programme:
    return knowledge.load()


def at(text: str) -> datetime:
    """An Asia/Taipei instant from ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def add_user(
    session: Session, channel: str, external_id: str, *, subscribed: bool = True,
    lang: str = "zh-TW", **sub: Any,
) -> int:  # fmt: skip
    """A user with one identity, subscribed (all rounds/kinds by default) unless told otherwise."""
    user = User(language=lang)
    session.add(user)
    session.flush()
    session.add(ChannelIdentity(user_id=user.id, channel=channel, external_id=external_id))
    if subscribed:
        subscribe(
            session=session, user_id=user.id, now=at("2019-03-01 09:00"), language=lang, **sub
        )
    session.flush()
    return user.id
