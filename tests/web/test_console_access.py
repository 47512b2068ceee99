"""The console's access rules over HTTP: no page without a session, sign-in (throttled), CSRF,
viewers cannot change anything, sign-out."""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa

from bot import organisers
from bot.services import Services
from db import challenges
from db.models import Delivery
from db.organisers import audit_entries
from db.users import get_or_create_user

PASSWORD = "correct horse battery"
PAGES = ("/console", "/console/challenges", "/console/teams", "/console/audit")


def add_account(services: Services, email: str, role: str) -> None:
    with services.session_factory.begin() as session:
        organisers.add(session=session, email=email, password=PASSWORD, role=role, actor="cli")


def csrf_of(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/console/login")
    data = {"_csrf": csrf_of(form.text), "email": email, "password": password, "next": "/console"}
    return client.post("/console/login", data=data)


def test_no_page_without_a_session(web_client: httpx.Client) -> None:
    for path in PAGES:
        response = web_client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/console/login?next=")
    assert web_client.post("/console/logout").status_code == 303  # no session: to the login


def test_sign_in_pages_and_audit(web_client: httpx.Client, web_services: Services) -> None:
    add_account(web_services, "ops@aigo.org", "editor")
    assert sign_in(web_client, "ops@aigo.org", "wrong password").status_code == 401
    response = sign_in(web_client, "OPS@aigo.org")
    assert response.status_code == 303 and response.headers["location"] == "/console"
    for path in PAGES:
        page = web_client.get(path)
        assert page.status_code == 200, path
        assert "ops@aigo.org" in page.text
    audit = web_client.get("/console/audit?lang=en").text
    assert "account.add" in audit and "cli" in audit
    logout = web_client.post("/console/logout", data={"_csrf": csrf_of(audit)})
    assert logout.status_code == 303
    assert web_client.get("/console").status_code == 303


def test_login_without_csrf_and_throttling(
    web_client: httpx.Client, web_services: Services
) -> None:
    add_account(web_services, "ops@aigo.org", "editor")
    forged = web_client.post("/console/login", data={"email": "ops@aigo.org", "password": PASSWORD})
    assert forged.status_code == 403
    for _ in range(organisers.MAX_FAILURES):
        assert sign_in(web_client, "ops@aigo.org", "nope nope nope").status_code == 401
    throttled = sign_in(web_client, "ops@aigo.org")
    assert throttled.status_code == 429 and "15" in throttled.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_viewers_cannot_change_anything(web_client: httpx.Client, web_services: Services) -> None:
    add_account(web_services, "viewer@aigo.org", "viewer")
    sign_in(web_client, "viewer@aigo.org")
    page = web_client.get("/console/broadcasts")
    assert page.status_code == 200 and "/console/broadcasts/preview" not in page.text  # no form
    csrf = csrf_of(page.text)  # the sign-out form's token
    for path, data in (
        ("/console/teach/retrain", {}),
        ("/console/broadcasts/send", {"audience": "all", "text": "hi", "action": "schedule"}),
    ):
        refused = web_client.post(path, data={"_csrf": csrf, **data})
        assert refused.status_code == 403 and "編輯者" in refused.text
    no_token = web_client.post("/console/teach/retrain")
    assert no_token.status_code == 403
    with web_services.session_factory() as session:
        assert [e.action for e in audit_entries(session=session)] == ["account.add"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_downloads_through_the_shared_export(
    web_client: httpx.Client, web_services: Services
) -> None:
    assert web_client.get("/console/download/teams.csv").status_code == 303  # no session
    add_account(web_services, "viewer@aigo.org", "viewer")
    sign_in(web_client, "viewer@aigo.org")
    page = web_client.get("/console/challenges?status=submitted")
    assert "/console/download/challenges.csv?status=submitted" in page.text
    csv = web_client.get("/console/download/challenges.csv?status=submitted")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert b"\r\n" in csv.content and "attachment" in csv.headers["content-disposition"]
    xlsx = web_client.get("/console/download/teams.xlsx?lang=en")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert web_client.get("/console/download/passwords.csv").status_code == 404
    audit_page = web_client.get("/console/audit")
    assert "/console/download/audit.csv" in audit_page.text
    audit = web_client.get("/console/download/audit.csv?lang=en").content.decode("utf-8-sig")
    header, first = audit.splitlines()[:2]
    assert header == "Time,Organiser,Action,Target,Detail"
    assert ",cli,account.add,viewer@aigo.org," in first and "+08:00" in first  # Asia/Taipei


def _submitted(services: Services, title: str) -> str:
    with services.session_factory.begin() as session:
        user = get_or_create_user(session=session, channel="telegram", external_id="4242")
        org = challenges.get_or_create_organisation(
            session=session, name="大同醫院", user_id=user.id
        )
        draft = challenges.save_draft(
            session=session, user_id=user.id, organisation=org, contact={},
            challenge={"title": title}, dataset={}, now=services.clock.now(),
        )  # fmt: skip
        challenges.submit(session=session, challenge=draft, limit=3, now=draft.updated_at)
        return str(draft.reference)


def test_review_is_for_editors_with_csrf_and_is_audited(
    web_client: httpx.Client, web_services: Services
) -> None:
    reference = _submitted(web_services, "病歷摘要")
    path = f"/console/challenges/{reference}/review"
    add_account(web_services, "viewer@aigo.org", "viewer")
    add_account(web_services, "ops@aigo.org", "editor")
    sign_in(web_client, "viewer@aigo.org")
    page = web_client.get(f"/console/challenges/{reference}")
    assert path not in page.text and "只有編輯者可以審查題目" in page.text
    refused = web_client.post(path, data={"_csrf": csrf_of(page.text), "action": "list"})
    assert refused.status_code == 403
    web_client.post("/console/logout", data={"_csrf": csrf_of(page.text)})
    sign_in(web_client, "ops@aigo.org")
    page = web_client.get(f"/console/challenges/{reference}?lang=en")
    assert path in page.text and 'value="close"' not in page.text  # only what the state allows
    csrf = csrf_of(page.text)
    assert web_client.post(path, data={"action": "list"}).status_code == 403  # no CSRF token
    no_reason = web_client.post(path, data={"_csrf": csrf, "action": "return", "reason": "  "})
    assert no_reason.status_code == 400 and "give a reason" in no_reason.text
    closing = web_client.post(path, data={"_csrf": csrf, "action": "close"})
    assert closing.status_code == 409
    listed = web_client.post(path, data={"_csrf": csrf, "action": "list"})
    assert listed.status_code == 303 and listed.headers["location"].endswith("notice=review_done")
    with web_services.session_factory() as session:
        found = challenges.find_by_reference(session=session, reference=reference)
        assert found is not None and found.status == "listed"
        notice = session.scalars(sa.select(Delivery)).one()
        assert notice.external_id == "4242" and f"{reference}「病歷摘要」已通過審查" in str(
            notice.payload["text"]
        )
        entries = [(e.actor, e.action, e.target) for e in audit_entries(session=session)]
    assert entries[0] == ("ops@aigo.org", "challenge.list", reference)
    assert [e for e in entries if e[1].startswith("challenge.")] == [entries[0]]  # refusals: none
