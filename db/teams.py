"""Teams, memberships, profiles and applications (invite codes: :mod:`db.invites`).

Contracts:
- Functions take a keyword-only ``session``, may flush, never commit.
- One team per person is the database's ``UNIQUE(memberships.user_id)``: :func:`add_member` turns
  the violation into :class:`AlreadyInTeam` (inside a savepoint, so the turn's transaction
  survives). Two racing joins of one person: the second waits for the first, then fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db.models import (
    Application,
    Challenge,
    Membership,
    Profile,
    Team,
    User,
)


class TeamError(Exception):
    """Base of the team errors below."""


class AlreadyInTeam(TeamError):
    """The user already belongs to a team (one team per person)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} is already in a team")
        self.user_id = user_id


class TeamNameTaken(TeamError):
    """Another team already has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"team name {name!r} is taken")
        self.name = name


@dataclass(frozen=True)
class MemberView:
    """One member of a team with what the composition advice needs."""

    user_id: int
    name: str | None
    role: str
    expertise: str | None


def membership_of(*, session: Session, user_id: int) -> Membership | None:
    """The user's membership (with its team), or None."""
    query = (
        sa.select(Membership)
        .options(selectinload(Membership.team))
        .where(Membership.user_id == user_id)
    )
    return session.scalar(query)


def add_member(
    *, session: Session, team: Team, user_id: int, role: str, now: datetime
) -> Membership:
    """Add the user to ``team``; raise :class:`AlreadyInTeam` if they are in any team."""
    try:
        with session.begin_nested():
            membership = Membership(team=team, user_id=user_id, role=role, joined_at=now)
            session.add(membership)
            session.flush()
    except IntegrityError as exc:
        raise AlreadyInTeam(user_id) from exc
    return membership


def create_team(*, session: Session, name: str, leader_user_id: int, now: datetime) -> Team:
    """Create ``name`` with the user as leader (and first member).

    Raises :class:`AlreadyInTeam` or :class:`TeamNameTaken`; nothing is left behind on error.
    """
    if membership_of(session=session, user_id=leader_user_id) is not None:
        raise AlreadyInTeam(leader_user_id)
    if session.scalar(sa.select(Team.id).where(Team.name == name)) is not None:
        raise TeamNameTaken(name)
    with session.begin_nested():
        team = Team(name=name, leader_user_id=leader_user_id, created_at=now)
        session.add(team)
        try:
            session.flush()
        except IntegrityError as exc:
            raise TeamNameTaken(name) from exc
        add_member(session=session, team=team, user_id=leader_user_id, role="leader", now=now)
    return team


def team_name_taken(*, session: Session, name: str) -> bool:
    """True when a team is already called ``name``."""
    return session.scalar(sa.select(Team.id).where(Team.name == name)) is not None


def members(*, session: Session, team_id: int) -> list[MemberView]:
    """The team's members, leader first, then by joining order."""
    query = (
        sa.select(Membership, User.display_name, Profile.expertise)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Profile, Profile.user_id == Membership.user_id)
        .where(Membership.team_id == team_id)
        .order_by(Membership.role != "leader", Membership.joined_at, Membership.id)
    )
    return [
        MemberView(m.user_id, name, m.role, expertise)
        for m, name, expertise in session.execute(query)
    ]


def remove_member(*, session: Session, team_id: int, user_id: int) -> bool:
    """Remove a (non-leader) member; True when someone was removed."""
    result = session.execute(
        sa.delete(Membership).where(
            Membership.team_id == team_id,
            Membership.user_id == user_id,
            Membership.role != "leader",
        )
    )
    return bool(getattr(result, "rowcount", 0))


def save_profile(
    *,
    session: Session,
    user_id: int,
    age: int | None,
    birth_date: date | None,
    nationality: str | None,
    expertise: str | None,
    now: datetime,
) -> Profile:
    """Create or replace the user's eligibility profile."""
    profile = session.get(Profile, user_id)
    if profile is None:
        profile = Profile(user_id=user_id)
        session.add(profile)
    profile.age, profile.birth_date = age, birth_date
    profile.nationality, profile.expertise = nationality, expertise
    profile.updated_at = now
    session.flush()
    return profile


def get_profile(*, session: Session, user_id: int) -> Profile | None:
    """The user's profile, or None."""
    return session.get(Profile, user_id)


def apply(*, session: Session, team_id: int, challenge: Challenge, now: datetime) -> bool:
    """Apply the team to ``challenge``; False when it had already applied."""
    exists = session.scalar(
        sa.select(Application.id).where(
            Application.team_id == team_id, Application.challenge_id == challenge.id
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Application(team_id=team_id, challenge_id=challenge.id, created_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def applications(*, session: Session, team_id: int) -> list[tuple[Application, Challenge]]:
    """The team's applications with their challenges, oldest first."""
    query = (
        sa.select(Application, Challenge)
        .join(Challenge, Challenge.id == Application.challenge_id)
        .where(Application.team_id == team_id)
        .order_by(Application.created_at, Application.id)
    )
    return [(a, c) for a, c in session.execute(query).tuples()]


def all_teams(*, session: Session) -> list[Team]:
    """Every team by name, memberships loaded."""
    query = sa.select(Team).options(selectinload(Team.memberships)).order_by(Team.name)
    return list(session.scalars(query))


def _is_foreign(profile: Profile | None) -> bool | None:
    if profile is None or profile.nationality is None:
        return None
    return profile.nationality == "foreign"


def member_rows(*, session: Session) -> list[dict[str, str | bool | None]]:
    """One flat row per member of every team (for exports): team, role, profile, applications.

    ``foreign_national`` is True for a member who said they are a foreign national (eligible "in
    principle", for the organisers to confirm), False for ROC, None when not asked yet.
    ``applications`` is the team's challenge references joined by ``;``. Teams without members
    (impossible through the bot) are left out.
    """
    refs: dict[int, list[str]] = {}
    for team_id, reference in session.execute(
        sa.select(Application.team_id, Challenge.reference)
        .join(Challenge, Challenge.id == Application.challenge_id)
        .order_by(Application.id)
    ):
        refs.setdefault(team_id, []).append(str(reference))
    query = (
        sa.select(Team, Membership, User.display_name, Profile)
        .join(Membership, Membership.team_id == Team.id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Profile, Profile.user_id == Membership.user_id)
        .order_by(Team.name, Membership.role != "leader", Membership.joined_at, Membership.id)
    )
    rows = []
    for team, member, name, profile in session.execute(query).tuples():
        rows.append(
            {
                "team": team.name,
                "created_at": team.created_at.isoformat(),
                "user_id": str(member.user_id),
                "name": name,
                "role": member.role,
                "age": str(profile.age) if profile and profile.age is not None else None,
                "birth_date": profile.birth_date.isoformat()
                if profile and profile.birth_date
                else None,
                "nationality": profile.nationality if profile else None,
                "foreign_national": _is_foreign(profile),
                "expertise": profile.expertise if profile else None,
                "joined_at": member.joined_at.isoformat(),
                "applications": ";".join(refs.get(team.id, [])) or None,
            }
        )
    return rows
