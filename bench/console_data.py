"""Make a large database for the console and time its pages on it.

    python bench/console_data.py [--db var/console-bench.db] [--users 10000] [--challenges 300]
                                 [--events 1000000] [--repeat 5] [--keep]

1. Generate (timed, printed): ``--users`` users with LINE / Telegram identities and profiles,
   ``--challenges`` challenges from 60 organisations, 800 teams with members and applications,
   and ``--events`` conversation events over the last 30 days (user messages with intents,
   fallbacks, form starts / cancels, bot replies), all with real-looking shapes, in bulk inserts.
2. Time every console page (the app in-process over HTTP on 127.0.0.1, signed in as an editor):
   median and worst of ``--repeat`` loads each, plus the first (cold) load. The clock is frozen
   at the end of the generated month so the overview's 14 days are full.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import organisers  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services import build_services  # noqa: E402
from db import make_engine, upgrade  # noqa: E402
from tests.fakes.server import ThreadedServer, free_port  # noqa: E402

NOW = datetime(2019, 5, 20, 10, 0, tzinfo=UTC)
INTENTS = [
    "ask_schedule",
    "ask_bonus",
    "ask_eligibility",
    "ask_team_rules",
    "greet",
    "ask_programme",
    "ask_contact",
    "nlu_fallback",
    "out_of_scope",
    "register_team",
]
TEXTS = [
    "構想什麼時候截止",
    "獎金多少",
    "我19歲可以參加嗎",
    "一隊幾個人",
    "你好",
    "這是什麼計畫",
    "怎麼聯絡你們",
    "老師可以當指導嗎",
    "今天天氣如何",
    "我要報名",
]
PAGES = [
    "/console",
    "/console/challenges",
    "/console/challenges?status=submitted&text=AI",
    "/console/challenges/AIGO-108-0001",
    "/console/teams",
    "/console/broadcasts",
    "/console/teach",
    "/console/audit",
]
PASSWORD = "benchmark password"


def _insert(conn: sa.Connection, table: str, rows: list[dict[str, object]]) -> None:
    if rows:
        conn.execute(sa.table(table, *(sa.column(k) for k in rows[0])).insert(), rows)


def generate(url: str, users: int, challenges: int, events: int) -> None:
    """Fill the database at ``url`` (migrated, empty)."""
    rnd = random.Random(7)
    engine = make_engine(url)
    start = NOW - timedelta(days=30)
    teams = min(800, users // 10)
    with engine.begin() as conn:
        _insert(
            conn,
            "users",
            [
                {
                    "id": i,
                    "created_at": start + timedelta(seconds=i * 259),
                    "active": True,
                    "language": "zh-TW",
                }
                for i in range(1, users + 1)
            ],
        )
        _insert(
            conn,
            "channel_identities",
            [
                {
                    "user_id": i,
                    "channel": "line" if i % 5 else "telegram",
                    "external_id": f"U{i:032d}",
                    "created_at": start,
                }
                for i in range(1, users + 1)
            ],
        )
        _insert(
            conn,
            "profiles",
            [
                {
                    "user_id": i,
                    "age": 18 + i % 30,
                    "updated_at": start,
                    "nationality": "foreign" if i % 17 == 0 else "ROC",
                    "expertise": ("ai", "domain", "both")[i % 3],
                }
                for i in range(1, users + 1)
            ],
        )
        _insert(
            conn,
            "organisations",
            [
                {
                    "id": o,
                    "name": f"企業{o:03d}",
                    "name_key": f"企業{o:03d}",  # = normalise_org_name(name)
                    "created_at": start,
                    "contact_name": "王經理",
                    "phone": "02-1234-5678",
                    "email": f"org{o}@example.com",
                }
                for o in range(1, 61)
            ],
        )
        _insert(
            conn,
            "challenges",
            [
                {
                    "id": c,
                    "organisation_id": 1 + c % 60,
                    "reference": f"AIGO-108-{c:04d}",
                    # the first 3 of an organisation are submitted (the limit), the rest drafts
                    "status": "submitted" if c <= 180 and c % 7 else "draft",
                    "org_key": f"企業{1 + c % 60:03d}" if c <= 180 and c % 7 else None,
                    "org_slot": 1 + (c - 1) // 60 if c <= 180 and c % 7 else None,
                    "title": f"AI 題目 {c}：影像辨識與預測",
                    "description": "以 AI 改善產線良率" * 5,
                    "category": ("AI", "IoT", "大數據")[c % 3],
                    "industry": ("製造", "醫療", "金融", "零售")[c % 4],
                    "created_at": start,
                    "updated_at": start,
                    "submitted_at": start + timedelta(days=c % 20),
                }
                for c in range(1, challenges + 1)
            ],
        )
        _insert(
            conn,
            "teams",
            [
                {"id": t, "name": f"隊伍{t:04d}", "leader_user_id": t * 10 - 9, "created_at": start}
                for t in range(1, teams + 1)
            ],
        )
        _insert(
            conn,
            "memberships",
            [
                {
                    "team_id": 1 + (u - 1) // 10,
                    "user_id": u,
                    "role": "leader" if u % 10 == 1 else "member",
                    "joined_at": start,
                }
                for u in range(1, teams * 10 + 1)
            ],
        )
        _insert(
            conn,
            "applications",
            [
                {
                    "team_id": t,
                    "challenge_id": 1 + (t * 7 + k) % challenges,
                    "status": "applied",
                    "created_at": start,
                }
                for t in range(1, teams + 1)
                for k in range(2)
            ],
        )
    batch: list[dict[str, object]] = []
    with engine.begin() as conn:
        for n in range(events):
            user = 1 + rnd.randrange(users)
            kind = n % 3
            intent = rnd.choice(INTENTS)
            at = start + timedelta(seconds=n * (30 * 86400 / events))
            if kind == 0:
                event: dict[str, object] = {
                    "event": "user",
                    "text": rnd.choice(TEXTS),
                    "parse_data": {"intent": {"name": intent, "confidence": rnd.random()}},
                }
            elif kind == 1 and intent == "register_team":
                event = {"event": "active_loop", "name": "register_team_form"}
            else:
                event = {"event": "bot", "text": "好的，以下是說明。"}
            channel = "line" if user % 5 else "telegram"
            batch.append(
                {
                    "sender_key": f"{channel}:U{user:032d}",
                    "turn": n // 3,
                    "event": event,
                    "created_at": at,
                }
            )
            if len(batch) == 20_000:
                conn.execute(
                    sa.text(
                        "INSERT INTO conversation_events (sender_key, turn, event, created_at) "
                        "VALUES (:sender_key, :turn, :event, :created_at)"
                    ),
                    [
                        dict(b, event=_json(b["event"]), created_at=_ts(b["created_at"]))
                        for b in batch
                    ],
                )
                batch.clear()
    engine.dispose()


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _ts(value: object) -> str:
    assert isinstance(value, datetime)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def time_pages(url: str, data_dir: Path, repeat: int) -> None:
    """Serve the console and print each page's load times."""
    settings = replace(Settings(), database_url=url, now=NOW, data_dir=data_dir)
    services = build_services(settings)
    with services.session_factory.begin() as session:
        organisers.add(
            session=session, email="bench@aigo.org", password=PASSWORD, role="editor", actor="bench"
        )
    server = ThreadedServer(create_app(settings, services), free_port(), lifespan="on").start()
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            form = client.get("/console/login").text
            csrf = form.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
            client.post(
                "/console/login",
                data={"_csrf": csrf, "email": "bench@aigo.org", "password": PASSWORD},
            )
            print(f"{'page':<48} {'cold ms':>8} {'median ms':>10} {'worst ms':>9}")
            for page in PAGES:
                times = []
                for _ in range(repeat + 1):
                    began = time.perf_counter()
                    response = client.get(page)
                    times.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200, (page, response.status_code)
                warm = times[1:]
                print(
                    f"{page:<48} {times[0]:>8.0f} {statistics.median(warm):>10.0f} "
                    f"{max(warm):>9.0f}"
                )
    finally:
        server.stop()
        services.close()


def main() -> int:
    """Generate, then time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "console-bench.db")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--challenges", type=int, default=300)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse an existing --db")
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    if not (args.keep and args.db.exists()):
        args.db.unlink(missing_ok=True)
        args.db.parent.mkdir(parents=True, exist_ok=True)
        upgrade(url)
        began = time.perf_counter()
        generate(url, args.users, args.challenges, args.events)
        size = args.db.stat().st_size / 1e6
        print(
            f"generated {args.users} users, {args.challenges} challenges, {args.events} events "
            f"in {time.perf_counter() - began:.0f} s ({size:.0f} MB)"
        )
    time_pages(url, args.db.parent, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
