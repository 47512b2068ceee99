"""The web pages: landing, web chat, challenge form, team page (see ``docs/CONTRACTS.md``)."""

from bot.web.app import create_web_app
from bot.web.identity import link_for

__all__ = ["create_web_app", "link_for"]
