"""Fuzzing every endpoint with hypothesis: no input gets a 5xx, and /health answers 200 after.

Bodies mix random bytes, random JSON, and the shapes each endpoint expects with hostile values
(lone surrogates, NUL, deep nesting, huge numbers, wrong types). LINE bodies are signed and
Telegram bodies carry the secret, so they reach the parsing behind the checks.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.conftest import TG_SECRET, RunningApp, sign

NASTY = ["\\ud800", "\\udfff", "\\ud83d", "\\u0000", "\\ud83d\\ude00", "%s", "{x}", "/ask_bonus{"]
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**50), max_value=10**50),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(['/ask_bonus{"award_tier":"x"}', '/greet{"language":[1]}', "/x{}", "獎金多少"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _nasty(text: str, extra: list[str]) -> str:
    """``text`` (JSON) with escape sequences a JSON encoder would never write spliced in."""
    for item in extra:
        text = text.replace('"', f'"{item}', 1)
    return text


@st.composite
def bodies(draw: st.DrawFn, shape: dict[str, Any]) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "shaped", "deep"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "deep":
        depth = draw(st.integers(min_value=20, max_value=3000))
        return ("[" * depth + "]" * draw(st.integers(0, depth))).encode()
    value = (
        draw(_values)
        if kind == "json"
        else {k: draw(_values | st.just(v)) for k, v in shape.items()}
    )
    text = json.dumps(value)
    return _nasty(text, draw(st.lists(st.sampled_from(NASTY), max_size=3))).encode()


REST_SHAPE = {"sender": "fuzz", "message": "hi", "metadata": {}}
PARSE_SHAPE = {"text": "hi"}
LINE_SHAPE = {
    "destination": "U",
    "events": [
        {
            "type": "message",
            "webhookEventId": "01FUZZ",
            "timestamp": 1558317598000,
            "source": {"type": "user", "userId": "Ufuzz"},
            "replyToken": "r",
            "message": {"type": "text", "id": "1", "text": "hi"},
        }
    ],
}
TG_SHAPE = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 1558317599,
        "chat": {"id": 5, "type": "private"},
        "text": "hi",
    },
}


def test_no_input_gets_a_5xx(client: RunningApp) -> None:
    statuses: list[int] = []

    def post(path: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        response = client.post(path, content=body, headers=headers or {})
        statuses.append(response.status_code)
        assert response.status_code < 500, (path, body[:200], response.text[:200])
        assert response.headers["content-type"].startswith("application/json")

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        rest=bodies(REST_SHAPE),
        parse=bodies(PARSE_SHAPE),
        line=bodies(LINE_SHAPE),
        tg=bodies(TG_SHAPE),
    )
    def fuzz(rest: bytes, parse: bytes, line: bytes, tg: bytes) -> None:
        post("/webhooks/rest/webhook", rest)
        post("/model/parse", parse)
        post("/webhooks/line/webhook", line, {"x-line-signature": sign(line)})
        post("/webhooks/telegram/webhook", tg, {"x-telegram-bot-api-secret-token": TG_SECRET})

    fuzz()
    assert client.http.get("/health").status_code == 200
    assert len(statuses) >= 160
    print(f"fuzz: {len(statuses)} requests, 0 5xx, statuses {sorted(set(statuses))}")
