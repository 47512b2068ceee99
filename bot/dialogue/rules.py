"""Rasa 3 rules (``bot/rules.yml``) and how the engine picks one.

Two shapes of rule are understood (anything else is a :class:`DomainError` naming the rule):

- **Intent rules** start with ``- intent: X`` (or ``- or: [{intent: A}, {intent: B}]``), optionally
  with ``entities``; the following ``- action:`` steps run in order. ``- active_loop: F`` /
  ``- slot_was_set:`` steps after a form action are assertions Rasa uses for training and are
  skipped here.
- **Action rules** start with ``- action: A`` and run after action ``A`` finished: a form completing
  (``- action: F`` then ``- active_loop: null``) triggers its submit action, and a rule ending with
  ``wait_for_user_input: false`` continues with the action rule for its last action.

``condition`` supports ``- active_loop: F`` (``null`` = no form active) and
``- slot_was_set: [{slot: value}]`` (a bare slot name means "is set"). When several rules match, the
one with the most conditions wins; ties go to the first in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.dialogue.domain import YAML_LOADER, DomainError

_UNSET = object()
ANY_LOOP = "__any__"


@dataclass(frozen=True)
class Rule:
    """One rule: what triggers it, its conditions and the actions it runs."""

    name: str
    intents: tuple[str, ...]  # empty for action rules
    trigger_action: str | None
    entities: tuple[str, ...]
    active_loop: Any  # _UNSET: no condition; None: no form active; str: that form
    slot_conditions: tuple[tuple[str, Any], ...]
    actions: tuple[str, ...]
    wait_for_user_input: bool = True

    @property
    def specificity(self) -> int:
        """How many conditions the rule has (the more specific rule wins)."""
        loop = 0 if self.active_loop is _UNSET else 1
        return loop + len(self.slot_conditions) + len(self.entities)

    def conditions_hold(self, active_loop: str | None, slots: Mapping[str, Any]) -> bool:
        """True when the rule's ``condition`` list holds in this state."""
        if self.active_loop is not _UNSET and self.active_loop != active_loop:
            return False
        for name, value in self.slot_conditions:
            current = slots.get(name)
            if (value is _UNSET and current is None) or (value is not _UNSET and current != value):
                return False
        return True


@dataclass(frozen=True)
class RuleSet:
    """All rules, with lookups by trigger."""

    rules: tuple[Rule, ...]

    def for_intent(
        self,
        intent: str,
        entities: set[str],
        active_loop: str | None,
        slots: Mapping[str, Any],
    ) -> Rule | None:
        """Return the most specific intent rule for ``intent`` that holds, or None."""
        return _best(
            r
            for r in self.rules
            if intent in r.intents
            and set(r.entities) <= entities
            and r.conditions_hold(active_loop, slots)
        )

    def after_action(
        self, action: str, active_loop: str | None, slots: Mapping[str, Any]
    ) -> Rule | None:
        """Return the most specific action rule triggered by ``action`` finishing, or None."""
        return _best(
            r
            for r in self.rules
            if r.trigger_action == action and r.conditions_hold(active_loop, slots)
        )

    def intents(self) -> set[str]:
        """Every intent some rule reacts to."""
        return {i for r in self.rules for i in r.intents}


def _best(candidates: Any) -> Rule | None:
    best: Rule | None = None
    for rule in candidates:
        if best is None or rule.specificity > best.specificity:
            best = rule
    return best


def _conditions(raw: list[Any], where: str) -> tuple[Any, tuple[tuple[str, Any], ...]]:
    loop: Any = _UNSET
    slots: list[tuple[str, Any]] = []
    for item in raw or []:
        if "active_loop" in item:
            loop = item["active_loop"]
        elif "slot_was_set" in item:
            for slot in item["slot_was_set"]:
                if isinstance(slot, dict):
                    slots.extend(slot.items())
                else:
                    slots.append((str(slot), _UNSET))
        else:
            raise DomainError(f"{where}: unsupported condition {item!r}")
    return loop, tuple(slots)


def _trigger(first: dict[str, Any], where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if "intent" in first:
        entities = tuple(
            next(iter(e)) if isinstance(e, dict) else str(e) for e in first.get("entities") or []
        )
        return (str(first["intent"]),), entities
    if "or" in first and all("intent" in s for s in first["or"]):
        return tuple(str(s["intent"]) for s in first["or"]), ()
    raise DomainError(f"{where}: a rule must start with '- intent:', '- or:' or '- action:'")


def parse_rule(raw: dict[str, Any], path: Path) -> Rule:
    """Build one :class:`Rule` from its YAML mapping."""
    name = str(raw.get("rule", "<unnamed>"))
    where = f"{path}: rule {name!r}"
    steps = raw.get("steps") or []
    if not steps:
        raise DomainError(f"{where}: has no steps")
    loop, slot_conditions = _conditions(raw.get("condition") or [], where)
    trigger_action = None
    intents: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    if "action" in steps[0]:
        trigger_action = str(steps[0]["action"])
    else:
        intents, entities = _trigger(steps[0], where)
    actions = tuple(str(s["action"]) for s in steps[1:] if "action" in s)
    for step in steps[1:]:
        if not ({"action", "active_loop", "slot_was_set"} & set(step)):
            raise DomainError(f"{where}: unsupported step {step!r}")
    return Rule(
        name=name,
        intents=intents,
        trigger_action=trigger_action,
        entities=entities,
        active_loop=loop,
        slot_conditions=slot_conditions,
        actions=actions,
        wait_for_user_input=bool(raw.get("wait_for_user_input", True)),
    )


def load_rules(path: Path) -> RuleSet:
    """Load ``path`` (Rasa 3 rules YAML); raise :class:`DomainError` naming the file on error."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DomainError(f"{path}: cannot read rules: {exc}") from exc
    return RuleSet(tuple(parse_rule(r, path) for r in raw.get("rules") or []))
