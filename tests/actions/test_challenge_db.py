"""``db.challenges`` on SQLite and PostgreSQL: drafts, references, the per-organisation limit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import challenge_rows, challenges
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, submitted_challenge


def test_draft_is_updated_in_place_then_submitted_with_a_reference(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        user = get_or_create_user(session=session, channel="rest", external_id="org")
        org = challenges.get_or_create_organisation(session=session, name="童綜合", user_id=user.id)
        draft = challenges.save_draft(
            session=session,
            user_id=user.id,
            organisation=org,
            contact={"email": "a@b.co"},
            challenge={"title": "初稿"},
            dataset={"time_range_start": date(2015, 1, 1)},
            now=NOW,
        )
        again = challenges.save_draft(
            session=session,
            user_id=user.id,
            organisation=org,
            contact={},
            challenge={"title": "定稿"},
            dataset={},
            now=NOW + timedelta(days=3),
            draft_id=draft.id,
        )
        assert again.id == draft.id and again.title == "定稿"
        assert challenges.latest_draft(session=session, user_id=user.id) is draft
        with pytest.raises(KeyError):
            challenges.save_draft(
                session=session,
                user_id=user.id,
                organisation=org,
                contact={},
                challenge={"secret": "x"},
                dataset={},
                now=NOW,
            )
    with sessions.begin() as session:
        loaded = challenges.get_challenge(session=session, challenge_id=again.id)
        assert loaded is not None and loaded.dataset is not None
        assert loaded.dataset.time_range_start == date(2015, 1, 1)
        challenges.submit(session=session, challenge=loaded, limit=3, now=NOW)
        assert loaded.reference == "AIGO-108-0001" and loaded.status == "submitted"
        assert challenges.find_by_reference(session=session, reference="aigo-108-0001") is loaded


def test_fourth_submission_is_refused_and_drafts_do_not_count(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        refs = [submitted_challenge(session, "大同醫院", f"題目{i}") for i in range(3)]
        assert refs == ["AIGO-108-0001", "AIGO-108-0002", "AIGO-108-0003"]
        other = submitted_challenge(session, "另一家公司", "別家的題目")
        assert other == "AIGO-108-0004"
    with sessions.begin() as session:
        user = get_or_create_user(session=session, channel="rest", external_id="seed")
        org = challenges.get_or_create_organisation(session=session, name="大同醫院", user_id=None)
        fourth = challenges.save_draft(
            session=session,
            user_id=user.id,
            organisation=org,
            contact={},
            challenge={"title": "第四題"},
            dataset={},
            now=NOW,
        )
        with pytest.raises(challenges.LimitReached) as info:
            challenges.submit(session=session, challenge=fourth, limit=3, now=NOW)
        assert [c.title for c in info.value.existing] == ["題目0", "題目1", "題目2"]
        assert fourth.status == "draft" and fourth.reference is None
    with sessions() as session:
        rows = challenge_rows.rows(session=session, organisation="大同醫院")
        assert [r.status for r in rows] == ["submitted"] * 3 + ["draft"]
        assert {r.organisation for r in rows} == {"大同醫院"}
        submitted = challenge_rows.rows(session=session, status="submitted")
        assert len(submitted) == 4
