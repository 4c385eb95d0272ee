"""CI health, flaky builds and time lost to them (`/api/v1/ci/...`).

Access: workflow and job aggregates go to any signed-in viewer. Anything tied to one person
(who a flaky build belonged to, who reran it, their hours waiting) is shown only when the
viewer may see that person (app.core.access); others are counted as hidden, never named.
Pipeline and queue durations are in minutes, red time and waiting in hours, with the unit in
each field's name (dashboards/reports/ci_health.py and dashboards/reports/ci_lost.py,
shared with the CLI).
Each workflow and job row of `/health` and `/flaky` carries the friction flags tied to its
workflow that the viewer may see (`flags`), looked up once per answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func
from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.identities import directory
from app.core.models import Team
from app.flags.lookup import flags_by_item
from app.http.api.query import (
    IsoTime,
    PersonQuery,
    RepoSlugQuery,
    bad_query,
    require_repo,
)
from app.http.api.visibility import LoginVisibility, visible_person, visible_team
from app.http.deps import SessionDep, SettingsDep, ViewerDep
from dashboards.periods import timezone_of
from dashboards.reports.ci import ci_health, flaky_report, person_ci, time_lost
from dashboards.reports.ci_health import CiHealthOut, FlakyOut, workflow_items
from dashboards.reports.ci_lost import TimeLostOut

router = APIRouter(prefix="/ci", tags=["ci"])

DEFAULT_WEEKS = 12
MAX_WINDOW = timedelta(days=366)
SinceQuery = Annotated[
    IsoTime | None, Query(description="Runs created at or after (ISO 8601; default 12 weeks ago)")
]
UntilQuery = Annotated[IsoTime | None, Query(description="Runs created before (default now)")]
TeamQuery = Annotated[str | None, Query(max_length=100, description="Team name")]
DENIED = {
    404: {
        "description": "No such repository, or no such team or person visible to you (the"
        " same answer for both; a repository's lists the known)"
    },
}


def window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """Aware [since, until): defaults to the last 12 weeks; at most a year, since < until."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise bad_query(name, "give a time zone (e.g. 2026-03-01T00:00:00Z)")
    end = until or datetime.now(UTC)
    try:
        start = since or end - timedelta(weeks=DEFAULT_WEEKS)
    except OverflowError as error:
        raise bad_query("until", "until is too early") from error
    if start >= end:
        raise bad_query("since", "since must be before until")
    if end - start > MAX_WINDOW:
        raise bad_query("since", "the window may span at most 366 days")
    return start, end


def scope(
    session: Session, viewer: Viewer, team_only_mode: bool, team: str | None, person: str | None
) -> set[str] | None:
    """The logins a `team=` or `person=` filter stands for (after the access check), or None."""
    if team and person:
        raise bad_query("person", "give team or person, not both")
    if team:
        name = visible_team(session, viewer, team).name
        people = directory(session)
        return {m.login for pid, m in people.people.items() if name in people.teams_of(pid)}
    if person:
        return {visible_person(session, viewer, person, team_only_mode, what="api:ci").login}
    return None


def week_zone(session: Session, default: str, team: str | None, person: str | None) -> str:
    """The zone the weeks of `/health` are counted in: the team's (a person's: their first
    team's, as on their page), else GEMBA_DEFAULT_TIMEZONE (`dashboards.signals.weeks`)."""
    if team:
        found = session.exec(
            select(Team.timezone).where(func.lower(Team.name) == team.lower())
        ).first()
        return found or default
    person_id = directory(session).person_of_login(person) if person else None
    return timezone_of(session, person_id, default) if person_id is not None else default


@dataclass(frozen=True)
class CiFilter:
    """The filters every CI route takes, checked once: which repo, whose builds, which window."""

    repo: str | None
    logins: set[str] | None
    since: datetime
    until: datetime
    person: str | None
    timezone: str

    def signal_args(self) -> dict[str, Any]:
        """Keyword arguments for the builds signals."""
        return {"repo": self.repo, "logins": self.logins, "since": self.since, "until": self.until}

    def echo(self) -> dict[str, Any]:
        """What every answer repeats back: the window and the repo it covers."""
        return {"since": self.since, "until": self.until, "repo": self.repo}


def ci_filter(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoSlugQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    team: TeamQuery = None,
    person: PersonQuery = None,
) -> CiFilter:
    """Scope first (404 before any 422 on the window), then the window."""
    logins = scope(session, viewer, settings.team_only_mode, team, person)
    require_repo(session, repo)
    start, end = window(since, until)
    zone = week_zone(session, settings.default_timezone, team, person)
    return CiFilter(repo=repo, logins=logins, since=start, until=end, person=person, timezone=zone)


CiFilterDep = Annotated[CiFilter, Depends(ci_filter)]


@router.get("/health", response_model=CiHealthOut, responses=DENIED)
def get_health(session: SessionDep, viewer: ViewerDep, filters: CiFilterDep) -> CiHealthOut:
    """Per workflow and job, weekly: runs, success rate, durations and queue times in minutes,
    red time in hours (of one team's or one person's builds with `team=` / `person=`). Weeks
    are ISO weeks in the team's time zone (else GEMBA_DEFAULT_TIMEZONE). Each workflow
    carries the flags tied to it that you may see."""
    health = ci_health(session, **filters.signal_args(), timezone=filters.timezone)
    keyed = flags_by_item(session, viewer, workflow_items(health))
    return CiHealthOut.of(health, keyed, **filters.echo())


@router.get("/flaky", response_model=FlakyOut, responses=DENIED)
def get_flaky(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    filters: CiFilterDep,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> FlakyOut:
    """Flaky rate, flaky workflow groups (same SHA failed and passed) and top flaky jobs.
    Waiting is in hours, runner time in minutes. Each group and job carries the flags tied to
    its workflow."""
    report = flaky_report(session, **filters.signal_args(), top=top)
    visible = LoginVisibility(session, viewer, settings.team_only_mode)
    groups = [
        replace(
            g,
            person=g.person if visible.login(g.person) else None,
            rerun_by=tuple(login for login in g.rerun_by if visible.login(login)),
        )
        for g in report.workflows
    ]
    keyed = flags_by_item(session, viewer, workflow_items([*groups, *report.jobs]))
    return FlakyOut.of(replace(report, workflows=groups), keyed, **filters.echo())


@router.get("/lost", response_model=TimeLostOut, responses=DENIED)
def get_lost(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    filters: CiFilterDep,
) -> TimeLostOut:
    """Hours waited and runner minutes lost to flaky builds, per person, team and workflow.

    Waiting is in hours (`*_hours`), runner time in minutes (`runner_minutes`), as
    `gemba ci lost` prints them. `person=` adds that person's PRs whose checks flaked, reruns
    made and hours waited on CI.
    """
    lost = time_lost(session, **filters.signal_args())
    visible = LoginVisibility(session, viewer, settings.team_only_mode)
    people, hidden_people = visible.split(lost.by_person, "key")
    teams = [
        row
        for row in lost.by_team
        if viewer.is_admin or _team_id(session, row.key) in visible.teams
    ]
    person = None
    if filters.person:
        args = {**filters.signal_args(), "logins": filters.logins or ()}
        person = person_ci(session, **args)[0]
    return TimeLostOut.of(
        lost,
        since=filters.since,
        until=filters.until,
        repo=filters.repo,
        people=people,
        teams=teams,
        hidden_people=hidden_people,
        person=person,
    )


def _team_id(session: Session, name: str) -> int | None:
    return session.exec(select(Team.id).where(Team.name == name)).first()
