"""Fuzzing every endpoint with hypothesis: no input gets a 5xx or a traceback, errors are polite
HTML or JSON, every body over the cap is refused while it streams, and /health answers 200 after.

One app per database engine (SQLite, PostgreSQL) serves every test of this module, with a team,
a listed challenge with an application, a draft, and an editor signed in to the console. Requests
are raw bytes (:mod:`tests.reliability.fuzz_client`) drawn by :mod:`tests.reliability.fuzz_inputs`:
with the signed-in session and its CSRF token (so the fuzz reaches the parsing behind the checks),
without, with junk cookies or tokens; LINE bodies are signed and Telegram bodies carry the secret.
"""

from __future__ import annotations

import logging
import os
import re
import select
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from bot import organisers
from bot.app import create_app
from bot.channels._http import MAX_BODY
from bot.config import Secret, Settings
from bot.services import Services, build_services
from bot.teach import retrain
from bot.web.identity import link_for
from bot.web.uploads import DRAIN_FACTOR, MULTIPART_SLACK, UPLOAD_PATH
from db import challenges
from tests.channels.conftest import FROZEN_NOW, LINE_SECRET, TG_SECRET, sign
from tests.fakes import FakeLine, FakeTelegram, ThreadedServer
from tests.fakes.service import shared_nlu_model
from tests.reliability.fuzz_client import Answer, RawClient
from tests.reliability.fuzz_inputs import Auth, Drawn, Endpoint, endpoints, requests
from tests.web.team_support import seed_team

EXAMPLES = 30  # per endpoint and engine
# The same inputs on every run, so a red CI names a change, not a lucky draw; AIGO_FUZZ_RANDOM=1
# draws fresh ones (and AIGO_FUZZ_EXAMPLES=N more of them) when hunting.
RANDOM = os.environ.get("AIGO_FUZZ_RANDOM") == "1"
if RANDOM:
    EXAMPLES = int(os.environ.get("AIGO_FUZZ_EXAMPLES", EXAMPLES))
SECRET_KEY = "fuzz-tests-secret-key-0123456789abcdef"
LIFF_ID = "1657000000-AbCdEfGh"
UPLOAD_LIMIT = 200_000
PASSWORD = "correct horse battery"
CHUNK = 0x10000  # bytes per chunk of an endless body
ENDLESS = 32 * 1024 * 1024  # an "endless" body: the answer must come before this much is sent
# Endpoints whose errors may be plain text: feeds for programs (calendar apps, Prometheus).
PLAIN_TEXT = frozenset({"feed"})
# uvicorn's own answer to a request line it cannot parse (raw non-ASCII bytes in the target),
# given before the app sees the request.
UNPARSABLE = (400, b"Invalid HTTP request received.")
TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
NAMES = [e.name for e in endpoints("AIGO-108-0001", 1, 2)]


@dataclass
class Target:
    """The running app, the signed-in session, the endpoints with real ids, the raw client."""

    app: Starlette
    settings: Settings
    server: ThreadedServer
    auth: Auth
    endpoints: dict[str, Endpoint]
    client: RawClient
    errors: ErrorLog
    signed: int = 0  # requests with the signed-in session and its CSRF token

    def send(self, drawn: Drawn, endpoint: Endpoint) -> Answer:
        headers = list(drawn.headers)
        if endpoint.kind == "webhook-line" and drawn.body is not None and drawn.signed:
            headers.append((b"X-Line-Signature", sign(drawn.body).encode()))
        answer = self.client.request(
            drawn.method, drawn.target, headers, drawn.body, chunked=drawn.chunked
        )
        self.client.paths.add(endpoint.name)
        self.signed += drawn.signed
        return answer


