"""Browsing open challenges and applying in chat (REST, real app and NLU; SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import Services
from db import challenges
from db.models import Application, Challenge
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, payloads, register_team, rest, text

SEED = (
    ("台中童綜合醫院", "AI輔助醫學影像診斷", "以影像協助醫師判讀X光片", "醫療保健", "電腦視覺類"),
    ("大同醫院", "病床調度預測", "以住院紀錄預測病床需求", "醫療保健", "數據分析類"),
    ("精密機械公司", "產線瑕疵檢測", "以相機找出零件表面瑕疵", "製造", "電腦視覺類"),
)


def open_challenge(session: Session, org: str, title: str, body: str, ind: str, cat: str) -> str:
    """Create, submit and (when the review lifecycle exists) list a challenge; its reference."""
    user = get_or_create_user(session=session, channel="rest", external_id=f"org-{org}")
    organisation = challenges.get_or_create_organisation(session=session, name=org, user_id=user.id)
    draft = challenges.save_draft(
        session=session,
        user_id=user.id,
        organisation=organisation,
        contact={"contact_name": "陳副總", "phone": "1234-5678", "email": "a@b.com.tw"},
        challenge={"title": title, "description": body, "industry": ind, "category": cat},
        dataset={},
        now=NOW,
    )
    challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
    draft.status = "listed"
    session.flush()
    return str(draft.reference)


async def test_nothing_open_points_to_the_website(services: Services) -> None:
    replies = text(await rest(services, "early", "有哪些題目"))
    assert "目前還沒有開放申請的題目" in replies and "https://aigo.org.tw/" in replies
    assert "42家業者提出74題" in replies
    english = text(await rest(services, "early-en", "what challenges are there?"))
    assert "No challenges are open" in english and "74 AI challenges from 42" in english


async def test_browse_with_filters_then_apply_by_words_button_and_reference(
    services: Services,
) -> None:
    with services.session_factory.begin() as session:
        refs = [open_challenge(session, *row) for row in SEED]
        user = get_or_create_user(session=session, channel="rest", external_id="org-x")
        organisation = challenges.get_or_create_organisation(
            session=session, name="草稿公司", user_id=user.id
        )
        challenges.save_draft(
            session=session, user_id=user.id, organisation=organisation, contact={},
            challenge={"title": "未送出的題目"}, dataset={}, now=NOW,
        )  # fmt: skip
    everything = await rest(services, "student", "有哪些題目")
    assert "目前開放申請的題目共 3 題" in text(everything) and "未送出的題目" not in text(
        everything
    )
    assert all(f'/apply_challenge{{"challenge_ref": "{r}"}}' in payloads(everything) for r in refs)
    medical = text(await rest(services, "student", "有醫療的題目嗎"))
    assert "符合「醫療保健」的題目共 2 題" in medical and "產線瑕疵檢測" not in medical
    vision = text(await rest(services, "student", "影像辨識的題目"))
    assert "產線瑕疵檢測" in vision and "病床調度預測" not in vision
    keyword = text(await rest(services, "student", "有跟瑕疵有關的題目嗎"))
    assert "產線瑕疵檢測" in keyword and "病床調度預測" not in keyword
    english = text(await rest(services, "student-en", "any manufacturing challenges?"))
    assert "Industry: manufacturing" in english and "AI輔助醫學影像診斷" not in english
    # applying: a team is needed, then only its leader may apply
    assert "還沒有加入團隊" in text(await rest(services, "student", "我要解題"))
    await register_team(services, "lead", "王隊長", "醫療AI隊", "兩者都有")
    applied = text(await rest(services, "lead", "我們想做醫療影像那題"))
    assert f"已為「醫療AI隊」申請題目 {refs[0]}" in applied
    assert "媒合" in applied and "https://aigo.org.tw/" in applied and "申請解題" in applied
    again = text(await rest(services, "lead", f"申請題目 {refs[0].lower()}"))
    assert f"已經申請過 {refs[0]}" in again
    button = f'/apply_challenge{{"challenge_ref": "{refs[2]}"}}'
    assert f"申請題目 {refs[2]}" in text(await rest(services, "lead", button))
    assert "不開放申請" in text(await rest(services, "lead", "申請題目 AIGO-108-0099"))
    several = await rest(services, "lead", "我們要申請醫療的題目")
    assert "要申請哪一題" in text(several) and len(payloads(several)) == 2
    with services.session_factory() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Application))
        drafts = session.scalar(
            sa.select(sa.func.count()).select_from(Challenge).where(Challenge.status == "draft")
        )
    assert count == 2 and drafts == 1  # no junk draft from 我要解題
    status = text(await rest(services, "lead", "我的狀態"))
    assert refs[0] in status and refs[2] in status


async def test_a_member_cannot_apply_and_english_next_steps(services: Services) -> None:
    with services.session_factory.begin() as session:
        ref = open_challenge(session, *SEED[1])
    code = await register_team(services, "lead2", "Alex", "Bed Planners", "AI")
    await rest(services, "mate2", "I have an invite code")
    for message in (code, "Mei", "22", "Taiwan", "domain expertise"):
        await rest(services, "mate2", message)
    refused = text(await rest(services, "mate2", f"apply to {ref}"))
    assert "Applications are made by the team leader" in refused
    recommended = text(await rest(services, "lead2", "recommend a challenge for our team"))
    assert "both AI skills and domain expertise" in recommended
    applied = text(await rest(services, "lead2", f"apply to {ref}"))
    assert f'"Bed Planners" has applied to {ref}' in applied
    assert "matching process" in applied and "official application" in applied


async def test_synonyms_and_recommendations_are_not_filters(services: Services) -> None:
    """人資 finds the 人力資源 challenge (never "none" then the list); "推薦適合我們的題目" is a
    recommendation, not the recommender-system category; expertise shows as labels, not codes."""
    with services.session_factory.begin() as session:
        hr = open_challenge(
            session, "人力銀行", "面試者履歷分析", "分析履歷", "人力資源", "自然語言類"
        )
        open_challenge(session, *SEED[2])
    found = text(await rest(services, "hr", "有人資相關的題目嗎"))
    assert "面試者履歷分析" in found and "沒有符合" not in found and "產線瑕疵檢測" not in found
    await register_team(services, "lead3", "王隊長", "人資AI隊", "兩者都有")
    advice = text(await rest(services, "lead3", "推薦適合我們的題目"))
    assert "推薦系統" not in advice and "沒有符合" not in advice and hr in advice
    assert "成員的專長（AI技術與產業領域）" in advice and "both" not in advice
    english = text(await rest(services, "lead3", "recommend a challenge for our team"))
    assert '("AI skills and domain expertise")' not in english
    assert "(AI skills and domain expertise)" in english and "(both)" not in english


async def test_an_organisation_sees_the_teams_that_applied(services: Services) -> None:
    """「有哪些隊伍申請我們的題目」: the owner of the organisation gets each challenge with the
    teams that applied (not only the challenge list); a stranger does not."""
    with services.session_factory.begin() as session:
        ref = open_challenge(session, *SEED[0])
        other = open_challenge(
            session, "台中童綜合醫院", "病歷摘要", "摘要病歷", "醫療保健", "自然語言類"
        )
    await register_team(services, "lead4", "王隊長", "影像先鋒隊", "兩者都有")
    assert f"申請題目 {ref}" in text(await rest(services, "lead4", f"申請題目 {ref}"))
    owner = text(await rest(services, "org-台中童綜合醫院", "有哪些隊伍申請我們的題目"))
    assert "申請您機構題目的隊伍：" in owner
    assert f"{ref}　AI輔助醫學影像診斷：影像先鋒隊（已申請）" in owner
    assert f"{other}　病歷摘要：尚無隊伍申請" in owner
    english = text(await rest(services, "org-台中童綜合醫院", "my status"))
    assert "Teams that applied" not in english  # Chinese user: the reply stays in zh-TW
    assert "影像先鋒隊（已申請）" in english
    stranger = text(await rest(services, "someone", "有哪些隊伍申請我們的題目"))
    assert "影像先鋒隊" not in stranger
