"""The privacy texts (``texts.yml``, edited by organisers) and how a user's data reads."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import knowledge
from actions._hant import to_traditional

TEXTS_PATH = Path(__file__).with_name("texts.yml")


@cache
def _texts() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = yaml.load(
        TEXTS_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    return loaded


def text(lang: str, key: str, **values: Any) -> str:
    """The text ``key`` (dotted) in ``lang``, filled with ``values`` and the office's contact."""
    node: Any = _texts()[lang]
    for part in key.split("."):
        node = node[part]
    c = knowledge.load().contacts
    return str(node).format(email=c.email, phone=c.phone, ext=c.phone_extension, **values)


def asked_point(message: str) -> str | None:
    """The ``lead_*`` text key for a question about one point of the notice, or None."""
    normal = to_traditional(unicodedata.normalize("NFKC", message))
    patterns: dict[str, str] = _texts().get("leads", {})
    for point, pattern in patterns.items():
        if re.search(pattern, normal, re.IGNORECASE):
            return f"lead_{point}"
    return None


def _label(lang: str, group: str, value: Any) -> str:
    if value is None:
        return text(lang, "none")
    labels: dict[str, str] = _texts()[lang].get(group, {})
    return labels.get(str(value), str(value))


def held_lines(data: dict[str, Any], lang: str) -> list[str]:
    """One line per kind of data held (:func:`db.privacy.personal_data`); empty when none."""
    lines: list[str] = []
    if data.get("name"):
        lines.append(text(lang, "held_name", value=data["name"]))
    if profile := data.get("profile"):
        lines.append(
            text(
                lang,
                "held_profile",
                age=_label(lang, "", profile["age"]),
                birth_date=_label(lang, "", profile["birth_date"]),
                nationality=_label(lang, "nationality", profile["nationality"]),
                expertise=_label(lang, "expertise", profile["expertise"]),
            )
        )
    if team := data.get("team"):
        lines.append(
            text(lang, "held_team", name=team["name"], role=_label(lang, "roles", team["role"]))
        )
    for org in data.get("organisations") or []:
        shown = {k: _label(lang, "", v) for k, v in org.items()}
        lines.append(text(lang, "held_org", **shown))
    if data.get("challenges"):
        lines.append(text(lang, "held_challenges", refs=", ".join(data["challenges"])))
    return lines


def what(lang: str, keys: list[str], count: int = 0) -> str:
    """The names of ``keys`` (``what.*``) joined as a list."""
    return text(lang, "list_sep").join(text(lang, f"what.{k}", count=count) for k in keys)
