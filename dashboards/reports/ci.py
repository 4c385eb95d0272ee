"""CI health, flaky builds and time lost for a scope, read through the one CI query path.

What the API (`/api/v1/ci/...`), `gemba ci ...` and their JSON shapes report: rows from
`dashboards.queries.ci` (a run is its PR author's build, else its pusher's), figures from the
pure functions in `dashboards.signals.ci`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from app.core.identities import directory
from dashboards.queries.ci import (
    AttemptRow,
    JobRow,
    People,
    attempts_for,
    jobs_for,
)
from dashboards.signals.ci.flaky import FlakyReport, flaky_from_rows, groups_by_sha
from dashboards.signals.ci.health import WorkflowHealth, workflow_health
from dashboards.signals.ci.lost import (
    PersonCI,
    TimeLost,
    person_ci_from_rows,
    time_lost_from_groups,
)


def _rows(
    session: Session,
    repo: str | None,
    logins: Iterable[str] | None,
    since: datetime,
    until: datetime,
) -> tuple[list[AttemptRow], list[JobRow]]:
    """The runs in the window (those `logins` own, when given) and their jobs."""
    wanted = set(logins) if logins is not None else None
    attempts = attempts_for(session, repo=repo, since=since, until=until, logins=wanted)
    jobs = jobs_for(session, attempts, repo=repo, since=since, until=until, logins=wanted)
    return attempts, jobs


def ci_health(
    session: Session,
    *,
    repo: str | None = None,
    logins: Iterable[str] | None = None,
    since: datetime,
    until: datetime,
    now: datetime | None = None,
    timezone: str | None = None,
) -> list[WorkflowHealth]:
    """Weekly health per workflow (and its jobs) for runs created in [since, until).

    `logins` keeps the runs of those people only (a team's or one person's builds); `now`
    closes the red time of a branch still failing (defaults to `until`); weeks are ISO weeks
    in `timezone` (the team's; UTC when None).
    """
    attempts, jobs = _rows(session, repo, logins, since, until)
    return workflow_health(attempts, jobs, now=now or until, timezone=timezone)


def flaky_report(
    session: Session,
    *,
    repo: str | None = None,
    logins: Iterable[str] | None = None,
    since: datetime,
    until: datetime,
    top: int = 20,
) -> FlakyReport:
    """Flaky rate, flaky workflow groups and the top flaky jobs for runs created in the window
    (of those people only when `logins` is given)."""
    attempts, jobs = _rows(session, repo, logins, since, until)
    return flaky_from_rows(attempts, jobs, top=top)


def time_lost(
    session: Session,
    *,
    repo: str | None = None,
    logins: Iterable[str] | None = None,
    since: datetime,
    until: datetime,
) -> TimeLost:
    """Hours waited and runner minutes lost to flaky builds, per person, team and workflow."""
    attempts, jobs = _rows(session, repo, None, since, until)
    workflow_groups, _ = groups_by_sha(attempts, jobs)
    wanted = set(logins) if logins is not None else None
    return time_lost_from_groups(workflow_groups, People.of(directory(session)), logins=wanted)


def person_ci(
    session: Session,
    *,
    logins: Iterable[str],
    repo: str | None = None,
    since: datetime,
    until: datetime,
) -> list[PersonCI]:
    """For each login: PRs whose checks flaked, reruns made, hours waited on CI, over the
    builds they own (the person page's figures for the same window)."""
    wanted = set(logins)
    attempts, _ = _rows(session, repo, wanted, since, until)
    workflow_groups, _ = groups_by_sha(attempts, [])
    people = People.of(directory(session))
    return person_ci_from_rows(attempts, workflow_groups, people, logins=wanted)
