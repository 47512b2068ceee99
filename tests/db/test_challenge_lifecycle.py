"""The challenge lifecycle and the per-organisation limit, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db import challenges, teams
from db.challenge_states import InvalidTransition, allowed, target
from db.models import Application, Challenge
from db.org_names import normalise_org_name
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, join_organisation, submitted_challenge


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("宏達智能 股份有限公司", "宏達智能股份有限公司"),
        ("宏達智能股份有限公司", "宏達智能"),
        ("宏達智能（股）公司", "宏達智能有限公司"),
        ("臺灣醫療科技", "台灣醫療科技公司"),
        ("ＡＢＣ　Robotics", "abc robotics"),
        ("Acme, Co., Ltd.", "ACME Inc."),
        ("宏達。智能", "宏達智能"),
    ],
)
def test_spellings_of_one_organisation_share_a_key(a: str, b: str) -> None:
    assert normalise_org_name(a) == normalise_org_name(b)


@pytest.mark.parametrize(("a", "b"), [("宏達智能", "宏達電"), ("Zinc", "Z"), ("Costco", "Cost")])
def test_different_organisations_keep_different_keys(a: str, b: str) -> None:
    assert normalise_org_name(a) != normalise_org_name(b)


def test_transition_table_answers_without_a_database() -> None:
    assert allowed("submitted", "withdraw") and allowed("submitted", "edit")
    assert not allowed("listed", "withdraw") and not allowed("listed", "edit")
    assert target("returned", "submit") == "submitted"
    with pytest.raises(InvalidTransition, match="cannot list challenge AIGO-108-0001 while draft"):
        target("draft", "list", "AIGO-108-0001")


def _draft(session: Session, org_name: str, sender: str, title: str) -> Challenge:
    user = get_or_create_user(session=session, channel="rest", external_id=sender)
    org = challenges.get_or_create_organisation(session=session, name=org_name, user_id=user.id)
    return challenges.save_draft(
        session=session, user_id=user.id, organisation=org, contact={},
        challenge={"title": title}, dataset={}, now=NOW,
    )  # fmt: skip


def test_a_spelling_variant_from_another_sender_counts_towards_the_same_limit(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        for i in range(3):
            submitted_challenge(session, "宏達智能股份有限公司", f"題目{i}")
        join_organisation(session, "宏達智能", "someone-else")  # a colleague (db.org_access)
    with sessions.begin() as session:
        fourth = _draft(session, "宏達智能 股份有限公司", "someone-else", "第四題")
        assert fourth.organisation.name == "宏達智能股份有限公司"  # the existing organisation
        with pytest.raises(challenges.LimitReached) as info:
            challenges.submit(session=session, challenge=fourth, limit=3, now=NOW)
        assert len(info.value.existing) == 3


def test_lifecycle_releases_and_takes_slots(sessions: sessionmaker[Session]) -> None:
    later = NOW + timedelta(days=1)
    with sessions.begin() as session:
        refs = [submitted_challenge(session, "大同醫院", f"題目{i}") for i in range(3)]
        first, second, third = (
            challenges.find_by_reference(session=session, reference=r) for r in refs
        )
        assert first and second and third
        challenges.transition(session=session, challenge=first, action="list", now=later)
        challenges.transition(
            session=session, challenge=second, action="return", now=later, note="資料欄位不清楚"
        )
        challenges.transition(session=session, challenge=third, action="withdraw", now=later)
        assert (first.status, first.org_slot) == ("listed", 1)
        assert (second.status, second.org_slot, second.review_note) == (
            "returned",
            None,
            "資料欄位不清楚",
        )
        assert challenges.open_challenges(session=session) == [first]
        with pytest.raises(InvalidTransition):
            challenges.transition(session=session, challenge=third, action="list", now=later)
        challenges.submit(session=session, challenge=second, limit=3, now=later)
        assert (second.status, second.reference, second.org_slot) == ("submitted", refs[1], 2)
        challenges.transition(session=session, challenge=first, action="close", now=later)
        assert first.org_slot is None
        counted = challenges.counted_of(session=session, name_key="大同醫院")
        assert [c.reference for c in counted] == [refs[1]]


def test_the_database_refuses_a_second_challenge_in_one_slot(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        submitted_challenge(session, "大同醫院", "題目")
    with pytest.raises(IntegrityError), sessions.begin() as session:
        extra = _draft(session, "大同醫院", "x", "硬塞")
        extra.status, extra.org_key, extra.org_slot = "submitted", "大同醫院", 1
    with pytest.raises(IntegrityError), sessions.begin() as session:
        listed_without_slot = _draft(session, "大同醫院", "x", "沒有名額")
        listed_without_slot.status = "listed"


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_senders_racing_for_the_last_slot_cannot_make_a_fourth(
    sessions: sessionmaker[Session],
) -> None:
    """Two challenges in; two senders (two spellings) submit at once: one becomes the third, the
    other would be the fourth and is refused."""
    with sessions.begin() as session:
        for i in range(2):
            submitted_challenge(session, "宏達智能股份有限公司", f"題目{i}")
        for colleague in ("a", "b"):
            join_organisation(session, "宏達智能", colleague)
        ids = [
            _draft(session, name, sender, "第三題").id
            for name, sender in (("宏達智能 股份有限公司", "a"), ("宏達智能(股)公司", "b"))
        ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(challenge_id: int) -> None:
        with sessions() as session, session.begin():
            draft = session.get(Challenge, challenge_id)
            assert draft is not None
            barrier.wait()
            try:
                challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
                session.execute(sa.text("SELECT pg_sleep(0.2)"))  # hold the slot a moment
                outcomes.append("submitted")
            except challenges.LimitReached:
                outcomes.append("limit")

    threads = [threading.Thread(target=submit, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["limit", "submitted"]
    with sessions() as session:
        assert len(challenges.counted_of(session=session, name_key="宏達智能")) == 3


def test_an_edit_keeps_the_state_and_a_withdrawal_ends_the_applications(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        draft = _draft(session, "大同醫院", "org", "病歷摘要")
        challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
        org, owner = draft.organisation, int(draft.created_by_user_id or 0)
        edited = challenges.save_draft(
            session=session, user_id=owner, organisation=org, contact={},
            challenge={"title": "住院病歷摘要"}, dataset={}, now=NOW, draft_id=draft.id,
        )  # fmt: skip
        assert edited.id == draft.id and (edited.status, edited.org_slot) == ("submitted", 1)
        other = challenges.get_or_create_organisation(session=session, name="宏達", user_id=owner)
        with pytest.raises(ValueError, match="is submitted for '大同醫院'"):
            challenges.save_draft(session=session, user_id=owner, organisation=other, contact={},
                                  challenge={}, dataset={}, now=NOW, draft_id=draft.id)  # fmt: skip
    with sessions.begin() as session:  # a team that had applied (e.g. before the review existed)
        found = challenges.find_by_reference(session=session, reference=str(draft.reference))
        assert found is not None and found.title == "住院病歷摘要"
        lead = get_or_create_user(session=session, channel="line", external_id="Ulead")
        mate = get_or_create_user(session=session, channel="line", external_id="Umate")
        team = teams.create_team(session=session, name="影像小隊", leader_user_id=lead.id, now=NOW)
        teams.add_member(session=session, team=team, user_id=mate.id, role="member", now=NOW)
        session.add(Application(team_id=team.id, challenge_id=found.id, created_at=NOW))
        session.flush()
        told = challenges.withdraw(session=session, challenge=found, now=NOW)
        assert told == [("影像小隊", [lead.id, mate.id])]
        assert (found.status, found.org_slot) == ("withdrawn", None)
        assert session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
        with pytest.raises(InvalidTransition):
            challenges.withdraw(session=session, challenge=found, now=NOW)
