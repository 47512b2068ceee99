"""``/console/challenges``: the list with filters, one challenge's detail, and its review.

Review actions (list, return with a reason, close) call the same transition and notice as
``aigo challenges review``; the organisation is told in its chat through the outbox.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.console import downloads
from bot.web.console._guard import in_session, organiser_page
from bot.web.console._lists import PAGE_SIZE, filters, pager
from bot.web.console._render import message, notice, page
from db import challenges as repo
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
    }


@organiser_page()
async def challenge_detail(request: Request) -> Response:
    """One challenge: every field, its dataset, the teams that applied, the review actions."""
    reference = request.path_params["reference"]
    found = await in_session(request, lambda session: _detail(session, reference))
    if found is None:
        return message(request, 404, "not_found")
    presentation = found["challenge"].presentation or ""
    return page(
        request,
        "challenge.html",
        fields=repo.CHALLENGE_FIELDS,
        dataset_fields=repo.DATASET_FIELDS,
        presentation_link=presentation if presentation.startswith(("http", "/")) else None,
        notice=notice(request, ("review_done",)),
        **found,
    )


def routes() -> list[Route]:
    """The challenge pages."""
    return [
        Route("/console/challenges", challenge_list, methods=["GET"]),
        Route("/console/challenges/{reference}", challenge_detail, methods=["GET"]),
    ]
