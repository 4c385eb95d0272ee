"""Pull requests and review flow: per-PR numbers with their timestamps, weekly aggregates.

Access: repo aggregates (phase medians, counts) go to any signed-in viewer; a team's to viewers
who may see that team; anything about one person (a PR's numbers, reviews given, a PR waiting)
only to viewers who may see that person (app.access). Hidden rows are counted, not listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session, select

from app.access import Viewer, can_view_person, visible_people, visible_teams
from app.deps import SessionDep, SettingsDep, ViewerDep
from app.models import Team
from app.people import person_for_login, resolve_login
from dashboards.signals.review_queries import FlowScope, person_scope, team_scope
from dashboards.signals.reviews import FlowReport, flow_report, pull_flows

router = APIRouter(tags=["reviews"])

REPO_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
RepoQuery = Annotated[
    str | None,
    Query(pattern=REPO_PATTERN, max_length=200, description="OWNER/REPO, as collected"),
]
FORBIDDEN = {403: {"description": "Not visible to this viewer"}}
NOT_FOUND = {404: {"description": "No such team or person"}}


def _bad(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": ["query", field], "msg": message, "type": "value_error"}],
    )


def _utc(value: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC, the zone every stored time is in."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class _Visibility:
    """Which GitHub logins' individual numbers this viewer may see."""

    def __init__(self, session: Session, viewer: Viewer, team_only_mode: bool) -> None:
        self.session = session
        self.all = viewer.is_admin and not team_only_mode
        self.people = visible_people(session, viewer, team_only_mode=team_only_mode)
        self._cache: dict[str, bool] = {}

    def login(self, login: str | None) -> bool:
        if self.all:
            return True
        if login is None:
            return False
        if login not in self._cache:
            self._cache[login] = resolve_login(self.session, login) in self.people
        return self._cache[login]

    def split(self, items: Iterable[Any], attribute: str) -> tuple[list[Any], int]:
        shown, hidden = [], 0
        for item in items:
            if self.login(getattr(item, attribute)):
                shown.append(item)
            else:
                hidden += 1
        return shown, hidden


@router.get("/pulls", responses=FORBIDDEN)
def get_pulls(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoQuery = None,
    since: Annotated[datetime | None, Query(description="PRs open at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="PRs created before (ISO 8601)")] = None,
) -> dict[str, Any]:
    """Per PR: every review-flow number next to the timestamps that produce it."""
    if repo is None:
        raise _bad("repo", "repo=OWNER/REPO is required")
    since, until = _utc(since), _utc(until)
    if since is not None and until is not None and since >= until:
        raise _bad("until", "until must be after since")
    flows = pull_flows(session, settings=settings, repo=repo, since=since, until=until)
    shown, hidden = _Visibility(session, viewer, settings.team_only_mode).split(
        flows, "author_login"
    )
    return {"repo": repo, "pulls": [asdict(f) for f in shown], "hidden": hidden}


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
        raise _bad(given[1] if given else "repo", "give exactly one of repo, team or person")
    if repo:
        return FlowScope(f"repo {repo}")
    if team:
        found = session.exec(select(Team).where(Team.name == team)).first()
        if found is None and team.isdigit():
            found = session.get(Team, int(team))
        if found is None or found.id is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no team {team!r}")
        if not viewer.is_admin and found.id not in visible_teams(session, viewer):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this team is not visible to you")
        return team_scope(session, found)
    assert person is not None
    someone = person_for_login(session, person)
    if someone is None or someone.id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no person {person!r}")
    if not can_view_person(session, viewer, someone.id, team_only_mode=team_only_mode):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this person is not visible to you")
    return person_scope(session, someone)


def _visible_report(report: FlowReport, visibility: _Visibility) -> dict[str, Any]:
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
    return {**asdict(shown), "hidden": {"reviewer_load": hidden_load, "waiting": hidden_waiting}}


@router.get("/reviews/flow", responses={**FORBIDDEN, **NOT_FOUND})
def get_review_flow(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    repo: RepoQuery = None,
    team: Annotated[str | None, Query(max_length=100, description="Team name or id")] = None,
    person: Annotated[str | None, Query(max_length=100, description="Person login")] = None,
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
    return _visible_report(report, _Visibility(session, viewer, settings.team_only_mode))
