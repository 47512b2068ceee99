"""Runs one action by name and applies what it returns.

Built-in actions: ``utter_*`` (a domain response), ``action_listen``, ``action_deactivate_loop``,
``action_restart``. Every other name is a ``rasa_sdk`` action, run in-process through
``rasa_sdk.executor.ActionExecutor`` (the same code path ``python -m rasa_sdk --actions actions``
serves over HTTP) with a real ``Tracker`` built from the snapshot. Its events are applied to the
state; its dispatcher messages are rendered (``response=`` names are looked up in the domain with
the current slots, so the user's language applies) and recorded as ``bot`` events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import __version__ as RASA_SDK_VERSION
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection

from bot.dialogue.domain import REQUESTED_SLOT, Domain
from bot.dialogue.state import DialogueState

log = logging.getLogger(__name__)

BUILTIN_ACTIONS = frozenset({"action_listen", "action_deactivate_loop", "action_restart"})
_MESSAGE_KEYS = ("text", "buttons", "image", "custom", "attachment", "elements")


@dataclass
class ActionResult:
    """What running an action produced: follow-up action names and whether it was rejected."""

    followups: list[str] = field(default_factory=list)
    rejected: bool = False


class ActionRunner:
    """Executes actions against a :class:`DialogueState`, collecting responses in ``responses``."""

    def __init__(self, domain: Domain, executor: ActionExecutor) -> None:
        self.domain = domain
        self.executor = executor

    def is_custom(self, name: str) -> bool:
        """True when a ``rasa_sdk`` action called ``name`` is registered."""
        return name in self.executor.actions

    def exists(self, name: str) -> bool:
        """True when ``name`` can be run (response, built-in or registered action)."""
        return name in self.domain.responses or name in BUILTIN_ACTIONS or self.is_custom(name)

    def utter(self, state: DialogueState, out: list[dict[str, Any]], name: str) -> None:
        """Append the domain response ``name`` to ``out`` (no-op when it is not defined)."""
        message = self.domain.render(name, state.slots)
        if message:
            self._emit(state, out, message)

    async def run(
        self,
        name: str,
        state: DialogueState,
        out: list[dict[str, Any]],
        extra_events: list[dict[str, Any]] | None = None,
    ) -> ActionResult:
        """Run action ``name``; append its replies to ``out`` and apply its events to ``state``.

        The ``action`` event is recorded before the action's own events, as in Rasa; a custom
        action's tracker does not contain it (so ``slots_to_validate`` sees the slot candidates).
        """
        if self.is_custom(name):
            return await self._run_custom(name, state, out, extra_events)
        state.apply({"event": "action", "name": name}, self.domain)
        if name.startswith("utter_") and name in self.domain.responses:
            self.utter(state, out, name)
            return ActionResult()
        if name == "action_listen":
            return ActionResult()
        if name == "action_deactivate_loop":
            state.apply({"event": "active_loop", "name": None}, self.domain)
            state.set_slot(REQUESTED_SLOT, None, self.domain)
            return ActionResult()
        if name == "action_restart":
            state.apply({"event": "restart"}, self.domain)
        elif name not in BUILTIN_ACTIONS and name not in self.domain.responses:
            log.warning("action %r is neither a response, a built-in nor registered", name)
        return ActionResult()

    async def _run_custom(
        self,
        name: str,
        state: DialogueState,
        out: list[dict[str, Any]],
        extra_events: list[dict[str, Any]] | None,
    ) -> ActionResult:
        call = {
            "next_action": name,
            "sender_id": state.sender_key,
            "tracker": state.tracker_dict(extra_events),
            "domain": self.domain.raw,
            "version": RASA_SDK_VERSION,  # the caller's version; the same pairing as rasa_sdk's
        }
        state.apply({"event": "action", "name": name}, self.domain)
        try:
            result = await self.executor.run(call)
        except ActionExecutionRejection:
            return ActionResult(rejected=True)
        if result is None:  # pragma: no cover - only when next_action is empty
            return ActionResult()
        for message in result.responses:
            self._emit(state, out, self._render(message, state))
        followups = []
        for event in result.events:
            if event.get("event") == "followup":
                followups.append(str(event["name"]))
            else:
                state.apply(dict(event), self.domain)
        return ActionResult(followups=followups)

    def _render(self, message: dict[str, Any], state: DialogueState) -> dict[str, Any]:
        rendered: dict[str, Any] = {}
        response = message.get("response") or message.get("template")
        if response:
            extras = {
                k: v
                for k, v in message.items()
                if k not in _MESSAGE_KEYS and k not in {"response", "template"}
            }
            rendered = self.domain.render(str(response), state.slots, **extras) or {}
        for key in _MESSAGE_KEYS:
            if message.get(key):
                rendered[key] = message[key]
        return rendered

    def _emit(
        self, state: DialogueState, out: list[dict[str, Any]], message: dict[str, Any]
    ) -> None:
        message = {k: v for k, v in message.items() if v not in (None, "", [], {})}
        if not message:
            return
        out.append(message)
        data = {k: v for k, v in message.items() if k != "text"}
        state.apply({"event": "bot", "text": message.get("text"), "data": data}, self.domain)
