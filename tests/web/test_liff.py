"""LIFF sign-in over HTTP against the fake LINE verify endpoint: a valid ID token opens the session
for that LINE user; an expired, unknown or other channel's token, a missing CSRF token, or LIFF
not configured are refused; pages load the LIFF SDK and the CSP allows it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from bot.app import create_app
from bot.config import Settings
from bot.services import Services, build_services
from bot.web.liff import channel_id
from tests.fakes import FakeLine, ThreadedServer
from tests.web.team_support import seed_team

LIFF_ID = "1657000000-AbCdEfGh"
CHANNEL = "1657000000"


class Liff:
    """A client of the LIFF-enabled app."""

    def __init__(self, client: httpx.Client, settings: Settings, services: Services) -> None:
        self.client, self.settings, self.services = client, settings, services

    def csrf(self) -> str:
        page = self.client.get("/").text
        return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]

    def sign_in(self, token: str, csrf: str | None = None) -> httpx.Response:
        headers = {"X-CSRF-Token": csrf if csrf is not None else self.csrf()}
        return self.client.post("/liff/session", json={"id_token": token}, headers=headers)


@pytest.fixture
def liff(web_settings: Settings, fake_line: FakeLine) -> Iterator[Liff]:
    """The app as a LIFF app whose LINE API is the fake."""
    settings = replace(web_settings, line_liff_id=LIFF_ID, line_api_base_url=fake_line.base_url)
    services = build_services(settings)
    server = ThreadedServer(create_app(settings, services), lifespan="on").start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield Liff(client, settings, services)
    finally:
        server.stop()
        services.close()


def test_a_valid_id_token_opens_the_session_of_that_line_user(
    liff: Liff, fake_line: FakeLine
) -> None:
    seed_team(liff.services.session_factory, leader="line:U1111", member="line:U2222")
    assert liff.client.get("/team").status_code == 403
    token = fake_line.issue_id_token("U2222", CHANNEL)
    answer = liff.sign_in(token)
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    assert fake_line.verify_calls == [{"id_token": token, "client_id": CHANNEL}]
    page = liff.client.get("/team")
    assert page.status_code == 200 and "林大明" in page.text and "您是隊員" in page.text


@pytest.mark.parametrize("problem", ["expired", "unknown", "other channel"])
def test_bad_id_tokens_are_refused(liff: Liff, fake_line: FakeLine, problem: str) -> None:
    token = {
        "expired": lambda: fake_line.issue_id_token("U2222", CHANNEL, expires_in=-10),
        "unknown": lambda: "eyJ.forged.token",
        "other channel": lambda: fake_line.issue_id_token("U2222", "1999999999"),
    }[problem]()
    answer = liff.sign_in(token)
    assert answer.status_code == 401 and "LINE 登入沒有成功" in answer.json()["error"]
    assert len(fake_line.verify_calls) == 1
    assert liff.client.get("/team").status_code == 403


def test_sign_in_needs_the_csrf_token_and_a_token(liff: Liff, fake_line: FakeLine) -> None:
    token = fake_line.issue_id_token("U2222", CHANNEL)
    assert liff.sign_in(token, csrf="wrong").status_code == 403
    csrf = liff.csrf()
    empty = liff.client.post("/liff/session", json={}, headers={"X-CSRF-Token": csrf})
    assert empty.status_code == 400
    # The token in a form field instead of the header: refused (it was a 500: the form read
    # for the token used up the body the ID token is read from).
    as_form = liff.client.post("/liff/session", data={"_csrf": csrf, "id_token": token})
    assert as_form.status_code == 403 and "error" in as_form.json()
    assert fake_line.verify_calls == []  # nothing was sent to LINE


def test_pages_load_the_liff_sdk_allowed_by_the_csp(liff: Liff) -> None:
    page = liff.client.get("/team")
    assert "https://static.line-scdn.net/liff/edge/2/sdk.js" in page.text
    assert f'data-liff-id="{LIFF_ID}"' in page.text and 'data-message="need_link"' in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' https://static.line-scdn.net" in csp and "https://*.line.me" in csp
    assert channel_id(LIFF_ID) == CHANNEL


def test_without_liff_the_endpoint_does_not_exist(web_client: httpx.Client) -> None:
    page = web_client.get("/").text
    csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    headers = {"X-CSRF-Token": csrf}
    answer = web_client.post("/liff/session", json={"id_token": "x"}, headers=headers)
    assert answer.status_code == 404
    assert "line-scdn" not in page
