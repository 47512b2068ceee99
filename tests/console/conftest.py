"""Real services (SQLite and PostgreSQL, the shared NLU model, clock frozen) and a helper that
talks to the bot, for the teach-the-bot and overview tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.dialogue import UserMessage
from bot.services import Services, build_services
from tests.fakes.service import shared_nlu_model

FROZEN_NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")


@pytest.fixture
def services(
    db_url: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> Iterator[Services]:
    settings = replace(
        Settings(), database_url=db_url, now=FROZEN_NOW, data_dir=tmp_path,
        nlu_model_path=shared_nlu_model(tmp_path_factory),
    )  # fmt: skip
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()


def say(services: Services, sender: str, *texts: str) -> None:
    """Send ``texts`` to the engine as the REST user ``sender``, one turn each."""

    async def run() -> None:
        for text in texts:
            await services.engine.handle(UserMessage(f"rest:{sender}", text, "rest", {}))

    asyncio.run(run())
