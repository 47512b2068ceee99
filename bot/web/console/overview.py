"""``/console``: today's figures and the last :data:`DAYS` days (server-rendered SVG charts).

Figures: conversations per day and channel, new users per day, questions by topic, forms started /
submitted / abandoned (and at which field), teams and members, applications per challenge, and
outbox deliveries (reminders and broadcasts) sent / failed / pending. Conversations are counted in
SQL over the ``created_at`` index; the figures are reused for up to a minute (per process).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.console import charts
from bot.web.console._guard import in_session, organiser_page
from bot.web.console._labels import intent_name
from bot.web.console._render import page
from bot.web.deps import services_of
from bot.web.render import language
from db import stats
from knowledge import TZ

DAYS = 14
CACHE_SECONDS = 60.0


def _figures(session: Session, now: datetime) -> dict[str, Any]:
    today = now.astimezone(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    since, until = today - timedelta(days=DAYS - 1), today + timedelta(days=1)
    days = [(since + timedelta(days=i)).date() for i in range(DAYS)]
    per_day = stats.conversations_per_day(session=session, since=since, until=until, tz=TZ)
    channels = sorted({ch for counts in per_day.values() for ch in counts})
    new_users = stats.new_users_per_day(session=session, since=since, until=until, tz=TZ)
    labels = [d.isoformat() for d in days]
    return {
        "days": labels,
        "conversations": {ch: [per_day.get(d, Counter())[ch] for d in days] for ch in channels},
        "new_users": [new_users.get(d, 0) for d in days],
        "today": {
            "conversations": sum(per_day.get(days[-1], Counter()).values()),
            "new_users": new_users.get(days[-1], 0),
        },
        "topics": stats.questions_by_topic(session=session, since=since, until=until),
        "forms": stats.forms(session=session, since=since, until=until),
        "totals": stats.totals(session=session),
        "applications": stats.applications_per_challenge(session=session),
        "deliveries": stats.deliveries(session=session),
    }


_cache: dict[str, tuple[float, datetime, dict[str, Any]]] = {}


async def _cached_figures(request: Request, now: datetime) -> dict[str, Any]:
    """The figures, computed at most once per :data:`CACHE_SECONDS` per database and process."""
    url = services_of(request).settings.database_url
    hit = _cache.get(url)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS and hit[1] == now:
        return hit[2]
    figures = await in_session(request, lambda session: _figures(session, now))
    _cache[url] = (time.monotonic(), now, figures)
    return figures


@organiser_page()
async def overview(request: Request) -> Response:
    """The overview page."""
    now = services_of(request).clock.now().replace(second=0, microsecond=0)
    f = await _cached_figures(request, now)
    lang = language(request)
    topics = [(intent_name(i, lang), n) for i, n in f["topics"].most_common(12)]
    svg = {
        "conversations": charts.stacked_columns(f["days"], f["conversations"], "conversations"),
        "new_users": charts.stacked_columns(f["days"], {"users": f["new_users"]}, "new users"),
        "topics": charts.bars(topics, "questions by topic"),
        "applications": charts.bars(f["applications"], "applications per challenge"),
    }
    return page(request, "overview.html", f=f, svg=svg, now=now)


def routes() -> list[Route]:
    """The overview page."""
    return [Route("/console", overview, methods=["GET"])]
