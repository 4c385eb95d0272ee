"""Who may see what, in one place. Pure rules over the people and team tables.

A person sees their own data and their teams' aggregates; a manager also sees everyone who
reports to them, directly or through the managers below them; an admin sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.models import PageView, Person, Team, TeamMember
from app.core.models.base import as_utc


@dataclass(frozen=True)
class Viewer:
    """The signed-in person making a request."""

    person_id: int
    login: str
    is_admin: bool = False
    token_id: int | None = None


def direct_reports(session: Session, manager_id: int) -> set[int]:
    rows = session.exec(
        select(TeamMember.person_id)
        .join(Team, Team.id == TeamMember.team_id)  # type: ignore[arg-type]
        .where(Team.manager_id == manager_id)
    )
    return {person_id for person_id in rows if person_id != manager_id}


def all_reports(session: Session, manager_id: int) -> set[int]:
    """Everyone below a manager, through any number of levels (cycles are tolerated)."""
    seen: set[int] = set()
    frontier = {manager_id}
    while frontier:  # one query per level: the members of every team the frontier manages
        rows = session.exec(
            select(TeamMember.person_id, Team.manager_id)
            .join(Team, Team.id == TeamMember.team_id)  # type: ignore[arg-type]
            .where(col(Team.manager_id).in_(frontier))
        )
        found = {person_id for person_id, manager in rows if person_id != manager}
        frontier = found - seen - {manager_id}
        seen |= frontier
    return seen


def teams_of(session: Session, person_id: int) -> set[int]:
    member = set(session.exec(select(TeamMember.team_id).where(TeamMember.person_id == person_id)))
    managed = set(session.exec(select(Team.id).where(Team.manager_id == person_id)))
    return {team_id for team_id in member | managed if team_id is not None}


def visible_people(session: Session, viewer: Viewer, *, team_only_mode: bool = False) -> set[int]:
    """Ids of people whose individual data the viewer may see."""
    if team_only_mode:
        return {viewer.person_id}
    if viewer.is_admin:
        return {pid for pid in session.exec(select(Person.id)) if pid is not None}
    return {viewer.person_id} | all_reports(session, viewer.person_id)


def can_view_person(
    session: Session, viewer: Viewer, person_id: int, *, team_only_mode: bool = False
) -> bool:
    return person_id in visible_people(session, viewer, team_only_mode=team_only_mode)


def visible_teams(session: Session, viewer: Viewer) -> set[int]:
    """Teams whose aggregates the viewer may see: their own, the ones they manage and below."""
    if viewer.is_admin:
        return {tid for tid in session.exec(select(Team.id)) if tid is not None}
    teams = teams_of(session, viewer.person_id)
    for person_id in all_reports(session, viewer.person_id):
        teams |= {
            t
            for t in session.exec(select(Team.id).where(Team.manager_id == person_id))
            if t is not None
        }
    return teams


def manages_team(session: Session, viewer: Viewer, team_id: int) -> bool:
    """True when the viewer is the team's manager or above it (or an admin)."""
    if viewer.is_admin:
        return True
    team = session.get(Team, team_id)
    if team is None or team.manager_id is None:
        return False
    return team.manager_id == viewer.person_id or team.manager_id in all_reports(
        session, viewer.person_id
    )


def team_sizes(session: Session, team_ids: set[int] | None = None) -> dict[int, int]:
    """Members per team (the manager is not counted: only members can be a flag's author)."""
    query = select(TeamMember.team_id, func.count()).group_by(TeamMember.team_id)
    if team_ids is not None:
        query = query.where(col(TeamMember.team_id).in_(team_ids))
    return {team_id: n for team_id, n in session.exec(query)}


def managed_teams(session: Session, viewer: Viewer) -> set[int]:
    """Teams the viewer manages, directly or through the managers below them (all, for admins)."""
    if viewer.is_admin:
        return {tid for tid in session.exec(select(Team.id)) if tid is not None}
    managers = {viewer.person_id} | all_reports(session, viewer.person_id)
    rows = session.exec(select(Team.id).where(col(Team.manager_id).in_(managers)))
    return {tid for tid in rows if tid is not None}


def teams_below(session: Session, team_id: int) -> set[int]:
    """The team and every team under it: teams managed by one of its members, at any depth.

    A part of the organisation, as a director opens it (`/org/{team}`): the people file says a
    manager who is a member of another team reports to that team's manager.
    """
    found = {team_id}
    frontier = {team_id}
    while frontier:
        members = set(
            session.exec(select(TeamMember.person_id).where(col(TeamMember.team_id).in_(frontier)))
        )
        below = {
            t
            for t in session.exec(select(Team.id).where(col(Team.manager_id).in_(members)))
            if t is not None
        }
        frontier = below - found
        found |= frontier
    return found


# --- who looked: every view of a person's data by someone else is logged -----------------------


def record_view(session: Session, viewer: Viewer, person_id: int, what: str = "page") -> None:
    """Log that the viewer opened someone else's data; viewing your own is not logged."""
    if viewer.person_id == person_id:
        return
    session.add(PageView(person_id=person_id, viewer_id=viewer.person_id, what=what[:50]))
    session.flush()


@dataclass(frozen=True)
class ViewRecord:
    viewer_login: str
    viewed_at: datetime
    what: str


def views_of(session: Session, person_id: int, *, limit: int = 200) -> list[ViewRecord]:
    """Who looked at this person's data, newest first."""
    rows = session.exec(
        select(Person.login, PageView.viewed_at, PageView.what)
        .join(Person, Person.id == PageView.viewer_id)  # type: ignore[arg-type]
        .where(PageView.person_id == person_id)
        .order_by(col(PageView.viewed_at).desc(), col(PageView.id).desc())
        .limit(limit)
    )
    return [
        ViewRecord(viewer_login=login, viewed_at=as_utc(at) or at, what=what)
        for login, at, what in rows
    ]
