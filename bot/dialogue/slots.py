"""Slot mappings (Rasa 3 ``action_extract_slots``): which slots a user message fills.

A mapping applies when its ``conditions`` hold (any one of them: ``active_loop`` is the active form
and, if given, ``requested_slot`` is the slot being asked) and the message's intent passes the
mapping's ``intent`` / ``not_intent`` filter. Then:

- ``from_entity``: the value of the first entity named ``entity`` (and ``role``/``group`` if given);
  list slots take every value.
- ``from_intent``: ``value`` when the intent matches.
- ``from_text``: the message text.
- ``custom`` / ``from_trigger_intent``: left to actions (``extract_<slot>`` in a form validator).

The first applicable mapping with a value wins for each slot.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.domain import Domain, Slot, SlotMapping


def _conditions_hold(mapping: SlotMapping, active_loop: str | None, requested: str | None) -> bool:
    if not mapping.conditions:
        return True
    return any(
        loop == active_loop and (slot is None or slot == requested)
        for loop, slot in mapping.conditions
    )


def _intent_passes(mapping: SlotMapping, intent: str | None, relaxed: bool) -> bool:
    if relaxed and mapping.type == "from_text":
        return True
    if mapping.intent and intent not in mapping.intent and "None" not in mapping.intent:
        return False
    return not (mapping.not_intent and intent in mapping.not_intent)


def _entity_value(slot: Slot, mapping: SlotMapping, entities: list[dict[str, Any]]) -> Any:
    values = [
        e.get("value")
        for e in entities
        if e.get("entity") == mapping.entity
        and (mapping.role is None or e.get("role") == mapping.role)
        and (mapping.group is None or e.get("group") == mapping.group)
    ]
    if not values:
        return None
    return values if slot.type == "list" else values[0]


def _value(slot: Slot, mapping: SlotMapping, parse: dict[str, Any]) -> Any:
    if mapping.type == "from_entity":
        return _entity_value(slot, mapping, parse.get("entities") or [])
    if mapping.type == "from_intent":
        return mapping.value
    if mapping.type == "from_text":
        text = str(parse.get("text") or "").strip()
        return text or None
    return None


def extract_slots(
    domain: Domain,
    parse: dict[str, Any],
    active_loop: str | None,
    requested_slot: str | None,
    *,
    relaxed: bool = False,
) -> dict[str, Any]:
    """Return ``{slot: value}`` for every slot the message ``parse`` fills in this state.

    ``requested_slot`` only counts while ``active_loop`` is set, like Rasa's form conditions.
    ``relaxed`` ignores ``intent``/``not_intent`` on ``from_text`` mappings (used by the policy
    when the NLU is unsure, so a name like "王小明" is not lost to a weak intent guess).
    """
    intent = (parse.get("intent") or {}).get("name")
    requested = requested_slot if active_loop else None
    filled: dict[str, Any] = {}
    for slot in domain.slots.values():
        for mapping in slot.mappings:
            if not _conditions_hold(mapping, active_loop, requested):
                continue
            if not _intent_passes(mapping, intent, relaxed):
                continue
            value = _value(slot, mapping, parse)
            if value is not None:
                filled[slot.name] = value
                break
    return filled
