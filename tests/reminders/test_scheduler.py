"""Planned reminders as rows: idempotent re-planning, firing into the outbox, missed-while-down."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.reminders import planner, scheduler
from db.models import (
    Application,
    Challenge,
    Delivery,
    Membership,
    Organisation,
    PlannedReminder,
    Team,
)
from knowledge import Programme
from tests.reminders.conftest import add_user, at


def _rows(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as s:
        return dict(s.execute(sa.select(PlannedReminder.key, PlannedReminder.status)).all())


def _deliveries(sessions: sessionmaker[Session]) -> list[tuple[str, int, str]]:
    with sessions() as s:
        stmt = sa.select(Delivery.reminder_key, Delivery.user_id, Delivery.status)
        return sorted(s.execute(stmt).tuples())


def test_replanning_is_idempotent_and_cancels_what_left_the_plan(
    sessions: sessionmaker[Session], programme: Programme
) -> None:
    full = planner.plan(programme)
    with sessions.begin() as s:
        assert scheduler.sync_plan(session=s, reminders=full).added == len(full)
    with sessions.begin() as s:
        again = scheduler.sync_plan(session=s, reminders=full)
    assert (again.added, again.updated, again.cancelled) == (0, 0, 0)
    # The knowledge file changes: 108-2 disappears, one reminder moves.
    only_one = [r for r in full if r.round_id == "108-1"]
    moved = [
        planner.Reminder(r.key, r.kind, r.round_id, r.milestone_id, r.offset,
                         r.fire_at.replace(hour=11), r.due_at)
        if r.key == "108-1:roundtable:D-1" else r
        for r in only_one
    ]  # fmt: skip
    with sessions.begin() as s:
        changed = scheduler.sync_plan(session=s, reminders=moved)
    assert (changed.added, changed.updated) == (0, 1)
    assert changed.cancelled == len(full) - len(only_one)
    rows = _rows(sessions)
    assert len(rows) == len(full)  # no duplicates
    assert rows["108-2:idea_deadline:T-3d"] == "cancelled"
    with sessions.begin() as s:  # and back: cancelled rows come back as pending
        assert (
            scheduler.sync_plan(session=s, reminders=full).updated == len(full) - len(only_one) + 1
        )
    assert set(_rows(sessions).values()) == {"pending"}


def test_fire_due_writes_one_delivery_per_subscriber_once(
    sessions: sessionmaker[Session], programme: Programme
) -> None:
    with sessions.begin() as s:
        scheduler.sync_plan(session=s, reminders=planner.plan(programme))
        a = add_user(s, "line", "Ua")
        b = add_user(s, "telegram", "100", lang="en")
        c = add_user(s, "line", "Uc", rounds=["108-2"])  # other round only
        d = add_user(s, "line", "Ud", kinds=["events"])  # no deadlines
        add_user(s, "line", "Ue", subscribed=False)  # never subscribed
    result = scheduler.fire_due(sessions, programme, at("2019-05-24 10:00"))
    assert "108-1:idea_deadline:T-7d" in result.fired
    got = _deliveries(sessions)
    t7 = [(uid, st) for key, uid, st in got if key == "108-1:idea_deadline:T-7d"]
    assert t7 == [(a, "pending"), (b, "pending")]
    assert c not in {u for _, u, _ in got} and d not in {u for _, u, _ in got}
    with sessions() as s:
        texts: dict[int, dict[str, Any]] = dict(
            s.execute(sa.select(Delivery.user_id, Delivery.payload).where(
                Delivery.reminder_key == "108-1:idea_deadline:T-7d")).all()
        )  # fmt: skip
    assert "構想收件截止" in texts[a]["text"] and "5月31日" in texts[a]["text"]
    assert "idea submission deadline" in texts[b]["text"]
    # Running again (a second process, a restart) fires nothing twice.
    again = scheduler.fire_due(sessions, programme, at("2019-05-24 10:00"))
    assert again.fired == [] and _deliveries(sessions) == got


def test_missed_while_down(sessions: sessionmaker[Session], programme: Programme) -> None:
    with sessions.begin() as s:
        scheduler.sync_plan(session=s, reminders=planner.plan(programme, "108-1"))
        add_user(s, "line", "Ua")
    # Down from before T-7d until 2019-05-30 11:00: T-7d, T-3d, T-1d are overdue, deadline ahead.
    result = scheduler.fire_due(sessions, programme, at("2019-05-30 11:00"))
    assert "108-1:idea_deadline:T-1d" in result.fired  # the latest fires late
    assert {"108-1:idea_deadline:T-7d", "108-1:idea_deadline:T-3d"} <= set(result.missed)
    assert "108-1:idea_deadline:nudge" in result.fired  # its deadline is still ahead
    assert "108-1:roundtable:D-1" in result.missed  # the event has already happened
    rows = _rows(sessions)
    assert rows["108-1:idea_deadline:T-3h"] == "pending"
    # Down past the deadline: the T-3h reminder is missed, not sent after the fact.
    late = scheduler.fire_due(sessions, programme, at("2019-05-31 12:30"))
    assert late.fired == [] and "108-1:idea_deadline:T-3h" in late.missed


def test_nudges_name_what_is_missing(sessions: sessionmaker[Session], programme: Programme) -> None:
    with sessions.begin() as s:
        scheduler.sync_plan(session=s, reminders=planner.plan(programme, "108-2"))
        lazy = add_user(s, "line", "Ulazy")
        busy = add_user(s, "line", "Ubusy")
        owner = add_user(s, "telegram", "200", lang="en")
        done_owner = add_user(s, "line", "Udone")
        idle = add_user(s, "line", "Uidle")  # in no team, owns nothing
        t1, t2 = Team(name="懶惰隊", leader_user_id=lazy), Team(name="Busy", leader_user_id=busy)
        s.add_all([t1, t2])
        org = Organisation(name="出題公司", created_by_user_id=owner)
        org2 = Organisation(name="Done Co", created_by_user_id=done_owner)
        s.add_all([org, org2])
        s.flush()
        s.add_all([Membership(team_id=t1.id, user_id=lazy, role="leader"),
                   Membership(team_id=t2.id, user_id=busy, role="leader")])  # fmt: skip
        draft = Challenge(organisation_id=org.id, status="draft", title="Smart Farming",
                          created_by_user_id=owner)  # fmt: skip
        sub = Challenge(organisation_id=org2.id, status="submitted", title="X",
                        reference="AIGO-1", created_by_user_id=done_owner,
                        org_key=org2.name_key, org_slot=1)  # fmt: skip
        s.add_all([draft, sub])
        s.flush()
        s.add(Application(team_id=t2.id, challenge_id=sub.id))
    scheduler.fire_due(sessions, programme, at("2019-07-12 10:00"))
    with sessions() as s:
        nudges: dict[int, dict[str, Any]] = dict(
            s.execute(sa.select(Delivery.user_id, Delivery.payload).where(
                Delivery.reminder_key == "108-2:idea_deadline:nudge")).all()
        )  # fmt: skip
    assert set(nudges) == {lazy, owner}
    assert "懶惰隊" in nudges[lazy]["text"] and "尚未申請任何題目" in nudges[lazy]["text"]
    assert "Smart Farming" in nudges[owner]["text"] and "draft" in nudges[owner]["text"]
    assert idle not in nudges


def test_late_fire_counts_time_left_from_when_the_message_goes_out(
    sessions: sessionmaker[Session], programme: Programme
) -> None:
    """Fired at 23:00, a quiet-hours user's copy waits for 08:00: its text says 4 hours, not 13."""
    with sessions.begin() as s:
        scheduler.sync_plan(session=s, reminders=planner.plan(programme, "108-1"))
        quiet = add_user(s, "line", "Uquiet")
        night_owl = add_user(s, "line", "Uowl", quiet_hours=False)
    scheduler.fire_due(sessions, programme, at("2019-05-30 23:00"))  # T-1d, fired late
    with sessions() as s:
        stmt = sa.select(Delivery.user_id, Delivery.payload, Delivery.next_attempt_at).where(
            Delivery.reminder_key == "108-1:idea_deadline:T-1d"
        )
        rows = {user: (payload["text"], when) for user, payload, when in s.execute(stmt)}
    text, when = rows[quiet]
    assert when == at("2019-05-31 08:00")
    assert "今天 12:00 截止" in text and "4 小時" in text and "13 小時" not in text
    text, when = rows[night_owl]
    assert when == at("2019-05-30 23:00")
    assert "13 小時" in text and "今天" not in text
