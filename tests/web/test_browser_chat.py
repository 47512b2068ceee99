"""In Chromium at phone size: the landing page, the web chat (a question, a button press) and a
refused link. Screenshots go to ``var/screenshots/``; weight and time to interactive to
``metrics.json`` there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.web.signing import issue_link_token
from tests.web.conftest import ARTEFACTS, SECRET, LiveWeb
from tests.web.metrics import measure


def test_landing_page_on_a_phone(
    live_web: LiveWeb, phone: Any, shot: Callable[[Any, str], Path]
) -> None:
    phone.goto(live_web.url + "/")
    figures = measure(phone, "landing", ARTEFACTS)
    assert phone.get_by_role("link", name="在網頁上聊天").is_visible()
    assert phone.get_by_role("link", name="在 Telegram 開啟").get_attribute("href") == (
        "https://t.me/aigo_test_bot"
    )
    assert figures["bytes"] < 50_000
    shot(phone, "landing")


def test_web_chat_answers_a_question_and_a_button(
    live_web: LiveWeb, phone: Any, shot: Callable[[Any, str], Path]
) -> None:
    phone.goto(live_web.url + "/chat")
    figures = measure(phone, "chat", ARTEFACTS)  # the welcome is shown: the chat is usable
    assert figures["interactive_ms"] is not None
    bot = phone.locator("li.msg.bot")
    welcome = bot.count()
    phone.get_by_label("訊息").fill("構想什麼時候截止")
    phone.keyboard.press("Enter")
    bot.nth(welcome).wait_for()
    assert "5月31日" in bot.nth(welcome).inner_text()
    follow_up = phone.locator("li.buttons button").last
    pressed = follow_up.inner_text()
    follow_up.click()
    bot.nth(welcome + 1).wait_for()
    assert phone.locator("li.msg.user").last.inner_text() == pressed
    assert "108-2" in bot.nth(welcome + 1).inner_text()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    shot(phone, "chat")


def test_expired_and_forged_links_are_refused(
    live_web: LiveWeb, phone: Any, shot: Callable[[Any, str], Path]
) -> None:
    expired = issue_link_token(SECRET, purpose="team", subject="web:someone", ttl=-60)
    phone.goto(f"{live_web.url}/l/{expired}")
    assert "已過期" in phone.get_by_role("alert").inner_text()
    shot(phone, "link-expired")
    forged = expired[:-4] + ("AAAA" if not expired.endswith("AAAA") else "BBBB")
    response = phone.goto(f"{live_web.url}/l/{forged}")
    assert response is not None and response.status == 403
    assert "無效" in phone.get_by_role("alert").inner_text()
