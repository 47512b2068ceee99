"""``/console/teach``: the inbox of missed messages, labelling, and retraining from the console.

Each group of similar messages shows the model's three best guesses; an editor labels the group
with an intent (or ``out_of_scope`` / ``ignore``) and optionally one entity (a part of the
message). Retrain (:mod:`bot.teach.retrain`) runs in the background; the page refreshes itself
while it runs and then shows the cross-validated intent F1 before and after.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot import organisers
from bot.services import Services
from bot.teach import inbox, retrain
from bot.web import inputs
from bot.web.console._guard import in_session, organiser_page
from bot.web.console._render import message, notice, page
from bot.web.deps import services_of
from db import reviews

SCAN_EVENTS = 20_000  # the inbox looks at this many of the newest conversation events
SPECIAL = ("out_of_scope", reviews.IGNORE)


def retrainer(services: Services) -> retrain.Retrainer:
    """The retrainer of this service's model file."""
    settings = services.settings
    return retrain.retrainer_for(settings.nlu_model_path, settings.nlu_threshold)


def _inbox(session: Session, services: Services) -> dict[str, Any]:
    events = reviews.recent_events(session=session, limit=SCAN_EVENTS)
    done = reviews.reviewed_texts(session=session)
    return {
        "groups": inbox.group(events, done, services.nlu),
        "labelled": len(done),
    }


@organiser_page()
async def teach_page(request: Request) -> Response:
    """The inbox, the labels so far and the retrain panel."""
    services = services_of(request)
    found = await in_session(request, lambda session: _inbox(session, services))
    intents = sorted(getattr(services.nlu, "intents", []))
    return page(
        request,
        "teach.html",
        intents=[i for i in intents if i not in SPECIAL],
        entities=sorted(services.engine.domain.entities),
        progress=retrainer(services).progress,
        swap=getattr(services.nlu, "last_swap_seconds", None),
        notice=notice(request, ("labelled", "retrain_started", "retrain_busy")),
        **found,
    )


def _entity(text: str, name: str, value: str, known: frozenset[str]) -> list[dict[str, Any]]:
    start = text.find(value) if value and name in known else -1
    if start < 0:
        return []
    return [{"entity": name, "value": value, "start": start, "end": start + len(value)}]


@organiser_page(edit=True)
async def label(request: Request) -> Response:
    """Label every message of one group (same label; the entity where its text occurs)."""
    services = services_of(request)
    form = await inputs.form(request)
    choice = str(form.get("special") or form.get("label") or "")
    known = set(getattr(services.nlu, "intents", [])) | set(SPECIAL)
    texts = [str(t)[:500] for t in form.getlist("text") if str(t).strip()][:5]
    if choice not in known or not texts:
        return message(request, 400, "label_invalid")
    name, value = str(form.get("entity") or ""), str(form.get("entity_value") or "").strip()
    me = request.state.organiser

    def save(session: Session) -> None:
        for text in texts:
            ents = _entity(text, name, value, services.engine.domain.entities)
            reviews.label(session=session, text=text, intent=choice, actor=me.email,
                          now=organisers.now(), entities=ents)  # fmt: skip
            organisers.audit(session=session, actor=me.email, action="nlu.label", target=text,
                             label=choice, **({"entity": name} if ents else {}))  # fmt: skip

    await in_session(request, save)
    return RedirectResponse("/console/teach?notice=labelled", status_code=303)


@organiser_page(edit=True)
async def start_retrain(request: Request) -> Response:
    """Start a retrain in the background (refused while one runs)."""
    services = services_of(request)
    started = retrainer(services).start(services.session_factory)
    if started:
        me = request.state.organiser
        await in_session(
            request,
            lambda session: organisers.audit(session=session, actor=me.email, action="nlu.retrain"),
        )
    notice = "retrain_started" if started else "retrain_busy"
    return RedirectResponse(f"/console/teach?notice={notice}", status_code=303)


def routes() -> list[Route]:
    """The teach-the-bot pages."""
    return [
        Route("/console/teach", teach_page, methods=["GET"]),
        Route("/console/teach/label", label, methods=["POST"]),
        Route("/console/teach/retrain", start_retrain, methods=["POST"]),
    ]
