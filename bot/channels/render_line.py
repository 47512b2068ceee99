"""Render the engine's Rasa-style responses as LINE message objects (dicts), within LINE's limits.

- ``text`` → text messages, split at 5,000 UTF-16 units; short neighbouring texts are joined so a
  reply uses at most 5 messages (the rest is cut with a note: LINE allows 5 per request).
- ``buttons`` → quick reply items on the *last* message (LINE shows quick replies only there):
  at most 13, labels cut to 20 characters, postback actions whose ``data`` is the button's
  ``/intent{...}`` payload (≤ 300 characters; longer payloads are dropped and logged) and whose
  ``displayText`` shows the user's choice in the chat.
- ``custom`` with ``type: schedule`` (shape in ``docs/CONTRACTS.md``) → a Flex timeline (one
  bubble, or a carousel of ≤ 12 bubbles of ≤ 10 rows); ``custom`` with ``line`` → that LINE
  message object as is; other ``custom`` payloads are ignored.
- ``image`` (https only) → an image message.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.channels._split import split_text, utf16_units
from bot.channels.texts import schedule_text

log = logging.getLogger(__name__)

MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_DATA = 300
MAX_BUBBLES = 12
ROWS_PER_BUBBLE = 10
MAX_ALT_TEXT = 400  # LINE allows 1,500; a notification preview shows far less


def render(responses: list[dict[str, Any]], language: str | None = None) -> list[dict[str, Any]]:
    """Return 1–5 LINE message objects for ``responses`` (empty list when nothing to send)."""
    messages: list[dict[str, Any]] = []
    texts: list[str] = []
    buttons: list[dict[str, Any]] = []
    for response in responses:
        if response.get("text"):
            texts.append(str(response["text"]))
        buttons.extend(response.get("buttons") or [])
        special = _special(response, language)
        if special is not None:
            messages.extend(_texts(texts))
            texts = []
            messages.append(special)
    messages.extend(_texts(texts))
    messages = _fit(messages)
    if messages and buttons:
        items = quick_reply_items(buttons)
        if items:
            messages[-1] = {**messages[-1], "quickReply": {"items": items}}
    return messages


def quick_reply_items(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quick reply items (postback actions) for Rasa buttons, within LINE's limits."""
    items: list[dict[str, Any]] = []
    for button in buttons:
        title, payload = str(button.get("title", "")).strip(), str(button.get("payload", ""))
        if not title or not payload or len(payload) > MAX_DATA:
            log.warning("LINE: dropping a button that doesn't fit (payload %d chars)", len(payload))
            continue
        action = {
            "type": "postback",
            "label": label(title),
            "data": payload,
            "displayText": title[:MAX_DATA],
        }
        items.append({"type": "action", "action": action})
    if len(items) > MAX_QUICK_REPLIES:
        log.warning("LINE: %d buttons, keeping the first %d", len(items), MAX_QUICK_REPLIES)
    return items[:MAX_QUICK_REPLIES]


def label(title: str, limit: int = MAX_LABEL) -> str:
    """``title`` cut to ``limit`` characters with an ellipsis."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _texts(texts: list[str]) -> list[dict[str, Any]]:
    """Text messages for ``texts``: long ones split, short neighbours joined."""
    pieces = [p for t in texts for p in split_text(t, MAX_TEXT, utf16_units)]
    joined: list[str] = []
    for piece in pieces:
        if joined and utf16_units(joined[-1]) + 2 + utf16_units(piece) <= MAX_TEXT:
            joined[-1] = f"{joined[-1]}\n\n{piece}"
        else:
            joined.append(piece)
    return [{"type": "text", "text": p} for p in joined]


def _fit(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most 5 messages: the 5th text gets a cut marker when more would follow."""
    if len(messages) <= MAX_MESSAGES:
        return messages
    log.warning("LINE: %d messages rendered, sending the first %d", len(messages), MAX_MESSAGES)
    kept = messages[:MAX_MESSAGES]
    last = kept[-1]
    if last["type"] == "text":
        text = split_text(last["text"], MAX_TEXT - 2, utf16_units)[0]
        kept[-1] = {**last, "text": text + " …"}
    return kept


def _special(response: dict[str, Any], language: str | None) -> dict[str, Any] | None:
    custom = response.get("custom")
    if isinstance(custom, dict):
        if isinstance(custom.get("line"), dict):
            return dict(custom["line"])
        if custom.get("type") == "schedule":
            return schedule_flex(custom, language)
    image = response.get("image")
    if isinstance(image, str) and image.startswith("https://"):
        return {"type": "image", "originalContentUrl": image, "previewImageUrl": image}
    return None


def schedule_flex(schedule: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """A Flex message showing ``schedule`` (``title``, ``items[{date,label,detail,state}]``)."""
    title = str(schedule.get("title") or schedule_text("title", language))
    items = [i for i in schedule.get("items", []) if i.get("label")]
    chunks = [items[i : i + ROWS_PER_BUBBLE] for i in range(0, len(items), ROWS_PER_BUBBLE)]
    chunks = chunks[:MAX_BUBBLES] or [[]]
    bubbles = [_bubble(title, chunk, schedule.get("note"), language) for chunk in chunks]
    contents = bubbles[0] if len(bubbles) == 1 else {"type": "carousel", "contents": bubbles}
    return {"type": "flex", "altText": _alt_text(title, items, language), "contents": contents}


def _alt_text(title: str, items: list[dict[str, Any]], language: str | None) -> str:
    upcoming = next((i for i in items if i.get("state") == "next"), None)
    alt = title
    if upcoming:
        alt += (
            f" — {schedule_text('next', language)}: {upcoming.get('date', '')} {upcoming['label']}"
        )
    return alt[:MAX_ALT_TEXT]


def _bubble(
    title: str, items: list[dict[str, Any]], note: Any, language: str | None
) -> dict[str, Any]:
    rows = [_row(item) for item in items]
    body: list[dict[str, Any]] = rows or [{"type": "text", "text": "—", "color": "#888888"}]
    bubble: dict[str, Any] = {
        "type": "bubble",
        "size": "mega",
        "header": {
            "type": "box",
            "layout": "vertical",
            "backgroundColor": "#1E4E8C",
            "contents": [
                {"type": "text", "text": title, "weight": "bold", "color": "#FFFFFF", "wrap": True}
            ],
        },
        "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": body},
    }
    if note:
        bubble["footer"] = {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": str(note), "size": "xs", "wrap": True}],
        }
    return bubble


_COLORS = {"past": "#AAAAAA", "next": "#D0342C", "upcoming": "#333333"}


def _row(item: dict[str, Any]) -> dict[str, Any]:
    state = str(item.get("state", "upcoming"))
    color = _COLORS.get(state, _COLORS["upcoming"])
    right: list[dict[str, Any]] = [
        {
            "type": "text",
            "text": str(item["label"]),
            "wrap": True,
            "size": "sm",
            "color": color,
            "weight": "bold" if state == "next" else "regular",
        }
    ]
    if item.get("detail"):
        right.append(
            {
                "type": "text",
                "text": str(item["detail"]),
                "wrap": True,
                "size": "xs",
                "color": "#888888",
            }
        )
    return {
        "type": "box",
        "layout": "horizontal",
        "spacing": "md",
        "contents": [
            {
                "type": "text",
                "text": str(item.get("date") or "—"),
                "size": "sm",
                "flex": 3,
                "color": color,
            },
            {
                "type": "text",
                "text": "●" if state == "next" else "○",
                "size": "sm",
                "flex": 0,
                "color": color,
            },
            {"type": "box", "layout": "vertical", "flex": 7, "contents": right},
        ],
    }
