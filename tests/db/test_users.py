"""``db.users``: identities, sender keys, idempotent creation."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from db.models import ChannelIdentity, User
from db.users import (
    find_user,
    get_or_create_user,
    get_or_create_user_for_sender,
    identities_of,
    parse_sender_key,
    sender_key,
    set_active,
)


def test_get_or_create_user_is_idempotent(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = get_or_create_user(
            session=session, channel="line", external_id="U123", language="en"
        )
        again = get_or_create_user(session=session, channel="line", external_id="U123")
        assert again.id == first.id
    with sessions.begin() as session:
        later = get_or_create_user(session=session, channel="line", external_id="U123")
        other = get_or_create_user(session=session, channel="telegram", external_id="U123")
        assert later.id == first.id and later.language == "en"
        assert other.id != first.id
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(ChannelIdentity)) == 2


def test_concurrent_creation_yields_one_user(sessions: sessionmaker[Session]) -> None:
    found: list[int] = []

    def second() -> None:
        with sessions.begin() as session:
            found.append(get_or_create_user(session=session, channel="rest", external_id="bob").id)

    with sessions.begin() as session:
        user = get_or_create_user(session=session, channel="rest", external_id="bob")
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
    thread.join(timeout=30)
    assert found == [user.id]


def test_sender_keys(sessions: sessionmaker[Session]) -> None:
    assert sender_key("telegram", "12345") == "telegram:12345"
    assert parse_sender_key("line:U1:x") == ("line", "U1:x")
    for bad in ("alice", "fax:alice", "rest:", ""):
        with pytest.raises(ValueError):
            parse_sender_key(bad)
    with sessions.begin() as session:
        user = get_or_create_user_for_sender(session=session, sender_key="telegram:12345")
        assert [
            (i.channel, i.external_id) for i in identities_of(session=session, user_id=user.id)
        ] == [("telegram", "12345")]
        with pytest.raises(ValueError):
            get_or_create_user(session=session, channel="fax", external_id="1")


def test_set_active(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        get_or_create_user(session=session, channel="line", external_id="U9")
        assert (
            set_active(session=session, channel="line", external_id="nobody", active=False) is None
        )
        user = set_active(session=session, channel="line", external_id="U9", active=False)
        assert user is not None and user.active is False
    with sessions() as session:
        user = find_user(session=session, channel="line", external_id="U9")
        assert user is not None and user.active is False
