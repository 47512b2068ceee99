"""The inbox of messages the bot did not understand, grouped by similarity, personal data masked.

A user message is *missed* when its turn was a fallback (``nlu_fallback``), an out-of-scope answer,
a low-confidence answer (below :data:`LOW_CONFIDENCE`), or a form that asked the same field again
- unless the message filled the field the form had asked for (a company name is not a miss). Button
payloads (``/intent``) never are. E-mail addresses and phone numbers are masked before anything
is grouped, shown or stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue import Parser
from nlu.normalize import to_traditional

LOW_CONFIDENCE = 0.5
SIMILAR = 0.5  # character-bigram Jaccard at which two messages share a group
MAX_GROUPS = 60
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+?\d[\d\s()-]{6,}\d)(?:\s*(?:#|轉|分機|ext\.?)\s*\d{1,6})?")
_NOT_WORD = re.compile(r"[\W_]+")


def mask(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by ``[email]`` / ``[phone]``."""
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


@dataclass
class Turn:
    """One user message and what its turn did."""

    text: str
    intent: str
    confidence: float
    filled: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)


@dataclass
class Group:
    """Similar missed messages; ``guesses`` are the model's three best intents for the first."""

    texts: list[str]
    reasons: set[str]
    count: int = 1
    guesses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The group's representative (its first message)."""
        return self.texts[0]


def turns(events: Iterable[tuple[str, int, dict[str, Any]]]) -> list[tuple[str, Turn, str | None]]:
    """``(sender, turn, field asked before it)`` per user message, in order."""
    found: list[tuple[str, Turn, str | None]] = []
    current: dict[tuple[str, int], Turn] = {}
    asked_last: dict[str, str | None] = {}
    for sender, number, event in events:
        kind = event.get("event")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            turn = Turn(str(event.get("text") or ""), str(intent.get("name") or ""),
                        float(intent.get("confidence") or 0.0))  # fmt: skip
            current[(sender, number)] = turn
            found.append((sender, turn, asked_last.get(sender)))
        elif kind == "slot" and (open_turn := current.get((sender, number))) is not None:
            if event.get("name") == "requested_slot":
                open_turn.asked.append(str(event.get("value") or ""))
                asked_last[sender] = event.get("value")
            elif event.get("value") is not None:
                open_turn.filled.add(str(event.get("name")))
    return found


def reason(turn: Turn, asked_before: str | None) -> str | None:
    """Why ``turn`` is a miss (``fallback``, ``out_of_scope``, ``low_confidence``, ``reask``)."""
    if turn.text.startswith("/") or not turn.text.strip() or asked_before in turn.filled:
        return None
    if turn.intent == "nlu_fallback":
        return "fallback"
    if turn.intent == "out_of_scope":
        return "out_of_scope"
    if turn.confidence < LOW_CONFIDENCE:
        return "low_confidence"
    if asked_before and turn.asked and turn.asked[-1] == asked_before:
        return "reask"
    return None


def _bigrams(text: str) -> set[str]:
    plain = _NOT_WORD.sub("", to_traditional(text).lower())
    return {plain[i : i + 2] for i in range(len(plain) - 1)} or {plain}


def group(
    events: Iterable[tuple[str, int, dict[str, Any]]], reviewed: set[str], model: Parser
) -> list[Group]:
    """The missed messages not yet reviewed, grouped by similarity, largest groups first."""
    groups: list[tuple[set[str], Group]] = []
    for _sender, turn, asked_before in turns(events):
        why = reason(turn, asked_before)
        text = mask(turn.text.strip())[:500]
        if why is None or text in reviewed:
            continue
        grams = _bigrams(text)
        for shape, existing in groups:
            if len(grams & shape) / max(len(grams | shape), 1) >= SIMILAR:
                existing.count += 1
                existing.reasons.add(why)
                if text not in existing.texts and len(existing.texts) < 5:
                    existing.texts.append(text)
                break
        else:
            groups.append((grams, Group([text], {why})))
    ranked = sorted((g for _, g in groups), key=lambda g: -g.count)[:MAX_GROUPS]
    for g in ranked:
        ranking = model.parse(g.text).get("intent_ranking", [])
        g.guesses = [r for r in ranking if r["name"] != "nlu_fallback"][:3]
    return ranked
