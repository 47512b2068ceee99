"""Custom actions (``rasa_sdk``), one module per area.

The embedded engine runs them in-process through ``rasa_sdk.executor.ActionExecutor`` with
``register_package("actions")``; ``python -m rasa_sdk --actions actions`` serves the very same
classes over Rasa's action-server HTTP API. Turn context (clock, DB session):
:mod:`actions.context`.
"""
