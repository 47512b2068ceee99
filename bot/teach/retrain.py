"""Retrain the NLU model in the background and publish it to every worker.

:meth:`Retrainer.start` runs, in one background thread: export the labelled messages to
``<data_dir>/reviewed.yml``; cross-validate the intents before (without that file's new content)
and after; train; save the model file atomically. Every worker's
:class:`bot.nlu_service.HotSwapModel` sees the new file within a second and swaps it in without a
restart. Progress (:class:`Progress`) is kept in the process that runs the job; a second start
while one runs is refused. Failures are logged with their traceback and shown as ``failed``.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from bot.commands.nlu import cross_validation
from bot.teach import export
from db.reviews import reviewed
from nlu import DATA_DIR, train

log = logging.getLogger(__name__)
FOLDS = 3
Step = Literal["idle", "exporting", "evaluating_before", "training", "evaluating_after", "done",
               "failed"]  # fmt: skip


@dataclass(frozen=True)
class Progress:
    """Where the last retrain is; F1 values are cross-validated intent macro-F1."""

    step: Step = "idle"
    examples: int = 0
    f1_before: float | None = None
    f1_after: float | None = None
    seconds: float | None = None
    error: str | None = None

    @property
    def running(self) -> bool:
        """True while the job works."""
        return self.step not in ("idle", "done", "failed")


class Retrainer:
    """One retrain job at a time for one model file (see the module docstring)."""

    def __init__(self, model_path: Path, threshold: float, data_dir: Path = DATA_DIR) -> None:
        self.model_path, self.threshold, self.data_dir = model_path, threshold, data_dir
        self.progress = Progress()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, sessions: sessionmaker[Session]) -> bool:
        """Start a retrain; False when one is already running."""
        with self._lock:
            if self.progress.running:
                return False
            self.progress = Progress("exporting")
        self._thread = threading.Thread(target=self._run, args=(sessions,), daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> Progress:
        """Wait for the running job (tests, the CLI); return its progress."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.progress

    def _set(self, **changes: object) -> None:
        self.progress = replace(self.progress, **changes)  # type: ignore[arg-type]

    def _run(self, sessions: sessionmaker[Session]) -> None:
        started = time.perf_counter()
        try:
            self._work(sessions)
            self._set(step="done", seconds=round(time.perf_counter() - started, 1))
        except Exception as exc:  # the job boundary: log, record, never crash the worker
            log.exception("NLU retrain failed")
            self._set(step="failed", error=type(exc).__name__, seconds=None)

    def _work(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as session:
            rows = [(r.text, r.label, r.entities) for r in reviewed(session=session)]
        self._set(examples=sum(1 for _, label, _ in rows if label != "ignore"))
        self._set(step="evaluating_before", f1_before=_f1(self.data_dir))
        export.write(rows, self.data_dir)
        self._set(step="training")
        model = train(self.data_dir, threshold=self.threshold)
        self._set(step="evaluating_after", f1_after=_f1(self.data_dir))
        model.save(self.model_path)


def _f1(data_dir: Path) -> float:
    return round(cross_validation(data_dir, FOLDS).macro_f1, 4)


_jobs: dict[Path, Retrainer] = {}
_jobs_lock = threading.Lock()


def retrainer_for(model_path: Path, threshold: float, data_dir: Path | None = None) -> Retrainer:
    """The process's retrainer for ``model_path`` (created on first use)."""
    key = model_path.resolve()
    with _jobs_lock:
        if key not in _jobs:
            _jobs[key] = Retrainer(model_path, threshold, data_dir or DATA_DIR)
        return _jobs[key]


def copy_data(to: Path, source: Path = DATA_DIR) -> Path:
    """A copy of the training data in ``to`` (demos and tests retrain without touching the
    package's files)."""
    shutil.copytree(source, to, dirs_exist_ok=True)
    return to


__all__ = ["Progress", "Retrainer", "copy_data", "retrainer_for"]
