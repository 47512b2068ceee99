"""Filtered, paged lists for the organisers' console (read only; exports use the export rows).

Each function returns at most ``limit`` rows from ``offset``; callers ask for one more than a page
to know whether a next page exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from db.models import Application, Challenge, Membership, Organisation, Profile, Team, User


@dataclass(frozen=True)
class ChallengeFilter:
    """Exact status / industry / category; organisation and free text match a part."""

    status: str | None = None
    industry: str | None = None
    category: str | None = None
    organisation: str | None = None
    text: str | None = None


def _contains(column: sa.orm.QueryableAttribute[Any], needle: str) -> sa.ColumnElement[bool]:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def challenge_page(
    *, session: Session, where: ChallengeFilter, limit: int, offset: int = 0
) -> Sequence[Challenge]:
    """Challenges matching ``where``, newest first, organisation loaded."""
    query = sa.select(Challenge).join(Challenge.organisation)
    for column, value in (
        (Challenge.status, where.status),
        (Challenge.industry, where.industry),
        (Challenge.category, where.category),
    ):
        if value:
            query = query.where(column == value)
    if where.organisation:
        query = query.where(_contains(Organisation.name, where.organisation))
    if where.text:
        query = query.where(
            sa.or_(
                _contains(Challenge.title, where.text),
                _contains(Challenge.description, where.text),
                _contains(Challenge.reference, where.text),
            )
        )
    query = query.options(selectinload(Challenge.organisation))
    return session.scalars(query.order_by(Challenge.id.desc()).limit(limit).offset(offset)).all()


def challenge_choices(*, session: Session) -> dict[str, list[str]]:
    """The industries and categories in use (for the filter menus)."""
    return {
        name: [v for v in session.scalars(sa.select(column).distinct().order_by(column)) if v]
        for name, column in (("industry", Challenge.industry), ("category", Challenge.category))
    }


def applications_per_challenge(*, session: Session, challenge_id: int) -> list[str]:
    """The names of the teams that applied to the challenge, in order of application."""
    query = (
        sa.select(Team.name)
        .join(Application, Application.team_id == Team.id)
        .where(Application.challenge_id == challenge_id)
        .order_by(Application.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class MemberLine:
    """One member of a team as the console shows it."""

    user_id: int
    name: str | None
    role: str
    age: int | None
    nationality: str | None
    expertise: str | None


@dataclass(frozen=True)
class TeamLine:
    """One team with its members and the references it applied to."""

    id: int
    name: str
    members: list[MemberLine]
    applications: list[str]

    @property
    def foreign_members(self) -> int:
        """Members who said they are foreign nationals (to confirm against the rules)."""
        return sum(1 for m in self.members if m.nationality == "foreign")


def team_page(*, session: Session, text: str | None, limit: int, offset: int = 0) -> list[TeamLine]:
    """Teams (name contains ``text``), by name, with members and applications."""
    query = sa.select(Team).order_by(Team.name).limit(limit).offset(offset)
    if text:
        query = query.where(_contains(Team.name, text))
    teams = session.scalars(query).all()
    ids = [t.id for t in teams]
    members: dict[int, list[MemberLine]] = {i: [] for i in ids}
    for team_id, m, name, p in session.execute(
        sa.select(Membership.team_id, Membership, User.display_name, Profile)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Profile, Profile.user_id == Membership.user_id)
        .where(Membership.team_id.in_(ids))
        .order_by(Membership.role != "leader", Membership.id)
    ).tuples():
        members[team_id].append(
            MemberLine(
                m.user_id, name, m.role, p.age if p else None, p.nationality if p else None,
                p.expertise if p else None,
            )
        )  # fmt: skip
    applied: dict[int, list[str]] = {i: [] for i in ids}
    for team_id, ref in session.execute(
        sa.select(Application.team_id, Challenge.reference)
        .join(Challenge, Challenge.id == Application.challenge_id)
        .where(Application.team_id.in_(ids))
        .order_by(Application.id)
    ):
        applied[team_id].append(str(ref))
    return [TeamLine(t.id, t.name, members[t.id], applied[t.id]) for t in teams]
