"""An organisation's teams side by side, and where their friction meets, read from the reports
every other page uses: review flow (`review_flow.pull_flows`, `waiting_now`), CI (the rows
`ci.flaky_report` reads, through `flaky_from_rows`) and agreements
(`agreements.team_exceptions`). The flows and runs of every team are read in one pass over all
their logins and split per team afterwards.

Numbers are about teams and places (repositories, paths), never about a person: reviews that
cross team lines are counted by team pair, and anonymous flags only as counts from three up.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.core.access import team_sizes
from app.core.identities import directory
from app.core.models import (
    AgreementChange,
    ExpectedException,
    FrictionFlag,
    Repository,
    Team,
    TeamAgreement,
    TeamMember,
)
from app.core.settings import Settings
from dashboards.periods import Period
from dashboards.queries import painmap as pq
from dashboards.queries.ci import attempts_for, jobs_for
from dashboards.queries.ci_rows import AttemptRow, JobRow, People
from dashboards.reports.agreements import team_exceptions
from dashboards.reports.nudges_team import K_ANONYMOUS
from dashboards.reports.review_flow import pull_flows, waiting_now
from dashboards.signals.ci.flaky import FlakyReport, flaky_from_rows
from dashboards.signals.reviews.flow import PullFlow, summarise
from dashboards.signals.reviews.waiting import WaitingPull

PHASES = ("pickup", "review", "merge")
USUAL_PERIODS = 3  # a team's usual: the three periods of the same length before this one
OUTSIDE = "outside these teams"
FOLDERS_OF = 10  # repositories whose folders are looked into, the most waited on first


@dataclass(frozen=True)
class PhaseAgainstUsual:
    """One review-flow phase: the team's median now and over its usual."""

    phase: str
    now_hours: float | None
    usual_hours: float | None


@dataclass(frozen=True)
class TeamNumbers:
    """What one team's column on the organisation page shows."""

    team: str
    members: int
    phases: tuple[PhaseAgainstUsual, ...]
    merged: int
    waiting: tuple[WaitingPull, ...]  # PRs whose author waits on a reviewer now, longest first
    review_wait_hours: float  # hours PRs waited for a first review (first reviews in the period)
    flaky_wait_hours: float  # hours waited on builds that failed, then passed on the same commit
    flaky_rate: float | None  # share of decided run groups that were flaky
    flaky_groups: int
    exceptions: dict[str, int]  # agreement exceptions per rule, the expected ones left out
    flags: dict[str, int]  # named flags per category
    anonymous_flags: dict[str, int]  # anonymous flags per category, only where >= K_ANONYMOUS


@dataclass(frozen=True)
class CrossTeamWait:
    """Reviews one team waited for from another: PRs first reviewed, hours, waiting now."""

    author_team: str
    reviewer_team: str
    pulls: int
    median_pickup_hours: float | None
    waiting_now: int


@dataclass(frozen=True)
class SharedPlace:
    """A repository, or a folder in one, that several teams' PRs waited on."""

    repo: str
    path: str | None  # None: the whole repository
    teams: tuple[str, ...]  # in the page's order
    pulls: int
    wait_hours: float


@dataclass
class OrgNumbers:
    teams: list[TeamNumbers]
    cross_team: list[CrossTeamWait] = field(default_factory=list)
    shared: list[SharedPlace] = field(default_factory=list)


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _medians(flows: list[PullFlow], now: datetime) -> dict[str, float | None]:
    return {p.phase: p.median_hours for p in summarise(flows, now=now).phases}


def _team_logins(session: Session, teams: list[Team]) -> dict[str, set[str]]:
    """Every login spelling of each team's members (the manager is not a member)."""
    people = directory(session)
    ids: dict[int, set[int]] = defaultdict(set)
    rows = session.exec(
        select(TeamMember.team_id, TeamMember.person_id).where(
            col(TeamMember.team_id).in_([t.id for t in teams])
        )
    )
    for team_id, person_id in rows:
        ids[team_id].add(person_id)
    return {
        t.name: {x.lower() for x in people.logins_of(*ids.get(t.id or 0, set()))} for t in teams
    }


def org_numbers(
    session: Session, teams: list[Team], period: Period, now: datetime, settings: Settings
) -> OrgNumbers:
    """Each team's numbers (in the order given) and where their waits meet."""
    return with_flags(session, org_readings(session, teams, period, now, settings), teams, period)


def readings_version(session: Session, teams: list[Team]) -> tuple[object, ...]:
    """What `org_readings` depends on besides the collected data (`data_version`): who is in
    each team, the agreements and the exceptions marked expected. Keeping readings under this
    and the data version is safe: any change of theirs gives a new key."""
    members = session.exec(
        select(TeamMember.team_id, TeamMember.person_id)
        .where(col(TeamMember.team_id).in_([t.id for t in teams]))
        .order_by(col(TeamMember.team_id), col(TeamMember.person_id))
    ).all()
    marks = session.exec(select(func.count(), func.max(ExpectedException.id))).one()
    targets = session.exec(
        select(
            select(func.max(AgreementChange.id)).scalar_subquery(),
            select(func.max(TeamAgreement.set_at)).scalar_subquery(),
        )
    ).one()
    return (tuple(members), *marks, *targets)


