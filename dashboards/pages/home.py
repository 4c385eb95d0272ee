"""The home page: what to do first, then the people, teams and repositories the viewer may
open; the team, repository and period filters travel in the links.

A manager sees the next 1:1s (each with its top talking point), the flags waiting for their
answer, the longest-waiting PRs and uneven review load (`home_manager`); everyone sees their
own open items and who looked at their data (`home_own`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.core import access
from app.core.access import Viewer
from app.core.models import Person, Team
from app.core.settings import Settings
from dashboards.pages.home_manager import (
    LoadImbalance,
    NextOneOnOne,
    WaitingPr,
    longest_waiting,
    next_one_on_ones,
    review_load_imbalance,
)
from dashboards.pages.home_own import OwnItems, own_items
from dashboards.pages.parts import Link, PageNotFoundError, period_links, with_query
from dashboards.pages.people import team_member_ids
from dashboards.periods import DEFAULTS_LABEL, GROUP_PERIODS, PERIOD_LABELS, resolve_period
from dashboards.reports.repositories import known_repositories


@dataclass
class FlagsToAnswer:
    count: int
    url: str = "/flags"


@dataclass
class HomePage:
    viewer: str
    viewer_name: str
    people: list[dict[str, Any]]
    teams: list[Link]
    repositories: list[Link]
    team: str | None
    repository: str | None
    period: str | None  # None: every link opens its page on that page's own default
    periods: list[Link]
    own: OwnItems
    is_manager: bool = False
    next_one_on_ones: list[NextOneOnOne] = field(default_factory=list)
    waiting_pulls: list[WaitingPr] = field(default_factory=list)
    review_load: list[LoadImbalance] = field(default_factory=list)
    flags_to_answer: FlagsToAnswer | None = None  # filled by the HTTP layer (app.flags decides)
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
    me = session.get(Person, viewer.person_id)
    is_manager = bool(access.direct_reports(session, viewer.person_id))  # admin or not
    return HomePage(
        viewer=viewer.login,
        viewer_name=(me.name if me is not None and me.name else viewer.login),
        own=own_items(session, viewer, now, settings),
        is_manager=is_manager,
        next_one_on_ones=next_one_on_ones(session, viewer, now, settings) if is_manager else [],
        waiting_pulls=longest_waiting(session, viewer, now, settings) if is_manager else [],
        review_load=review_load_imbalance(session, viewer, now, settings) if is_manager else [],
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
