"""``aigo serve`` sends the e-mail outbox when ``AIGO_SMTP_HOST`` is set (app lifespan)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import create_app
from bot.config import Settings
from db import email_outbox, make_engine, make_session_factory, upgrade
from tests.fakes.server import ThreadedServer
from tests.fakes.service import shared_nlu_model
from tests.fakes.smtp import FakeSmtp


def test_the_running_service_sends_what_a_turn_enqueued(
    db_url: str, fake_smtp: FakeSmtp, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = replace(
        Settings(), database_url=db_url, data_dir=tmp_path,
        nlu_model_path=shared_nlu_model(tmp_path_factory), smtp_host="127.0.0.1",
        smtp_port=fake_smtp.port, smtp_from="aigo@example.org", smtp_starttls=False,
    )  # fmt: skip
    server = ThreadedServer(create_app(settings), lifespan="on").start()
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine).begin() as session:
            email_outbox.enqueue(
                session=session, key="serve", to_address="owner@example.org",
                subject="AIGO 出題單位驗證碼：654321", body="654321", now=datetime.now(UTC),
            )  # fmt: skip
        [mail] = fake_smtp.wait_for(1, timeout=30)
        assert mail.recipients == ["owner@example.org"] and "654321" in mail.subject
    finally:
        server.stop()
        engine.dispose()
