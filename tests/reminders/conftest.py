"""Fixtures for the reminder tests: a migrated database, people to remind, the fake platforms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import knowledge
from db import make_engine, make_session_factory, upgrade
from db.models import ChannelIdentity, User
from db.subscriptions import subscribe
from knowledge import TZ, Programme


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


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
