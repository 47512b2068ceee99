"""Start-up cost: a REST-only service loads no platform SDK and no training library, and the
webhooks of unconfigured platforms answer a clear 404."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx

from bot.app import create_app
from bot.channels import line, runtime, telegram
from bot.config import Secret, Settings
from bot.services import build_services
from tests.fakes import ThreadedServer

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from bot.app import create_app
from bot.config import Settings
create_app(Settings())
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_app_import_loads_no_sdk_and_no_training_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"linebot", "telegram", "sklearn", "scipy", "matplotlib"}


def test_route_paths_match_the_channel_modules() -> None:
    assert runtime.LINE_WEBHOOK_PATH == line.WEBHOOK_PATH
    assert runtime.TELEGRAM_WEBHOOK_PATH == telegram.WEBHOOK_PATH


def test_unconfigured_platform_webhooks_answer_404(settings: Settings) -> None:
    rest_only = replace(
        settings,
        line_channel_secret=Secret(""),
        line_channel_access_token=Secret(""),
        telegram_bot_token=Secret(""),
        telegram_webhook_secret=Secret(""),
    )
    services = build_services(rest_only)
    server = ThreadedServer(create_app(rest_only, services), lifespan="on").start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for path, name in (
                (runtime.LINE_WEBHOOK_PATH, "LINE"),
                (runtime.TELEGRAM_WEBHOOK_PATH, "Telegram"),
            ):
                response = client.post(path, content=b'{"events": []}')
                assert response.status_code == 404
                assert response.json() == {"error": f"{name} channel not configured"}
            ok = client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "/help"})
            assert ok.status_code == 200 and ok.json()[0]["text"]
    finally:
        server.stop()
        services.close()
