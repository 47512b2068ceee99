"""Team lifecycle: leave, hand over leadership, remove a member, withdraw an application, dissolve.

Plain functions for the chat actions and the web team page alike. Each takes a keyword-only
``session`` and the acting user, checks what the programme's rules and the team's state allow,
changes the rows (never commits) and returns an :class:`Outcome`: ``status`` is ``done`` or the
reason nothing changed, ``team`` the team's name, and ``tell`` the users to notify (the member
removed, the new leader, the members of a dissolved team, the leader when someone leaves).

Removing a member (given ``now``) also replaces the team's live invite code, so the person removed
cannot simply rejoin with it (QA #21).

Statuses: ``done``, ``not_in_team``, ``not_leader``, ``leader_must_hand_over`` (a leader leaving
while others remain), ``leader_alone`` (a leader who is the only member: dissolve instead),
``not_member`` (the named person is not in this team), ``is_self`` (leader naming themself),
``not_applied``, ``has_applications`` (dissolve: withdraw them first).

Row locks: the team row is locked (``FOR UPDATE``) before memberships change, so two leaders'
actions on one team (hand over vs remove) run one after the other on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.invites import issue_invite, live_invite
from db.models import Application, Challenge, Membership, Team, TeamInvite
from db.teams import membership_of


@dataclass(frozen=True)
class Outcome:
    """What a lifecycle call did (see the module docstring)."""

    status: str
    team: str | None = None
    tell: tuple[int, ...] = field(default=())
    reference: str | None = None
    invite: TeamInvite | None = None  # remove_member: the code that replaced the team's live one

    @property
    def done(self) -> bool:
        """True when the change was made."""
        return self.status == "done"


def _lock_team(session: Session, team_id: int) -> Team | None:
    query = sa.select(Team).where(Team.id == team_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _member(session: Session, team_id: int | None, user_id: int) -> Membership | None:
    query = sa.select(Membership).where(Membership.user_id == user_id)
    if team_id is not None:
        query = query.where(Membership.team_id == team_id)
    return session.scalar(query.execution_options(populate_existing=True))


def _locked_membership(session: Session, user_id: int) -> Membership | None:
    """The user's membership, read again after locking its team (so the role is current)."""
    first = membership_of(session=session, user_id=user_id)
    if first is None or _lock_team(session, first.team_id) is None:  # dissolved meanwhile
        return None
    return _member(session, first.team_id, user_id)


def _leader_membership(session: Session, user_id: int) -> Membership | Outcome:
    membership = _locked_membership(session, user_id)
    if membership is None:
        return Outcome("not_in_team")
    if membership.role != "leader":
        return Outcome("not_leader", membership.team.name)
    return membership


def _others(session: Session, team_id: int, user_id: int) -> list[int]:
    query = sa.select(Membership.user_id).where(
        Membership.team_id == team_id, Membership.user_id != user_id
    )
    return list(session.scalars(query.order_by(Membership.joined_at, Membership.id)))


def leave_team(*, session: Session, user_id: int) -> Outcome:
    """The user leaves their team; a leader must hand over (or dissolve) first."""
    membership = _locked_membership(session, user_id)
    if membership is None:
        return Outcome("not_in_team")
    team = membership.team
    if membership.role == "leader":
        alone = not _others(session, team.id, user_id)
        return Outcome("leader_alone" if alone else "leader_must_hand_over", team.name)
    session.delete(membership)
    session.flush()
    return Outcome("done", team.name, (team.leader_user_id,))


def transfer_leadership(*, session: Session, user_id: int, to_user_id: int) -> Outcome:
    """The leader hands the team over to another member (who is told)."""
    found = _leader_membership(session, user_id)
    if isinstance(found, Outcome):
        return found
    team = found.team
    if to_user_id == user_id:
        return Outcome("is_self", team.name)
    target = _member(session, team.id, to_user_id)
    if target is None:
        return Outcome("not_member", team.name)
    found.role, target.role, team.leader_user_id = "member", "leader", to_user_id
    session.flush()
    return Outcome("done", team.name, (to_user_id,))


def remove_member(
    *, session: Session, user_id: int, member_user_id: int, now: datetime | None = None
) -> Outcome:
    """The leader removes another member (who is told). With ``now``, the team's live invite code
    is replaced by a fresh one (``Outcome.invite``), so the person removed cannot rejoin with the
    code they had; the leader passes the new one to whoever should still join."""
    found = _leader_membership(session, user_id)
    if isinstance(found, Outcome):
        return found
    if member_user_id == user_id:
        return Outcome("is_self", found.team.name)
    target = _member(session, found.team_id, member_user_id)
    if target is None:
        return Outcome("not_member", found.team.name)
    session.delete(target)
    session.flush()
    fresh = None
    if now is not None and live_invite(session=session, team_id=found.team_id, now=now):
        fresh = issue_invite(session=session, team=found.team, now=now)  # revokes the old one
    return Outcome("done", found.team.name, (member_user_id,), invite=fresh)


def withdraw_application(*, session: Session, user_id: int, reference: str) -> Outcome:
    """The leader withdraws the team's application to the challenge ``reference``."""
    found = _leader_membership(session, user_id)
    if isinstance(found, Outcome):
        return found
    application = session.scalar(
        sa.select(Application)
        .join(Challenge, Challenge.id == Application.challenge_id)
        .where(Application.team_id == found.team_id, Challenge.reference == reference.upper())
    )
    if application is None:
        return Outcome("not_applied", found.team.name, reference=reference)
    session.delete(application)
    session.flush()
    others = tuple(_others(session, found.team_id, user_id))
    return Outcome("done", found.team.name, others, reference.upper())


def dissolve_team(*, session: Session, user_id: int) -> Outcome:
    """The leader dissolves a team without applications; the other members are told."""
    found = _leader_membership(session, user_id)
    if isinstance(found, Outcome):
        return found
    team = found.team
    applied = session.scalar(sa.select(Application.id).where(Application.team_id == team.id))
    if applied is not None:
        return Outcome("has_applications", team.name)
    others = tuple(_others(session, team.id, user_id))
    session.execute(sa.delete(TeamInvite).where(TeamInvite.team_id == team.id))
    session.execute(sa.delete(Membership).where(Membership.team_id == team.id))
    name = team.name
    session.execute(sa.delete(Team).where(Team.id == team.id))
    session.expunge(team)
    return Outcome("done", name, others)
