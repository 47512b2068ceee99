"""Channels: thin adapters between a platform and the dialogue engine.

Each channel turns a platform payload into a :class:`bot.dialogue.UserMessage` (sender key
``"<channel>:<external id>"``) and renders the engine's Rasa-style replies for its platform:
``rest`` (Rasa's REST channel), ``console`` (``aigo chat``), ``line`` and ``telegram``. This package
imports nothing eagerly, so loading one channel never pulls in another platform's SDK.
"""
