"""What a manager should do first, on the home page: the next 1:1s (each with its top talking
point), the longest-waiting PRs of their people, and how review work is spread in their teams.

Review load is shown per team, never per person: "one person gave 45 % of the team's reviews"
says the work is unevenly spread without ranking anyone; the team page names them to the manager.
The flags to answer come from the HTTP layer (only `app.flags` decides who answers which flag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from sqlmodel import Session, col, select

from app.core import access, one_on_ones
from app.core.access import Viewer
from app.core.identities import directory
from app.core.models import Person, Team, TeamMember
from app.core.settings import Settings
from dashboards.pages.baseline import cached_baseline
from dashboards.pages.comparisons import team_reviews_given
from dashboards.pages.one_on_one import for_next_one_on_one
from dashboards.pages.parts import with_query
from dashboards.pages.person_evidence import person_evidence
from dashboards.periods import PERIOD_DAYS, Period, resolve_period
from dashboards.reports.review_flow import waiting_now
from dashboards.signals.reviews.waiting import WaitingPull as ReviewerWait
from dashboards.talking_points import talking_points
from dashboards.talking_points.load import TEAM_MEDIAN_RATIO, TEAM_MIN_PEOPLE, TEAM_SHARE
from dashboards.talking_points.units import count, duration

WAITING_SHOWN = 5
LOAD_PERIOD = "30d"
LOAD_MIN_REVIEWS = 10  # fewer reviews in a month are too few to call their spread uneven
NEVER = datetime.min.replace(tzinfo=UTC)  # no 1:1 marked yet: first in line


@dataclass
class NextOneOnOne:
    login: str
    name: str
    url: str
    last_held_at: datetime | None
    since: str  # "12 days since the last 1:1", "no 1:1 marked yet"
    agenda_items: int  # items added for the next 1:1
    top_point: str | None
    top_rule: str | None


@dataclass
class WaitingPr:
    repo: str
    number: int
    title: str
    url: str | None
    author: str
    waiting_for: str
    waited: str  # "6.2 days"
    waited_hours: float

    @classmethod
    def of(cls, wait: ReviewerWait, author: str) -> WaitingPr:
        return cls(
            repo=wait.repository,
            number=wait.number,
            title=wait.title,
            url=wait.html_url,
            author=author,
            waiting_for="a re-review" if wait.reviewed else "a first review",
            waited=duration(wait.waited_hours),
            waited_hours=wait.waited_hours,
        )


@dataclass
class LoadImbalance:
    team: str
    url: str
    text: str


def next_one_on_ones(
    session: Session, viewer: Viewer, now: datetime, settings: Settings
) -> list[NextOneOnOne]:
    """The viewer's direct reports, the longest since their last 1:1 first (never held first)."""
    ids = access.direct_reports(session, viewer.person_id)
    if settings.team_only_mode or not ids:
        return []
    people = [
        p
        for p in session.exec(select(Person).where(col(Person.id).in_(ids)).order_by(Person.login))
        if not p.is_bot and p.id is not None
    ]
    held = one_on_ones.last_held_for(session, {p.id for p in people if p.id}, until=now)
    people.sort(key=lambda p: held.get(p.id or 0) or NEVER)
    return [
        _next(session, viewer, person, held.get(person.id or 0), now, settings) for person in people
    ]


def _next(
    session: Session,
    viewer: Viewer,
    person: Person,
    last: datetime | None,
    now: datetime,
    settings: Settings,
) -> NextOneOnOne:
    assert person.id is not None
    period = resolve_period(session, None, now=now, person_id=person.id)
    top_point, top_rule = _top_point(session, person, period, now, settings)
    access.record_view(session, viewer, person.id, "home_page_next_1on1")  # they see who looked
    return NextOneOnOne(
        login=person.login,
        name=person.name or person.login,
        url=f"/people/{person.login}",
        last_held_at=last,
        since=_since(last, now),
        agenda_items=len(for_next_one_on_one(session, person.id, last)),
        top_point=top_point,
        top_rule=top_rule,
    )


