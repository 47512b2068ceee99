"""Team flows across several people through the REST channel of a real app (SQLite and
PostgreSQL): joining by code, composition advice, the leader's actions, applying to a challenge."""

from __future__ import annotations

from bot.services import Services
from db.models import Application, Membership
from tests.actions.forms_support import (
    listed_challenge,
    payloads,
    register_team,
    rest,
    text,
)


async def test_join_by_code_then_leader_manages_and_applies(services: Services) -> None:
    code = await register_team(services, "lead", "王隊長", "醫療AI隊", "AI")
    with services.session_factory.begin() as session:
        ref = listed_challenge(session, "台中童綜合醫院", "AI輔助醫學影像診斷")
        listed_challenge(session, "大同醫院", "病床調度預測")
    # a second person joins with the code (typed in lower case, without the dash)
    assert "邀請碼" in text(await rest(services, "mate", "我要加入團隊"))
    assert "醫療AI隊" in text(await rest(services, "mate", code.lower().replace("-", "")))
    for answer in ("陳醫師", "30", "台灣"):
        await rest(services, "mate", answer)
    joined = text(await rest(services, "mate", "產業領域"))
    assert "您符合申請資格" in joined and "歡迎加入「醫療AI隊」" in joined
    assert "共有 2 位成員" in joined and "建議" not in joined  # AI + domain: no advice now
    # the member sees the team but cannot use the leader's actions
    status = await rest(services, "mate", "/my_status")
    assert "陳醫師（隊員，產業領域）" in text(status)
    assert payloads(status) == ['/my_status{"team_action": "members"}', "/leave_team"]
    assert "只有隊長" in text(await rest(services, "mate", '/my_status{"team_action": "remove"}'))
    # the leader applies by picking from the list, then by typing a reference
    picked = await rest(services, "lead", '/my_status{"team_action": "apply"}')
    assert f'/my_status{{"challenge_ref": "{ref}"}}' in payloads(picked)
    applied = text(await rest(services, "lead", f'/my_status{{"challenge_ref": "{ref}"}}'))
    assert f"已為「醫療AI隊」申請題目 {ref}" in applied
    await rest(services, "lead", '/my_status{"team_action": "apply"}')
    assert "不開放申請" in text(await rest(services, "lead", "AIGO-108-0099"))
    again = text(await rest(services, "lead", "aigo-108-0001"))
    assert "已經申請過 AIGO-108-0001" in again
    status = await rest(services, "lead", "我的狀態")
    summary = text(status)
    assert "AIGO-108-0001　AI輔助醫學影像診斷" in summary and "陳醫師" in summary
    # with an application the leader is offered to withdraw it, not to dissolve the team
    lifecycle = [p for p in payloads(status) if not p.startswith("/my_status")]
    assert lifecycle == ["/remove_member", "/transfer_leadership", "/withdraw_application"]
    # remove the member (buttons list them by user id), then revoke and reissue the code
    removing = await rest(services, "lead", '/my_status{"team_action": "remove"}')
    [payload] = payloads(removing)
    asking = await rest(services, "lead", payload)  # a pick button: asks 是/否 first
    assert "確定要將 陳醫師 移出「醫療AI隊」嗎" in text(asking)
    issued, deny = payloads(asking)
    assert deny == "/deny" and '"issued"' in issued
    assert "只有隊長" in text(await rest(services, "mate", issued))  # issued to the leader only
    assert "已將 陳醫師 移出「醫療AI隊」" in text(await rest(services, "lead", issued))
    assert "撤銷邀請碼" in text(await rest(services, "lead", '/my_status{"team_action": "revoke"}'))
    await rest(services, "other", "加入團隊")
    assert "已被隊長撤銷" in text(await rest(services, "other", code))
    fresh = text(await rest(services, "lead", '/my_status{"team_action": "invite"}'))
    assert "新的邀請碼" in fresh and code not in fresh
    with services.session_factory() as session:
        assert session.query(Membership).count() == 1
        assert session.query(Application).count() == 1


async def test_a_member_of_one_team_cannot_join_another(services: Services) -> None:
    await register_team(services, "a", "甲", "甲隊", "AI")
    code_b = await register_team(services, "b", "乙", "乙隊", "產業")
    refused = text(await rest(services, "a", f"邀請碼 {code_b}"))
    assert "已經是「甲隊」的隊長" in refused and "只能加入1個解題團隊" in refused
    with services.session_factory() as session:
        assert session.query(Membership).count() == 2
