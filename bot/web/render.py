"""Templates and page texts: Jinja2 templates under ``templates/``, words in ``texts.yml``.

Every template gets ``t`` (``t("key", name=…)``: the text in the page's language, formatted),
``lang``, ``other_lang``, ``csrf`` (this session's CSRF token), ``liff_id`` and ``static``
(``static("style.css")`` → ``/static/style.css``). Markup holds no user-facing words.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.web.security import csrf_token

TEXTS_FILE = Path(__file__).with_name("texts.yml")
LANGUAGES = ("zh-TW", "en")


@cache
def texts() -> dict[str, dict[str, str]]:
    """The page texts (every key has zh-TW and en; checked once, naming the file)."""
    data: dict[str, dict[str, str]] = yaml.load(
        TEXTS_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    for key, entry in data.items():
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if missing:
            raise ValueError(f"{TEXTS_FILE}: {key!r} lacks {', '.join(missing)}")
    return data


def text(key: str, lang: str, **values: Any) -> str:
    """The page text ``key`` in ``lang``, formatted with ``values``."""
    entry = texts()[key]
    template = entry.get(lang) or entry["zh-TW"]
    return template.format(**values) if values else template


@cache
def environment() -> Environment:
    """The Jinja2 environment (templates shipped in the package, HTML autoescaped)."""
    env = Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # compiled templates kept between starts (in the user's private temporary directory):
        # compiling all of them costs about 0.4 s of every start-up
        bytecode_cache=FileSystemBytecodeCache(),
    )
    env.globals["static"] = lambda name: f"/static/{name}"
    return env


def warm_up() -> None:
    """Load the texts and compile every template now (once per process), so the first visitor
    after a start does not wait for it (about half a second on a small machine)."""
    texts()
    env = environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def language(request: Request) -> str:
    """The page language: ``?lang=``, then the session's, then ``Accept-Language``, else zh-TW."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        request.session["lang"] = asked
        return asked
    stored = request.session.get("lang")
    if stored in LANGUAGES:
        return str(stored)
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "zh-TW"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` for ``request`` with the common context (see the module)."""
    lang = language(request)
    settings = request.app.state.settings
    common = {
        "t": lambda key, **values: text(key, lang, **values),
        "lang": lang,
        "other_lang": "en" if lang == "zh-TW" else "zh-TW",
        "csrf": csrf_token(request),
        "liff_id": settings.line_liff_id,
        "path": request.url.path,
    }
    html = environment().get_template(template).render(**common, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message_key: str) -> HTMLResponse:
    """A polite error page: the text ``message_key`` with a link home."""
    return render(request, "error.html", status=status, message_key=message_key)
