"""Hostile input to the pages and the console, on SQLite and PostgreSQL: each request here got a
500 (with a traceback in the log) before; now it gets a polite 4xx page or JSON error, or is
served with the bad characters removed. Found by the fuzz test (``tests/reliability/test_fuzz.py``).
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
import sqlalchemy as sa

from bot.config import Settings
from bot.services import Services
from bot.web.identity import link_for
from db.models import AuditEntry, ReviewedMessage
from tests.web.team_support import seed_team
from tests.web.test_console_access import add_account, sign_in

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _open(client: httpx.Client, settings: Settings, sender: str, *purposes: str) -> str:
    """Open the pages ``purposes`` for ``sender`` by the chat's links; the CSRF token."""
    for purpose in purposes:
        link = link_for(settings, purpose=purpose, sender_key=sender)
        assert client.get(link.removeprefix(settings.public_url)).status_code == 303
    found = CSRF.search(client.get("/").text)
    assert found is not None
    return found.group(1)


def _raw_get(client: httpx.Client, path: str, headers: dict[bytes, bytes]) -> httpx.Response:
    """GET with header values sent as the bytes given (httpx would refuse non-ASCII ``str``)."""
    return client.send(client.build_request("GET", path, headers=headers))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_malformed_or_non_ascii_cookie_is_no_session(web_client: httpx.Client) -> None:
    for cookie in (b"a<b=1; aigo_session=x", b"aigo_session=e30.\xc3\xa9", b"\xe9=1"):
        page = _raw_get(web_client, "/", {b"cookie": cookie})
        assert page.status_code == 200, cookie
        assert _raw_get(web_client, "/team", {b"cookie": cookie}).status_code == 403


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_non_ascii_tokens_are_refused_not_crashed_on(web_client: httpx.Client) -> None:
    assert web_client.get("/l/e30.%C3%A9").status_code == 403  # a link token
    assert web_client.get("/calendar/my/YQ.%C3%A9.ics").status_code == 404  # a calendar token
    csrf = CSRF.search(web_client.get("/chat").text)
    assert csrf is not None
    token = {b"x-csrf-token": csrf.group(1).encode() + b"\xc3\xa9"}
    request = web_client.build_request("POST", "/chat/messages", json={"text": "hi"}, headers=token)
    refused = web_client.send(request)
    assert refused.status_code == 403 and "error" in refused.json()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_json_nested_too_deep_or_not_utf8_is_a_400(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    csrf = _open(web_client, web_settings, "telegram:301", "chat", "challenge")
    headers = {"X-CSRF-Token": csrf, "content-type": "application/json"}
    for path in ("/chat/messages", "/challenge/check", "/challenge/save"):
        for body in (b"[" * 5000, b'{"text": "\xff"}', b'{"text": ' + b"9" * 5000 + b"}"):
            answer = web_client.post(path, content=body, headers=headers)
            assert answer.status_code == 400, (path, body[:20])
            assert "error" in answer.json()


def test_an_upload_without_a_content_type_is_a_400(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    _open(web_client, web_settings, "telegram:301", "challenge")
    answer = web_client.post("/challenge/presentation", content=b"")
    assert answer.status_code == 400 and "text/html" in answer.headers["content-type"]


def test_numbers_no_column_holds_are_not_found(
    web_client: httpx.Client, web_settings: Settings, web_services: Services
) -> None:
    """Ids past the database's integer range, thousands of digits, digits of other scripts."""
    seeded = seed_team(web_services.session_factory, leader="telegram:301")
    csrf = _open(web_client, web_settings, "telegram:301", "challenge", "team")
    for raw in ("99999999999999999999", "9" * 5000, "²"):
        download = web_client.get(f"/challenge/presentation/{raw}")
        assert download.status_code == 404, raw
        for action in ("transfer", "remove"):
            posted = web_client.post(f"/team/{action}", data={"_csrf": csrf, "member": raw})
            assert posted.status_code == 303 and posted.headers["location"] == "/team"
    assert web_client.get("/challenge/presentation/abc").status_code == 404
    add_account(web_services, "ops@aigo.org", "editor")
    sign_in(web_client, "ops@aigo.org")
    for page in ("²", "9" * 5000, "99999999999999999999"):
        assert web_client.get("/console/audit", params={"page": page}).status_code == 200
        assert web_client.get("/console/teams", params={"page": page}).status_code == 200
    with web_services.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1
    assert seeded.member  # still in the team: nothing was done


def test_nul_in_forms_queries_and_paths_is_removed(
    web_client: httpx.Client, web_services: Services
) -> None:
    """PostgreSQL refuses text with NUL: a console form, filter or path with ``%00``."""
    reference = seed_team(web_services.session_factory, applied=True).reference
    add_account(web_services, "ops@aigo.org", "editor")
    sign_in(web_client, "ops@aigo.org")
    csrf = CSRF.search(web_client.get("/console/teach").text)
    assert csrf is not None
    form = {"_csrf": csrf.group(1), "special": "ignore", "text": "學姊\x00可以當顧問嗎"}
    assert web_client.post("/console/teach/label", data=form).status_code == 303
    with web_services.session_factory() as session:
        assert session.scalars(sa.select(ReviewedMessage.text)).all() == ["學姊可以當顧問嗎"]
    for query in ("text=%00", "organisation=a%00b", "status=%00&page=%00"):
        assert web_client.get(f"/console/challenges?{query}").status_code == 200, query
    assert web_client.get("/console/teams?text=%00").status_code == 200
    assert web_client.get("/console/download/challenges.csv?organisation=%00").status_code == 200
    assert web_client.get(f"/console/challenges/{reference}").status_code == 200
    assert web_client.get(f"/console/challenges/{reference}%00").status_code == 404
    review = {"_csrf": csrf.group(1), "action": "return", "reason": "x"}
    assert web_client.post("/console/challenges/%00/review", data=review).status_code == 404


def test_a_multipart_charset_cannot_smuggle_nul_or_surrogates(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    """``charset=unicode_escape`` decodes ``\\x00`` and ``\\ud800`` into the form's text."""
    csrf = _open(web_client, web_settings, "telegram:301", "challenge")
    boundary = "b0undary"
    parts = [("_csrf", csrf), ("org_name", "Fuzz\\x00 Co\\ud800"), ("org_contact", "Chen\\x00 Wei")]
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in parts
        )
        + f"--{boundary}--\r\n"
    )
    content_type = f"multipart/form-data; boundary={boundary}; charset=unicode_escape"
    answer = web_client.post(
        "/challenge", content=body.encode(), headers={"content-type": content_type}
    )
    assert answer.status_code == 400  # the form is incomplete: drawn again with the problems
    assert 'value="Fuzz Co\ufffd"' in answer.text and 'value="Chen Wei"' in answer.text


def test_a_path_no_route_takes_gets_a_json_404(web_client: httpx.Client) -> None:
    """A line break in the path matches no route of the service: JSON, not plain text."""
    answer = web_client.get("/static/%0D%0Ax")
    assert answer.status_code == 404
    assert answer.json() == {"error": "not found"}


def test_control_characters_do_not_break_the_xlsx_export(
    web_client: httpx.Client, web_services: Services
) -> None:
    """A labelled message with control characters (kept in the audit log) and the download."""
    add_account(web_services, "ops@aigo.org", "editor")
    sign_in(web_client, "ops@aigo.org")
    csrf = CSRF.search(web_client.get("/console/teach").text)
    assert csrf is not None
    form = {"_csrf": csrf.group(1), "special": "ignore", "text": "顧問\x01\x0b\x1f嗎"}
    assert web_client.post("/console/teach/label", data=form).status_code == 303
    for fmt in ("xlsx", "csv", "json"):
        answer = web_client.get(f"/console/download/audit.{fmt}")
        assert answer.status_code == 200, fmt
    exported = json.loads(web_client.get("/console/download/audit.json").content)
    assert any("顧問" in str(row.get("target")) for row in exported)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_unreadable_form_or_a_wrong_method_is_a_polite_400_or_405(
    web_client: httpx.Client, web_settings: Settings
) -> None:
    """The page names the problem as the request's, not as "something went wrong on our side"."""
    _open(web_client, web_settings, "telegram:301", "challenge")
    broken = {"content-type": "multipart/form-data"}  # no boundary
    answer = web_client.post("/challenge", content=b"--x\r\n\r\n", headers=broken)
    assert answer.status_code == 400 and 'data-message="bad_request"' in answer.text
    wrong = web_client.put("/challenge")
    assert wrong.status_code == 405 and 'data-message="bad_request"' in wrong.text
