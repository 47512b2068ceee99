"""Fixtures for ``aigo`` command tests: an isolated environment and the shared NLU model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dialogue.conftest import nlu_model_path

__all__ = ["aigo_env", "nlu_model_path"]


@pytest.fixture
def aigo_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, nlu_model_path: Path) -> Path:
    """``aigo`` uses a fresh SQLite database under ``tmp_path`` at 20 May 2019; returns it."""
    monkeypatch.setenv("AIGO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AIGO_NLU_MODEL", str(nlu_model_path))
    monkeypatch.setenv("AIGO_NOW", "2019-05-20T10:00:00+08:00")
    monkeypatch.setenv("AIGO_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("AIGO_DATABASE_URL", raising=False)
    return tmp_path
