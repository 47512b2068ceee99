"""Start-up and operations (issue 16, findings 7 and 9): platforms down, /health, inbox purge."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.config import Settings
from bot.services import Services
from db.models import InboxEvent
from tests.channels.conftest import FROZEN_NOW, RunningApp, wait_for

pytestmark = pytest.mark.timeout(120)


def test_the_service_starts_and_serves_with_telegram_and_line_apis_down(settings: Settings) -> None:
    down = replace(
        settings, telegram_api_base_url="http://127.0.0.1:9", line_api_base_url="http://127.0.0.1:9"
    )
    app = RunningApp(down, None)  # the app builds its services, reminders included
    try:
        reply = app.post("/webhooks/rest/webhook", json={"sender": "a", "message": "/help"})
        assert reply.status_code == 200
        health = app.http.get("/health")
        assert health.status_code == 200
        assert health.json()["platforms"]["telegram"].startswith("unreachable")
    finally:
        app.stop()


def test_health_reports_backlog_dead_deliveries_and_the_leader(
    settings: Settings, services: Services
) -> None:
    with services.session_factory.begin() as session:
        session.add(
            InboxEvent(
                channel="line", event_id="stuck", sender_key="line:Ugone", payload={},
                status="failed", received_at=FROZEN_NOW,
            )
        )  # fmt: skip
    app = RunningApp(settings, None)
    try:
        body = wait_for(lambda: _healthy(app))
    finally:
        app.stop()
    assert body["inbox"] == {"pending": 0, "oldest_pending_age_s": 0.0, "failed": 1}
    assert body["deliveries"] == {"dead": 0, "unknown": 0}
    assert body["emails"] == {"pending": 0, "dead": 0, "unknown": 0}
    assert body["platforms"] == {"line": "ok", "telegram": "ok"}


def _healthy(client: RunningApp) -> dict[str, object] | None:
    body: dict[str, object] = client.http.get("/health").json()
    return body if body.get("scheduler_leader_alive") else None


def test_the_leader_purges_inbox_rows_past_the_retention(
    settings: Settings, services: Services
) -> None:
    with services.session_factory.begin() as session:
        for n, age in enumerate((31, 29, 40)):
            session.add(
                InboxEvent(
                    channel="line", event_id=f"old-{n}", sender_key="line:U", payload={},
                    status="done", received_at=FROZEN_NOW - timedelta(days=age),
                )
            )  # fmt: skip
    app = RunningApp(settings, None)
    try:
        wait_for(lambda: _event_ids(services) == {"old-1"})
    finally:
        app.stop()


def _event_ids(services: Services) -> set[str]:
    with services.session_factory() as session:
        return set(session.scalars(sa.select(InboxEvent.event_id)))
