"""The organisers' console under ``/console`` (see ``docs/CONTRACTS.md``, "Console").

Every page needs a signed-in organiser (:mod:`bot.web.console._guard`); changes need an editor,
go through the same functions as the chat and the CLI, and are written to the audit log.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.web.console import (
    audit,
    auth,
    broadcasts,
    challenges,
    downloads,
    overview,
    teach,
    teams,
)


def routes() -> list[BaseRoute]:
    """Every console route."""
    found: list[BaseRoute] = []
    for module in (auth, overview, challenges, teams, broadcasts, teach, audit, downloads):
        found.extend(module.routes())
    return found


__all__ = ["routes"]
