"""「推薦適合我們的題目」 (QA #37): members without expertise are not a skill, challenges the team
applied to are left out, and those whose data is ready come first."""

from __future__ import annotations

from bot.services import Services
from db import challenges, teams
from db.users import find_user, get_or_create_user
from tests.actions.forms_support import NOW, register_team, rest, text


def _open(services: Services, org: str, title: str, readiness: str) -> str:
    with services.session_factory.begin() as session:
        user = get_or_create_user(session=session, channel="rest", external_id=f"org-{org}")
        organisation = challenges.get_or_create_organisation(
            session=session, name=org, user_id=user.id
        )
        draft = challenges.save_draft(
            session=session, user_id=user.id, organisation=organisation,
            contact={"contact_name": "陳副總", "phone": "1234-5678", "email": "a@b.com.tw"},
            challenge={"title": title, "description": "以資料協助判讀", "industry": "醫療保健",
                       "category": "數據分析類", "data_readiness": readiness},
            dataset={}, now=NOW,
        )  # fmt: skip
        challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
        draft.status = "listed"
        return str(draft.reference)


async def test_a_recommendation_recommends(services: Services) -> None:
    later = _open(services, "甲醫院", "病歷摘要", "尚無有效資料，需外部協助採集")
    ready = _open(services, "乙醫院", "心電圖分類", "已整理解題相關數據")
    applied = _open(services, "丙醫院", "床位預測", "資料完整")
    await register_team(services, "rlead", "陳小美", "推薦小隊", "AI")
    await rest(services, "rlead", f"申請題目 {applied}")
    said = text(await rest(services, "rlead", "推薦適合我們的題目"))
    assert "成員的專長（AI技術）" in said and "未填" not in said
    assert "已申請的 1 題不再列出" in said and "資料已整理或完整的題目排在前面" in said
    assert said.index(ready) < said.index(later) and applied not in said.split("不再列出")[1]
    english = text(await rest(services, "rlead", "recommend a challenge for our team"))
    assert "(AI skills)" in english and "not given" not in english
    assert english.index(ready) < english.index(later)
    with services.session_factory.begin() as session:  # a member who deleted their data
        lead = find_user(session=session, channel="rest", external_id="rlead")
        mine = teams.membership_of(session=session, user_id=lead.id) if lead else None
        assert mine is not None
        blank = get_or_create_user(session=session, channel="rest", external_id="rblank")
        teams.add_member(session=session, team=mine.team, user_id=blank.id, role="member", now=NOW)
    said = text(await rest(services, "rlead", "推薦適合我們的題目"))
    assert "成員的專長（AI技術）" in said and "另有 1 位成員還沒填專長" in said
