"""The Rasa 3 domain (``bot/domain.yml``): intents, entities, slots, responses, forms, actions.

Only keys Rasa 3 accepts are read. :class:`Domain` also renders a named response the way Rasa's
``TemplatedNaturalLanguageGenerator`` does: among the variations whose ``condition`` (slot
conditions) all hold, the first one wins; otherwise the first variation without a condition.
Unlike Rasa (which picks a random variation) the choice is deterministic, so tests can pin replies.
``{name}`` placeholders are filled from the slots and the keyword arguments of the utterance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader when PyYAML has it (10x faster start-up than the pure-Python one).
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REQUESTED_SLOT = "requested_slot"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_RESPONSE_KEYS = ("text", "buttons", "image", "custom", "attachment", "elements", "quick_replies")


class DomainError(ValueError):
    """``bot/domain.yml`` or ``bot/rules.yml`` is malformed; the message names the file and key."""


@dataclass(frozen=True)
class SlotMapping:
    """One Rasa slot mapping (``type`` from_entity / from_text / from_intent / custom)."""

    type: str
    entity: str | None = None
    role: str | None = None
    group: str | None = None
    value: Any = None
    intent: tuple[str, ...] = ()
    not_intent: tuple[str, ...] = ()
    conditions: tuple[tuple[str | None, str | None], ...] = ()  # (active_loop, requested_slot)


@dataclass(frozen=True)
class Slot:
    """A slot: its Rasa ``type``, ``initial_value`` and mappings."""

    name: str
    type: str
    initial_value: Any = None
    mappings: tuple[SlotMapping, ...] = ()


@dataclass(frozen=True)
class Domain:
    """The loaded domain. ``raw`` is the dict handed to ``rasa_sdk`` actions as ``domain``."""

    raw: dict[str, Any]
    intents: frozenset[str]
    entities: frozenset[str]
    slots: dict[str, Slot]
    responses: dict[str, list[dict[str, Any]]]
    forms: dict[str, list[str]]
    actions: frozenset[str] = field(default_factory=frozenset)

    def initial_slots(self) -> dict[str, Any]:
        """Return every slot at its ``initial_value`` (plus ``requested_slot`` = None)."""
        values = {name: slot.initial_value for name, slot in self.slots.items()}
        values.setdefault(REQUESTED_SLOT, None)
        return values

    def render(self, name: str, slots: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        """Return the response ``name`` as one message dict, or None when it is not defined."""
        variations = self.responses.get(name)
        if not variations:
            return None
        chosen = _choose(variations, slots)
        values = {**{k: v for k, v in slots.items() if v is not None}, **kwargs}
        message: dict[str, Any] = {}
        for key in _RESPONSE_KEYS:
            if chosen.get(key) is not None:
                message[key] = _fill(chosen[key], values)
        return message


def _choose(variations: list[dict[str, Any]], slots: dict[str, Any]) -> dict[str, Any]:
    unconditioned = None
    for variation in variations:
        conditions = variation.get("condition")
        if not conditions:
            unconditioned = unconditioned or variation
        elif all(slots.get(c.get("name")) == c.get("value") for c in conditions):
            return variation
    return unconditioned or variations[0]


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def _names(items: list[Any] | None) -> frozenset[str]:
    names: set[str] = set()
    for item in items or []:
        names.add(next(iter(item)) if isinstance(item, dict) else str(item))
    return frozenset(names)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (str(value),)


def _mapping(raw: dict[str, Any], where: str) -> SlotMapping:
    kind = raw.get("type")
    if kind not in {"from_entity", "from_text", "from_intent", "from_trigger_intent", "custom"}:
        raise DomainError(f"{where}: unknown slot mapping type {kind!r}")
    conditions = tuple(
        (c.get("active_loop"), c.get("requested_slot")) for c in raw.get("conditions") or []
    )
    return SlotMapping(
        type=kind,
        entity=raw.get("entity"),
        role=raw.get("role"),
        group=raw.get("group"),
        value=raw.get("value"),
        intent=_as_tuple(raw.get("intent")),
        not_intent=_as_tuple(raw.get("not_intent")),
        conditions=conditions,
    )


def _slots(raw: dict[str, Any], path: Path) -> dict[str, Slot]:
    slots = {}
    for name, spec in (raw or {}).items():
        if not isinstance(spec, dict) or "type" not in spec:
            raise DomainError(f"{path}: slot {name!r} needs a 'type'")
        mappings = tuple(_mapping(m, f"{path}: slot {name!r}") for m in spec.get("mappings") or [])
        slots[name] = Slot(name, spec["type"], spec.get("initial_value"), mappings)
    return slots


def parse_domain(raw: dict[str, Any], path: Path) -> Domain:
    """Build a :class:`Domain` from the parsed YAML ``raw`` (``path`` only names errors)."""
    responses = raw.get("responses") or {}
    for name, variations in responses.items():
        if not isinstance(variations, list) or not all(isinstance(v, dict) for v in variations):
            raise DomainError(f"{path}: response {name!r} must be a list of variations")
    forms = {
        name: list((spec or {}).get("required_slots") or [])
        for name, spec in (raw.get("forms") or {}).items()
    }
    slots = _slots(raw.get("slots") or {}, path)
    for form, required in forms.items():
        missing = [s for s in required if s not in slots]
        if missing:
            raise DomainError(f"{path}: form {form!r} requires undeclared slots {missing}")
    return Domain(
        raw=raw,
        intents=_names(raw.get("intents")),
        entities=_names(raw.get("entities")),
        slots=slots,
        responses=responses,
        forms=forms,
        actions=frozenset(raw.get("actions") or []),
    )


def load_domain(path: Path) -> Domain:
    """Load ``path`` (Rasa 3 domain YAML); raise :class:`DomainError` naming the file on error."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DomainError(f"{path}: cannot read domain: {exc}") from exc
    if not isinstance(raw, dict):
        raise DomainError(f"{path}: the domain must be a mapping")
    return parse_domain(raw, path)
