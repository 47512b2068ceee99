"""Prometheus metrics: turn latency, NLU confidence, fallbacks, inbox, outbox and DB pool.

One :class:`Metrics` per service (its own ``CollectorRegistry``, so several apps in one process
never collide). Counters and histograms are updated on the request path (a few microseconds);
the inbox, outbox and pool gauges are read from the database when ``/metrics`` is scraped.

``GET /metrics`` answers the text exposition format; with ``AIGO_METRICS_TOKEN`` set it requires
``Authorization: Bearer <token>`` (401 otherwise). With ``AIGO_METRICS=off`` nothing is recorded and
the route answers 404.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from sqlalchemy.engine import Engine as DbEngine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from db.models import Delivery, InboxEvent

FALLBACK_INTENT = "nlu_fallback"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_CONFIDENCE_BUCKETS = tuple(round(i / 10, 1) for i in range(1, 11))


class Metrics:
    """The service's metrics; ``db_engine`` feeds the gauges read at scrape time."""

    def __init__(self, db_engine: DbEngine | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.turn_seconds = Histogram(
            "aigo_turn_seconds", "Time to handle one message", ["channel"],
            buckets=_LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.nlu_confidence = Histogram(
            "aigo_nlu_confidence", "Top intent confidence of parsed messages",
            buckets=_CONFIDENCE_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.fallbacks = Counter(
            "aigo_nlu_fallbacks", "Messages below the NLU threshold", registry=self.registry
        )
        self.requests = Counter(
            "aigo_http_requests", "HTTP requests", ["method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        if db_engine is not None:
            self.registry.register(_DatabaseCollector(db_engine))

    def observe_turn(self, channel: str, seconds: float) -> None:
        """Record one handled message."""
        self.turn_seconds.labels(channel).observe(seconds)

    def observe_parse(self, parse: dict[str, Any]) -> None:
        """Record one NLU result (Rasa parse dict)."""
        intent = parse.get("intent") or {}
        self.nlu_confidence.observe(float(intent.get("confidence") or 0.0))
        if intent.get("name") == FALLBACK_INTENT:
            self.fallbacks.inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return bytes(generate_latest(self.registry))


class MeteredParser:
    """An NLU parser that records each result's confidence (wraps ``nlu.NLUModel``)."""

    def __init__(self, parser: Any, metrics: Metrics) -> None:
        self.parser, self.metrics = parser, metrics

    def parse(self, text: str, now: Any = None) -> dict[str, Any]:
        """Parse ``text`` and record the result."""
        result: dict[str, Any] = self.parser.parse(text, now)
        self.metrics.observe_parse(result)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.parser, name)


class _DatabaseCollector:
    """Inbox backlog and age, outbox by platform and status, and DB pool use, read on scrape."""

    def __init__(self, db_engine: DbEngine) -> None:
        self.db_engine = db_engine

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily("aigo_inbox_backlog", "Inbox events not yet processed"),
            GaugeMetricFamily("aigo_inbox_oldest_age_seconds", "Age of the oldest pending event"),
            GaugeMetricFamily(
                "aigo_outbox_deliveries", "Outbox deliveries", labels=["platform", "status"]
            ),
            GaugeMetricFamily("aigo_db_pool_connections", "DB pool connections", labels=["state"]),
        )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The families without values: registering the collector then runs no query (with
        ``auto_describe`` the registry would call :meth:`collect`, 0.2 s at start-up)."""
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog, age, outbox, pool = self._families()
        with self.db_engine.connect() as conn:
            count, oldest = conn.execute(
                sa.select(sa.func.count(), sa.func.min(InboxEvent.received_at)).where(
                    InboxEvent.status == "pending"
                )
            ).one()
            rows = conn.execute(
                sa.select(Delivery.channel, Delivery.status, sa.func.count()).group_by(
                    Delivery.channel, Delivery.status
                )
            ).all()
        backlog.add_metric([], int(count))
        age.add_metric([], max(time.time() - oldest.timestamp(), 0.0) if oldest else 0.0)
        for platform, status, n in rows:
            outbox.add_metric([platform, status], int(n))
        checked_out = getattr(self.db_engine.pool, "checkedout", None)
        size = getattr(self.db_engine.pool, "size", None)
        if callable(checked_out) and callable(size):
            pool.add_metric(["in_use"], float(checked_out()))
            pool.add_metric(["size"], float(size()))
        yield from (backlog, age, outbox, pool)


async def metrics_route(request: Request) -> Response:
    """``GET /metrics`` (see the module docstring)."""
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    if metrics is None:
        return PlainTextResponse("metrics are off (AIGO_METRICS=off)\n", status_code=404)
    token = request.app.state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.get().encode()):
            return PlainTextResponse("unauthorised\n", status_code=401)
    body = await run_in_threadpool(metrics.exposition)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def routes() -> list[Route]:
    """The ``/metrics`` route."""
    return [Route("/metrics", metrics_route, methods=["GET"])]
