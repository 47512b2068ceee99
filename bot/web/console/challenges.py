"""``/console/challenges``: the list with filters, one challenge's detail, and its review.

Review actions (list, return with a reason, close; editors only, CSRF-checked by the guard) call
:func:`bot.challenge_review.review` like ``aigo challenges review``: the transition, the notice to
the organisation's chat (the running service's dispatcher pushes it from the outbox) and the audit
entry in one transaction. The detail page offers only the actions the challenge's state allows.

The detail links the presentation the organisation uploaded on the challenge form (served by
:mod:`bot.web.challenge_upload` to signed-in organisers).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.challenge_review import ACTIONS, ReviewAction, ReviewRefused, review
from bot.web import inputs
from bot.web.console import downloads
from bot.web.console._guard import in_session, organiser_page
from bot.web.console._lists import PAGE_SIZE, filters, pager
from bot.web.console._render import message, notice, page
from bot.web.deps import services_of
from bot.web.uploads import UPLOAD_PATH
from db import challenge_files
from db import challenges as repo
from db.challenge_states import allowed
from db.listing import (
    ChallengeFilter,
    applications_per_challenge,
    challenge_choices,
    challenge_page,
)
from db.models import CHALLENGE_STATUSES

FILTERS = ("status", "industry", "category", "organisation", "text")


def _list(session: Session, where: ChallengeFilter, offset: int) -> dict[str, Any]:
    rows = challenge_page(session=session, where=where, limit=PAGE_SIZE + 1, offset=offset)
    return {"rows": list(rows), "choices": challenge_choices(session=session)}


@organiser_page()
async def challenge_list(request: Request) -> Response:
    """Challenges matching the filters, newest first."""
    chosen = filters(request, FILTERS)
    paging = pager(request, 0)
    found = await in_session(
        request, lambda session: _list(session, ChallengeFilter(**chosen), paging.offset)
    )
    return page(
        request,
        "challenges.html",
        rows=found["rows"][:PAGE_SIZE],
        pager=pager(request, len(found["rows"])),
        chosen=chosen,
        choices=found["choices"],
        statuses=CHALLENGE_STATUSES,
        downloads=downloads.links("challenges", request, ("status", "organisation")),
    )


def _detail(session: Session, reference: str) -> dict[str, Any] | None:
    challenge = repo.find_by_reference(session=session, reference=reference)
    if challenge is None:
        return None
    return {
        "challenge": challenge,
        "organisation": challenge.organisation,
        "dataset": challenge.dataset,
        "teams": applications_per_challenge(session=session, challenge_id=challenge.id),
        "review_actions": [a for a in ACTIONS if allowed(challenge.status, a)],
        "uploaded": challenge_files.file_of(session=session, challenge_id=challenge.id),
    }


@organiser_page()
async def challenge_detail(request: Request) -> Response:
    """One challenge: every field, its dataset, the teams that applied, the review actions."""
    reference = request.path_params["reference"]
    found = await in_session(request, lambda session: _detail(session, reference))
    if found is None:
        return message(request, 404, "not_found")
    presentation = found["challenge"].presentation or ""
    link = presentation if presentation.startswith(("http", "/")) else None
    if found["uploaded"] is not None:  # the file uploaded on the challenge form
        link = f"{UPLOAD_PATH}/{found['challenge'].id}"
    return page(
        request,
        "challenge.html",
        fields=repo.CHALLENGE_FIELDS,
        dataset_fields=repo.DATASET_FIELDS,
        presentation_link=link,
        notice=notice(request, ("review_done",)),
        **found,
    )


# ReviewRefused.key -> (HTTP status, console text)
REFUSALS = {"not_found": (404, "not_found"), "needs_reason": (400, "review_needs_reason"),
            "not_allowed": (409, "review_not_allowed")}  # fmt: skip


@organiser_page(edit=True)
async def challenge_review(request: Request) -> Response:
    """Apply one review action from the detail page's forms; back to the page with a notice."""
    reference = request.path_params["reference"]
    form = await inputs.form(request)
    action = str(form.get("action") or "")
    if action not in ACTIONS:
        return message(request, 400, "review_not_allowed")
    chosen: ReviewAction = action  # narrowed by the check above
    reason, now = str(form.get("reason") or ""), services_of(request).clock.now()
    me = request.state.organiser

    def run(session: Session) -> str:
        done = review(session=session, reference=reference, action=chosen, reason=reason,
                      now=now, actor=me.email)  # fmt: skip
        return done.reference

    try:
        done = await in_session(request, run)
    except ReviewRefused as refused:
        status, key = REFUSALS[refused.key]
        return message(request, status, key)
    return RedirectResponse(f"/console/challenges/{done}?notice=review_done", status_code=303)


def routes() -> list[Route]:
    """The challenge pages."""
    return [
        Route("/console/challenges", challenge_list, methods=["GET"]),
        Route("/console/challenges/{reference}", challenge_detail, methods=["GET"]),
        Route("/console/challenges/{reference}/review", challenge_review, methods=["POST"]),
    ]
