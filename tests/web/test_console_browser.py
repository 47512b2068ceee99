"""The console in headless Chromium at laptop size: sign in, the overview, a challenge list and
the teach-the-bot inbox (three missed questions labelled, a retrain, the bot then understands
them), and a broadcast previewed, dry-run, scheduled and cancelled. Screenshots go to
``var/screenshots/console-*.png``."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import organisers
from bot.app import create_app
from bot.config import Secret, Settings
from bot.reminders.runtime import drain_now
from bot.services import Services, build_services
from bot.teach import retrain
from db import challenges
from db.users import get_or_create_user
from tests.fakes.line import FakeLine
from tests.fakes.server import ThreadedServer, free_port
from tests.web.conftest import ARTEFACTS, make_settings

PASSWORD = "correct horse battery"
LAPTOP = {"width": 1280, "height": 860}
# Team questions the bundled model still misses (the wave-4 data taught it the advisor wordings
# used here before); each wave that teaches the model more may have to pick new ones.
MISSED = ("外校的朋友能一起組嗎", "研究助理可以一起來嗎", "隔壁實驗室的可以來一起做嗎")


class Console:
    """A live console on its own SQLite database and model file (retrains never touch others)."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.settings, self.services = settings, services
        self.server = ThreadedServer(create_app(settings, services), free_port(), lifespan="on")
        self.url = self.server.start().url


@pytest.fixture(scope="module")
def console(
    tmp_path_factory: pytest.TempPathFactory, web_nlu_model: Path,
    _fake_line_server: tuple[FakeLine, Any],
) -> Iterator[Console]:  # fmt: skip
    data_dir = tmp_path_factory.mktemp("console")
    model = data_dir / "nlu-model.json.gz"
    shutil.copy(web_nlu_model, model)
    line = _fake_line_server[0]
    settings = make_settings(
        f"sqlite:///{data_dir / 'aigo.db'}", data_dir, model,
        line_api_base_url=line.base_url, line_channel_access_token=Secret(line.token),
        line_channel_secret=Secret("line-channel-secret-for-tests"),
    )  # fmt: skip
    services = build_services(settings)
    training = retrain.copy_data(data_dir / "nlu-data")
    retrain._jobs[model.resolve()] = retrain.Retrainer(model, settings.nlu_threshold, training)
    with services.session_factory.begin() as session:
        organisers.add(session=session, email="ops@aigo.org", password=PASSWORD, role="editor",
                       actor="cli")  # fmt: skip
    live = Console(settings, services)
    try:
        yield live
    finally:
        live.server.stop()
        services.close()


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=LAPTOP, locale="zh-TW")
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _say(console: Console, sender: str, *texts: str) -> list[str]:
    """Talk to the bot over REST; the intents the model gave each message."""
    intents = []
    with httpx.Client(base_url=console.url, timeout=60) as client:
        for text in texts:
            reply = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
            assert reply.status_code == 200
            intents.append(console.services.nlu.parse(text)["intent"]["name"])
    return intents


def _sign_in(page: Any, console: Console, path: str = "/console") -> None:
    page.goto(console.url + path)
    page.get_by_label("電子郵件").fill("ops@aigo.org")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.wait_for_url(f"**{path}")