class ErrorLog(logging.Handler):
    """Every ERROR (or worse) logged while the module runs, by any logger (a background job
    failing on what a request stored is no 5xx, but it is a traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _database(engine: str, request: pytest.FixtureRequest, data_dir: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{data_dir / 'aigo.db'}"
    url: str = request.getfixturevalue("pg_database_url")
    db = sa.create_engine(url)
    with db.begin() as conn:  # an empty schema, as the db_url fixture does
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    db.dispose()
    return url


def _settings(url: str, data_dir: Path, model: Path, line: FakeLine, tg: FakeTelegram) -> Settings:
    return replace(
        Settings(),
        database_url=url,
        now=FROZEN_NOW,
        data_dir=data_dir,
        nlu_model_path=model,
        secret_key=Secret(SECRET_KEY),
        line_channel_secret=Secret(LINE_SECRET),
        line_channel_access_token=Secret(line.token),
        line_api_base_url=line.base_url,
        line_liff_id=LIFF_ID,
        telegram_bot_token=Secret(tg.token),
        telegram_webhook_secret=Secret(TG_SECRET),
        telegram_api_base_url=tg.base_url,
        rest_rate_limit=0,  # the fuzz sends far more than a client may: reach the handlers
        upload_max_bytes=UPLOAD_LIMIT,
    )


def _seed(services: Services) -> tuple[str, int, int]:
    """A team (leader telegram:301, the session's user) that applied to a listed challenge, and
    an editor account; returns the challenge's reference and id and the member's user id."""
    seeded = seed_team(services.session_factory, leader="telegram:301", applied=True)
    assert seeded.reference is not None
    with services.session_factory.begin() as session:
        organisers.add(
            session=session, email="ops@aigo.org", password=PASSWORD, role="editor", actor="cli"
        )
        found = challenges.find_by_reference(session=session, reference=seeded.reference)
        assert found is not None
        return seeded.reference, found.id, seeded.member


def _sign_in(settings: Settings, url: str) -> Auth:
    """Open the pages as the team's leader (the chat's links), sign in to the console as the
    editor, and start a challenge draft; the session cookie and its CSRF token."""
    with httpx.Client(base_url=url, timeout=60) as client:
        for purpose in ("chat", "challenge", "team"):
            link = link_for(settings, purpose=purpose, sender_key="telegram:301")
            assert client.get(link.removeprefix(settings.public_url)).status_code == 303
        form = client.get("/console/login").text
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form)
        assert csrf is not None
        data = {"_csrf": csrf.group(1), "email": "ops@aigo.org", "password": PASSWORD}
        assert client.post("/console/login", data=data).status_code == 303
        page = client.get("/console/broadcasts").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert token is not None
        draft = {"fields": {"org_name": "模糊測試公司"}}
        saved = client.post("/challenge/save", json=draft, headers={"X-CSRF-Token": token[1]})
        assert saved.status_code == 200, saved.text
        return Auth(b"aigo_session=" + client.cookies["aigo_session"].encode(), token.group(1))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def target(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _fake_line_server: tuple[FakeLine, ThreadedServer],
    _fake_telegram_server: tuple[FakeTelegram, ThreadedServer],
) -> Iterator[Target]:
    """The app on one engine for the whole module (see the module docstring)."""
    data_dir = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    model = data_dir / "nlu-model.json.gz"
    shutil.copy(shared_nlu_model(tmp_path_factory), model)
    line, tg = _fake_line_server[0], _fake_telegram_server[0]
    settings = _settings(_database(request.param, request, data_dir), data_dir, model, line, tg)
    # A retrain "already running" on this model file: the button is fuzzed, nothing trains.
    retrain.retrainer_for(model, settings.nlu_threshold, data_dir).progress = retrain.Progress(
        "training"
    )
    errors = ErrorLog()
    with pytest.MonkeyPatch.context() as patch:  # cheap password hashes, as in every test
        patch.setattr("bot.organisers._hasher", PasswordHasher(1, 1024, 1))
        services = build_services(settings)
        try:
            reference, challenge_id, member = _seed(services)
            app = create_app(settings, services)
            server = ThreadedServer(app, lifespan="on").start()
            logging.getLogger().addHandler(errors)
            try:
                auth = _sign_in(settings, server.url)
                table = {e.name: e for e in endpoints(reference, challenge_id, member)}
                yield Target(app, settings, server, auth, table, RawClient(server.port), errors)
            finally:
                logging.getLogger().removeHandler(errors)
                server.stop()
        finally:
            services.close()


def check(answer: Answer, endpoint: Endpoint, drawn: Drawn) -> None:
    """No 5xx; no traceback; an error is a polite HTML or JSON answer."""
    where = (drawn.method, drawn.target[:300], (drawn.body or b"")[:300], drawn.headers)
    assert answer.status < 500, (where, answer.text[:300])
    assert not TRACEBACK.search(answer.body), (where, answer.text[:300])
    if (answer.status, answer.body) == UNPARSABLE:
        return
    if answer.status >= 400:
        polite = {"text/html", "application/json"}
        if endpoint.kind in PLAIN_TEXT or answer.status == 429:
            polite.add("text/plain")
        assert answer.media_type in polite, (where, answer.status, answer.headers)


def test_the_fuzz_covers_every_route(target: Target) -> None:
    """Every route the app serves is in the fuzz's endpoint table (a new page gets fuzzed)."""
    served = set(_routes(target.app.router.routes, ""))
    assert served == set(target.endpoints), served ^ set(target.endpoints)


