"""Calendar feeds: a round's milestones, a user's deadlines, the chat link, the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from bot.calendar_feed import link_secret, sign, verify
from bot.cli import main
from bot.config import Settings

URL = "/webhooks/rest/webhook"


def events(body: bytes) -> dict[str, Any]:
    """UID → event of an .ics body."""
    cal = Calendar.from_ical(body)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


async def test_round_feed_has_timed_deadlines_and_all_day_approximate_dates(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/calendar/108-2.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    found = events(response.content)
    assert len(found) == 10
    idea = found["108-2-idea_deadline@aigo-assistant"]
    assert idea.decoded("dtstart").isoformat() == "2019-07-15T12:00:00+08:00"
    final = found["108-2-final_review@aigo-assistant"]
    assert not hasattr(final.decoded("dtstart"), "hour")  # all day: a date, not a date-time
    assert str(final["status"]) == "TENTATIVE"
    assert "各項作業程序將依計畫實際作業時間調整" in str(final["description"])
    english = events((await http.get("/calendar/108-2.ics?lang=en")).content)
    assert "subject to change" in str(english["108-2-final_review@aigo-assistant"]["description"])
    assert (await http.get("/calendar/109-1.ics")).status_code == 404


async def test_schedule_answer_offers_the_links_and_the_personal_feed_works(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    replies = (await http.post(URL, json={"sender": "amy", "message": "時程"})).json()
    [link] = [r["text"] for r in replies if "加入行事曆" in r.get("text", "")]
    round_url, personal_url = (line.split("：", 1)[1] for line in link.splitlines())
    assert round_url.startswith(settings.public_url + "/calendar/108-")
    path = personal_url.removeprefix(settings.public_url)
    mine = events((await http.get(path)).content)
    assert mine and all(str(e["categories"].cats[0]) == "deadline" for e in mine.values())
    assert "108-1-idea_deadline@aigo-assistant" in mine  # 31 May, still ahead on 20 May
    forged = path.replace(".ics", "x.ics")
    assert (await http.get(forged)).status_code == 404
    other = (await http.post(URL, json={"sender": "amy", "message": "獎金多少"})).json()
    assert not any("加入行事曆" in r.get("text", "") for r in other)


def test_tokens_are_signed(settings: Settings) -> None:
    secret = link_secret(settings)
    assert link_secret(settings) == secret and secret != settings.secret_key.get().encode()
    token = sign("line:U123", secret)
    assert verify(token, secret) == "line:U123"
    assert verify(token, b"other") is None and verify("garbage", secret) is None


def test_cli_writes_the_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.ics"
    assert main(["knowledge", "ics", "--round", "108-2", "--lang", "en", "--output", str(out)]) == 0
    assert "wrote 10 event(s)" in capsys.readouterr().err
    assert "Idea submission deadline" in out.read_text() or "BEGIN:VEVENT" in out.read_text()
    assert main(["knowledge", "ics", "--round", "999-9"]) == 1
