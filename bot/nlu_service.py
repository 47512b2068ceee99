"""The NLU model as a service: one cached model per (path, threshold), and ``POST /model/parse``.

``get_model(settings)`` loads ``settings.nlu_model_path`` (training it first when it is missing or
older than the data, see :func:`nlu.load_or_train`) once per process and returns the same object
afterwards. ``POST /model/parse {"text": "..."}`` answers Rasa's parse shape; a body that is not a
JSON object with a string ``text`` gets 400 with a one-line explanation.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.clock import clock_for
from bot.config import Settings
from nlu import NLUModel, load_or_train

__all__ = ["MAX_TEXT_CHARS", "get_model", "parse_route", "routes"]

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
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request('the body must be JSON like {"text": "獎金多少"}')
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
