"""The team page in Chromium at phone size (390 x 844): members and the invite's QR code (decoded
from the rendered SVG), a join through the Telegram deep link (the ``/start join-<code>`` update
posted to the app's webhook as Telegram would, then the page reloaded), a removal and a leave each
confirmed first, and refused links. Screenshots go to ``var/screenshots/``; weight and time to
interactive to ``metrics.json`` there."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from bot.config import Secret
from bot.services import build_services
from bot.web.identity import link_for
from bot.web.signing import issue_link_token
from tests.channels.conftest import TG_SECRET, tg_message
from tests.fakes import FakeTelegram, free_port
from tests.web.conftest import ARTEFACTS, PHONE, SECRET, LiveWeb, make_settings
from tests.web.metrics import measure
from tests.web.team_support import Seeded, seed_team


@pytest.fixture
def team_web(tmp_path: Path, web_nlu_model: Path, fake_telegram: FakeTelegram) -> Iterator[LiveWeb]:
    """The app on a live port with the Telegram channel on the fake Telegram API (SQLite)."""
    port = free_port()
    settings = replace(
        make_settings(
            f"sqlite:///{tmp_path / 'aigo.db'}",
            tmp_path,
            web_nlu_model,
            public_url=f"http://127.0.0.1:{port}",
        ),
        telegram_bot_token=Secret(fake_telegram.token),
        telegram_webhook_secret=Secret(TG_SECRET),
        telegram_api_base_url=fake_telegram.base_url,
    )
    services = build_services(settings)
    live = LiveWeb(settings, services, port)
    try:
        yield live
    finally:
        live.server.stop()
        services.close()


def _open_team(phone: Any, live: LiveWeb, sender: str) -> None:
    url = link_for(live.settings, purpose="team", sender_key=sender)
    phone.goto(url)
    phone.get_by_role("heading", level=1).wait_for()


def _decode(png: bytes) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _fits(phone: Any) -> None:
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def _top(phone: Any) -> None:
    """Back to the top (an element screenshot scrolled; the sticky header would follow)."""
    phone.evaluate("() => window.scrollTo(0, 0)")


def _telegram(live: LiveWeb, chat_id: int, text: str) -> None:
    update = tg_message(chat_id, text)
    if text.startswith("/start"):
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    headers = {"x-telegram-bot-api-secret-token": TG_SECRET}
    answer = httpx.post(f"{live.url}/webhooks/telegram/webhook", json=update, headers=headers)
    assert answer.status_code == 200


def _reply(fake: FakeTelegram, chat_id: int, expect: str, after: int) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [t for t in fake.texts_to(chat_id)[after:] if expect in t]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no Telegram reply containing {expect!r}")


def test_leader_sees_members_and_a_qr_code_that_decodes_to_the_deep_link(
    team_web: LiveWeb, phone: Any, shot: Callable[[Any, str], Path]
) -> None:
    seeded: Seeded = seed_team(team_web.services.session_factory, applied=True)
    _open_team(phone, team_web, "telegram:301")
    figures = measure(phone, "team", ARTEFACTS)
    assert figures["interactive_ms"] is not None and figures["bytes"] < 80_000
    members = phone.locator("ul.members li")
    assert members.count() == 2
    assert "王小明" in members.nth(0).inner_text() and "隊長" in members.nth(0).inner_text()
    assert "林大明" in members.nth(1).inner_text()
    deep = f"https://t.me/aigo_test_bot?start=join-{seeded.code}"
    qr = phone.locator("figure.qr-box svg").first
    assert qr.is_visible()
    assert _decode(qr.screenshot()) == [deep]
    assert phone.get_by_label("Telegram 加入連結（點開即加入）").input_value() == deep
    line_qr = phone.locator("figure.qr-box svg").nth(1)
    assert _decode(line_qr.screenshot())[0].startswith("https://line.me/R/oaMessage/@aigo-test/?")
    assert phone.get_by_role("link", name="分享到 LINE").get_attribute("href", timeout=5000)
    assert phone.get_by_role("link", name=f"撤回對 {seeded.reference} 的申請").is_visible()
    _fits(phone)
    _top(phone)
    shot(phone, "team-leader")
    phone.goto(f"{team_web.url}/team?lang=en")
    assert "You are the leader" in phone.inner_text("main")
    assert phone.get_by_role("link", name="Remove 林大明 from the team").is_visible()
    _fits(phone)
    shot(phone, "team-leader-en")


def test_a_join_through_the_telegram_deep_link_shows_on_the_page(
    team_web: LiveWeb, phone: Any, fake_telegram: FakeTelegram, shot: Callable[[Any, str], Path]
) -> None:
    seed_team(team_web.services.session_factory)
    _open_team(phone, team_web, "telegram:301")
    deep = phone.get_by_label("Telegram 加入連結（點開即加入）").input_value()
    start = deep.split("?start=", 1)[1]  # what Telegram sends the bot: /start <parameter>
    for text, expect in (
        (f"/start {start}", "怎麼稱呼"),
        ("陳小華", "年齡"),
        ("23", "國籍"),
        ("本國", "專長"),
        ("產業領域", "歡迎加入「影像小隊」"),
    ):
        before = len(fake_telegram.texts_to(777))
        _telegram(team_web, 777, text)
        _reply(fake_telegram, 777, expect, before)
    phone.reload()
    members = phone.locator("ul.members li")
    assert members.count() == 3 and "陳小華" in members.nth(2).inner_text()
    assert "成員（3 位）" in phone.get_by_role("heading", level=2).first.inner_text()
    _top(phone)
    shot(phone, "team-after-join")


def test_remove_and_leave_are_confirmed_first(
    team_web: LiveWeb, browser: Any, phone: Any, shot: Callable[[Any, str], Path]
) -> None:
    seed_team(team_web.services.session_factory)
    _open_team(phone, team_web, "telegram:301")
    phone.get_by_role("link", name="將 林大明 移出團隊").click()
    question = phone.locator(".question")
    assert question.inner_text() == "確定要將 林大明 移出「影像小隊」嗎？對方會收到通知。"
    _fits(phone)
    shot(phone, "team-confirm-remove")
    phone.get_by_role("link", name="取消").click()
    assert phone.locator("ul.members li").count() == 2  # cancelled: nothing changed
    phone.get_by_role("link", name="將 林大明 移出團隊").click()
    phone.get_by_role("button", name="確定").click()
    assert "已將 林大明 移出「影像小隊」" in phone.get_by_role("status").inner_text()
    assert phone.locator("ul.members li").count() == 1
    shot(phone, "team-after-remove")

    seed_team(team_web.services.session_factory, name="資料小隊", leader="telegram:401",
              member="telegram:402")  # fmt: skip
    member = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-TW")
    try:
        page = member.new_page()
        _open_team(page, team_web, "telegram:402")
        assert "請向隊長索取邀請碼" in page.inner_text("main")
        page.get_by_role("link", name="退出團隊").click()
        assert "確定要退出「資料小隊」嗎" in page.locator(".question").inner_text()
        page.get_by_role("button", name="確定").click()
        assert "您已退出「資料小隊」" in page.get_by_role("status").inner_text()
        assert "您目前還沒有加入團隊" in page.inner_text("main")
        shot(page, "team-after-leave")
    finally:
        member.close()


def test_an_expired_or_forged_team_link_is_refused(
    team_web: LiveWeb, phone: Any, shot: Callable[[Any, str], Path]
) -> None:
    seed_team(team_web.services.session_factory)
    expired = issue_link_token(SECRET, purpose="team", subject="telegram:301", ttl=-60)
    response = phone.goto(f"{team_web.url}/l/{expired}")
    assert response is not None and response.status == 403
    assert "已過期" in phone.get_by_role("alert").inner_text()
    forged = issue_link_token("another-secret-key-0123456789abcdef", purpose="team",
                              subject="telegram:301")  # fmt: skip
    response = phone.goto(f"{team_web.url}/l/{forged}")
    assert response is not None and response.status == 403
    assert "無效" in phone.get_by_role("alert").inner_text()
    response = phone.goto(f"{team_web.url}/team")
    assert response is not None and response.status == 403
    assert "請從聊天室開啟這個頁面" in phone.get_by_role("alert").inner_text()
    shot(phone, "team-refused")
