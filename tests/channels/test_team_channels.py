"""Confirmed team actions over LINE and Telegram (fake platform servers, the running app).

LINE: a typed 「移除成員 林大明」 asks first; the 是 quick reply (a postback the bot issued)
removes the member, who is told through the outbox (pushed by ``run_due``). Telegram: 「撤回申請」
asks first; the 是 inline button (payload kept in ``callback_payloads``: over 64 bytes) withdraws.
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa

from bot.config import Settings
from bot.reminders.runtime import run_due
from bot.services import Services
from db import teams
from db.models import Application, Challenge, Delivery, Membership
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, submitted_challenge
from tests.channels.conftest import (
    RunningApp,
    line_event,
    post_line,
    post_tg,
    tg_callback,
    tg_message,
    wait_for,
)
from tests.fakes import FakeLine, FakeTelegram


def _seed_team(services: Services, channel: str, leader: str, member: str) -> int:
    with services.session_factory.begin() as session:
        users = []
        for external_id, name in ((leader, "王小明"), (member, "林大明")):
            user = get_or_create_user(session=session, channel=channel, external_id=external_id)
            user.display_name = name
            users.append(user.id)
        team = teams.create_team(session=session, name="影像小隊", leader_user_id=users[0], now=NOW)
        teams.add_member(session=session, team=team, user_id=users[1], role="member", now=NOW)
        return team.id


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def test_line_remove_member_confirmed_by_issued_postback_and_member_told(
    client: RunningApp, services: Services, settings: Settings, fake_line: FakeLine
) -> None:
    _seed_team(services, "line", "Ulead", "Umate")
    post_line(client, line_event("Ulead", text="移除成員 林大明"))
    asked = wait_for(
        lambda: [m for m in fake_line.messages_to("Ulead") if "確定要將" in m.get("text", "")]
    )
    items = asked[-1]["quickReply"]["items"]
    yes = next(i["action"]["data"] for i in items if i["action"]["label"].startswith("是"))
    assert '"issued"' in yes or yes.startswith("cb:")
    post_line(client, line_event("Ulead", "postback", data=yes))
    wait_for(lambda: "已將 林大明 移出「影像小隊」" in _texts(fake_line.messages_to("Ulead")))
    with services.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1
        notice = session.scalars(sa.select(Delivery)).one()
        assert notice.external_id == "Umate" and "移出團隊「影像小隊」" in notice.payload["text"]
    assert asyncio.run(run_due(settings)).stats.sent == 1
    pushed = [s for s in fake_line.sent if "Umate" in s.recipients]
    assert "您已被隊長移出團隊「影像小隊」" in _texts(pushed[-1].messages)


def test_telegram_withdraw_application_confirmed_by_inline_button(
    client: RunningApp, services: Services, fake_telegram: FakeTelegram
) -> None:
    team_id = _seed_team(services, "telegram", "301", "302")
    with services.session_factory.begin() as session:
        ref = submitted_challenge(session, "台中童綜合醫院", "AI輔助醫學影像診斷")
        challenge = session.scalars(sa.select(Challenge)).one()
        challenge.status = "listed"
        teams.apply(session=session, team_id=team_id, challenge=challenge, now=NOW)
    post_tg(client, tg_message(301, "撤回申請"))
    wait_for(lambda: [s for s in fake_telegram.sent if s.chat_id == "301" and s.buttons])
    asked = [s for s in fake_telegram.sent if s.chat_id == "301" and s.buttons][-1]
    assert f"撤回「影像小隊」對 {ref}" in asked.text
    yes = next(b["callback_data"] for b in asked.buttons if b["text"].startswith("是"))
    assert len(yes.encode()) <= 64
    post_tg(client, tg_callback(301, yes))
    wait_for(lambda: any("已撤回" in t for t in fake_telegram.texts_to(301)))
    with services.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
    assert fake_telegram.rejected == []
