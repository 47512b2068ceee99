"""Texts files beside the actions: ``{zh-TW: {key: text}, en: {key: text}, <other data>…}``.

Each module that speaks makes one :class:`Texts` for its file and uses :meth:`Texts.say`; other
top-level entries of the file (word lists, settings) are in :attr:`Texts.data`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import yaml


class Texts:
    """One texts file, read once on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @cached_property
    def data(self) -> dict[str, Any]:
        """The whole file as loaded."""
        loaded: dict[str, Any] = yaml.load(
            self.path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
        )
        return loaded

    def say(self, lang: str, key: str, **values: Any) -> str:
        """The text ``key`` in ``lang`` (``en``, else ``zh-TW``) with ``values`` filled in."""
        return str(self.data["en" if lang == "en" else "zh-TW"][key]).format(**values)
