"""The e-mail outbox and its dispatcher against a local SMTP server (SQLite and PostgreSQL):
sent once, retried, dead-lettered, "unknown" instead of twice, recovered after a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.health import snapshot
from bot.mail import MailDispatcher, SmtpConfig, SmtpSender
from bot.reminders.pacing import advancing
from db import email_outbox, make_engine, make_session_factory, upgrade
from db.models import EmailMessage
from tests.fakes.smtp import FakeSmtp

NOW = datetime(2019, 5, 20, 2, 0, tzinfo=UTC)


def _dispatcher(
    sessions: sessionmaker[Session], smtp: FakeSmtp, **options: object
) -> MailDispatcher:
    config = SmtpConfig(host="127.0.0.1", port=smtp.port, sender="aigo@example.org",
                        starttls=False, timeout=5)  # fmt: skip
    return MailDispatcher(sessions, SmtpSender(config), now=advancing(NOW), backoff=0.01,
                          **options)  # type: ignore[arg-type]  # fmt: skip


def _enqueue(sessions: sessionmaker[Session], key: str, code: str = "123456") -> None:
    with sessions.begin() as session:
        email_outbox.enqueue(
            session=session, key=key, to_address="hello@example.com",
            subject=f"AIGO 出題單位驗證碼：{code}", body=f"驗證碼是：{code}", now=NOW,
        )  # fmt: skip


def _rows(sessions: sessionmaker[Session]) -> list[tuple[str, str, int, str]]:
    with sessions() as session:
        query = sa.select(
            EmailMessage.key, EmailMessage.status, EmailMessage.attempts, EmailMessage.body
        ).order_by(EmailMessage.id)
        return [tuple(r) for r in session.execute(query)]  # type: ignore[misc]


async def test_a_message_is_sent_once_with_its_headers(
    sessions: sessionmaker[Session], fake_smtp: FakeSmtp
) -> None:
    _enqueue(sessions, "org-code:1")
    _enqueue(sessions, "org-code:1", code="999999")  # the same key again: still one message
    stats = await _dispatcher(sessions, fake_smtp).drain()
    [mail] = fake_smtp.wait_for(1)
    assert mail.recipients == ["hello@example.com"] and mail.sender == "aigo@example.org"
    assert mail.subject == "AIGO 出題單位驗證碼：123456" and "123456" in mail.body
    assert mail.message["Message-ID"].endswith("@aigo.local>")
    assert stats.sent == 1
    assert _rows(sessions) == [("org-code:1", "sent", 1, "")]  # the code is not kept
    await _dispatcher(sessions, fake_smtp).drain()
    assert len(fake_smtp.received) == 1


async def test_temporary_refusals_are_retried_and_permanent_ones_dead_lettered(
    sessions: sessionmaker[Session], fake_smtp: FakeSmtp
) -> None:
    fake_smtp.fail_next("421", "421")
    _enqueue(sessions, "retried")
    stats = await _dispatcher(sessions, fake_smtp).drain(horizon=timedelta(seconds=5))
    assert (stats.sent, stats.retried) == (1, 2)
    fake_smtp.fail_next("550")
    _enqueue(sessions, "refused")
    stats = await _dispatcher(sessions, fake_smtp).drain()
    assert stats.dead == 1
    assert [(k, s, a) for k, s, a, _ in _rows(sessions)] == [("retried", "sent", 3),
                                                          ("refused", "dead", 1)]  # fmt: skip
    assert len(fake_smtp.received) == 1


async def test_a_connection_lost_during_data_is_unknown_and_never_sent_twice(
    sessions: sessionmaker[Session], fake_smtp: FakeSmtp
) -> None:
    fake_smtp.fail_next("drop-data")
    _enqueue(sessions, "dropped")
    stats = await _dispatcher(sessions, fake_smtp).drain()
    await _dispatcher(sessions, fake_smtp).drain()
    assert stats.unknown == 1
    assert [(k, s) for k, s, _, _ in _rows(sessions)] == [("dropped", "unknown")]
    assert len(fake_smtp.received) == 1  # it did arrive, once


async def test_a_dead_dispatchers_claims_are_settled_without_a_second_copy(
    sessions: sessionmaker[Session], fake_smtp: FakeSmtp
) -> None:
    _enqueue(sessions, "claimed-only")
    _enqueue(sessions, "mid-data")
    with sessions.begin() as session:  # a dispatcher claimed both, started DATA of one, died
        claimed = email_outbox.claim(session=session, now=NOW, limit=2)
        email_outbox.mark_handing_over(session=session, id=claimed[1].id)
        ids, stopped = [c.id for c in claimed], NOW - timedelta(minutes=5)
        email_outbox.heartbeat(session=session, ids=ids, now=stopped)  # its last beat
    stats = await _dispatcher(sessions, fake_smtp).drain()
    assert (stats.sent, stats.unknown) == (1, 1)
    assert [(k, s) for k, s, _, _ in _rows(sessions)] == [("claimed-only", "sent"),
                                                         ("mid-data", "unknown")]  # fmt: skip
    with sessions() as session:
        assert email_outbox.counts(session=session)["unknown"] == 1
        emails = snapshot(session, NOW, runs_scheduler=False)["emails"]
        assert emails == {"pending": 0, "dead": 0, "unknown": 1}  # on /health


async def test_a_live_claim_is_not_taken_by_another_dispatcher(
    sessions: sessionmaker[Session], fake_smtp: FakeSmtp
) -> None:
    _enqueue(sessions, "held")
    with sessions.begin() as session:
        email_outbox.claim(session=session, now=NOW, limit=1)  # another dispatcher, alive
    stats = await _dispatcher(sessions, fake_smtp, stale_after=timedelta(minutes=1)).drain()
    assert stats.sent == 0 and fake_smtp.received == []


def test_cli_status_and_send(
    db_url: str, fake_smtp: FakeSmtp, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("AIGO_DATABASE_URL", db_url)
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        _enqueue(make_session_factory(engine), "cli")
    finally:
        engine.dispose()
    assert main(["mail", "send"]) == 2  # no SMTP configured: says so
    assert "AIGO_SMTP_HOST" in capsys.readouterr().err
    assert main(["mail", "status"]) == 0
    assert "pending 1" in capsys.readouterr().out
    for key, value in {
        "AIGO_SMTP_HOST": "127.0.0.1",
        "AIGO_SMTP_PORT": str(fake_smtp.port),
        "AIGO_SMTP_FROM": "aigo@example.org",
        "AIGO_SMTP_STARTTLS": "off",
    }.items():
        monkeypatch.setenv(key, value)  # fmt: skip
    assert main(["mail", "send"]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert len(fake_smtp.wait_for(1)) == 1
    assert main(["mail", "status"]) == 0 and "sent 1" in capsys.readouterr().out
