"""The web infrastructure over HTTP: landing page, security headers, link tokens, sessions, CSRF,
the per-IP limit, the secret key's start-up checks."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.config import DEV_SECRET_KEY, ConfigError, Settings
from bot.web.identity import link_for
from bot.web.security import IPLimitMiddleware
from bot.web.signing import TokenError, issue_link_token, verify_link_token
from tests.fakes.server import ThreadedServer
from tests.web.conftest import SECRET


def test_landing_page_in_both_languages_links_chat_and_configured_bots(
    web_client: httpx.Client,
) -> None:
    page = web_client.get("/")
    assert page.status_code == 200
    assert "在網頁上聊天" in page.text and 'href="/chat"' in page.text
    assert "https://t.me/aigo_test_bot" in page.text
    assert "https://line.me/R/ti/p/@aigo-test" in page.text
    english = web_client.get("/?lang=en")
    assert "Chat on the web" in english.text and 'lang="en"' in english.text
    assert "Chat on the web" in web_client.get("/").text  # the choice stays in the session


def test_security_headers_on_pages(web_client: httpx.Client) -> None:
    headers = web_client.get("/chat").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "HttpOnly" in headers["set-cookie"] and "SameSite=Lax" in headers["set-cookie"]
    assert web_client.get("/static/style.css").status_code == 200
    assert web_client.get("/no-such-page").status_code == 404


def test_chat_post_needs_the_csrf_token(web_client: httpx.Client) -> None:
    web_client.get("/chat")
    refused = web_client.post("/chat/messages", json={"text": "獎金多少"})
    assert refused.status_code == 403 and "error" in refused.json()
    page = web_client.get("/chat").text
    csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    answer = web_client.post(
        "/chat/messages", json={"text": "構想什麼時候截止"}, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 200
    assert any("5月31日" in r.get("text", "") for r in answer.json()["replies"])
    bad = web_client.post("/chat/messages", content=b"{", headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 400


def test_link_tokens_expire_and_cannot_be_forged_or_reused_for_another_page() -> None:
    token = issue_link_token(SECRET, purpose="team", subject="line:U1", now=1000.0)
    assert verify_link_token(SECRET, token, purpose="team", now=1001.0) == ("team", "line:U1")
    cases = {
        "expired": lambda: verify_link_token(SECRET, token, now=1000.0 + 25 * 3600),
        "purpose": lambda: verify_link_token(SECRET, token, purpose="challenge", now=1001.0),
        "forged": lambda: verify_link_token("another-secret", token, now=1001.0),
    }
    for reason, check in cases.items():
        with pytest.raises(TokenError) as info:
            check()
        assert info.value.reason == reason
    body, mac = token.split(".")
    with pytest.raises(TokenError):
        verify_link_token(SECRET, body[:-2] + "xx." + mac, now=1001.0)


def test_a_link_opens_a_session_for_that_user_only(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    url = link_for(web_settings, purpose="chat", sender_key="telegram:42")
    path = url.removeprefix(web_settings.public_url)
    opened = web_client.get(path)
    assert opened.status_code == 303 and opened.headers["location"] == "/chat"
    expired = issue_link_token(SECRET, purpose="chat", subject="telegram:42", ttl=-1)
    refused = web_client.get(f"/l/{expired}")
    assert refused.status_code == 403 and "已過期" in refused.text
    forged = web_client.get("/l/eyJwIjoiY2hhdCJ9.AAAA")
    assert forged.status_code == 403 and "無效" in forged.text


def test_per_ip_limit_answers_429_politely() -> None:
    inner = Starlette(routes=[Route("/", lambda r: PlainTextResponse("ok"))])
    server = ThreadedServer(IPLimitMiddleware(inner, limit=3, window=60)).start()
    try:
        assert [httpx.get(server.url).status_code for _ in range(3)] == [200, 200, 200]
        over = httpx.get(server.url)
    finally:
        server.stop()
    assert over.status_code == 429 and "請稍候" in over.text and over.headers["retry-after"]


@pytest.mark.parametrize(
    ("key", "problem"),
    [("", "is required"), (DEV_SECRET_KEY, "development default"), ("short", "at least 32")],
)
def test_production_refuses_a_missing_or_weak_secret_key(key: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        Settings.from_env({"AIGO_ENV": "production", "AIGO_SECRET_KEY": key})
    good = Settings.from_env({"AIGO_ENV": "production", "AIGO_SECRET_KEY": "k" * 40})
    assert good.production and "k" not in repr(good.secret_key)
    assert Settings.from_env({}).secret_key.get() == DEV_SECRET_KEY
