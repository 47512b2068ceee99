"""Console pages: the web pages' renderer plus the console's words (``texts.yml`` beside this file).

Every console template gets, besides the common context of :func:`bot.web.render.render`, ``ct``
(``ct("key", name=…)``: a console text in the page's language), ``me`` (the signed-in organiser),
``nav`` (the menu), ``fmt_time`` (an aware datetime in Asia/Taipei, ``YYYY-MM-DD HH:MM``) and
``intent_name`` / ``form_name`` / ``field_name`` (:mod:`bot.web.console._labels`).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.web.console._labels import field_name, form_name, intent_name
from bot.web.render import LANGUAGES, language, render
from knowledge import TZ

TEXTS_FILE = Path(__file__).with_name("texts.yml")
NAV = (
    ("overview", "/console"),
    ("challenges", "/console/challenges"),
    ("teams", "/console/teams"),
    ("broadcasts", "/console/broadcasts"),
    ("teach", "/console/teach"),
    ("audit", "/console/audit"),
)


@cache
def texts() -> dict[str, dict[str, str]]:
    """The console texts (every key has zh-TW and en; checked once, naming the file)."""
    data: dict[str, dict[str, str]] = yaml.load(
        TEXTS_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    for key, entry in data.items():
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if missing:
            raise ValueError(f"{TEXTS_FILE}: {key!r} lacks {', '.join(missing)}")
    return data


def ctext(key: str, lang: str, **values: Any) -> str:
    """The console text ``key`` in ``lang``, formatted with ``values``."""
    template = texts()[key][lang]
    return template.format(**values) if values else template


def fmt_time(at: datetime | None) -> str:
    """``at`` in Asia/Taipei as ``YYYY-MM-DD HH:MM`` (``-`` when None)."""
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if at is not None else "-"


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render the console template ``template`` (under ``templates/console/``)."""
    lang = language(request)
    return render(
        request,
        f"console/{template}",
        status=status,
        ct=lambda key, **values: ctext(key, lang, **values),
        me=getattr(request.state, "organiser", None),
        nav=NAV,
        fmt_time=fmt_time,
        intent_name=lambda intent: intent_name(intent, lang),
        form_name=lambda form: form_name(form, lang),
        field_name=lambda form, slot: field_name(form, slot, lang),
        **context,
    )


def notice(request: Request, allowed: tuple[str, ...]) -> str | None:
    """The ``?notice=`` text key after a change (only one of ``allowed``; anything else: none)."""
    key = request.query_params.get("notice")
    return key if key in allowed else None


def message(request: Request, status: int, key: str) -> HTMLResponse:
    """A console page that only says ``key`` (refusals, errors) with a link back."""
    return page(request, "message.html", status=status, message_key=key)
