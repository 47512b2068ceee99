"""Fixtures for the hostile-input and isolation tests: the channel tests' real app and fakes."""

from tests.channels.conftest import client, nlu_model_path, services, settings

__all__ = ["client", "nlu_model_path", "services", "settings"]
