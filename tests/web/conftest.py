"""Fixtures for the web pages: the real app and services, a test client, a live server and one
headless Chromium (Debian's ``/usr/bin/chromium`` driven by Playwright) shared by the session.

- ``web_settings`` / ``web_services``: a fresh database (SQLite and PostgreSQL through ``db_url``),
  the clock frozen at ``FROZEN_NOW``, a test secret key.
- ``web_client``: an ``httpx.Client`` on the whole app served on 127.0.0.1 (lifespan on).
- ``live_web``: the app served by uvicorn on 127.0.0.1 for the whole session (SQLite).
- ``browser``: one Chromium for the session. Outside CI it is skipped, with the reason, when
  chromium is absent; with ``AIGO_REQUIRE_BROWSER=1`` (set by ``.ci/run``) its absence fails.
- ``phone``: a new 390 x 844 touch context (zh-TW) per test, a fresh cookie jar each time.
- ``shot(page, name)``: save a screenshot under ``var/screenshots/`` (test artefacts).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.config import Secret, Settings
from bot.services import Services, build_services
from tests.fakes.server import ThreadedServer, free_port
from tests.fakes.service import shared_nlu_model

FROZEN_NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")
SECRET = "web-tests-secret-key-0123456789abcdef"
CHROMIUM = os.environ.get("AIGO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def web_nlu_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared NLU model file."""
    return shared_nlu_model(tmp_path_factory)


def make_settings(database_url: str, data_dir: Path, nlu_model: Path, **extra: Any) -> Settings:
    """Settings for the web tests (frozen clock, test secret, bot names for the share links)."""
    return replace(
        Settings(),
        database_url=database_url,
        now=FROZEN_NOW,
        data_dir=data_dir,
        nlu_model_path=nlu_model,
        secret_key=Secret(SECRET),
        telegram_bot_username="aigo_test_bot",
        line_bot_id="@aigo-test",
        **extra,
    )


@pytest.fixture
def web_settings(db_url: str, tmp_path: Path, web_nlu_model: Path) -> Settings:
    """Settings on a fresh database of each engine."""
    return make_settings(db_url, tmp_path, web_nlu_model)


@pytest.fixture
def web_services(web_settings: Settings) -> Iterator[Services]:
    """The services for ``web_settings``."""
    services = build_services(web_settings)
    try:
        yield services
    finally:
        services.close()


@pytest.fixture
def web_client(web_settings: Settings, web_services: Services) -> Iterator[httpx.Client]:
    """An HTTP client (with a cookie jar) on the whole app served on 127.0.0.1."""
    server = ThreadedServer(create_app(web_settings, web_services), lifespan="on").start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client
    finally:
        server.stop()


class LiveWeb:
    """The app served on 127.0.0.1; ``url``, ``settings`` and ``services`` for the tests."""

    def __init__(self, settings: Settings, services: Services, port: int) -> None:
        self.settings = settings
        self.services = services
        self.server = ThreadedServer(create_app(settings, services), port, lifespan="on").start()
        self.url = self.server.url


@pytest.fixture(scope="session")
def live_web(tmp_path_factory: pytest.TempPathFactory, web_nlu_model: Path) -> Iterator[LiveWeb]:
    """The app on a live port for the browser tests (one SQLite database for the session)."""
    data_dir = tmp_path_factory.mktemp("live-web")
    port = free_port()
    settings = make_settings(
        f"sqlite:///{data_dir / 'aigo.db'}",
        data_dir,
        web_nlu_model,
        public_url=f"http://127.0.0.1:{port}",
    )
    services = build_services(settings)
    live = LiveWeb(settings, services, port)
    try:
        yield live
    finally:
        live.server.stop()
        services.close()


def _browser_missing() -> str | None:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).is_file():
        return f"chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (see the module docstring)."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("AIGO_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized page (390 x 844, touch, zh-TW); its context closes after the test."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="zh-TW"
    )
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def shot() -> Callable[[Any, str], Path]:
    """``shot(page, name)`` saves a full-page screenshot under ``var/screenshots/``."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = ARTEFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
