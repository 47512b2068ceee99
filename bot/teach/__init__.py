"""Teach the bot: the inbox of what it missed, labels exported as Rasa YAML, and retraining with a
model hot-swap (see ``docs/CONTRACTS.md``, "Teach the bot")."""
