"""The challenge form page over HTTP, on SQLite and PostgreSQL: the chat's link opens it, the
chat's checks speak on it, it autosaves into the chat's own draft (both ways), and it submits
through the chat's submission (the per-organisation limit, the state ``submitted``)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import sqlalchemy as sa

from actions.challenge.lifecycle import EDITING_SLOT
from bot.config import Settings
from bot.dialogue import UserMessage
from bot.services import Services
from bot.web.identity import link_for
from db.models import Challenge
from tests.actions.forms_support import join_organisation, submitted_challenge

T = TypeVar("T")

# A complete challenge as typed on the page (the seed's application example).
COMPLETE = {
    "org_name": "台中童綜合醫院",
    "org_contact": "陳副總",
    "org_phone": "04-2658-1919",
    "org_email": "chen@hospital.com.tw",
    "challenge_title": "以人工智慧判讀病例與診斷影像",
    "challenge_description": "以自動化程序協助醫師加速判斷病患症狀，包括摘要與細節",
    "challenge_category": "電腦視覺類",
    "challenge_industry": "醫療健康",
    "challenge_dataset_type": "DICOM",
    "challenge_data_readiness": "已整理解題相關數據",
    "challenge_expected_outcome": "偵測腫瘤正確率95%以上",
    "dataset_name": "X光照片、CT掃描圖像資料庫檔案",
    "dataset_file_type": "DICOM檔",
    "dataset_volume": "900GB",
    "dataset_time_range": "2015/01/01-2015/12/31",
    "dataset_delivery_method": "提供API介接",
}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def open_form(client: httpx.Client, settings: Settings, sender: str) -> str:
    """Follow the chat's signed link for ``sender``; return the page's CSRF token."""
    link = link_for(settings, purpose="challenge", sender_key=sender)
    page = client.get(link.removeprefix(settings.public_url), follow_redirects=True)
    assert page.status_code == 200 and str(page.url).endswith("/challenge")
    return csrf_of(page.text)


def save(client: httpx.Client, csrf: str, fields: dict[str, str], **query: str) -> Any:
    response = client.post(
        "/challenge/save", json={"fields": fields}, headers={"X-CSRF-Token": csrf}, params=query
    )
    assert response.status_code == 200, response.text
    return response.json()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Await ``coroutine`` on a loop of its own thread (Playwright's sync API keeps a loop
    running in the test thread once a browser test has run)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def chat(services: Services, sender: str, text: str) -> str:
    replies = run(services.engine.handle(UserMessage(sender, text, "rest")))
    return "\n".join(str(r.get("text", "")) for r in replies)


def slots_of(services: Services, sender: str) -> dict[str, Any]:
    return run(services.engine.update_state(sender, lambda state, _: dict(state.slots)))


def test_the_chat_offers_the_form_and_its_link_opens_it(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    said = chat(web_services, "rest:alice", "我要出題")
    assert "用網頁填寫" in said
    url = re.search(r"https?://\S+/l/\S+", said)
    assert url, said
    page = web_client.get(url.group(0).removeprefix(web_settings.public_url), follow_redirects=True)
    assert page.status_code == 200
    for label in ("出題單位名稱", "題目名稱", "資料時間區間", "出題說明簡報"):
        assert f">{label} <span" in page.text, label
    assert page.text.count("<label") >= 21
    assert web_client.get("/challenge/review").status_code == 200
    fresh = httpx.Client(base_url=str(web_client.base_url))
    assert fresh.get("/challenge").status_code == 403  # no link, no page
    assert "從聊天室開啟" in fresh.get("/challenge").text


def test_a_field_saved_on_the_web_is_known_to_the_chat_and_back(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    sender = "rest:bob"
    assert "出題單位的名稱" in chat(web_services, sender, "我要出題")  # the chat asks org_name
    csrf = open_form(web_client, web_settings, sender)
    saved = save(web_client, csrf, {"org_name": "宏達智能股份有限公司", "org_contact": "王經理"})
    assert saved["saved"] == ["org_contact", "org_name"] and saved["problems"] == {}
    slots = slots_of(web_services, sender)
    assert slots["org_name"] == "宏達智能股份有限公司" and slots["org_contact"] == "王經理"
    assert slots["challenge_draft_id"] and slots["requested_slot"] is None
    # back in the chat, the form goes on from the first field nobody filled
    assert "聯繫電話" in chat(web_services, sender, "我要出題")
    assert "聯繫 Email" in chat(web_services, sender, "02-2345-6789")
    page = web_client.get("/challenge").text
    assert 'value="02-2345-6789"' in page and 'value="宏達智能股份有限公司"' in page
    with web_services.session_factory() as session:
        draft = session.get(Challenge, slots["challenge_draft_id"])
        assert draft is not None and draft.status == "draft"
        assert draft.contact_phone == "+886223456789"  # the contact is the challenge's own


def test_the_chats_checks_speak_on_the_page_in_both_languages(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    csrf = open_form(web_client, web_settings, "rest:carol")
    headers = {"X-CSRF-Token": csrf}
    bad = web_client.post("/challenge/check", json={"field": "org_email", "value": "ooo@ooo"},
                          headers=headers).json()  # fmt: skip
    assert bad == {"ok": False, "message": bad["message"]} and "不是有效的 email" in bad["message"]
    english = web_client.post("/challenge/check?lang=en", headers=headers,
                              json={"field": "dataset_volume", "value": "900"}).json()  # fmt: skip
    assert "with a unit" in english["message"]
    good = web_client.post("/challenge/check", headers=headers,
                           json={"field": "dataset_volume", "value": "900GB"}).json()  # fmt: skip
    assert good == {"ok": True, "message": ""}
    answers = {"org_phone": "1234", "dataset_time_range": "2015/12/31-2015/01/01"}
    result = save(web_client, csrf, answers, lang="zh-TW")
    assert set(result["problems"]) == {"org_phone", "dataset_time_range"}
    assert result["saved"] == []
    assert "早於開始日期（2015-12-31）" in result["problems"]["dataset_time_range"]
    assert slots_of(web_services, "rest:carol")["org_phone"] is None  # refused: not saved
    unknown = web_client.post("/challenge/check", headers=headers, json={"field": "x", "value": 1})
    assert unknown.status_code == 400
    # the form's newer checks speak on the page too (the field's label and choices filled in)
    said = {
        field: web_client.post("/challenge/check", headers=headers,
                               json={"field": field, "value": value}).json()["message"]
        for field, value in [("org_contact", "0912-345-678"), ("challenge_industry", "職缺3人"),
                             ("org_name", "研發部 李經理"), ("dataset_time_range", "近三年")]
    }  # fmt: skip
    assert "看起來是電話號碼，不是「聯繫窗口」" in said["org_contact"]
    assert "看起來是數量" in said["challenge_industry"] and "醫療保健" in said["challenge_industry"]
    assert "看起來是部門或人名" in said["org_name"] and "是指哪幾年" in said["dataset_time_range"]
    phone = {"field": "org_phone", "value": "電話是 02-2345-6789 分機12"}
    lead_in = web_client.post("/challenge/check", headers=headers, json=phone)
    assert lead_in.json() == {"ok": True, "message": ""}


def test_every_post_needs_the_csrf_token(web_client: httpx.Client, web_settings: Settings) -> None:
    open_form(web_client, web_settings, "rest:dave")
    assert web_client.post("/challenge/save", json={"fields": {}}).status_code == 403
    assert web_client.post("/challenge/check", json={"field": "org_name"}).status_code == 403
    assert web_client.post("/challenge", data={"org_name": "X"}).status_code == 403
    assert web_client.post("/challenge/submit", data={}).status_code == 403


def test_the_no_script_form_shows_problems_and_keeps_what_was_typed(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    csrf = open_form(web_client, web_settings, "rest:erin")
    form = {**COMPLETE, "org_email": "ooo@ooo", "_csrf": csrf}
    del form["dataset_name"]
    page = web_client.post("/challenge", data=form)
    assert page.status_code == 400
    assert 'value="ooo@ooo"' in page.text and "不是有效的 email" in page.text
    assert "「資料名稱」是必填的" in page.text
    fixed = {**COMPLETE, "_csrf": csrf}
    done = web_client.post("/challenge", data=fixed)
    assert done.status_code == 303 and done.headers["location"] == "/challenge/review"


def test_submit_goes_through_the_chats_submission_and_its_limit(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    late = httpx.Client(base_url=str(web_client.base_url))
    late_csrf = open_form(late, web_settings, "rest:late")
    assert save(late, late_csrf, COMPLETE)["problems"] == {}  # a complete draft, not yet sent
    csrf = open_form(web_client, web_settings, "rest:frank")
    for number in range(1, 4):
        answers = {**COMPLETE, "challenge_title": f"題目{number}"}
        assert save(web_client, csrf, answers)["problems"] == {}
        review = web_client.get("/challenge/review")
        assert "確認送出" in review.text and f"題目{number}" in review.text
        assert "電腦視覺類" in review.text and "2015-01-01 – 2015-12-31" in review.text
        sent = web_client.post("/challenge/submit", data={"_csrf": csrf})
        assert sent.status_code == 200
        assert f"AIGO-108-000{number}" in sent.text
        assert f"已送出 {number}/3 題" in sent.text
        assert slots_of(web_services, "rest:frank")["challenge_title"] is None  # a new form next
    with web_services.session_factory() as session:
        statuses = session.scalars(sa.select(Challenge.status).order_by(Challenge.id)).all()
    assert statuses == ["draft", "submitted", "submitted", "submitted"]
    with web_services.session_factory.begin() as session:  # frank owns it; late is a colleague
        join_organisation(session, "台中童綜合醫院", "late")
    # the fourth: refused early on the organisation's name, and at submission
    early = save(web_client, csrf, {"org_name": "台中童綜合醫院"})
    assert "已達上限" in early["problems"]["org_name"]
    refused = late.post("/challenge/submit", data={"_csrf": late_csrf})
    assert refused.status_code == 409
    assert "已達上限" in refused.text and "草稿已保留" in refused.text
    assert save(late, late_csrf, {"challenge_title": "還在"})["saved"] == ["challenge_title"]


def test_a_stranger_is_refused_the_organisation_on_the_page_too(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    """Issue 16: the web form goes through the same ownership check as the chat."""
    with web_services.session_factory.begin() as session:
        submitted_challenge(session, "台中童綜合醫院", "既有題目", external_id="owner")
    csrf = open_form(web_client, web_settings, "rest:stranger")
    early = save(web_client, csrf, COMPLETE)
    assert "已經由其他人登記" in early["problems"]["org_name"]
    assert "a***@b.com.tw" in early["problems"]["org_name"]
    assert slots_of(web_services, "rest:stranger")["org_name"] is None


def test_review_lists_missing_fields_and_submit_waits_for_them(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    csrf = open_form(web_client, web_settings, "rest:gina")
    save(web_client, csrf, {"org_name": "某公司"})
    review = web_client.get("/challenge/review?lang=en")
    assert "Some required fields are still empty" in review.text and "Confirm and submit" not in (
        review.text
    )
    sent = web_client.post("/challenge/submit", data={"_csrf": csrf})
    assert sent.status_code == 303 and sent.headers["location"] == "/challenge/review"


def test_the_page_waits_while_the_chat_edits_a_submitted_challenge(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    csrf = open_form(web_client, web_settings, "rest:editor")
    engine = web_services.engine

    def editing(value: bool | None) -> Any:
        return lambda state, _: state.set_slot(EDITING_SLOT, value, engine.domain)

    run(engine.update_state("rest:editor", editing(True)))
    page = web_client.get("/challenge")
    assert page.status_code == 409 and "正在聊天中修改一則已送出的題目" in page.text
    refused = web_client.post(
        "/challenge/save", json={"fields": {"challenge_title": "X"}}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 409 and "確認送出" in refused.json()["error"]
    assert web_client.post("/challenge/submit", data={"_csrf": csrf}).status_code == 409
    assert slots_of(web_services, "rest:editor")["challenge_title"] is None  # nothing written
    run(engine.update_state("rest:editor", editing(None)))
    assert web_client.get("/challenge").status_code == 200


def test_the_page_in_english(web_client: httpx.Client, web_settings: Settings) -> None:
    open_form(web_client, web_settings, "rest:english")
    page = web_client.get("/challenge?lang=en").text
    assert 'lang="en"' in page and "Post a challenge" in page
    for label in ("organisation name", "challenge title", "time range", "presentation slides"):
        assert f">{label} <span" in page, label
    assert ">computer vision</option>" in page and "Upload the presentation" in page
    assert "required" in page and "optional" in page


def test_my_status_offers_the_form_for_a_draft(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    assert "用網頁填寫" not in chat(web_services, "rest:status", "我的狀態")  # nothing to finish
    chat(web_services, "rest:status", "我要出題")
    chat(web_services, "rest:status", "宏達智能股份有限公司")  # the draft is saved from here on
    chat(web_services, "rest:status", "取消")
    said = chat(web_services, "rest:status", "我的狀態")
    assert "草稿" in said and "用網頁填寫" in said
    link = re.search(r"https?://\S+/l/\S+", said)
    assert link, said
    page = web_client.get(
        link.group(0).removeprefix(web_settings.public_url), follow_redirects=True
    )
    assert 'value="宏達智能股份有限公司"' in page.text
