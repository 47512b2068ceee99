"""The console channel (``aigo chat``): a person at a terminal, or a pipe.

Replies are printed as text; buttons become numbered choices, and typing a choice's number sends
its payload. Reading stops at end of input (so ``echo 獎金多少 | aigo chat`` answers and exits).
The sender key is ``console:<name>``. With ``echo`` (a pipe), each input line is printed as
``> line`` before its replies, so the output reads as a transcript.
A schedule ``custom`` payload without text is printed as a text timeline; other custom payloads
are not shown (never as raw data).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, TextIO

from bot.channels.render_telegram import schedule_text_timeline
from bot.dialogue import Engine, UserMessage

CHANNEL = "console"
EXIT_WORDS = {"/quit", "/exit"}


class _Output(Protocol):
    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...


def render(replies: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Return the printable text of ``replies`` and the payloads of their numbered choices."""
    lines: list[str] = []
    payloads: list[str] = []
    for reply in replies:
        if reply.get("text"):
            lines.append(str(reply["text"]))
        if reply.get("image"):
            lines.append(f"[image] {reply['image']}")
        custom = reply.get("custom")
        if not reply.get("text") and isinstance(custom, dict) and custom.get("type") == "schedule":
            lines.append(schedule_text_timeline(custom, custom.get("language")))
        for button in reply.get("buttons") or []:
            payloads.append(str(button.get("payload", "")))
            lines.append(f"  {len(payloads)}) {button.get('title', '')}")
    return "\n".join(lines), payloads


def choose(line: str, payloads: list[str]) -> str:
    """Turn a typed choice number into its payload; any other text is returned unchanged."""
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(payloads):
        return payloads[int(stripped) - 1]
    return line


async def run_console(
    engine: Engine,
    *,
    sender: str,
    stdin: TextIO,
    stdout: _Output,
    prompt: bool,
    echo: bool = False,
) -> int:
    """Converse until end of input or ``/quit``; return the exit code (0)."""
    payloads: list[str] = []
    while True:
        if prompt:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip() in EXIT_WORDS:
            return 0
        if not line.strip():
            continue
        if echo:
            stdout.write(f"> {line.strip()}\n")
        text = choose(line.rstrip("\n"), payloads)
        replies = await engine.handle(UserMessage(f"{CHANNEL}:{sender}", text, CHANNEL, {}))
        shown, payloads = render(replies)
        stdout.write(shown + "\n")
        stdout.flush()
