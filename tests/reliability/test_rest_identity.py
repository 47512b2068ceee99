"""The REST channel can require a token and is rate-limited per IP across workers (finding 6)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from bot.app import create_app
from bot.config import ConfigError, Secret, Settings
from bot.services import Services, build_services

URL = "/webhooks/rest/webhook"
TOKEN = "rest-token-0123456789abcdef"


def _client(settings: Settings, services: Services) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, services), client=("203.0.113.7", 1))
    return httpx.AsyncClient(transport=transport, base_url="http://aigo")


async def test_rest_requires_the_token_when_configured(
    settings: Settings, services: Services
) -> None:
    guarded = replace(settings, rest_token=Secret(TOKEN))
    async with _client(guarded, services) as rest:
        body = {"sender": "mallory", "message": "/help"}
        assert (await rest.post(URL, json=body)).status_code == 401
        wrong = {"authorization": "Bearer not-the-token-at-all"}
        refused = await rest.post(URL, json=body, headers=wrong)
        assert refused.status_code == 401 and "AIGO_REST_TOKEN" in refused.json()["error"]
        ok = await rest.post(URL, json=body, headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.json()[0]["recipient_id"] == "mallory"
    with pytest.raises(ConfigError, match="AIGO_REST_TOKEN is too short"):
        Settings.from_env({"AIGO_REST_TOKEN": "short"})


async def test_the_per_ip_limit_is_shared_by_every_worker(
    settings: Settings, services: Services
) -> None:
    limited = replace(settings, rest_rate_limit=4)
    other = build_services(limited)  # a second worker on the same database
    try:
        async with _client(limited, services) as first, _client(limited, other) as second:
            statuses = []
            for n in range(6):
                worker = first if n % 2 else second
                body = {"sender": f"new-name-{n}", "message": "/help"}  # fresh senders don't help
                statuses.append((await worker.post(URL, json=body)).status_code)
            assert statuses == [200, 200, 200, 200, 429, 429]
            refused = await first.post(URL, json={"sender": "x", "message": "/help"})
            assert refused.headers["retry-after"] == "60"
    finally:
        other.close()


async def test_the_chat_rate_limit_is_shared_by_every_worker(services: Services) -> None:
    """Two workers' channel contexts on one database count one sender's messages together."""
    from bot.channels.context import ChannelContext
    from bot.channels.ratelimit import Verdict

    async def no_turn(*_: object) -> list[dict[str, object]]:
        return []

    workers = [
        ChannelContext(
            session_factory=services.session_factory, now=services.clock.now, turn=no_turn
        )
        for _ in range(2)
    ]
    verdicts = [await workers[n % 2].check_rate("line:Ushared", 1000.0 + n / 10) for n in range(23)]
    assert verdicts == [Verdict.ALLOW] * 20 + [Verdict.NOTIFY, Verdict.DROP, Verdict.DROP]
    assert await workers[0].check_rate("line:Ushared", 1010.5) is Verdict.ALLOW  # next window
