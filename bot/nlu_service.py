"""The NLU model as a service: one cached model per (path, threshold), and ``POST /model/parse``.

``get_model(settings)`` loads ``settings.nlu_model_path`` (training it first when it is missing or
older than the data, see :func:`nlu.load_or_train`) once per process and returns the same object
afterwards. ``POST /model/parse {"text": "..."}`` answers Rasa's parse shape; a body that is not a
JSON object with a string ``text`` gets 400 with a one-line explanation.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels import safejson
from bot.clock import clock_for
from bot.config import Settings
from nlu import NLUModel, load_or_train

__all__ = ["MAX_TEXT_CHARS", "HotSwapModel", "get_model", "parse_route", "routes"]

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 20_000
_lock = threading.Lock()
_models: dict[tuple[Path, float], NLUModel] = {}


def get_model(settings: Settings) -> NLUModel:
    """The process-wide model for ``settings`` (loaded, or trained, on first use; thread-safe)."""
    key = (settings.nlu_model_path.resolve(), settings.nlu_threshold)
    with _lock:
        model = _models.get(key)
        if model is None:
            model = load_or_train(settings.nlu_model_path, threshold=settings.nlu_threshold)
            _models[key] = model
        return model


class HotSwapModel:
    """The model of ``path``, swapped for the new one when the file changes (a retrain from the
    console), without a restart: at most every ``interval`` seconds a ``parse`` looks at the file's
    modification time; a changed file is loaded (outside the lock, requests keep the old model
    meanwhile) and replaces the current model in one assignment. ``last_swap_seconds`` is how long
    the last swap took; a file that cannot be read keeps the current model.
    """

    def __init__(self, model: NLUModel, path: Path, interval: float = 1.0) -> None:
        self.model, self.path, self.interval = model, path, interval
        self.last_swap_seconds: float | None = None
        self._stamp = self._mtime()
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @property
    def intents(self) -> list[str]:
        """The intents of the current model."""
        return self.model.intents

    def _mtime(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return 0

    def refresh(self) -> bool:
        """Swap in the model file if it changed since the last look; True when swapped."""
        stamp = self._mtime()
        if stamp == self._stamp or not self._lock.acquire(blocking=False):
            return False
        try:
            started = time.perf_counter()
            model = NLUModel.load(self.path, self.model.threshold)
            self.model, self._stamp = model, stamp
            self.last_swap_seconds = time.perf_counter() - started
            log.info("NLU model swapped in %.2f s", self.last_swap_seconds)
            return True
        except ValueError:
            log.exception("NLU model file changed but cannot be read; keeping the current model")
            self._stamp = stamp
            return False
        finally:
            self._lock.release()

    def parse(self, text: str, now: Any = None) -> dict[str, Any]:
        """Parse with the current model (after looking for a new one, see the class)."""
        if time.monotonic() - self._checked >= self.interval:
            self._checked = time.monotonic()
            self.refresh()
        return self.model.parse(text, now)


def _bad_request(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def _model_for(request: Request) -> Any:
    services = getattr(request.app.state, "services", None)
    nlu = getattr(services, "nlu", None)
    if nlu is not None:
        return nlu
    return get_model(request.app.state.settings)


async def parse_route(request: Request) -> Response:
    """``POST /model/parse``: ``{"text"}`` → Rasa's parse shape (see the module docstring)."""
    try:
        body = safejson.loads(await request.body())
    except safejson.BadJSON as exc:
        return _bad_request(f'{exc}; send JSON like {{"text": "獎金多少"}}')
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return _bad_request('the body must be a JSON object with a string field "text"')
    text: str = body["text"]
    if len(text) > MAX_TEXT_CHARS:
        return _bad_request(f'"text" is longer than {MAX_TEXT_CHARS} characters')
    settings: Settings = request.app.state.settings
    clock = getattr(getattr(request.app.state, "services", None), "clock", None)
    now = (clock or clock_for(settings.now)).now()
    model = await run_in_threadpool(_model_for, request)
    result = model.parse(text, now)
    return JSONResponse(result)


def routes() -> list[Route]:
    """The routes this module contributes to the app."""
    return [Route("/model/parse", parse_route, methods=["POST"])]
