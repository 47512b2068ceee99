"""The team page over HTTP: who may open it, what it shows, and the confirmed lifecycle actions
calling the chat's own functions (the people affected are told through the outbox)."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from bot.config import Settings
from bot.dialogue import UserMessage
from bot.services import Services
from bot.web.identity import link_for
from bot.web.links import add_page_links
from db.models import Application, Delivery, Membership, Team
from tests.web.team_support import seed_team


def _open(client: httpx.Client, settings: Settings, sender: str) -> httpx.Response:
    """Follow the chat's signed link for ``sender``; the team page."""
    url = link_for(settings, purpose="team", sender_key=sender)
    opened = client.get(url.removeprefix(settings.public_url))
    assert opened.status_code == 303 and opened.headers["location"] == "/team"
    return client.get("/team")


def _csrf(page: str) -> str:
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def _notices(services: Services) -> list[Delivery]:
    with services.session_factory() as session:
        return list(session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def test_the_leader_sees_members_invite_qr_and_share_links(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    seeded = seed_team(web_services.session_factory, applied=True)
    page = _open(web_client, web_settings, "telegram:301")
    assert page.status_code == 200
    html = page.text
    assert "影像小隊" in html and "王小明" in html and "林大明" in html and "您是隊長" in html
    shown = f"{seeded.code[:4]}-{seeded.code[4:]}"
    assert f'id="invite-code">{shown}<' in html
    deep = f"https://t.me/aigo_test_bot?start=join-{seeded.code}"
    assert html.count("<svg") == 2 and f'value="{deep}"' in html  # Telegram and LINE QR codes
    assert "https://line.me/R/share?text=" in html and "https://t.me/share/url?url=" in html
    assert "https://line.me/R/oaMessage/@aigo-test/?" in html
    assert str(seeded.reference) in html and "已申請" in html
    assert f"/team/confirm/remove?member={seeded.member}" in html
    assert "/team/confirm/dissolve" not in html  # applications first: withdraw them
    assert "content-security-policy" in page.headers


def test_a_member_sees_no_invite_and_only_leave(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    seed_team(web_services.session_factory)
    html = _open(web_client, web_settings, "telegram:302").text
    assert "您是隊員" in html and "請向隊長索取邀請碼" in html
    assert "<svg" not in html and "/team/confirm/remove" not in html
    assert "/team/confirm/leave" in html


def test_no_session_no_team_page_and_someone_without_a_team_is_told(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    refused = web_client.get("/team")
    assert refused.status_code == 403 and "請從聊天室開啟這個頁面" in refused.text
    assert web_client.post("/team/leave", data={}).status_code == 403
    html = _open(web_client, web_settings, "telegram:999").text
    assert "您目前還沒有加入團隊" in html


def test_remove_asks_first_needs_csrf_and_tells_the_member(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    seeded = seed_team(web_services.session_factory)
    _open(web_client, web_settings, "telegram:301")
    asked = web_client.get(f"/team/confirm/remove?member={seeded.member}")
    assert asked.status_code == 200
    assert "確定要將 林大明 移出「影像小隊」嗎" in asked.text
    assert 'action="/team/remove"' in asked.text
    forged = web_client.post("/team/remove", data={"member": str(seeded.member)})
    assert forged.status_code == 403 and _notices(web_services) == []
    done = web_client.post(
        "/team/remove", data={"member": str(seeded.member), "_csrf": _csrf(asked.text)}
    )
    assert done.status_code == 303
    page = web_client.get("/team").text
    assert "已將 林大明 移出「影像小隊」，並通知對方。" in page  # the chat's own words
    assert "林大明" not in page.split("</p>", 1)[1]  # no longer in the member list
    with web_services.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1
    (notice,) = _notices(web_services)
    assert notice.external_id == "302" and "移出團隊「影像小隊」" in notice.payload["text"]


def test_transfer_then_the_old_leader_leaves_and_the_new_leader_is_told(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    seeded = seed_team(web_services.session_factory)
    html = _open(web_client, web_settings, "telegram:301").text
    web_client.post("/team/transfer", data={"member": str(seeded.member), "_csrf": _csrf(html)})
    html = web_client.get("/team").text
    assert "已把「影像小隊」的隊長交給 林大明" in html and "您是隊員" in html
    assert "確定要退出「影像小隊」嗎" in web_client.get("/team/confirm/leave").text
    web_client.post("/team/leave", data={"_csrf": _csrf(html)})
    assert "您已退出「影像小隊」" in web_client.get("/team").text
    texts = [d.payload["text"] for d in _notices(web_services)]
    assert texts[0].startswith("您現在是團隊「影像小隊」的隊長了")
    assert texts[1] == "王小明 已退出團隊「影像小隊」。"


def test_withdraw_then_dissolve_through_the_lifecycle_rules(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    seeded = seed_team(web_services.session_factory, applied=True)
    html = _open(web_client, web_settings, "telegram:301").text
    csrf = _csrf(html)
    refused = web_client.post("/team/dissolve", data={"_csrf": csrf})  # a crafted post
    assert refused.status_code == 303
    assert "還有申請中的題目" in web_client.get("/team").text  # the rule held
    asked = web_client.get(f"/team/confirm/withdraw?ref={seeded.reference}")
    assert f"對 {seeded.reference}「AI輔助醫學影像診斷」的申請嗎" in asked.text
    web_client.post("/team/withdraw", data={"ref": str(seeded.reference), "_csrf": csrf})
    assert f"已撤回「影像小隊」對 {seeded.reference} 的申請" in web_client.get("/team").text
    web_client.post("/team/dissolve", data={"_csrf": csrf})
    assert "「影像小隊」已解散" in web_client.get("/team").text
    with web_services.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
    kinds = [d.payload["notice"] for d in _notices(web_services)]
    assert kinds == ["notice_withdrawn", "notice_dissolved"]


def test_a_new_invite_code_replaces_the_old_one(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    seeded = seed_team(web_services.session_factory)
    html = _open(web_client, web_settings, "telegram:301").text
    web_client.post("/team/invite", data={"_csrf": _csrf(html)})
    html = web_client.get("/team").text
    code = re.search(r'id="invite-code">([A-Z0-9]{4}-[A-Z0-9]{4})<', html)
    assert code and code.group(1).replace("-", "") != seeded.code
    assert "舊的邀請碼已失效" in html and f"join-{seeded.code}" not in html


def test_my_status_in_chat_sends_a_link_that_opens_the_team_page(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    seed_team(web_services.session_factory)
    message = UserMessage("telegram:302", "我的狀態", "telegram", {})
    with ThreadPoolExecutor(1) as thread:  # its own loop (a browser test may hold this one's)
        replies = thread.submit(asyncio.run, web_services.engine.handle(message)).result()
    linked = [r for r in replies if f"{web_settings.public_url}/l/" in r.get("text", "")]
    assert len(linked) == 1 and "custom" not in linked[0]
    assert linked[0]["text"].startswith("在團隊頁可以看成員")
    url = linked[0]["text"].rsplit("\n", 1)[1]
    web_client.get(url.removeprefix(web_settings.public_url))
    assert "您是隊員" in web_client.get("/team").text
    on_web = add_page_links(
        [{"text": "intro", "custom": {"type": "web_page", "purpose": "team", "title": "開啟"}}],
        UserMessage("web:abc", "我的狀態", "web", {}),
        web_settings,
    )
    assert on_web[0]["text"] == "intro" and on_web[0]["links"][0]["title"] == "開啟"
    assert on_web[0]["links"][0]["url"].startswith(f"{web_settings.public_url}/l/")
