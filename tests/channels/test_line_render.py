"""LINE rendering stays inside the Messaging API limits (checked by the SDK and the fake)."""

from __future__ import annotations

import asyncio
from typing import Any

from linebot.v3.messaging import Message

from bot.channels import render_line
from bot.channels._split import split_text, utf16_units
from bot.channels.line_sender import LineSender
from tests.fakes import FakeLine


def _schedule(n: int) -> dict[str, Any]:
    items = [
        {
            "date": f"2019-{5 + i // 28:02d}-{1 + i % 28:02d}",
            "label": f"里程碑 {i}",
            "detail": "12:00 截止",
            "state": "next" if i == 3 else ("past" if i < 3 else "upcoming"),
        }
        for i in range(n)
    ]
    return {
        "type": "schedule",
        "title": "108年第1梯次時程",
        "items": items,
        "note": "以官網公告為準",
    }


def test_buttons_become_postback_quick_replies_within_limits() -> None:
    buttons = [
        {"title": f"選項很長很長很長很長很長很長很長的標題 {i}", "payload": f'/affirm{{"n": {i}}}'}
        for i in range(20)
    ]
    messages = render_line.render([{"text": "請選擇", "buttons": buttons}])
    items = messages[-1]["quickReply"]["items"]
    assert len(items) == 13
    assert all(len(i["action"]["label"]) <= 20 for i in items)
    assert items[0]["action"] == {
        "type": "postback",
        "label": items[0]["action"]["label"],
        "data": '/affirm{"n": 0}',
        "displayText": buttons[0]["title"],
    }
    Message.from_dict(messages[-1])  # the SDK's own schema accepts it


def test_long_text_split_into_at_most_five_messages() -> None:
    text = ("這是一段很長的說明。" * 300 + "\n\n") * 4  # ≈ 12,000 characters
    messages = render_line.render([{"text": text}])
    assert 2 <= len(messages) <= 5
    assert all(utf16_units(m["text"]) <= 5000 for m in messages)
    huge = render_line.render([{"text": "字" * 40_000}])
    assert len(huge) == 5 and huge[-1]["text"].endswith("…")


def test_emoji_counted_in_utf16_units() -> None:
    pieces = split_text("😀" * 3000, 5000, utf16_units)
    assert [utf16_units(p) for p in pieces] == [5000, 1000]


def test_schedule_flex_within_schema_limits() -> None:
    flex = render_line.render([{"custom": _schedule(8)}])[0]
    assert flex["type"] == "flex" and flex["contents"]["type"] == "bubble"
    assert "下一步" in flex["altText"] and len(flex["altText"]) <= 400
    big = render_line.render([{"text": "時程如下", "custom": _schedule(200)}])
    carousel = big[-1]["contents"]
    assert carousel["type"] == "carousel" and len(carousel["contents"]) == 12
    Message.from_dict(big[-1])


def test_rendered_messages_accepted_by_fake_line(fake_line: FakeLine) -> None:
    responses: list[dict[str, Any]] = [
        {"text": "時程如下"},
        {"custom": _schedule(30)},
        {
            "text": "要訂閱提醒嗎？",
            "buttons": [
                {"title": "好", "payload": "/affirm"},
                {"title": "不用", "payload": "/deny"},
            ],
        },
    ]
    messages = render_line.render(responses)

    async def push() -> None:
        sender = LineSender(access_token=fake_line.token, base_url=fake_line.base_url)
        await sender.start()
        try:
            await sender.push("U1", messages)
        finally:
            await sender.close()

    asyncio.run(push())
    assert fake_line.rejected == []
    assert [m["type"] for m in fake_line.by_endpoint("push")[0].messages] == [
        "text",
        "flex",
        "text",
    ]
