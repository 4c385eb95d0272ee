"""`team_daily`: the team channel's morning note at the team's digest hour on working days.

What is waiting now, the agreement exceptions new since the last note (the previous working
day's), as `gemba agreements check` finds them without the expected ones, and what the team
raised since then, by category; anonymous flags only as counts and only from three up, so
nobody is singled out. It names PRs and workflows, never people: a person's queue is counted.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.core.models import FrictionFlag, Person, PullRequest, Team, TeamMember
from app.core.settings import Settings
from dashboards.reports.agreements import team_exceptions
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


def _exceptions(
    db: Session, team: Team, settings: Settings, since: datetime, now: datetime
) -> list[str]:
    """Agreement exceptions dated since the last note, per rule: PRs and workflows by name, a
    person's queue only as a count."""
    found = team_exceptions(db, team, settings, since=since, until=now, now=now)
    by_rule: dict[str, list[str]] = {}
    for exception in found.exceptions:
        if not exception.expected:
            by_rule.setdefault(exception.rule, []).append(exception.item)
    lines = []
    for rule, items in sorted(by_rule.items()):
        named = sorted({i for i in items if not i.startswith("@")})
        lines.append(f"• {rule}: {len(items)}" + (f" ({', '.join(named[:5])})" if named else ""))
    return lines


def _last_note(local: datetime, workdays: frozenset[int], hour: int) -> datetime:
    """The previous working day's note time: Monday's note looks back to Friday's."""
    day = local.date() - timedelta(days=1)
    for _ in range(7):
        if day.weekday() in workdays:
            break
        day -= timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=local.tzinfo)


def team_daily(db: Session, now: datetime, settings: Settings) -> list[DueNudge]:
    """One note per team with a channel, from its digest hour on its working days."""
    due: list[DueNudge] = []
    workdays = frozenset(settings.workdays)
    for team in db.exec(select(Team).where(col(Team.slack_channel).is_not(None))):
        local = now.astimezone(ZoneInfo(team.timezone))
        if local.weekday() not in workdays or local.hour < settings.digest_hour or team.id is None:
            continue
        waiting = _waiting(db, team)
        lines = [f"Good morning, {team.name}. Waiting for a first review: {len(waiting)}"]
        lines += [f"• #{p.number} {p.title}" for p in waiting[:5]]
        since = _last_note(local, workdays, settings.digest_hour)
        exceptions = _exceptions(db, team, settings, since, now)
        head = "New agreement exceptions since the last note:"
        lines.append(head if exceptions else f"{head} none")
        lines += exceptions
        lines.append(f"Flags raised since the last note: {_flags(db, team, since)}")
        due.append(
            DueNudge(
                "team_daily",
                f"#{team.name}",
                team.id,
                f"team:{team.id}",
                local.date().isoformat(),
                "\n".join(lines),
                f"{settings.base_url.rstrip('/')}/teams/{quote(team.name)}",
            )
        )
    return due
