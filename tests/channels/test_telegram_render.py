"""Telegram rendering: inline keyboards, callback_data ≤ 64 bytes, 4,096-character split."""

from __future__ import annotations

from bot.channels import render_telegram


def test_long_text_split_at_4096() -> None:
    out = render_telegram.render([{"text": "word " * 3000}])
    assert len(out) == 4 and all(len(o.text) <= 4096 for o in out)


def test_buttons_inline_keyboard_and_long_payload_refs() -> None:
    long_payload = '/register_team{"team_name": "' + "很長的隊名" * 10 + '"}'
    responses = [
        {
            "text": "確認？",
            "buttons": [
                {"title": "是", "payload": "/affirm"},
                {"title": "隊名", "payload": long_payload},
            ],
        }
    ]
    assert render_telegram.long_payloads(responses) == [long_payload]
    out = render_telegram.render(responses, refs={long_payload: "cb:abc"})
    markup = out[-1].reply_markup
    assert markup is not None
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert data == ["/affirm", "cb:abc"]
    assert all(len(str(d).encode()) <= 64 for d in data)


def test_buttons_without_text_get_a_prompt() -> None:
    out = render_telegram.render([{"buttons": [{"title": "A", "payload": "/affirm"}]}])
    assert out[0].text == "請選擇：" and out[0].reply_markup is not None


def test_schedule_as_html_list() -> None:
    custom = {
        "type": "schedule",
        "title": "時程",
        "items": [
            {"date": "2019-05-20", "label": "構想收件截止", "state": "past"},
            {"date": "2019-06-10", "label": "構想審查會", "state": "next"},
            {"date": "11月中旬*", "label": "實證 <收件>", "state": "upcoming"},
        ],
    }
    lead = "下一個截止日是構想審查會\n接下來："
    out = render_telegram.render([{"text": lead, "custom": custom}])
    assert len(out) == 1 and out[0].parse_mode == "HTML"
    html = out[0].text
    assert html.startswith("<b>下一個截止日是構想審查會</b>")
    assert "<b>• 2019-06-10 構想審查會</b>" in html
    assert "構想收件截止" not in html  # past milestones are left out
    assert "實證 &lt;收件&gt;" in html  # escaped
    assert "  " not in html  # no space-aligned columns


def test_text_timeline_is_still_available_for_plain_text() -> None:
    custom = {
        "type": "schedule",
        "title": "時程",
        "items": [{"date": "2019-06-10", "label": "構想審查會", "state": "next"}],
    }
    assert "▶ 2019-06-10  構想審查會  ← 下一步" in render_telegram.schedule_text_timeline(custom)
