"""The challenge lifecycle: states, the transitions between them, and who may make them.

::

    draft ──submit──▶ submitted ──list (organisers)──▶ listed ──close (organisers)──▶ closed
                        │  ▲  │
          edit (org) ───┘  │  └──return "reason" (organisers)──▶ returned ──submit──▶ submitted
                           │                                       │
    submitted / returned ──withdraw (org, confirmed)──▶ withdrawn ◀─┘

- ``submitted`` and ``listed`` challenges count towards the organisation's limit (they hold a
  slot, see :mod:`db.challenges`); the other states release it.
- The organisation may edit and withdraw its challenge until it is listed; after that only the
  organisers change it.
- :data:`TRANSITIONS` is the whole table; :func:`allowed` / :func:`target` answer questions about
  it without a database, so chat forms, web pages and the CLI share one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["submit", "list", "return", "close", "withdraw", "edit"]

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft", "returned"}), "submitted"),
    "list": (frozenset({"submitted"}), "listed"),
    "return": (frozenset({"submitted"}), "returned"),
    "close": (frozenset({"listed"}), "closed"),
    "withdraw": (frozenset({"submitted", "returned"}), "withdrawn"),
    "edit": (frozenset({"draft", "submitted", "returned"}), ""),  # "": the state stays
}
ORGANISER_ACTIONS: frozenset[Action] = frozenset({"list", "return", "close"})
COUNTED = frozenset({"submitted", "listed"})  # states that hold an organisation slot
OPEN_TO_TEAMS = frozenset({"listed"})  # states teams may browse and apply to


@dataclass
class InvalidTransition(Exception):
    """``action`` is not allowed from ``status`` (the challenge ``reference``, if it has one)."""

    reference: str | None
    status: str
    action: str

    def __str__(self) -> str:
        return f"cannot {self.action} challenge {self.reference or '(draft)'} while {self.status}"


def allowed(status: str, action: Action) -> bool:
    """True when ``action`` may be taken on a challenge in ``status``."""
    return status in TRANSITIONS[action][0]


def target(status: str, action: Action, reference: str | None = None) -> str:
    """The state after ``action`` from ``status``; raises :class:`InvalidTransition`."""
    sources, after = TRANSITIONS[action]
    if status not in sources:
        raise InvalidTransition(reference, status, action)
    return after or status
