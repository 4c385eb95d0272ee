"""CI health, flaky builds and time lost to them (`/api/v1/ci/...`).

Access: workflow and job aggregates go to any signed-in viewer. Anything tied to one person
(who a flaky build belonged to, who reran it, their hours waiting) is shown only when the
viewer may see that person (app.access); others are counted as hidden, never named.
`/health` and `/flaky` give durations in seconds; `/lost` gives hours of waiting and runner
minutes, with the unit in each field's name (dashboards/ci_lost.py, shared with the CLI).
Each workflow and job row of `/health` and `/flaky` carries the friction flags tied to its
workflow that the viewer may see (`flags`), looked up once per answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session, select

from app.access import Viewer
from app.api.query import PersonQuery, RepoSlugQuery, bad_query, require_repo
from app.api.visibility import LoginVisibility, visible_person, visible_team
from app.deps import SessionDep, SettingsDep, ViewerDep
from app.item_flags import flags_by_item
from app.models import Team
from dashboards.ci_lost import TimeLostOut
from dashboards.item_flags import PageItems, beside, workflow_key
from dashboards.signals.builds import ci_health, flaky_report, person_ci, time_lost
from dashboards.signals.ci_queries import load_people

router = APIRouter(prefix="/ci", tags=["ci"])

DEFAULT_WEEKS = 12
MAX_WINDOW = timedelta(days=366)
SinceQuery = Annotated[
    datetime | None, Query(description="Runs created at or after (ISO 8601; default 12 weeks ago)")
]
UntilQuery = Annotated[datetime | None, Query(description="Runs created before (default now)")]
TeamQuery = Annotated[str | None, Query(max_length=100, description="Team name")]
DENIED = {
    403: {"description": "Not visible to this viewer"},
    404: {"description": "No such repository, team or person (a repository's lists the known)"},
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


def seconds(data: Any) -> Any:
    """Durations as seconds (float) throughout, rather than ISO 8601 duration strings."""
    if isinstance(data, timedelta):
        return data.total_seconds()
    if isinstance(data, dict):
        return {key: seconds(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [seconds(value) for value in data]
    return data


def scope(
    session: Session, viewer: Viewer, team_only_mode: bool, team: str | None, person: str | None
) -> set[str] | None:
    """The logins a `team=` or `person=` filter stands for (after the access check), or None."""
    if team and person:
        raise bad_query("person", "give team or person, not both")
    if team:
        name = visible_team(session, viewer, team).name
        people = load_people(session)
        return {login for login, teams in people.teams_of_person.items() if name in teams}
    if person:
        return {visible_person(session, viewer, person, team_only_mode).login}
    return None


@dataclass(frozen=True)
class CiFilter:
    """The filters every CI route takes, checked once: which repo, whose builds, which window."""

    repo: str | None
    logins: set[str] | None
    since: datetime
    until: datetime
    person: str | None

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
    """Scope first (403/404 before any 422 on the window), then the window."""
    logins = scope(session, viewer, settings.team_only_mode, team, person)
    require_repo(session, repo)
    start, end = window(since, until)
    return CiFilter(repo=repo, logins=logins, since=start, until=end, person=person)


CiFilterDep = Annotated[CiFilter, Depends(ci_filter)]


def with_flags(session: Session, viewer: Viewer, *lists: list[dict[str, Any]]) -> None:
    """Add `flags` to every row (a dict with `repo` and `workflow`) of `lists`, in one lookup."""
    rows = [row for rows in lists for row in rows]
    items = PageItems(workflows={(row["repo"], row["workflow"]) for row in rows})
    keyed = flags_by_item(session, viewer, items)
    for row in rows:
        row["flags"] = beside(keyed, workflow_key(row["repo"], row["workflow"]))


@router.get("/health", responses=DENIED)
def get_health(session: SessionDep, viewer: ViewerDep, filters: CiFilterDep) -> dict[str, Any]:
    """Per workflow and job, weekly: runs, success rate, durations, queue times, red time
    (of one team's or one person's builds with `team=` / `person=`). Durations are seconds.
    Each workflow carries the flags tied to it that you may see."""
    health = ci_health(session, **filters.signal_args())
    workflows = [seconds(asdict(h)) for h in health]
    with_flags(session, viewer, workflows)
    return {**filters.echo(), "workflows": workflows}


@router.get("/flaky", responses=DENIED)
def get_flaky(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    filters: CiFilterDep,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Flaky rate, flaky workflow groups (same SHA failed and passed) and top flaky jobs.
    Durations are seconds. Each group and job carries the flags tied to its workflow."""
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
    body = seconds(asdict(replace(report, workflows=groups)))
    with_flags(session, viewer, body["workflows"], body["jobs"])
    return {**filters.echo(), **body}


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
