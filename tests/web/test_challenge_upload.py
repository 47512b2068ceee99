"""The presentation upload over HTTP, on SQLite and PostgreSQL: type by content, the size limit
while reading, stored in the database with the chat's draft, downloadable by the organisation
and the organisers only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.config import Settings
from bot.services import Services, build_services
from bot.web.uploads import safe_filename, sniff
from db import challenge_files
from tests.fakes.server import ThreadedServer
from tests.web import sample_files
from tests.web.conftest import make_settings
from tests.web.test_challenge_form import open_form, save, slots_of
from tests.web.test_console_access import add_account, sign_in

LIMIT = 40_000  # bytes: a small limit for these tests


@pytest.fixture
def small_limit(db_url: str, tmp_path: Path, web_nlu_model: Path) -> Iterator[tuple[Services, str]]:
    """The app with a 40 kB upload limit; yields its services and URL."""
    settings = replace(make_settings(db_url, tmp_path, web_nlu_model), upload_max_bytes=LIMIT)
    services = build_services(settings)
    server = ThreadedServer(create_app(settings, services), lifespan="on").start()
    try:
        yield services, server.url
    finally:
        server.stop()
        services.close()


def upload(client: httpx.Client, csrf: str, name: str, content: bytes) -> httpx.Response:
    files = {"presentation": (name, content, "application/pdf")}
    return client.post("/challenge/presentation", data={"_csrf": csrf}, files=files)


def test_types_are_recognised_by_content_not_by_name() -> None:
    assert sniff(sample_files.pdf()) == "pdf"
    assert sniff(sample_files.pptx()) == "pptx"
    assert sniff(sample_files.odp()) == "odp"
    assert sniff(sample_files.odp("application/vnd.oasis.opendocument.text")) is None
    assert sniff(b"just some text, named slides.pdf") is None
    assert sniff(b"PK\x03\x04 broken zip") is None
    assert safe_filename("C:\\fakepath\\簡報.PDF", "pdf") == "簡報.pdf"
    assert safe_filename("../../etc/passwd\x00", "odp") == "passwd.odp"
    assert safe_filename("", "pptx") == "presentation.pptx"


def test_a_pdf_is_stored_with_the_draft_and_served_to_its_owner_only(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    csrf = open_form(web_client, web_settings, "rest:owner")
    early = upload(web_client, csrf, "slides.pdf", sample_files.pdf())
    assert early.status_code == 409 and "請先填寫「出題單位名稱」" in early.text
    save(web_client, csrf, {"org_name": "宏達智能股份有限公司"})
    content = sample_files.pdf()
    done = upload(web_client, csrf, "出題說明.pdf", content)
    assert done.status_code == 303 and done.headers["location"].startswith("/challenge?notice=")
    page = web_client.get(done.headers["location"]).text
    assert "簡報已上傳" in page and "出題說明.pdf" in page
    slots = slots_of(web_services, "rest:owner")
    assert slots["challenge_presentation"] == "出題說明.pdf"  # the chat's summary shows it
    draft_id = slots["challenge_draft_id"]
    with web_services.session_factory() as session:
        stored = challenge_files.file_of(session=session, challenge_id=draft_id)
        assert stored is not None and stored.size == len(content)
        assert stored.media_type == "application/pdf"
    url = f"/challenge/presentation/{draft_id}"
    got = web_client.get(url)
    assert got.status_code == 200 and got.content == content
    assert got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    nobody = httpx.Client(base_url=str(web_client.base_url))
    assert nobody.get(url).status_code == 403
    other = httpx.Client(base_url=str(web_client.base_url))
    open_form(other, web_settings, "rest:stranger")
    assert other.get(url).status_code == 404
    assert web_client.get("/challenge/presentation/999999").status_code == 404
    organiser = httpx.Client(base_url=str(web_client.base_url))
    add_account(web_services, "viewer@aigo.org", "viewer")
    assert sign_in(organiser, "viewer@aigo.org").status_code == 303
    assert organiser.get(url).content == content


def test_the_console_links_the_uploaded_presentation(
    web_client: httpx.Client, web_services: Services, web_settings: Settings
) -> None:
    from tests.web.test_challenge_form import COMPLETE

    csrf = open_form(web_client, web_settings, "rest:poster")
    save(web_client, csrf, COMPLETE)
    assert upload(web_client, csrf, "deck.pptx", sample_files.pptx()).status_code == 303
    draft_id = slots_of(web_services, "rest:poster")["challenge_draft_id"]
    sent = web_client.post("/challenge/submit", data={"_csrf": csrf})
    assert "AIGO-108-0001" in sent.text
    add_account(web_services, "ops@aigo.org", "editor")
    sign_in(web_client, "ops@aigo.org")
    detail = web_client.get("/console/challenges/AIGO-108-0001").text
    assert f'href="/challenge/presentation/{draft_id}"' in detail
    got = web_client.get(f"/challenge/presentation/{draft_id}")
    assert got.content == sample_files.pptx()
    assert "presentationml" in got.headers["content-type"]


def test_a_renamed_text_file_and_an_oversized_file_are_refused(
    small_limit: tuple[Services, str], web_settings: Settings
) -> None:
    services, url = small_limit
    client = httpx.Client(base_url=url, timeout=60)
    csrf = open_form(client, services.settings, "rest:refused")
    save(client, csrf, {"org_name": "某公司"})
    renamed = upload(client, csrf, "slides.pdf", b"These are my slides, honest.\n" * 20)
    assert renamed.status_code == 415 and "不是 PDF、PPTX 或 ODP" in renamed.text
    too_big = upload(client, csrf, "big.pdf", sample_files.pdf() + b"0" * (LIMIT * 2))
    assert too_big.status_code == 413 and "檔案太大了" in too_big.text and "MB" in too_big.text
    just_over = upload(client, csrf, "big.pdf", sample_files.pdf() + b"0" * LIMIT)
    assert just_over.status_code == 413
    nothing = client.post("/challenge/presentation", data={"_csrf": csrf}, files={})
    assert nothing.status_code == 400 and "沒有收到檔案" in nothing.text
    forged = upload(client, "not-the-token", "ok.pdf", sample_files.pdf())
    assert forged.status_code == 403
    slots = slots_of(services, "rest:refused")
    assert slots["challenge_presentation"] is None  # nothing refused reached the draft
    ok = upload(client, csrf, "ok", sample_files.odp())
    assert ok.status_code == 303
    slots = slots_of(services, "rest:refused")
    assert slots["challenge_presentation"] == "ok.odp"
