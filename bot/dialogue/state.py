"""The tracker snapshot of one conversation and how Rasa events change it.

A turn loads one :class:`DialogueState` (a single row, never the whole history), applies the turn's
events with :meth:`DialogueState.apply`, and saves the snapshot plus the new events. ``window``
keeps only the most recent events, which is what actions see as ``tracker.events`` (followed by the
current turn's events), so loading cost stays flat however long a conversation grows. Bot events
in the window keep their text but not their rendering data (buttons, custom payloads), which is
most of their size and which no action reads; ``conversation_events`` keeps every event in full.
The snapshot is rewritten every turn, so its size is the turn's write cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.dialogue.domain import REQUESTED_SLOT, Domain

WINDOW = 40  # events kept in the snapshot for actions to look back on


@dataclass
class DialogueState:
    """Slots, active form, latest message and a recent-events window of one sender."""

    sender_key: str
    slots: dict[str, Any]
    active_loop: str | None = None
    latest_message: dict[str, Any] = field(default_factory=dict)
    latest_action_name: str | None = None
    window: list[dict[str, Any]] = field(default_factory=list)
    turn: int = 0
    new_events: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def fresh(cls, sender_key: str, domain: Domain) -> DialogueState:
        """A conversation that has not started yet."""
        return cls(sender_key=sender_key, slots=domain.initial_slots())

    @classmethod
    def from_snapshot(cls, sender_key: str, data: dict[str, Any], domain: Domain) -> DialogueState:
        """Rebuild from :meth:`snapshot` output (slots added to the domain since get defaults)."""
        slots = domain.initial_slots()
        slots.update({k: v for k, v in (data.get("slots") or {}).items() if k in slots})
        loop = data.get("active_loop")
        return cls(
            sender_key=sender_key,
            slots=slots,
            active_loop=loop if loop in domain.forms else None,
            latest_message=data.get("latest_message") or {},
            latest_action_name=data.get("latest_action_name"),
            window=list(data.get("window") or []),
            turn=int(data.get("turn", 0)),
        )

    def snapshot(self) -> dict[str, Any]:
        """The JSON-able snapshot stored in ``conversations.state``."""
        return {
            "slots": self.slots,
            "active_loop": self.active_loop,
            "latest_message": self.latest_message,
            "latest_action_name": self.latest_action_name,
            "window": [_lean(e) for e in (self.window + self.new_events)[-WINDOW:]],
            "turn": self.turn,
        }

    def apply(self, event: dict[str, Any], domain: Domain) -> None:
        """Apply one Rasa event to the snapshot and record it as part of this turn."""
        kind = event.get("event")
        if kind == "slot":
            self.slots[event["name"]] = event.get("value")
        elif kind == "active_loop":
            name = event.get("name")
            self.active_loop = name if name in domain.forms else None
        elif kind == "user":
            self.latest_message = event.get("parse_data") or {}
        elif kind == "action":
            self.latest_action_name = event.get("name")
        elif kind == "reset_slots":
            self.slots = domain.initial_slots() | {"language": self.slots.get("language")}
        elif kind == "restart":
            language = self.slots.get("language")
            self.slots = domain.initial_slots() | {"language": language}
            self.active_loop = None
            self.window = []
        self.new_events.append(event)

    def set_slot(self, name: str, value: Any, domain: Domain) -> None:
        """Shorthand for applying a ``slot`` event."""
        self.apply({"event": "slot", "name": name, "value": value}, domain)

    @property
    def requested_slot(self) -> str | None:
        """The slot the active form is asking for, if any."""
        value = self.slots.get(REQUESTED_SLOT)
        return str(value) if value else None

    def tracker_dict(self, extra_events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The ``tracker`` object of Rasa's action-server request for this state."""
        return {
            "sender_id": self.sender_key,
            "slots": dict(self.slots),
            "latest_message": self.latest_message,
            "events": self.window + self.new_events + (extra_events or []),
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": self.active_loop} if self.active_loop else {},
            "latest_action_name": self.latest_action_name,
            "latest_input_channel": self.latest_message.get("input_channel"),
        }


def _lean(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` as kept in the window: a bot event without its rendering ``data``."""
    if event.get("event") != "bot" or not event.get("data"):
        return event
    return {k: v for k, v in event.items() if k != "data"}
