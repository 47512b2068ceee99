"""``/metrics``: turn latency, NLU confidence, fallbacks, inbox/outbox/pool gauges; token; logs."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import httpx
import pytest

from bot.app import create_app
from bot.config import Secret, Settings
from bot.logs import JsonFormatter, sender_hash
from bot.services import Services

URL = "/webhooks/rest/webhook"


async def test_metrics_count_turns_confidence_and_fallbacks(http: httpx.AsyncClient) -> None:
    await http.post(URL, json={"sender": "alice", "message": "獎金多少"})
    await http.post(URL, json={"sender": "alice", "message": "qwzx plorb"})
    response = await http.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert 'aigo_turn_seconds_count{channel="rest"} 2.0' in text
    assert "aigo_nlu_confidence_count 2.0" in text
    assert "aigo_nlu_fallbacks_total" in text
    assert "aigo_inbox_backlog 0.0" in text
    assert 'aigo_db_pool_connections{state="size"}' in text
    assert (
        'aigo_http_requests_total{method="POST",route="/webhooks/rest/webhook",status="200"} 2.0'
        in text
    )
    assert response.headers["x-request-id"]


async def test_metrics_token_is_required_when_set(settings: Settings, services: Services) -> None:
    app = create_app(replace(settings, metrics_token=Secret("s3cret-metrics")), services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await client.get("/metrics", headers=wrong)).status_code == 401
        right = {"Authorization": "Bearer s3cret-metrics"}
        assert (await client.get("/metrics", headers=right)).status_code == 200


def test_json_log_lines_carry_ids_but_no_personal_data() -> None:
    from bot import logs

    record = logging.LogRecord(
        "aigo.access", logging.INFO, __file__, 1, "POST %s %d", ("/x", 200), None
    )
    rid, sender = logs.request_id.set("req-1"), logs.sender.set(sender_hash("rest:alice"))
    try:
        doc = json.loads(JsonFormatter().format(record))
    finally:
        logs.request_id.reset(rid)
        logs.sender.reset(sender)
    assert doc["message"] == "POST /x 200" and doc["request_id"] == "req-1"
    assert doc["sender"] == sender_hash("rest:alice") and "alice" not in json.dumps(doc)


async def test_access_log_line_per_request(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="aigo.access"):
        await http.post(
            URL, json={"sender": "bob", "message": "你好"}, headers={"X-Request-ID": "abc-1"}
        )
    [line] = [r for r in caplog.records if r.name == "aigo.access"]
    assert line.getMessage().startswith("POST /webhooks/rest/webhook 200 ")
    assert "bob" not in line.getMessage() and "你好" not in line.getMessage()


def test_settings_for_logs_and_metrics() -> None:
    from bot.config import ConfigError

    env = {
        "AIGO_LOG_FORMAT": "JSON",
        "AIGO_METRICS": "off",
        "AIGO_METRICS_TOKEN": "t0ken-0123456789ab",
    }
    settings = Settings.from_env(env)
    assert (settings.log_format, settings.metrics) == ("json", False)
    assert settings.metrics_token.get() == "t0ken-0123456789ab" and "t0ken" not in repr(settings)
    with pytest.raises(ConfigError, match="AIGO_LOG_FORMAT"):
        Settings.from_env({"AIGO_LOG_FORMAT": "xml"})


def test_fallbacks_are_counted() -> None:
    from bot.metrics import Metrics

    metrics = Metrics()
    metrics.observe_parse({"intent": {"name": "nlu_fallback", "confidence": 0.12}})
    metrics.observe_parse({"intent": {"name": "ask_bonus", "confidence": 0.93}})
    text = metrics.exposition().decode()
    assert "aigo_nlu_fallbacks_total 1.0" in text
    assert 'aigo_nlu_confidence_bucket{le="0.2"} 1.0' in text