def _routes(routes: list[Any], prefix: str) -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount) and route.path == "/static":
            yield "GET /static/{path}"
        elif isinstance(route, Mount):
            yield from _routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", prefix + route.path)
            yield from (f"{m} {path}" for m in sorted(route.methods or ()) if m != "HEAD")


@pytest.mark.parametrize("name", NAMES)
def test_no_request_gets_a_5xx(target: Target, name: str) -> None:
    endpoint = target.endpoints[name]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not RANDOM,
        database=None,
    )
    @given(drawn=requests(endpoint, target.auth))
    def fuzz(drawn: Drawn) -> None:
        check(target.send(drawn, endpoint), endpoint, drawn)

    fuzz()


@pytest.mark.parametrize("name", NAMES)
def test_a_body_over_the_cap_is_refused_while_it_streams(target: Target, name: str) -> None:
    """A declared length over the cap gets 413 before the body is read; a chunked body that
    never ends gets 413 while it streams, once it passes the cap (the upload: its own limit,
    drained up to :data:`DRAIN_FACTOR` times before it answers). What was sent before the answer
    arrived includes what the kernels buffered on the way (a few MB on loopback)."""
    endpoint = target.endpoints[name]
    path = re.sub(rb"\{\w+\}", b"x", endpoint.path.encode())
    cookie = (b"Cookie", target.auth.cookie)
    chunked = (b"Transfer-Encoding", b"chunked")
    status, sent = _stream(target, endpoint.method, path, [cookie, chunked])
    cap = MAX_BODY
    if endpoint.path == UPLOAD_PATH:
        cap = (target.settings.upload_max_bytes + MULTIPART_SLACK) * DRAIN_FACTOR
    assert status == 413 and cap < sent < ENDLESS, (name, status, sent)
    length = (b"Content-Length", b"%d" % (cap + 1))
    assert _stream(target, endpoint.method, path, [cookie, length], body=False)[0] == 413


def _stream(
    target: Target,
    method: str,
    path: bytes,
    headers: list[tuple[bytes, bytes]],
    *,
    body: bool = True,
) -> tuple[int, int]:
    """Send the request head, then (``body``) 64 KB chunks without end until the server answers;
    the answer's status and the body bytes sent."""
    head = b"\r\n".join(
        [method.encode() + b" " + path + b" HTTP/1.1", b"Host: x"]
        + [k + b": " + v for k, v in headers]
    )
    chunk = b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK)
    sent = 0
    source = (target.client.source(), 0)
    target.client.sent += 1
    with socket.create_connection(("127.0.0.1", target.server.port), 60, source) as sock:
        sock.sendall(head + b"\r\n\r\n")
        for _ in range(ENDLESS // CHUNK if body else 0):  # the server answers long before
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += CHUNK
        status = int(sock.recv(4096).split(b" ", 2)[1])
    target.client.statuses[status] += 1
    return status, sent


def test_health_answers_200_after_the_fuzz(target: Target) -> None:
    assert httpx.get(target.server.url + "/health", timeout=60).status_code == 200
    client = target.client
    statuses = dict(sorted(client.statuses.items()))
    failed = sum(n for status, n in statuses.items() if status >= 500)
    engine = target.settings.database_url.split(":", 1)[0].split("+")[0]
    print(
        f"fuzz ({engine}): {client.sent} requests to {len(client.paths)} endpoints "
        f"({target.signed} signed in with the CSRF token), {failed} 5xx, statuses {statuses}"
    )
    assert failed == 0
    assert client.paths == set(target.endpoints)
    logged = [target.errors.format(r).splitlines()[-3:] for r in target.errors.records]
    assert not logged, logged