def _shot(page: Any, name: str) -> None:
    """A screenshot under ``var/screenshots/`` (the README's copies live in ``docs/console/``)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"console-{name}.png"), full_page=False)


def test_sign_in_and_overview(console: Console, laptop: Any) -> None:
    _say(console, "visitor", "你好", "構想什麼時候截止", "我要報名", "取消")
    laptop.goto(console.url + "/console/teams")
    assert "/console/login" in laptop.url  # no page without a session
    _sign_in(laptop, console, "/console/teams")
    laptop.get_by_role("link", name="總覽").click()
    assert laptop.locator("svg[role=img]").count() >= 2
    topics = laptop.locator("section.chart").nth(2).inner_html()
    assert "時程" in topics and "ask_schedule" not in topics  # named as organisers say it
    forms = laptop.locator("table").first.inner_text()
    assert "組隊報名" in forms and "register_team_form" not in forms
    assert laptop.evaluate("() => document.documentElement.scrollWidth") <= LAPTOP["width"]
    _shot(laptop, "overview")


def test_label_three_missed_questions_then_retrain(console: Console, laptop: Any) -> None:
    before = _say(console, "learner", *MISSED)
    assert "ask_team_rules" not in before
    _sign_in(laptop, console, "/console/teach")
    _shot(laptop, "teach")
    for text in MISSED:
        group = laptop.locator("section.inbox-group", has_text=text).first
        group.get_by_label("意圖").select_option("ask_team_rules")
        group.get_by_role("button", name="標註").click()
        laptop.wait_for_url("**notice=labelled")
    laptop.get_by_role("button", name="立即重新訓練").click()
    laptop.locator('[data-step="done"]').wait_for(timeout=240_000)
    status = laptop.locator('[data-step="done"]').inner_text()
    assert "F1" in status
    laptop.wait_for_timeout(1_100)  # the workers look for a new model file every second
    after = [console.services.nlu.parse(text)["intent"]["name"] for text in MISSED]
    assert after == ["ask_team_rules"] * 3
    assert console.services.nlu.last_swap_seconds is not None  # type: ignore[attr-defined]
    laptop.get_by_role("link", name="操作紀錄").click()
    assert laptop.locator("code", has_text="nlu.retrain").count() == 1
    assert laptop.locator("code", has_text="nlu.label").count() == 3
    _shot(laptop, "audit")


def test_broadcast_preview_dry_run_schedule_and_cancel(console: Console, laptop: Any) -> None:
    with console.services.session_factory.begin() as session:
        for channel, external in (("line", "U" + "1" * 32), ("line", "U" + "2" * 32),
                                  ("telegram", "4242")):  # fmt: skip
            get_or_create_user(session=session, channel=channel, external_id=external)
    _sign_in(laptop, console, "/console/broadcasts")
    laptop.get_by_label("訊息內容").fill("108-2 構想收件即將截止，請把握時間！")
    laptop.get_by_label("發送時間").fill("2019-07-14T10:00")
    laptop.get_by_role("button", name="預覽與試算").click()
    assert "構想收件即將截止" in laptop.locator('[data-channel="line"]').inner_text()
    assert "構想收件即將截止" in laptop.locator('[data-channel="telegram"]').inner_text()
    dry_run = laptop.locator("#dry-run").inner_text()
    assert "收件人 3 位" in dry_run and "line 2" in dry_run and "telegram 1" in dry_run
    assert "LINE 訊息 2 則" in dry_run and "LINE 本月額度 200" in dry_run
    _shot(laptop, "broadcast-preview")
    laptop.get_by_role("button", name="排定發送").click()
    laptop.wait_for_url("**notice=scheduled")
    row = laptop.locator("tr", has_text="broadcast:20190714T020000Z")
    assert "pending" in row.inner_text()
    row.get_by_role("button", name="取消").click()
    laptop.wait_for_url("**notice=cancelled")
    assert "cancelled" in laptop.locator("tr", has_text="broadcast:20190714").inner_text()
    audit = laptop.goto(console.url + "/console/audit")
    assert audit is not None and "broadcast.cancel" in laptop.content()


def _submitted_on_line(console: Console, line_user: str, title: str) -> str:
    with console.services.session_factory.begin() as session:
        user = get_or_create_user(session=session, channel="line", external_id=line_user)
        org = challenges.get_or_create_organisation(
            session=session, name="大同醫院", user_id=user.id
        )
        draft = challenges.save_draft(
            session=session, user_id=user.id, organisation=org, contact={},
            challenge={"title": title}, dataset={}, now=console.services.clock.now(),
        )  # fmt: skip
        challenges.submit(session=session, challenge=draft, limit=3, now=draft.updated_at)
        return str(draft.reference)


def test_review_returns_a_challenge_and_the_organisation_is_told_on_line(
    console: Console, laptop: Any, _fake_line_server: tuple[FakeLine, Any]
) -> None:
    line, org_user = _fake_line_server[0], "U" + "7" * 32
    reference = _submitted_on_line(console, org_user, "病歷摘要")
    _sign_in(laptop, console, f"/console/challenges/{reference}")
    review = laptop.locator("section.review")
    assert review.get_by_role("button", name="結束徵求").count() == 0  # not while submitted
    review.get_by_label("退回原因（必填，出題單位會看到）").fill("請補充資料欄位名稱與資料量")
    _shot(laptop, "review")
    review.get_by_role("button", name="退回修改").click()
    laptop.wait_for_url("**notice=review_done")
    assert "退回修改" in laptop.locator("span.tag").first.inner_text()
    assert "請補充資料欄位名稱與資料量" in laptop.locator("section.review").inner_text()
    # In production the service's dispatcher drains the outbox; here (services given to the app,
    # so no reminder service runs) one drain stands in for it.
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs in this thread
        drain = pool.submit(
            lambda: asyncio.run(drain_now(console.settings, console.services.session_factory))
        )
        stats = drain.result()
    assert stats.sent == 1
    pushed = [m["text"] for m in line.messages_to(org_user)]
    assert len(pushed) == 1 and f"{reference}「病歷摘要」經審查退回" in pushed[0]
    assert "原因：請補充資料欄位名稱與資料量" in pushed[0] and f"修改題目 {reference}" in pushed[0]
    laptop.get_by_role("link", name="操作紀錄").click()
    row = laptop.locator("tr", has_text="challenge.return")
    assert reference in row.inner_text() and "ops@aigo.org" in row.inner_text()
