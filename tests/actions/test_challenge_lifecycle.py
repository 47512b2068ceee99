"""Withdrawing a challenge in chat tells the teams that had applied, through the outbox, each in
the language they chat in (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.services import Services
from db import challenges, teams
from db.models import Application, Delivery
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, payloads, rest, submitted_challenge, text


async def test_withdrawal_asks_first_and_tells_the_teams_that_applied(services: Services) -> None:
    with services.session_factory.begin() as session:
        reference = submitted_challenge(session, "大同醫院", "病歷摘要", external_id="org")
        found = challenges.find_by_reference(session=session, reference=reference)
        assert found is not None
        lead = get_or_create_user(session=session, channel="line", external_id="Ulead")
        mate = get_or_create_user(session=session, channel="telegram", external_id="5150")
        team = teams.create_team(session=session, name="影像小隊", leader_user_id=lead.id, now=NOW)
        teams.add_member(session=session, team=team, user_id=mate.id, role="member", now=NOW)
        # an application from before the organisers' review (teams now apply to listed ones only)
        session.add(Application(team_id=team.id, challenge_id=found.id, created_at=NOW))
    await rest(services, "mate-voice", "hello")  # unrelated sender: not the owner
    refused = await rest(services, "mate-voice", f"撤回題目 {reference}")
    assert "找不到您出的題目" in text(refused) and payloads(refused) == []
    asked = await rest(services, "org", f"撤回題目 {reference}")
    assert "確定要撤回" in text(asked) and "/deny" in payloads(asked)
    with services.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0
    done = text(await rest(services, "org", "是"))
    assert f"已撤回 {reference}「病歷摘要」" in done and "1 個團隊會收到通知" in done
    with services.session_factory() as session:
        told = {d.external_id: d.payload["text"] for d in session.scalars(sa.select(Delivery))}
        assert session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
    assert set(told) == {"Ulead", "5150"}
    assert f"出題單位已撤回題目 {reference}「病歷摘要」" in told["Ulead"]
    assert "團隊「影像小隊」對這題的申請已一併取消" in told["5150"]
