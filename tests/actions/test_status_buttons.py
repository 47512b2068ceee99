"""我的狀態 offers only buttons that fit (QA #37): no 撤銷邀請碼 without a live code, no second
lifecycle action beside a waiting 是/否, and the office's contact written out for a listed
challenge."""

from __future__ import annotations

from bot.services import Services
from tests.actions.forms_support import listed_challenge, payloads, register_team, rest, text

REVOKE = '/my_status{"team_action": "revoke"}'


async def test_revoke_only_with_a_live_code(services: Services) -> None:
    await register_team(services, "slead", "Alex", "Button Crew", "AI")
    assert REVOKE in payloads(await rest(services, "slead", "my status"))
    said = text(await rest(services, "slead", REVOKE))
    assert "no valid code" in said or "撤銷邀請碼" in said
    status = await rest(services, "slead", "my status")
    assert "No valid invite code" in text(status) or "目前沒有有效的邀請碼" in text(status)
    assert REVOKE not in payloads(status)
    assert '/my_status{"team_action": "invite"}' in payloads(status)


async def test_no_lifecycle_button_beside_a_waiting_confirmation(services: Services) -> None:
    code = await register_team(services, "plead", "陳小美", "確認小隊", "AI")
    for message in (f"我有邀請碼 {code}", "林小華", "23", "台灣", "醫療"):
        await rest(services, "pmate", message)
    assert "確定要退出「確認小隊」嗎" in text(await rest(services, "pmate", "退出團隊"))
    status = await rest(services, "pmate", "我的狀態")
    shown = payloads(status)
    assert "/leave_team" not in shown and "/deny" in shown  # only the 是/否 asked again
    assert "回到剛才的確認" in text(status)
    assert "沒有做任何變更" in text(await rest(services, "pmate", "否"))
    assert "/leave_team" in payloads(await rest(services, "pmate", "我的狀態"))  # answered: back


async def test_a_listed_challenge_gives_the_contact(services: Services) -> None:
    with services.session_factory.begin() as session:
        reference = listed_challenge(session, "宏達智能", "瑕疵檢測", external_id="org-listed")
    said = text(await rest(services, "org-listed", f"修改題目 {reference}"))
    assert "已上架" in said and "aigo@iii.org.tw" in said and "6513" in said
    assert "聯絡方式」可查詢" not in said
    english = text(await rest(services, "org-listed", f"edit challenge {reference}"))
    assert "aigo@iii.org.tw" in english and '"contact" for the details' not in english
