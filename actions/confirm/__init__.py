"""Confirmation of destructive actions and clarification of guesses (docs/CONTRACTS.md)."""

from actions.confirm.clarify import ActionClarifyIntent, needs_clarifying, state_changing_intents
from actions.confirm.confirmed import (
    PENDING_SLOT,
    ActionResolvePending,
    Ask,
    ConfirmedAction,
    Request,
    button,
    pending,
    still_open,
)

__all__ = [
    "PENDING_SLOT",
    "ActionClarifyIntent",
    "ActionResolvePending",
    "Ask",
    "ConfirmedAction",
    "Request",
    "button",
    "needs_clarifying",
    "pending",
    "state_changing_intents",
    "still_open",
]