def org_readings(
    session: Session, teams: list[Team], period: Period, now: datetime, settings: Settings
) -> OrgNumbers:
    """Everything of `org_numbers` but the flags: the costly part (every team's review flow,
    CI runs and agreement exceptions), which a page may keep per data version."""
    logins = _team_logins(session, teams)
    everyone = set().union(*logins.values()) if logins else set()
    usual = period.previous(USUAL_PERIODS)
    flows = pull_flows(session, settings=settings, authors=everyone, since=usual.start, until=now)
    waits = waiting_now(session, now=now, settings=settings, authors=everyone).on_reviewer
    runs = _runs(session, everyone, period)
    sizes = team_sizes(session, {t.id for t in teams if t.id is not None})
    numbers = []
    for team in teams:
        mine = logins[team.name]
        own = [f for f in flows if (f.author_login or "").lower() in mine]
        now_flows = [f for f in own if _in(f.merged_at, period.start, period.end)]
        before = [f for f in own if _in(f.merged_at, usual.start, usual.end)]
        current, earlier = _medians(now_flows, now), _medians(before, now)
        ci = _team_flaky(runs, mine) if mine else None
        flaky_wait = sum(
            (g.wait.total_seconds() / 3600 for g in (ci.workflows if ci else []) if g.wait),
            0.0,
        )
        exceptions = team_exceptions(
            session, team, settings, since=period.start, until=period.end, now=now
        ).counts
        numbers.append(
            TeamNumbers(
                team=team.name,
                members=sizes.get(team.id or 0, 0),
                phases=tuple(PhaseAgainstUsual(p, current.get(p), earlier.get(p)) for p in PHASES),
                merged=len(now_flows),
                waiting=tuple(w for w in waits if (w.author_login or "").lower() in mine),
                review_wait_hours=round(
                    sum(
                        f.pickup_hours or 0.0
                        for f in own
                        if _in(f.first_review_at, period.start, period.end)
                    ),
                    1,
                ),
                flaky_wait_hours=round(flaky_wait, 1),
                flaky_rate=ci.flaky_rate if ci else None,
                flaky_groups=ci.flaky if ci else 0,
                exceptions=dict(sorted(exceptions.items())),
                flags={},
                anonymous_flags={},
            )
        )
    in_period = [f for f in flows if _in(f.first_review_at, period.start, period.end)]
    order = [t.name for t in teams]
    return OrgNumbers(
        teams=numbers,
        cross_team=_cross_team(session, in_period, waits, logins, order),
        shared=_shared(session, in_period, waits, logins, order, now),
    )


def with_flags(
    session: Session, readings: OrgNumbers, teams: list[Team], period: Period
) -> OrgNumbers:
    """The readings with each team's flags of the period, read now (flags are always live)."""
    flags = _flags(session, teams, period)
    shown = []
    for team, found in zip(teams, readings.teams, strict=True):
        named, anonymous = flags.get(team.id or 0, (Counter(), Counter()))
        shown.append(
            replace(
                found,
                flags=dict(sorted(named.items())),
                anonymous_flags={c: n for c, n in sorted(anonymous.items()) if n >= K_ANONYMOUS},
            )
        )
    return OrgNumbers(teams=shown, cross_team=readings.cross_team, shared=readings.shared)


Runs = tuple[list[AttemptRow], list[JobRow], People]


def _runs(session: Session, everyone: set[str], period: Period) -> Runs:
    """Every team's CI runs in the period, read once (as `reports.ci.flaky_report` reads one
    team's), to be split per team by whose run it is."""
    attempts = attempts_for(session, since=period.start, until=period.end, logins=everyone)
    jobs = jobs_for(session, attempts, since=period.start, until=period.end, logins=everyone)
    return attempts, jobs, People.of(directory(session))


def _team_flaky(runs: Runs, logins: set[str]) -> FlakyReport:
    """The flaky report of the runs that are the team's (by the run's person, as CI counts)."""
    attempts, jobs, people = runs
    mine = [a for a in attempts if (people.person(a.person) or "").lower() in logins]
    ids = {a.run_id for a in mine}
    return flaky_from_rows(mine, [j for j in jobs if j.run_id in ids], top=10)


def _flags(
    session: Session, teams: list[Team], period: Period
) -> dict[int, tuple[Counter[str], Counter[str]]]:
    """Named and anonymous flags per category, per team, raised in the period."""
    found: dict[int, tuple[Counter[str], Counter[str]]] = defaultdict(
        lambda: (Counter(), Counter())
    )
    rows = session.exec(
        select(FrictionFlag.team_id, FrictionFlag.category, FrictionFlag.anonymous).where(
            col(FrictionFlag.team_id).in_([t.id for t in teams]),
            FrictionFlag.created_at >= period.start,
            FrictionFlag.created_at <= period.end,
        )
    )
    for team_id, category, anonymous in rows:
        if team_id is not None:
            found[team_id][1 if anonymous else 0][category] += 1
    return found


