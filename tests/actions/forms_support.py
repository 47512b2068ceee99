"""Shared helpers of the forms tests: a migrated database, a REST client over a real app, and
quick ways to put submitted challenges and teams into the database."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.config import Settings
from bot.services import Services
from db import challenges, org_access
from db.users import get_or_create_user

NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")


def settings_for(db_url: str, nlu_model_path: Path, data_dir: Path) -> Settings:
    """Settings with a frozen clock on ``db_url``."""
    return replace(
        Settings(), database_url=db_url, now=NOW, data_dir=data_dir, nlu_model_path=nlu_model_path
    )


async def rest(services: Services, sender: str, message: str) -> list[dict[str, Any]]:
    """POST one message to the REST channel of a real app; return the replies."""
    app = create_app(services.settings, services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://aigo") as client:
        response = await client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": message}
        )
    assert response.status_code == 200
    replies: list[dict[str, Any]] = response.json()
    return replies


def text(replies: list[dict[str, Any]]) -> str:
    """The reply texts joined by newlines."""
    return "\n".join(str(r.get("text", "")) for r in replies)


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    """Every button payload of the replies."""
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def submitted_challenge(session: Session, org: str, title: str, external_id: str = "seed") -> str:
    """Create and submit a challenge of ``org``; return its reference."""
    user = get_or_create_user(session=session, channel="rest", external_id=external_id)
    organisation = challenges.get_or_create_organisation(session=session, name=org, user_id=user.id)
    draft = challenges.save_draft(
        session=session,
        user_id=user.id,
        organisation=organisation,
        contact={"contact_name": "陳副總", "phone": "1234-5678", "email": "a@b.com.tw"},
        challenge={"title": title, "description": "以自動化程序協助醫師加速判斷病患症狀"},
        dataset={"volume": "900GB"},
        now=NOW,
    )
    challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
    return str(draft.reference)


def join_organisation(session: Session, org: str, external_id: str) -> None:
    """Let ``external_id`` join the owned organisation ``org`` with an owner's invite code."""
    user = get_or_create_user(session=session, channel="rest", external_id=external_id)
    found = org_access.find(session=session, name=org)
    assert found is not None and found.owner_user_id is not None
    code = org_access.issue_invite(
        session=session, organisation=found, user_id=found.owner_user_id, now=NOW
    )
    attempt = org_access.redeem_invite(
        session=session, organisation=found, code=code, user_id=user.id, now=NOW
    )
    assert attempt.verdict == "joined"


def listed_challenge(session: Session, org: str, title: str, external_id: str = "seed") -> str:
    """Create, submit and list (the organisers' review) a challenge; return its reference."""
    reference = submitted_challenge(session, org, title, external_id)
    found = challenges.find_by_reference(session=session, reference=reference)
    assert found is not None
    challenges.transition(session=session, challenge=found, action="list", now=NOW)
    return reference


def register_team(services: Services, sender: str, name: str, team: str, expertise: str) -> Any:
    """Coroutine: register ``sender`` as the leader of ``team``; returns the invite code."""

    async def run() -> str:
        for message in ("我要報名", name, "25", "台灣", expertise):
            await rest(services, sender, message)
        replies = text(await rest(services, sender, team))
        found = re.search(r"邀請碼：([A-Z0-9]{4}-[A-Z0-9]{4})", replies)
        assert found, replies
        return found.group(1)

    return run()
