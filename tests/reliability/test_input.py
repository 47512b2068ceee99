"""Hostile input is contained (issue 16, findings 2, 3 and 9): 4xx JSON, never a 5xx or a crash.

Every case runs against the real app served by uvicorn (SQLite and PostgreSQL, fake platforms).
"""

from __future__ import annotations

import json
import logging
import socket

import httpx
import pytest
import sqlalchemy as sa

from bot.channels._http import MAX_BODY, declared_over
from bot.services import Services
from db.models import InboxEvent
from tests.channels.conftest import TG_SECRET, RunningApp, line_event, sign, tg_message, wait_for

REST = "/webhooks/rest/webhook"
PARSE = "/model/parse"
TG = "/webhooks/telegram/webhook"
DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize("path", [REST, PARSE])
def test_deep_nesting_is_400(client: RunningApp, path: str) -> None:
    response = client.post(path, content=DEEP)
    assert response.status_code == 400
    assert "nested" in response.json()["error"]
    body = b'{"sender": "a", "message": "hi", "metadata": ' + b'{"a": ' * 40 + b"1" + b"}" * 41
    assert client.post(path, content=body).status_code == 400


def test_huge_integer_on_parse_is_400(client: RunningApp) -> None:
    response = client.post(PARSE, content=b'{"text": "hi", "n": ' + b"9" * 5000 + b"}")
    assert response.status_code == 400
    assert "digits" in response.json()["error"]


def test_lone_surrogates_and_nul_are_normalised_everywhere(
    client: RunningApp, services: Services
) -> None:
    rest = client.post(REST, content=b'{"sender": "a\\u0000\\ud83d", "message": "hi \\ud83d"}')
    assert rest.status_code == 200
    assert rest.json()[0]["recipient_id"] == "a\ufffd"
    parse = client.post(PARSE, content=b'{"text": "\\ud800 \\u0000 prize"}')
    assert parse.status_code == 200
    assert parse.json()["text"] == "\ufffd  prize"
    event = line_event("Usurrogate", text="x")
    raw = json.dumps({"destination": "U", "events": [event]}).replace('"x"', '"\\ud800\\u0000"')
    assert post_line_raw(client, raw.encode()).status_code == 200
    raw_tg = json.dumps(tg_message(7001, "x")).replace('"x"', '"\\ud83d\\u0000"').encode()
    headers = {"x-telegram-bot-api-secret-token": TG_SECRET}
    assert client.post(TG, content=raw_tg, headers=headers).status_code == 200
    wait_for(lambda: _count(services) == 2)


def post_line_raw(client: RunningApp, body: bytes) -> httpx.Response:
    headers = {"x-line-signature": sign(body), "content-type": "application/json"}
    return client.post("/webhooks/line/webhook", content=body, headers=headers)


def _count(services: Services) -> int:
    with services.session_factory() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) or 0)


def test_every_endpoint_refuses_a_body_over_the_cap(client: RunningApp) -> None:
    big = b'{"text": "' + b"a" * 1_100_000 + b'"}'
    for path in (PARSE, REST, "/webhooks/line/webhook", "/webhooks/telegram/webhook"):
        response = client.post(path, content=big)
        assert response.status_code == 413, path
        assert response.json() == {"error": "request body too large"}


def test_a_chunked_body_is_refused_while_streaming(client: RunningApp) -> None:
    """413 arrives after ~1 MB of a chunked body that never ends: nothing buffers it whole."""
    url = httpx.URL(client.server.url)
    with socket.create_connection((url.host, url.port), timeout=20) as sock:
        head = f"POST {REST} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        sock.sendall(head.encode())
        chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
        for _ in range(32):  # 2 MB sent, and the body is never finished
            sock.sendall(chunk)
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert client.http.get("/health").status_code == 200


def test_unknown_payload_value_answers_without_a_traceback(
    client: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    response = client.post(REST, json={"sender": "tier", "message": '/ask_bonus{"award_tier":"x"}'})
    assert response.status_code == 200
    text = response.json()[0]["text"]
    assert "獎金" in text or "prize" in text.lower()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_declared_length_counts_only_when_it_is_ascii_digits() -> None:
    """``Content-Length: ²`` (a digit to ``str.isdigit``) or 5,000 digits never raise: the body
    is then counted as it streams."""
    assert declared_over("1000001", MAX_BODY) and declared_over("9" * 5000, MAX_BODY)
    assert not declared_over("1000000", MAX_BODY) and not declared_over("0001000000", MAX_BODY)
    for junk in ("²", "١٢٣", "", "-1", "1e9", " 5"):
        assert not declared_over(junk, MAX_BODY), junk
