"""db.privacy: what is held about a person, and erasing it while keeping the programme's records."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from db import privacy
from db.challenges import get_or_create_organisation
from db.models import (
    Challenge,
    ConversationEvent,
    InboxEvent,
    Membership,
    Organisation,
    Profile,
    Team,
    User,
)
from db.teams import create_team, save_profile
from db.users import get_or_create_user_for_sender

NOW = datetime(2019, 5, 20, 2, 0, tzinfo=UTC)


def _person(session: Session, key: str = "line:U1") -> User:
    user = get_or_create_user_for_sender(session=session, sender_key=key)
    user.display_name = "林大明"
    save_profile(
        session=session,
        user_id=user.id,
        age=22,
        birth_date=date(1997, 1, 2),
        nationality="ROC",
        expertise="ai",
        now=NOW,
    )
    create_team(session=session, name="肺結節隊", leader_user_id=user.id, now=NOW)
    org = get_or_create_organisation(session=session, name="童綜合醫院", user_id=user.id)
    org.contact_name, org.phone, org.email = "陳副總", "0412345678", "chen@example.org"
    contact = {"contact_name": "陳副總", "contact_phone": "0412345678",
               "contact_email": "chen@example.org"}  # fmt: skip
    session.add(
        Challenge(
            organisation=org, created_by_user_id=user.id, reference="AIGO-108-0001", **contact
        )
    )
    for n in range(3):
        event = {"event": "user", "text": "我22歲"}
        session.add(ConversationEvent(sender_key=key, turn=n, event=event))
    session.add(InboxEvent(channel="line", event_id="e1", sender_key=key, status="done"))
    session.add(InboxEvent(channel="line", event_id="e2", sender_key=key, status="pending"))
    session.flush()
    return user


def test_personal_data_lists_everything_held(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        user = _person(session)
        data = privacy.personal_data(session=session, user_id=user.id)
    assert data["name"] == "林大明" and data["identities"] == ["line:U1"]
    assert data["profile"] == {
        "age": 22,
        "birth_date": "1997-01-02",
        "nationality": "ROC",
        "expertise": "ai",
    }
    assert data["team"] == {"name": "肺結節隊", "role": "leader"}
    assert data["organisations"][0]["email"] == "chen@example.org"
    assert data["challenges"] == ["AIGO-108-0001"] and data["conversation_events"] == 3


def test_erase_blanks_personal_fields_and_keeps_records(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        user = _person(session)
        done = privacy.erase_personal_data(session=session, user_id=user.id)
        user_id = user.id
    assert done.blanked == ["name", "profile", "organisation_contact"]
    assert done.deleted_events == 3 and done.kept == ["team", "challenges"]
    with sessions() as session:
        assert session.get(User, user_id).display_name is None  # type: ignore[union-attr]
        assert session.get(Profile, user_id) is None
        org = session.scalars(sa.select(Organisation)).one()
        assert org.name == "童綜合醫院"
        assert (org.contact_name, org.phone, org.email) == (None, None, None)
        assert session.scalars(sa.select(Team.name)).all() == ["肺結節隊"]
        assert session.scalar(sa.select(Membership.user_id)) == user_id
        kept = session.scalars(sa.select(Challenge)).one()
        assert kept.reference == "AIGO-108-0001"
        assert (kept.contact_name, kept.contact_phone, kept.contact_email) == (None, None, None)
        assert session.scalar(sa.select(sa.func.count()).select_from(ConversationEvent)) == 0
        assert session.scalars(sa.select(InboxEvent.event_id)).all() == ["e2"]  # in flight stays


def test_erase_of_someone_with_nothing_changes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        user = get_or_create_user_for_sender(session=session, sender_key="rest:alice")
        done = privacy.erase_personal_data(session=session, user_id=user.id)
        assert done.blanked == [] and done.kept == [] and done.deleted_events == 0
        assert privacy.erase_personal_data(session=session, user_id=99999).blanked == []
        assert privacy.personal_data(session=session, user_id=99999) == {}