def _top_point(
    session: Session, person: Person, period: Period, now: datetime, settings: Settings
) -> tuple[str | None, str | None]:
    """The first talking point of the person page, as the manager reads it. Building it takes
    the person's whole evidence (about a person page), so it is kept for the hour per person,
    period and data version: the home page lists every report, and collection runs hourly."""

    def build() -> tuple[str | None, str | None]:
        evidence = person_evidence(session, person, period, now, settings)
        points = talking_points(evidence.signals, reader_is_person=False)
        return (points[0].text, points[0].rule) if points else (None, None)

    hour = now.replace(minute=0, second=0, microsecond=0)
    key = ("home_top_point", person.id, period.key, period.start, hour)
    return cached_baseline(session, key, build)


def _since(last: datetime | None, now: datetime) -> str:
    if last is None:
        return "no 1:1 marked yet"
    days = (now - last).days
    if days == 0:
        return "last 1:1 today"
    return f"{days} day{'s' if days != 1 else ''} since the last 1:1"


def longest_waiting(
    session: Session, viewer: Viewer, now: datetime, settings: Settings
) -> list[WaitingPr]:
    """The PRs of the viewer's people waiting on a reviewer right now, longest first."""
    reports = access.all_reports(session, viewer.person_id)
    if settings.team_only_mode or not reports:
        return []
    people = directory(session)
    logins = people.logins_of(*reports)
    if not logins:
        return []
    waiting = waiting_now(session, now=now, settings=settings, authors=logins)
    return [
        WaitingPr.of(w, _name(session, people.person_of_login(w.author_login), w.author_login))
        for w in waiting.on_reviewer[:WAITING_SHOWN]
    ]


def _name(session: Session, person_id: int | None, login: str | None) -> str:
    person = session.get(Person, person_id) if person_id is not None else None
    return (person.name or person.login) if person is not None else (login or "someone")


def review_load_imbalance(
    session: Session, viewer: Viewer, now: datetime, settings: Settings
) -> list[LoadImbalance]:
    """Teams the viewer manages where one member gave over 40 % of the team's reviews in the
    last 30 days, or over twice the median member's: the same lines as the talking point."""
    as_manager = Viewer(person_id=viewer.person_id, login=viewer.login)  # their teams, not all
    teams = session.exec(
        select(Team).where(col(Team.id).in_(access.managed_teams(session, as_manager)))
    ).all()
    people = directory(session)
    period = Period(LOAD_PERIOD, "30 days", now - timedelta(days=PERIOD_DAYS[LOAD_PERIOD]), now)
    found = []
    for team in sorted(teams, key=lambda t: t.name):
        members = session.exec(select(TeamMember.person_id).where(TeamMember.team_id == team.id))
        given = team_reviews_given(
            session, {pid: people.logins_of(pid) for pid in members}, period, settings
        )
        text = _imbalance(given)
        if text is not None:
            url = with_query(f"/teams/{team.name}", period=LOAD_PERIOD) + "#chart-reviewer_load"
            found.append(LoadImbalance(team.name, url, f"In {team.name}, {text}"))
    return found


def _imbalance(given: list[int]) -> str | None:
    """The sentence for one team's reviews per member, or None when the spread is even."""
    total = sum(given)
    if len(given) < TEAM_MIN_PEOPLE or total < LOAD_MIN_REVIEWS:
        return None
    most, middle = max(given), median(given)
    share = most / total
    if share > TEAM_SHARE:
        return (
            f"one person gave {share:.0%} of the team's {total} reviews in the last 30 days "
            f"(the median member gave {count(middle)})."
        )
    if most > TEAM_MEDIAN_RATIO * middle:
        return (
            f"one person gave {most} of the team's {total} reviews in the last 30 days, over "
            f"twice the median member's {count(middle)}."
        )
    return None
