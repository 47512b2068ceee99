"""Chaos benchmark: thousands of signed LINE events while the service is killed at random moments.

Starts the fake LINE platform (in this process, so its record of every reply and push can be
read) and ``aigo serve`` (SQLite by default) on 127.0.0.1. ``--users`` senders post signed
webhooks, one event at a time each, until ``--events`` events are acknowledged; a webhook that
fails (the service is down) is redelivered with the same ``webhookEventId``, as LINE does. A
killer thread sends SIGKILL to the service every ``--kill-every`` seconds (randomised) and
restarts it, until every acknowledged event has been processed (so kills also land while the
backlog is answered, not only while webhooks arrive). Then it prints, per acknowledged event:

- lost: no answer reached the user (neither a reply with its token nor a push with its key);
- duplicated: more than one answer reached the user (a reply and a push, or two pushes);
- steps run twice: the dialogue turn for the event was recorded more than once.

All three must be 0.

    python bench/chaos.py [--events 2000] [--users 40] [--kill-every 4] [--database-url URL]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels.line import retry_key_for  # noqa: E402
from db.models import ConversationEvent, InboxEvent  # noqa: E402
from db.session import make_engine  # noqa: E402
from tests.fakes.line import start_fake_line  # noqa: E402
from tests.fakes.service import Service, start_service  # noqa: E402

SECRET = "chaos-line-channel-secret"
TEXTS = ["獎金多少", "構想什麼時候截止", "那第二梯呢", "我19歲可以參加嗎", "help", "/ask_bonus"]


class Chaos:
    """The service under test, restarted after each kill; senders read :attr:`url`."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.service = self._start()
        self.url = self.service.url
        self.kills = 0
        self.lock = threading.Lock()

    def _start(self) -> Service:
        return start_service(
            lambda port: [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            self.env,
            cwd=ROOT,
        )

    def kill_and_restart(self) -> None:
        with self.lock:
            self.service.kill()
            self.service.stderr.close()
            self.kills += 1
            self.url = ""
            self.service = self._start()
            self.url = self.service.url


def _event(user_id: str, text: str) -> dict[str, object]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": f"01CH{uuid.uuid4().hex[:22].upper()}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "message": {"type": "text", "id": "1", "text": text, "quoteToken": "q"},
    }


def _post_until_acked(chaos: Chaos, event: dict[str, object], client: httpx.Client) -> None:
    body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    headers = {"x-line-signature": base64.b64encode(digest).decode()}
    while True:
        url = chaos.url
        if url:
            try:
                if client.post(url + "/webhooks/line/webhook", content=body,
                               headers=headers).status_code == 200:  # fmt: skip
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.1)  # LINE redelivers the same event later


def _sender(chaos: Chaos, user: str, count: int, acked: list[dict[str, object]]) -> None:
    rng = random.Random(user)
    with httpx.Client(timeout=10) as client:
        for _ in range(count):
            event = _event(user, rng.choice(TEXTS))
            _post_until_acked(chaos, event, client)
            acked.append(event)
            time.sleep(0.6)  # a person's pace: under the per-user limit (20 per 10 s)


def _killer(chaos: Chaos, every: float, stop: threading.Event) -> None:
    rng = random.Random(16)
    while not stop.wait(rng.uniform(0.5 * every, 1.5 * every)):
        chaos.kill_and_restart()


def _drained(db_url: str, expected: int) -> bool:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            statuses = Counter(conn.scalars(sa.select(InboxEvent.status)))
    finally:
        engine.dispose()
    return statuses.get("done", 0) + statuses.get("failed", 0) >= expected and not statuses.get(
        "pending"
    )


def _steps(db_url: str) -> Counter[str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            events = conn.scalars(sa.select(ConversationEvent.event))
            keys = [
                str((e.get("metadata") or {}).get("event_key"))
                for e in events
                if e.get("event") == "user"
            ]
    finally:
        engine.dispose()
    return Counter(keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--kill-every", type=float, default=4.0)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    fake, fake_server = start_fake_line()
    data_dir = Path(tempfile.mkdtemp(prefix="aigo-chaos-"))
    db_url = args.database_url or f"sqlite:///{data_dir / 'aigo.db'}"
    env = {
        **os.environ, "AIGO_DATABASE_URL": db_url, "AIGO_DATA_DIR": str(data_dir),
        "AIGO_LOG_LEVEL": "ERROR", "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": fake.token, "LINE_API_BASE_URL": fake.base_url,
    }  # fmt: skip
    chaos = Chaos(env)
    acked: list[dict[str, object]] = []
    per_user = max(args.events // args.users, 1)
    stop = threading.Event()
    killer = threading.Thread(target=_killer, args=(chaos, args.kill_every, stop), daemon=True)
    senders = [
        threading.Thread(target=_sender, args=(chaos, f"Uchaos{n:03d}", per_user, acked))
        for n in range(args.users)
    ]
    started = time.monotonic()
    killer.start()
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    deadline = time.monotonic() + 1800
    while not _drained(db_url, len(acked)) and time.monotonic() < deadline:
        time.sleep(0.5)
    stop.set()
    killer.join()
    time.sleep(1.0)
    elapsed = time.monotonic() - started

    answers: Counter[str] = Counter()
    by_token = {str(e["replyToken"]): str(e["webhookEventId"]) for e in acked}
    by_key = {retry_key_for(str(e["webhookEventId"])): str(e["webhookEventId"]) for e in acked}
    for sent in fake.sent:
        if sent.endpoint == "reply":
            answers[by_token.get(str(sent.body.get("replyToken")), "?")] += 1
        elif sent.endpoint == "push":
            answers[by_key.get(str(sent.retry_key), "?")] += 1
    ids = [str(e["webhookEventId"]) for e in acked]
    steps = _steps(db_url)
    lost = sum(1 for i in ids if answers[i] == 0)
    duplicated = sum(1 for i in ids if answers[i] > 1)
    twice = sum(1 for i in ids if steps[f"line:{i}"] > 1)
    print(f"events acknowledged {len(acked)} from {args.users} users in {elapsed:.0f} s, "
          f"{chaos.kills} kill -9s; replies {sum(s.endpoint == 'reply' for s in fake.sent)}, "
          f"pushes {sum(s.endpoint == 'push' for s in fake.sent)}")  # fmt: skip
    print(f"lost {lost}  duplicated {duplicated}  steps run twice {twice}")
    chaos.service.stop()
    fake_server.stop()
    sys.exit(0 if lost == duplicated == twice == 0 else 1)


if __name__ == "__main__":
    main()
