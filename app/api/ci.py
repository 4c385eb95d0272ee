"""CI health, flaky builds and time lost to them (`/api/v1/ci/...`).

Access: workflow and job aggregates go to any signed-in viewer. Anything tied to one person
(who a flaky build belonged to, who reran it, their hours waiting) is shown only when the
viewer may see that person (app.access); others are counted as hidden, never named.
Durations are in seconds.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session, select

from app.access import Viewer, can_view_person, visible_people, visible_teams
from app.deps import SessionDep, SettingsDep, ViewerDep
from app.models import Team
from app.people import person_for_login, resolve_login
from dashboards.signals.builds import ci_health, flaky_report, person_ci, time_lost
from dashboards.signals.ci_queries import load_people

router = APIRouter(prefix="/ci", tags=["ci"])

DEFAULT_WEEKS = 12
MAX_WINDOW = timedelta(days=366)
RepoQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", max_length=200, description="OWNER/REPO"),
]
SinceQuery = Annotated[
    datetime | None, Query(description="Runs created at or after (ISO 8601; default 12 weeks ago)")
]
UntilQuery = Annotated[datetime | None, Query(description="Runs created before (default now)")]
TeamQuery = Annotated[str | None, Query(max_length=100, description="Team name")]
PersonQuery = Annotated[str | None, Query(max_length=100, description="Person login")]
DENIED = {403: {"description": "Not visible to this viewer"}, 404: {"description": "Unknown"}}


def _bad(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": ["query", field], "msg": message, "type": "value_error"}],
    )


def window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """Aware [since, until): defaults to the last 12 weeks; at most a year, since < until."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise _bad(name, "give a time zone (e.g. 2026-03-01T00:00:00Z)")
    end = until or datetime.now(UTC)
    try:
        start = since or end - timedelta(weeks=DEFAULT_WEEKS)
    except OverflowError as error:
        raise _bad("until", "until is too early") from error
    if start >= end:
        raise _bad("since", "since must be before until")
    if end - start > MAX_WINDOW:
        raise _bad("since", "the window may span at most 366 days")
    return start, end


def seconds(data: Any) -> Any:
    """Durations as seconds (float) throughout, rather than ISO 8601 duration strings."""
    if isinstance(data, timedelta):
        return data.total_seconds()
    if isinstance(data, dict):
        return {key: seconds(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [seconds(value) for value in data]
    return data


class Visibility:
    """Which people (by GitHub login) this viewer may see individually."""

    def __init__(self, session: Session, viewer: Viewer, team_only_mode: bool) -> None:
        self.session = session
        self.everyone = viewer.is_admin and not team_only_mode
        self.people = visible_people(session, viewer, team_only_mode=team_only_mode)
        self.teams = visible_teams(session, viewer)
        self._cache: dict[str, bool] = {}

    def login(self, login: str | None) -> bool:
        if login is None:
            return False
        if self.everyone:
            return True
        if login not in self._cache:
            self._cache[login] = resolve_login(self.session, login) in self.people
        return self._cache[login]


def _team_logins(session: Session, viewer: Viewer, name: str) -> set[str]:
    found = session.exec(select(Team).where(Team.name == name)).first()
    if found is None or found.id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no team {name!r}")
    if not viewer.is_admin and found.id not in visible_teams(session, viewer):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this team is not visible to you")
    people = load_people(session)
    return {person for person, teams in people.teams_of_person.items() if name in teams}


def _person_login(session: Session, viewer: Viewer, login: str, team_only_mode: bool) -> str:
    someone = person_for_login(session, login)
    if someone is None or someone.id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no person {login!r}")
    if not can_view_person(session, viewer, someone.id, team_only_mode=team_only_mode):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this person is not visible to you")
    return someone.login


def scope(
    session: Session, viewer: Viewer, team_only_mode: bool, team: str | None, person: str | None
) -> set[str] | None:
    """The logins a `team=` or `person=` filter stands for (after the access check), or None."""
    if team and person:
        raise _bad("person", "give team or person, not both")
    if team:
        return _team_logins(session, viewer, team)
    if person:
        return {_person_login(session, viewer, person, team_only_mode)}
    return None


@router.get("/health", responses=DENIED)
def get_health(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    team: TeamQuery = None,
    person: PersonQuery = None,
) -> dict[str, Any]:
    """Per workflow and job, weekly: runs, success rate, durations, queue times, red time
    (of one team's or one person's builds with `team=` / `person=`)."""
    logins = scope(session, viewer, settings.team_only_mode, team, person)
    start, end = window(since, until)
    health = ci_health(session, repo=repo, logins=logins, since=start, until=end)
    workflows = [seconds(asdict(h)) for h in health]
    return {"since": start, "until": end, "repo": repo, "workflows": workflows}


@router.get("/flaky", responses=DENIED)
def get_flaky(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    team: TeamQuery = None,
    person: PersonQuery = None,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Flaky rate, flaky workflow groups (same SHA failed and passed) and top flaky jobs."""
    logins = scope(session, viewer, settings.team_only_mode, team, person)
    start, end = window(since, until)
    report = flaky_report(session, repo=repo, logins=logins, since=start, until=end, top=top)
    visible = Visibility(session, viewer, settings.team_only_mode)
    groups = [
        replace(
            g,
            person=g.person if visible.login(g.person) else None,
            rerun_by=tuple(login for login in g.rerun_by if visible.login(login)),
        )
        for g in report.workflows
    ]
    body = seconds(asdict(replace(report, workflows=groups)))
    return {"since": start, "until": end, "repo": repo, **body}


@router.get("/lost", responses=DENIED)
def get_lost(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    team: TeamQuery = None,
    person: PersonQuery = None,
) -> dict[str, Any]:
    """Hours waited and runner minutes lost to flaky builds, per person, team and workflow.

    `person=` adds that person's PRs whose checks flaked, reruns made and hours waited on CI.
    """
    logins = scope(session, viewer, settings.team_only_mode, team, person)
    start, end = window(since, until)
    lost = time_lost(session, repo=repo, logins=logins, since=start, until=end)
    visible = Visibility(session, viewer, settings.team_only_mode)
    people = [row for row in lost.by_person if visible.login(row.key)]
    teams = [
        row
        for row in lost.by_team
        if viewer.is_admin or _team_id(session, row.key) in visible.teams
    ]
    body: dict[str, Any] = {
        "since": start,
        "until": end,
        "repo": repo,
        "waited": lost.waited,
        "runner_time": lost.runner_time,
        "by_person": [asdict(row) for row in people],
        "by_team": [asdict(row) for row in teams],
        "by_workflow": [asdict(row) for row in lost.by_workflow],
        "hidden_people": len(lost.by_person) - len(people),
    }
    if person:
        body["person"] = asdict(
            person_ci(session, logins=logins or (), repo=repo, since=start, until=end)[0]
        )
    return seconds(body)  # type: ignore[no-any-return]


def _team_id(session: Session, name: str) -> int | None:
    return session.exec(select(Team.id).where(Team.name == name)).first()
