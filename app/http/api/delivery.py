"""The four delivery keys of a repository or a team (`GET /api/v1/delivery`).

Access, as for review flow: a repository's answer goes to any signed-in viewer, a team's to
viewers who may see that team. The keys are computed over every PR, but a PR's own row (its
author and phases) is listed only when the viewer may see its author; the others are counted
in `hidden` and left out of every list, never named. The answer is `dashboards.reports.delivery`
(`gemba delivery --json` prints the same).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.http.api.query import IsoTime, RepoSlugQuery, as_utc, bad_query, require_repo
from app.http.api.visibility import LoginVisibility, visible_team
from app.http.deps import SessionDep, SettingsDep, ViewerDep
from dashboards.reports.delivery import DeliveryAnswer, answer_json, delivery_answer

router = APIRouter(tags=["delivery"])

DEFAULT_PERIOD = timedelta(weeks=12)
MAX_WINDOW = timedelta(days=366)
TeamQuery = Annotated[str | None, Query(min_length=1, max_length=100, description="Team name")]
SinceQuery = Annotated[
    IsoTime | None, Query(description="Start, ISO 8601 (default: 12 weeks before until)")
]
UntilQuery = Annotated[IsoTime | None, Query(description="End, ISO 8601 (default: now)")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such repository, or no such team visible to you"}
}


def _window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    end = as_utc(until) or datetime.now(UTC)
    try:
        start = as_utc(since) or end - DEFAULT_PERIOD
    except OverflowError as error:
        raise bad_query("until", "until is too early") from error
    if start >= end:
        raise bad_query("since", "since must be before until")
    if end - start > MAX_WINDOW:
        raise bad_query("since", "the window may span at most 366 days")
    return start, end


def _visible(answer: DeliveryAnswer, visibility: LoginVisibility) -> dict[str, Any]:
    """The answer with the PR rows this viewer may not see left out of every list."""
    shown, hidden = visibility.split(answer.lead_times, "author_login")
    kept = {item.pull for item in shown}
    visible = replace(
        answer,
        lead_times=shown,
        lead_weeks=[
            replace(w, pulls=tuple(p for p in w.pulls if p in kept)) for w in answer.lead_weeks
        ],
        deployments=[
            replace(d, pulls=tuple(p for p in d.pulls if p in kept)) for d in answer.deployments
        ],
        undeployed=tuple(p for p in answer.undeployed if p in kept),
    )
    return {**answer_json(visible), "hidden": {"lead_times": hidden}}


@router.get("/delivery", responses=NOT_FOUND)
def get_delivery(
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    repo: RepoSlugQuery = None,
    team: TeamQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> dict[str, Any]:
    """Deployment frequency, lead time for changes (with its phases), change failure rate and
    time to restore, each with the deployments, PRs, commits and failures behind it."""
    if (repo is None) == (team is None):
        raise bad_query("repo", "give exactly one of repo and team")
    start, end = _window(since, until)
    zone = settings.default_timezone
    if team is not None:
        found = visible_team(session, viewer, team)
        team, zone = found.name, found.timezone or zone
    else:
        require_repo(session, repo)
    answer = delivery_answer(session, repo=repo, team=team, since=start, until=end, tz=zone)
    return _visible(answer, LoginVisibility(session, viewer, settings.team_only_mode))
