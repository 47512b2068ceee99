"""Confirmation of destructive actions and clarification of guesses (docs/CONTRACTS.md)."""

from actions.confirm.choice import CHOICE_SLOT, offered, pick
from actions.confirm.clarify import ActionClarifyIntent, needs_clarifying, state_changing_intents
from actions.confirm.confirmed import (
    PENDING_SLOT,
    ActionResolvePending,
    Ask,
    ConfirmedAction,
    Request,
    about_pending,
    button,
    pending,
    still_open,
)

__all__ = [
    "CHOICE_SLOT",
    "PENDING_SLOT",
    "ActionClarifyIntent",
    "ActionResolvePending",
    "Ask",
    "ConfirmedAction",
    "Request",
    "about_pending",
    "button",
    "needs_clarifying",
    "offered",
    "pending",
    "pick",
    "state_changing_intents",
    "still_open",
]
