"""Team members and a person's teams (their logins and emails: `app.core.identities`)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.core.models import Team, TeamMember


def team_member_ids(session: Session, team_id: int) -> list[int]:
    """Who is in the team: the people whose flow the team page and the home filter cover."""
    return list(session.exec(select(TeamMember.person_id).where(TeamMember.team_id == team_id)))


def teams_of_person(session: Session, person_id: int) -> list[Team]:
    """The person's teams by name: their colleagues are the "team median" of the 1:1 page."""
    return list(
        session.exec(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)  # type: ignore[arg-type]
            .where(TeamMember.person_id == person_id)
            .order_by(Team.name)
        )
    )
