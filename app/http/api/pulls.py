"""Pull requests and review flow: per-PR numbers with their timestamps, weekly aggregates.

Access: repo aggregates (phase medians, counts) go to any signed-in viewer; a team's to viewers
who may see that team; anything about one person (a PR's numbers, reviews given, a PR waiting)
only to viewers who may see that person (app.core.access). Hidden rows are counted, not listed.
Each PR listed carries the friction flags tied to it that the viewer may see (`flags`).
Answers are documented and checked by `dashboards.reports.reviews`; every duration is in hours.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import Session

from app.core.access import Viewer
from app.flags.lookup import pull_rows
from app.http.api.query import (
    REPO_NOT_FOUND,
    IsoTime,
    PersonQuery,
    RepoSlugQuery,
    as_utc,
    bad_query,
    require_repo,
)
from app.http.api.visibility import LoginVisibility, visible_person, visible_team
from app.http.deps import SessionDep, SettingsDep, ViewerDep
from dashboards.queries.reviews import FlowScope, person_scope, team_scope
from dashboards.reports.review_flow import FlowReport, flow_report, pull_flows
from dashboards.reports.reviews import FlowOut, PullsOut

router = APIRouter(tags=["reviews"])

NOT_FOUND = {404: {"description": "No such repository, or no such team or person visible to you"}}


@router.get("/pulls", response_model=PullsOut, responses=REPO_NOT_FOUND)
def get_pulls(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoSlugQuery = None,
    since: Annotated[IsoTime | None, Query(description="PRs open at or after (ISO 8601)")] = None,
    until: Annotated[IsoTime | None, Query(description="PRs created before (ISO 8601)")] = None,
) -> dict[str, Any]:
    """Per PR: every review-flow number next to the timestamps that produce it."""
    if repo is None:
        raise bad_query("repo", "repo=OWNER/REPO is required")
    since, until = as_utc(since), as_utc(until)
    if since is not None and until is not None and since >= until:
        raise bad_query("until", "until must be after since")
    require_repo(session, repo)
    flows = pull_flows(session, settings=settings, repo=repo, since=since, until=until)
    shown, hidden = LoginVisibility(session, viewer, settings.team_only_mode).split(
        flows, "author_login"
    )
    return {"repo": repo, "pulls": pull_rows(session, viewer, shown), "hidden": hidden}


def _scope(
    session: Session,
    viewer: Viewer,
    team_only_mode: bool,
    repo: str | None,
    team: str | None,
    person: str | None,
) -> FlowScope:
    given = [name for name, value in (("repo", repo), ("team", team), ("person", person)) if value]
    if len(given) != 1:
        raise bad_query(given[1] if given else "repo", "give exactly one of repo, team or person")
    if repo:
        require_repo(session, repo)
        return FlowScope(f"repo {repo}")
    if team:
        return team_scope(session, visible_team(session, viewer, team, by_id=True))
    assert person is not None
    return person_scope(
        session, visible_person(session, viewer, person, team_only_mode, what="api:reviews")
    )


def _visible_report(
    session: Session, report: FlowReport, visibility: LoginVisibility
) -> dict[str, Any]:
    load, hidden_load = visibility.split(report.reviewer_load, "reviewer")
    waiting, hidden_waiting = visibility.split(report.waiting.on_reviewer, "author_login")
    shown = replace(
        report,
        reviewer_load=tuple(load),
        waiting=replace(
            report.waiting,
            on_reviewer=tuple(waiting),
            unreviewed=tuple(w for w in waiting if not w.reviewed),
        ),
    )
    body = asdict(shown)
    flagged = {
        (row["repository"], row["number"]): row
        for row in pull_rows(session, visibility.viewer, waiting)
    }
    for name in ("on_reviewer", "unreviewed"):
        body["waiting"][name] = [
            flagged[(row["repository"], row["number"])] for row in body["waiting"][name]
        ]
    return {**body, "hidden": {"reviewer_load": hidden_load, "waiting": hidden_waiting}}


@router.get("/reviews/flow", response_model=FlowOut, responses=NOT_FOUND)
def get_review_flow(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoSlugQuery = None,
    team: Annotated[str | None, Query(max_length=100, description="Team name or id")] = None,
    person: PersonQuery = None,
    weeks: Annotated[int, Query(ge=1, le=104, description="Weeks back from now")] = 12,
) -> dict[str, Any]:
    """Median and p75 of each phase, per week; merged without approval; reviewer load; waiting."""
    scope = _scope(session, viewer, settings.team_only_mode, repo, team, person)
    report = flow_report(
        session,
        settings=settings,
        now=datetime.now(UTC),
        weeks=weeks,
        scope=scope.label,
        repo=repo,
        authors=scope.logins,
        timezone=scope.timezone,
    )
    visibility = LoginVisibility(session, viewer, settings.team_only_mode)
    return _visible_report(session, report, visibility)