def _teams_of(logins: dict[str, set[str]], login: str | None) -> set[str]:
    wanted = (login or "").lower()
    return {team for team, members in logins.items() if wanted in members}


def _cross_team(
    session: Session,
    flows: list[PullFlow],
    waits: list[WaitingPull],
    logins: dict[str, set[str]],
    order: list[str],
) -> list[CrossTeamWait]:
    """Pairs of teams where one waited on the other's review, in the page's order of teams.

    A reviewer in none of the teams shown counts as "outside these teams"; a review from
    someone who shares a team with the author is not a crossing."""
    people = directory(session)
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    now_waiting: Counter[tuple[str, str]] = Counter()

    def pairs(author: str | None, reviewer: str) -> set[tuple[str, str]]:
        mine = _teams_of(logins, author)
        theirs = _teams_of(logins, people.own_login(reviewer)) | _teams_of(logins, reviewer)
        if mine & theirs:
            return set()
        return {(a, r) for a in mine for r in (theirs or {OUTSIDE})}

    for flow in flows:
        if flow.first_reviewer and flow.pickup_hours is not None:
            for pair in pairs(flow.author_login, flow.first_reviewer):
                hours[pair].append(flow.pickup_hours)
    for wait in waits:
        found = set().union(*(pairs(wait.author_login, r) for r in wait.requested_reviewers))
        for pair in found:
            now_waiting[pair] += 1
    rank = {name: i for i, name in enumerate([*order, OUTSIDE])}
    keys = sorted(set(hours) | set(now_waiting), key=lambda k: (rank[k[0]], rank[k[1]]))
    return [
        CrossTeamWait(
            author_team=a,
            reviewer_team=r,
            pulls=len(hours.get((a, r), [])),
            median_pickup_hours=round(statistics.median(hours[(a, r)]), 1)
            if hours.get((a, r))
            else None,
            waiting_now=now_waiting[(a, r)],
        )
        for a, r in keys
    ]


def _shared(
    session: Session,
    flows: list[PullFlow],
    waits: list[WaitingPull],
    logins: dict[str, set[str]],
    order: list[str],
    now: datetime,
) -> list[SharedPlace]:
    """Repositories, and their top-level folders, where PRs of two or more teams waited for a
    first review (in the period, or now), most hours first."""
    waited: dict[str, dict[int, float]] = defaultdict(dict)  # repo -> PR number -> hours
    teams_of_pull: dict[tuple[str, int], set[str]] = {}
    for flow in flows:
        if flow.pickup_hours:
            waited[flow.repository][flow.number] = flow.pickup_hours
            teams_of_pull[(flow.repository, flow.number)] = _teams_of(logins, flow.author_login)
    for wait in waits:
        hours = (now - wait.waiting_since).total_seconds() / 3600
        waited[wait.repository][wait.number] = max(hours, 0.0)
        teams_of_pull[(wait.repository, wait.number)] = _teams_of(logins, wait.author_login)
    rank = {name: i for i, name in enumerate(order)}
    places: list[SharedPlace] = []
    for repo, pulls in waited.items():
        teams = set().union(*(teams_of_pull[(repo, n)] for n in pulls))
        if len(teams) < 2:
            continue
        places.append(
            SharedPlace(
                repo,
                None,
                tuple(sorted(teams, key=rank.__getitem__)),
                len(pulls),
                round(sum(pulls.values()), 1),
            )
        )
    repos = sorted(places, key=lambda p: (-p.wait_hours, p.repo))[:FOLDERS_OF]
    for place in repos:  # the folders of the repositories waited on most
        places += _shared_folders(session, place.repo, waited[place.repo], teams_of_pull, rank)
    return sorted(places, key=lambda p: (-p.wait_hours, p.repo, p.path or ""))


def _shared_folders(
    session: Session,
    repo: str,
    pulls: dict[int, float],
    teams_of_pull: dict[tuple[str, int], set[str]],
    rank: dict[str, int],
) -> list[SharedPlace]:
    repo_id = session.exec(select(Repository.id).where(Repository.name == repo)).first()
    if repo_id is None:
        return []
    heads = pq.pull_heads(session, repository_id=repo_id, numbers=pulls)
    folders: dict[str, set[int]] = defaultdict(set)
    for path, numbers in pq.pull_paths(session, repository_id=repo_id, heads=heads, ids={}).items():
        folder = path.split("/", 1)[0] + "/" if "/" in path else path
        folders[folder] |= numbers & set(pulls)
    found = []
    for folder, numbers in folders.items():
        teams = set().union(*(teams_of_pull[(repo, n)] for n in numbers)) if numbers else set()
        if len(teams) >= 2:
            found.append(
                SharedPlace(
                    repo,
                    folder,
                    tuple(sorted(teams, key=rank.__getitem__)),
                    len(numbers),
                    round(sum(pulls[n] for n in numbers), 1),
                )
            )
    return found
