"""The service container built once at start-up and shared by the app, the console and tools.

:func:`build_services` applies the database migrations (``db.session.upgrade``; idempotent and safe
when several processes start together), opens the engine and session factory, loads (or trains, on
first start) the NLU model, registers the ``actions`` package with a ``rasa_sdk`` executor and
builds the dialogue :class:`~bot.dialogue.Engine`. On a SQLite file the service's connections do
no automatic WAL checkpoints; a background :class:`~bot.dialogue.wal.WalCheckpointer` does them
(off the request path). :meth:`Services.close` stops it and disposes the DB engine.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.engine import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from bot.calendar_feed import add_calendar_links
from bot.clock import Clock, clock_for
from bot.config import Settings
from bot.dialogue import Engine, Parser, UserMessage, load_domain, load_rules
from bot.dialogue.engine import DEFAULT_WORKERS
from bot.dialogue.wal import WalCheckpointer, disable_autocheckpoint, sqlite_path
from bot.metrics import MeteredParser, Metrics
from db.session import make_engine, make_session_factory, normalise_url, upgrade
from nlu import load_or_train

BOT_DIR = Path(__file__).resolve().parent
DOMAIN_PATH = BOT_DIR / "domain.yml"
RULES_PATH = BOT_DIR / "rules.yml"


@dataclass
class Services:
    """Everything a request handler needs; built by :func:`build_services`."""

    settings: Settings
    clock: Clock
    db_engine: DbEngine
    session_factory: sessionmaker[Session]
    nlu: Parser
    engine: Engine
    checkpointer: WalCheckpointer | None = None
    metrics: Metrics | None = None
    platforms: dict[str, str] = field(default_factory=dict)  # name → "ok" / "unreachable: …"

    def close(self) -> None:
        """Stop the engine's turn threads and the checkpointer; release the DB connections."""
        self.engine.close()
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.db_engine.dispose()


def make_executor() -> ActionExecutor:
    """An executor with every action of the ``actions`` package (as the action server has)."""
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def json_dumps(value: Any) -> str:
    """JSON for JSON columns (orjson: UTF-8, about 4x faster than ``json``; same values)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson refuses (e.g. integers over 64 bits), json may take
        return json.dumps(value, ensure_ascii=False)


def json_loads(data: str | bytes) -> Any:
    """Parse a JSON column value (orjson; ``json`` for what orjson rejects, e.g. ``NaN``)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def make_db_engine(url: str) -> DbEngine:
    """The database engine with fast JSON columns (the turn snapshot is one JSON value); on
    PostgreSQL the pool keeps a connection per turn thread."""
    options: dict[str, Any] = {"json_serializer": json_dumps, "json_deserializer": json_loads}
    if normalise_url(url).get_backend_name() == "postgresql":
        options["pool_size"] = DEFAULT_WORKERS + 4
    return make_engine(url, **options)


def load_nlu(settings: Settings) -> Parser:
    """The NLU: ``bot.nlu_service.get_model`` (cached per path) wrapped in a ``HotSwapModel`` (a
    retrained model file is swapped in without a restart), else ``nlu.load_or_train``."""
    try:
        service = importlib.import_module("bot.nlu_service")
    except ModuleNotFoundError:
        return load_or_train(settings.nlu_model_path, threshold=settings.nlu_threshold)
    model: Parser = service.HotSwapModel(service.get_model(settings), settings.nlu_model_path)
    return model


def _decorator(settings: Settings) -> Callable[[UserMessage, list[dict[str, Any]]], Any]:
    """What is added to a turn's replies: calendar links, then signed links to web pages."""
    from bot.web.links import add_page_links  # bot.web's handlers import this module

    def decorate(message: UserMessage, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        replies = add_calendar_links(replies, message.sender_key, settings)
        return add_page_links(replies, message, settings)

    return decorate


def build_services(settings: Settings, *, migrate: bool = True) -> Services:
    """Build the container for ``settings`` (see the module docstring)."""
    if migrate:
        upgrade(settings.database_url)
    db_engine = make_db_engine(settings.database_url)
    path = sqlite_path(db_engine)
    checkpointer = None
    if path is not None:
        disable_autocheckpoint(db_engine)
        checkpointer = WalCheckpointer(path)
    session_factory = make_session_factory(db_engine)
    clock = clock_for(settings.now)
    metrics = Metrics(db_engine) if settings.metrics else None
    nlu = load_nlu(settings)
    if metrics is not None:
        nlu = MeteredParser(nlu, metrics)
    engine = Engine(
        domain=load_domain(DOMAIN_PATH),
        rules=load_rules(RULES_PATH),
        nlu=nlu,
        executor=make_executor(),
        session_factory=session_factory,
        clock=clock,
        observe_turn=metrics.observe_turn if metrics is not None else None,
        decorate=_decorator(settings),
        reply_script=settings.reply_script,
    )
    if checkpointer is not None:
        checkpointer.start()  # last: nothing above can fail and leave the thread running
    return Services(settings, clock, db_engine, session_factory, nlu, engine, checkpointer, metrics)
