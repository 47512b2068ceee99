"""Help for every ``aigo`` command: defaults shown, descriptions kept, one example each.

:class:`AigoParser` is the parser class of ``aigo`` and, through ``add_subparsers``, of every
sub-command; its epilog is the command's example from ``examples.yml`` (keyed by the command path,
e.g. ``challenges export``).
"""

from __future__ import annotations

import argparse
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

EXAMPLES_PATH = Path(__file__).with_name("examples.yml")
DISTRIBUTION = "aigo-assistant"


class AigoFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Show each option's default (unless None or already said) and keep the example's lines."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)


@cache
def examples() -> dict[str, str]:
    """Command path (``"serve"``, ``"challenges export"``) → example command lines."""
    data = yaml.load(EXAMPLES_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return {str(k): str(v).rstrip() for k, v in data.items()}


def command_path(prog: str) -> str:
    """``"aigo challenges export"`` → ``"challenges export"``."""
    return prog.split(" ", 1)[1] if " " in prog else ""


class _SubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Sub-commands whose one-line ``help`` is also their own ``--help`` description."""

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if "help" in kwargs:
            kwargs.setdefault("description", kwargs["help"])
        return super().add_parser(name, **kwargs)


class AigoParser(argparse.ArgumentParser):
    """An argument parser with :class:`AigoFormatter` and the command's example as epilog."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", AigoFormatter)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _SubParsers)
        example = examples().get(command_path(self.prog))
        if self.epilog is None and example:
            self.epilog = "example:\n" + "\n".join(f"  {line}" for line in example.splitlines())


def package_version() -> str:
    """The installed distribution's version (``0+unknown`` when run from an uninstalled tree)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"
