"""The home page: the people, teams and repositories the viewer may open; the team,
repository and period filters travel in the links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.core import access
from app.core.access import Viewer
from app.core.models import Person, Team
from app.core.settings import Settings
from dashboards.pages.parts import Link, PageNotFoundError, period_links, with_query
from dashboards.pages.people import team_member_ids
from dashboards.periods import DEFAULTS_LABEL, GROUP_PERIODS, PERIOD_LABELS, resolve_period
from dashboards.reports.repositories import known_repositories


@dataclass
class HomePage:
    viewer: str
    people: list[dict[str, Any]]
    teams: list[Link]
    repositories: list[Link]
    team: str | None
    repository: str | None
    period: str | None  # None: every link opens its page on that page's own default
    periods: list[Link]
    kind: str = "home"
    defaults_label: str = DEFAULTS_LABEL


def home_page(
    session: Session,
    viewer: Viewer,
    now: datetime,
    settings: Settings,
    *,
    team: str | None = None,
    repository: str | None = None,
    period: str | None = None,
) -> HomePage:
    """What the viewer may open, filtered by team; the filters travel in the URL."""
    if period is not None:
        resolve_period(session, period, now=now)  # validates the value
    group_period = period if period in GROUP_PERIODS else None
    people_ids = access.visible_people(session, viewer, team_only_mode=settings.team_only_mode)
    team_ids = access.visible_teams(session, viewer)
    teams = list(session.exec(select(Team).where(col(Team.id).in_(team_ids)).order_by(Team.name)))
    if team is not None:
        chosen = [t for t in teams if t.name == team]
        if not chosen:
            raise PageNotFoundError(team)
        assert chosen[0].id is not None
        people_ids &= set(team_member_ids(session, chosen[0].id))
    people = list(
        session.exec(select(Person).where(col(Person.id).in_(people_ids)).order_by(Person.login))
    )
    repo_names = known_repositories(session)
    if repository is not None and repository not in repo_names:
        raise PageNotFoundError(repository)
    return HomePage(
        viewer=viewer.login,
        people=[
            {
                "login": p.login,
                "name": p.name or p.login,
                "url": with_query(f"/people/{p.login}", period=period),
                "is_you": p.id == viewer.person_id,
            }
            for p in people
            if not p.is_bot
        ],
        teams=[
            Link(
                t.name,
                with_query(f"/teams/{t.name}", period=group_period, repository=repository),
                current=t.name == team,
            )
            for t in teams
        ],
        repositories=[
            Link(r, with_query(f"/repos/{r}", period=group_period), current=r == repository)
            for r in repo_names
        ],
        team=team,
        repository=repository,
        period=period,
        periods=period_links("/", period, list(PERIOD_LABELS), team=team, repository=repository),
    )
