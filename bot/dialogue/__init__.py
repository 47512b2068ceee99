"""The embedded dialogue engine: Rasa 3 domain and rules, forms, ``rasa_sdk`` actions in-process.

See ``bot/dialogue/README.md`` for the state machine and how to add answers and forms.
"""

from bot.dialogue.domain import Domain, DomainError, load_domain
from bot.dialogue.engine import MAX_MESSAGE_CHARS, Engine, Parser, UserMessage
from bot.dialogue.rules import RuleSet, load_rules

__all__ = [
    "MAX_MESSAGE_CHARS",
    "Domain",
    "DomainError",
    "Engine",
    "Parser",
    "RuleSet",
    "UserMessage",
    "load_domain",
    "load_rules",
]
