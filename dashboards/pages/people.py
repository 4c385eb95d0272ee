"""Team members and the logins and emails of many people, in a few queries for a whole team."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.core.models import Identity, Person, Team, TeamMember


def team_member_ids(session: Session, team_id: int) -> list[int]:
    """Who is in the team: the people whose flow the team page and the home filter cover."""
    return list(session.exec(select(TeamMember.person_id).where(TeamMember.team_id == team_id)))


def logins_for(session: Session, person_ids: Sequence[int]) -> set[str]:
    """Logins of many people in two queries: their own and the login identities mapped to them.

    (`app.core.people.logins_of` also finds case variants seen in PRs, at two table scans a person:
    right for the person whose page it is, too slow for a whole team.)
    """
    if not person_ids:
        return set()
    own = session.exec(select(Person.login).where(col(Person.id).in_(person_ids)))
    return set(own) | _claimed(session, person_ids, kind="login")


def emails_for(session: Session, person_ids: Sequence[int]) -> set[str]:
    """Emails of many people in two queries (see `logins_for`)."""
    if not person_ids:
        return set()
    own = session.exec(select(Person.email).where(col(Person.id).in_(person_ids)))
    return {e for e in own if e} | _claimed(session, person_ids, kind="email")


def _claimed(session: Session, person_ids: Sequence[int], *, kind: str) -> set[str]:
    """The identities of one kind ("login" or "email") mapped to these people."""
    return set(
        session.exec(
            select(Identity.value).where(
                Identity.kind == kind, col(Identity.person_id).in_(person_ids)
            )
        )
    )


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
