"""Render the engine's Rasa-style responses as Telegram messages, within Telegram's limits.

- ``text`` → plain-text messages (no ``parse_mode``, so nothing needs escaping), split at 4,096
  characters at paragraph/line/word boundaries.
- ``buttons`` → an inline keyboard on the last message of that response (one button per row,
  two per row when all titles are short). ``callback_data`` is the button's ``/intent{...}``
  payload when it fits in 64 bytes, else the short reference the caller stored for it
  (:func:`long_payloads` lists the payloads that need one; ``refs`` maps them).
- ``custom`` with ``type: schedule`` → an HTML list (``parse_mode="HTML"``, text escaped): the
  reply's first line in bold, then the round's milestones not yet over (the next one bold);
  other ``custom`` payloads are ignored.
- A response with buttons but no text gets a short "please choose" line (Telegram needs text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels._split import split_text
from bot.channels.texts import schedule_text, text

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
SHORT_TITLE = 12


@dataclass(frozen=True)
class OutgoingText:
    """One Telegram message to send."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    parse_mode: str | None = None


def fits_callback(payload: str) -> bool:
    """True when ``payload`` can be sent as ``callback_data`` directly."""
    return 1 <= len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES


def long_payloads(responses: list[dict[str, Any]]) -> list[str]:
    """Button payloads in ``responses`` longer than 64 bytes (they need a stored reference)."""
    return [
        str(b["payload"])
        for r in responses
        for b in r.get("buttons") or []
        if b.get("payload") and not fits_callback(str(b["payload"]))
    ]


def render(
    responses: list[dict[str, Any]],
    language: str | None = None,
    refs: Mapping[str, str] | None = None,
) -> list[OutgoingText]:
    """Return the Telegram messages for ``responses``, in order."""
    out: list[OutgoingText] = []
    for response in responses:
        body = str(response.get("text") or "")
        custom = response.get("custom")
        markup = keyboard(response.get("buttons") or [], refs or {})
        if isinstance(custom, dict) and custom.get("type") == "schedule":
            html = schedule_html(custom, body, language)
            if len(html) <= MAX_TEXT:
                out.append(OutgoingText(html, markup, "HTML"))
                continue
            body = "\n\n".join(p for p in (body, schedule_text_timeline(custom, language)) if p)
        if not body and markup is None:
            continue
        pieces = split_text(body, MAX_TEXT) or [text("choose", language)]
        out.extend(OutgoingText(p) for p in pieces[:-1])
        out.append(OutgoingText(pieces[-1], markup))
    return out


def schedule_html(schedule: dict[str, Any], lead: str, language: str | None = None) -> str:
    """A schedule for a phone: the reply's first line in bold, then the round's milestones that
    are not over (the next one bold), one short line each; HTML-escaped."""
    first = lead.strip().splitlines()[0] if lead.strip() else ""
    title = str(schedule.get("title") or schedule_text("title", language))
    lines = [f"<b>{escape(first)}</b>", ""] if first else []
    lines.append(f"<u>{escape(title)}</u>")
    for item in schedule.get("items", []):
        if not item.get("label") or item.get("state") == "past":
            continue
        row = f"• {escape(str(item.get('date') or '—'))} {escape(str(item['label']))}"
        lines.append(f"<b>{row}</b>" if item.get("state") == "next" else row)
    return "\n".join(lines)


def keyboard(buttons: list[dict[str, Any]], refs: Mapping[str, str]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for Rasa ``buttons`` (None when there are none usable)."""
    usable: list[InlineKeyboardButton] = []
    for button in buttons:
        title, payload = str(button.get("title", "")).strip(), str(button.get("payload", ""))
        data = payload if fits_callback(payload) else refs.get(payload)
        if title and data:
            usable.append(InlineKeyboardButton(title[:64], callback_data=data))
    if not usable:
        return None
    per_row = 2 if all(len(b.text) <= SHORT_TITLE for b in usable) else 1
    rows = [usable[i : i + per_row] for i in range(0, len(usable), per_row)]
    return InlineKeyboardMarkup(rows)


def schedule_text_timeline(schedule: dict[str, Any], language: str | None = None) -> str:
    """A plain-text timeline of a ``custom: {type: schedule}`` payload."""
    lines = [str(schedule.get("title") or schedule_text("title", language))]
    for item in schedule.get("items", []):
        if not item.get("label"):
            continue
        state = item.get("state", "upcoming")
        mark = "▶" if state == "next" else ("✓" if state == "past" else "•")
        line = f"{mark} {item.get('date') or '—'}  {item['label']}"
        if item.get("detail"):
            line += f"（{item['detail']}）" if language != "en" else f" ({item['detail']})"
        if state == "next":
            line += f"  ← {schedule_text('next', language)}"
        lines.append(line)
    if schedule.get("note"):
        lines.append(str(schedule["note"]))
    return "\n".join(lines)
