"""`team_daily`: the team channel's morning note at the team's digest hour on working days.

What is waiting now and what the team raised since yesterday, by category; anonymous flags only
as counts and only from three up, so nobody is singled out. It names PRs, never people.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.core.models import FrictionFlag, Person, PullRequest, Team, TeamMember
from dashboards.reports.nudges_due import DueNudge, first_review_at

K_ANONYMOUS = 3


def _waiting(db: Session, team: Team) -> list[PullRequest]:
    logins = select(Person.login).join(TeamMember, col(TeamMember.person_id) == col(Person.id))
    pulls = db.exec(
        select(PullRequest).where(
            PullRequest.state == "open",
            col(PullRequest.draft).is_(False),
            col(PullRequest.author_login).in_(logins.where(TeamMember.team_id == team.id)),
        )
    )
    return [p for p in pulls if first_review_at(db, p) is None]


def _flags(db: Session, team: Team, since: datetime) -> str:
    flags = db.exec(
        select(FrictionFlag).where(
            FrictionFlag.team_id == team.id, col(FrictionFlag.created_at) >= since
        )
    ).all()
    named = Counter(f.category for f in flags if not f.anonymous)
    anonymous = Counter(f.category for f in flags if f.anonymous)
    parts = [f"{c} {n}" for c, n in sorted(named.items())]
    parts += [f"{c} {n} anonymous" for c, n in sorted(anonymous.items()) if n >= K_ANONYMOUS]
    return ", ".join(parts) or "none"


def team_daily(db: Session, now: datetime, digest_hour: int, workdays: frozenset[int]):
    """One note per team with a channel, from its digest hour on its working days."""
    due: list[DueNudge] = []
    for team in db.exec(select(Team).where(col(Team.slack_channel).is_not(None))):
        local = now.astimezone(ZoneInfo(team.timezone))
        if local.weekday() not in workdays or local.hour < digest_hour or team.id is None:
            continue
        waiting = _waiting(db, team)
        lines = [f"Good morning, {team.name}. Waiting for a first review: {len(waiting)}"]
        lines += [f"• #{p.number} {p.title}" for p in waiting[:5]]
        lines.append(f"Flags raised since yesterday: {_flags(db, team, now - timedelta(days=1))}")
        due.append(
            DueNudge(
                "team_daily",
                f"#{team.name}",
                team.id,
                f"team:{team.id}",
                local.date().isoformat(),
                "\n".join(lines),
            )
        )
    return due
