"""A small runner for YAML conversation tests (``tests/conversations/*.yml``).

File format::

    conversations:
      - name: greet then help (zh-TW)
        sender: alice                  # optional; default: the conversation name
        now: 2019-07-10T10:00:00+08:00  # optional; default: the fixture's frozen clock
        turns:
          - user: 你好
            expect:                    # every key optional; all listed facts must hold
              contains: [AIGO 小幫手]   # substrings of the joined reply texts
              not_contains: [Sorry]
              regex: ['\\d+ 天']
              buttons: [/ask_schedule]  # payloads that must appear among the buttons
              no_buttons: [/post_challenge]  # payload prefixes no button may have
              replies: 1               # exact number of reply messages
              max_lines: 8             # the joined reply texts fit a phone screen
          - restart: true              # new service over the same database (process restart)
          - user: 我有邀請碼 ${code}      # ${name}: a value captured by an earlier turn
            sender: bob                # optional: this turn comes from another sender
            expect:
              capture: {code: '([A-Z2-9]{4}-[A-Z2-9]{4})'}   # group 1 (else the match) → ${code}
              outbox: [已通過審查]       # notices queued for this turn's sender (LINE/Telegram)
          - cli: challenges review ${ref} --list   # an organiser runs ``aigo`` on the same DB
            expect: {output: [listed], outbox: [已通過審查]}   # stdout; exit code 0 required

Each user turn is POSTed to ``/webhooks/rest/webhook`` of a real app; with ``channel: line`` or
``channel: telegram`` on the conversation, its senders are that platform's users instead (the turn
goes to the engine as that channel's message, so notices reach them through the outbox; the
platform adapters have their own tests). Failures name the file, conversation and turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

CONVERSATIONS_DIR = Path(__file__).resolve().parents[1] / "conversations"


@dataclass(frozen=True)
class Conversation:
    """One scripted conversation from a YAML file."""

    file: str
    name: str
    sender: str
    turns: list[dict[str, Any]]
    now: datetime | None = None
    channel: str = "rest"

    @property
    def id(self) -> str:
        """A pytest id."""
        return f"{self.file}:{self.name}"


def load_conversations(directory: Path = CONVERSATIONS_DIR) -> list[Conversation]:
    """Every conversation of every ``*.yml`` file in ``directory``, in file order."""
    found = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("conversations") or []:
            name = str(item["name"])
            sender = str(item.get("sender") or re.sub(r"\W+", "-", name))
            now = item.get("now")
            when = datetime.fromisoformat(str(now)) if now else None
            channel = str(item.get("channel") or "rest")
            turns = list(item["turns"])
            found.append(Conversation(path.name, name, sender, turns, when, channel))
    return found


_VARIABLE = re.compile(r"\$\{(\w+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``${name}`` replaced by its captured value (unknown names fail)."""
    return _VARIABLE.sub(lambda m: values[m.group(1)], text)


def capture(turn: dict[str, Any], replies: list[dict[str, Any]], values: dict[str, str]) -> None:
    """Store the turn's ``expect.capture`` patterns (group 1, else the match) into ``values``."""
    text = "\n".join(str(r.get("text", "")) for r in replies)
    for name, pattern in ((turn.get("expect") or {}).get("capture") or {}).items():
        found = re.search(str(pattern), text)
        assert found, f"user {turn.get('user')!r} got {text!r}; nothing to capture as {name}"
        values[str(name)] = found.group(1) if found.re.groups else found.group(0)


def check_turn(turn: dict[str, Any], replies: list[dict[str, Any]], where: str) -> None:
    """Assert every expected fact of ``turn`` on ``replies``; the message names ``where``."""
    expect = turn.get("expect") or {}
    text = "\n".join(str(r.get("text", "")) for r in replies)
    payloads = [b.get("payload") for r in replies for b in r.get("buttons") or []]
    shown = f"{where}: user {turn.get('user')!r} got {text!r} buttons {payloads}"
    for fragment in expect.get("contains") or []:
        assert str(fragment) in text, f"{shown}; expected to contain {fragment!r}"
    for fragment in expect.get("not_contains") or []:
        assert str(fragment) not in text, f"{shown}; expected not to contain {fragment!r}"
    for pattern in expect.get("regex") or []:
        assert re.search(str(pattern), text), f"{shown}; expected to match {pattern!r}"
    for payload in expect.get("buttons") or []:
        assert payload in payloads, f"{shown}; expected a button {payload!r}"
    for prefix in expect.get("no_buttons") or []:
        assert not any(str(p).startswith(prefix) for p in payloads), f"{shown}; a {prefix!r} button"
    if "max_lines" in expect:
        lines = len([line for line in text.splitlines() if line.strip()])
        assert lines <= int(expect["max_lines"]), f"{shown}; {lines} lines"
    if "replies" in expect:
        assert len(replies) == expect["replies"], f"{shown}; expected {expect['replies']} replies"


def count_turns(conversations: list[Conversation]) -> int:
    """How many user turns the conversations hold."""
    return sum(1 for c in conversations for t in c.turns if "user" in t)


def check_output(turn: dict[str, Any], code: int, output: str, where: str) -> None:
    """A ``cli`` turn: exit code 0 and every ``expect.output`` fragment in its stdout."""
    shown = f"{where}: aigo {turn.get('cli')!r} exited {code} with {output!r}"
    assert code == 0, shown
    for fragment in (turn.get("expect") or {}).get("output") or []:
        assert str(fragment) in output, f"{shown}; expected to contain {fragment!r}"


def check_outbox(turn: dict[str, Any], queued: list[str], where: str) -> None:
    """Every ``expect.outbox`` fragment is in a notice queued for the turn's sender."""
    for fragment in (turn.get("expect") or {}).get("outbox") or []:
        assert any(str(fragment) in text for text in queued), (
            f"{where}: no notice with {fragment!r} queued; the outbox holds {queued!r}"
        )
