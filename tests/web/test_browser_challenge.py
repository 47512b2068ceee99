"""The challenge form in Chromium at phone size (390 x 844): filled by keyboard and submitted, a
validation message shown and fixed, autosave then the chat going on from there, the
presentation upload (a real PDF taken, a renamed text file refused), refused links.
Screenshots go to ``var/screenshots/``; the form's weight and time to interactive to
``metrics.json`` there."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bot.web.identity import link_for
from bot.web.signing import issue_link_token
from tests.web import sample_files
from tests.web.conftest import ARTEFACTS, SECRET, LiveWeb
from tests.web.metrics import measure
from tests.web.test_challenge_form import COMPLETE

Shot = Callable[[Any, str], Path]


def open_form(live_web: LiveWeb, phone: Any, sender: str) -> None:
    phone.goto(link_for(live_web.settings, purpose="challenge", sender_key=sender))
    phone.locator("body[data-ready='1']").wait_for()
    assert phone.url.endswith("/challenge")


def rest(live_web: LiveWeb, sender: str, text: str) -> str:
    replies = httpx.post(
        f"{live_web.url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    ).json()
    return "\n".join(str(r.get("text", "")) for r in replies)


def type_into(phone: Any, slot: str, value: str) -> None:
    """Focus the field, type like a person, leave it with Tab (the change saves it)."""
    field = phone.locator(f"#{slot}")
    field.focus()
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill("")
        field.press_sequentially(value)
    phone.keyboard.press("Tab")


def saved(phone: Any) -> None:
    phone.locator("#save-status", has_text="已自動儲存").wait_for()


def fits_the_phone(phone: Any) -> bool:
    return bool(phone.evaluate("() => document.documentElement.scrollWidth <= 390"))


def test_fill_and_submit_the_form_on_a_phone(live_web: LiveWeb, phone: Any, shot: Shot) -> None:
    phone.goto(link_for(live_web.settings, purpose="challenge", sender_key="rest:phone-submit"))
    figures = measure(phone, "challenge_form", ARTEFACTS)  # first visit, through the chat's link
    assert figures["interactive_ms"] is not None and figures["bytes"] < 80_000
    phone.reload()
    again = measure(phone, "challenge_form_again", ARTEFACTS)  # a second visit (cached files)
    assert again["bytes"] <= figures["bytes"]
    shot(phone, "challenge-form-empty")
    for label in ("出題單位名稱", "題目所屬分類", "資料時間區間", "出題說明簡報"):
        assert phone.get_by_label(label).count() == 1, label  # every input has its label
    for slot, value in COMPLETE.items():
        type_into(phone, slot, value)
    saved(phone)
    assert fits_the_phone(phone)
    shot(phone, "challenge-form")
    phone.get_by_role("button", name="檢查並確認").click()
    phone.wait_for_url("**/challenge/review")
    assert phone.get_by_text("以人工智慧判讀病例與診斷影像").count() == 1
    assert phone.get_by_text("2015-01-01 – 2015-12-31").count() == 1
    assert fits_the_phone(phone)
    shot(phone, "challenge-review")
    phone.get_by_role("button", name="確認送出").click()
    status = phone.get_by_role("status")
    assert re.search(r"AIGO-108-\d{4}", status.inner_text())
    assert "已送出" in status.inner_text() and "/3 題" in status.inner_text()
    shot(phone, "challenge-submitted")


def test_a_validation_message_is_shown_then_fixed(
    live_web: LiveWeb, phone: Any, shot: Shot
) -> None:
    open_form(live_web, phone, "rest:phone-typo")
    type_into(phone, "org_name", "新竹科技股份有限公司")  # each test its own organisation
    for slot in ("org_contact", "org_phone"):
        type_into(phone, slot, COMPLETE[slot])
    email, message = phone.locator("#org_email"), phone.locator("#m-org_email")
    email.focus()
    email.press_sequentially("ooo@ooo")
    message.filter(has_text="不是有效的 email").wait_for()  # while typing, from the chat's check
    assert email.get_attribute("aria-invalid") == "true"
    phone.keyboard.press("Tab")
    phone.evaluate("() => window.scrollTo(0, 0)")
    phone.screenshot(path=str(ARTEFACTS / "challenge-form-top.png"))  # what the phone shows
    shot(phone, "challenge-form-invalid")
    email.fill("")
    email.press_sequentially("chen@hospital.com.tw")
    phone.keyboard.press("Tab")
    saved(phone)
    assert message.inner_text() == "" and email.get_attribute("aria-invalid") is None
    phone.reload()
    assert phone.locator("#org_email").input_value() == "chen@hospital.com.tw"


def test_autosave_then_the_chat_goes_on_from_there(
    live_web: LiveWeb, phone: Any, shot: Shot
) -> None:
    sender = "rest:phone-both"
    said = rest(live_web, sender, "我要出題")
    assert "出題單位的名稱" in said and "用網頁填寫" in said
    link = re.search(r"http://\S+/l/\S+", said)
    assert link, said
    phone.goto(link.group(0))  # the chat's own link
    phone.locator("body[data-ready='1']").wait_for()
    type_into(phone, "org_name", "宏達智能股份有限公司")
    type_into(phone, "org_contact", "王經理")
    saved(phone)
    later = rest(live_web, sender, "我要出題")  # back in the chat: it asks the third field
    assert "第 3/21 項" in later and "聯繫電話" in later
    assert "出題單位的名稱" not in later
    rest(live_web, sender, "02-2345-6789")  # answered in the chat, shown on the page
    phone.reload()
    assert phone.locator("#org_phone").input_value() == "02-2345-6789"  # local format
    shot(phone, "challenge-form-from-chat")


def test_upload_a_pdf_and_refuse_a_renamed_text_file(
    live_web: LiveWeb, phone: Any, shot: Shot, tmp_path: Path
) -> None:
    open_form(live_web, phone, "rest:phone-upload")
    type_into(phone, "org_name", "高雄港務股份有限公司")
    saved(phone)
    pdf = tmp_path / "出題說明.pdf"
    pdf.write_bytes(sample_files.pdf("AIGO presentation"))
    phone.locator("#presentation").set_input_files(str(pdf))
    phone.get_by_role("button", name="上傳簡報").click()
    phone.get_by_role("status").filter(has_text="簡報已上傳").wait_for()
    link = phone.get_by_role("link", name="出題說明.pdf")
    assert link.count() == 1
    download = phone.request.get(live_web.url + str(link.get_attribute("href")))
    assert download.status == 200 and download.body() == pdf.read_bytes()
    phone.locator("#f-challenge_presentation").scroll_into_view_if_needed()
    shot(phone, "challenge-upload")
    fake = tmp_path / "slides.pdf"
    fake.write_text("These are not slides, only text renamed to .pdf\n", encoding="utf-8")
    phone.locator("#presentation").set_input_files(str(fake))
    phone.get_by_role("button", name="上傳簡報").click()
    refused = phone.locator("#m-challenge_presentation")
    refused.filter(has_text="不是 PDF、PPTX 或 ODP").wait_for()
    assert phone.get_by_role("link", name="出題說明.pdf").count() == 1  # the PDF is kept
    phone.locator("#f-challenge_presentation").scroll_into_view_if_needed()
    shot(phone, "challenge-upload-refused")


def test_forged_and_expired_links_to_the_form_are_refused(live_web: LiveWeb, phone: Any) -> None:
    expired = issue_link_token(SECRET, purpose="challenge", subject="rest:someone", ttl=-60)
    response = phone.goto(f"{live_web.url}/l/{expired}")
    assert response is not None and response.status == 403
    assert "已過期" in phone.get_by_role("alert").inner_text()
    good = link_for(live_web.settings, purpose="challenge", sender_key="rest:someone")
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    response = phone.goto(forged)
    assert response is not None and response.status == 403
    response = phone.goto(f"{live_web.url}/challenge")
    assert response is not None and response.status == 403  # no session was opened
    assert "從聊天室開啟" in phone.get_by_role("alert").inner_text()
