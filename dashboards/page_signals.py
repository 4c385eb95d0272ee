"""The signals each page needs, in the small shapes the charts and talking points use.

This is the one place that knows the signal modules' APIs (reviews, builds, hotspots, flags);
when the data is missing a function returns None and the page shows an empty state that
names the command which collects the data.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, select

from app.models import Repository
from app.settings import Settings
from dashboards.page_queries import attempts_for, data_version, files_touched, jobs_for
from dashboards.periods import Period, iso_week, weeks_between
from dashboards.signals import builds, reviews
from dashboards.signals import hotspots as hot
from dashboards.signals.ci_queries import load_people
from dashboards.signals.review_queries import GivenReview, given_reviews
from dashboards.talking_points import CiHit, PullWait

T = TypeVar("T")

COLLECT_GIT = "gemba collect git PATH"
COLLECT_GITHUB = "gemba collect github --only pulls"
COLLECT_CI = "gemba collect github --only ci"
RAISE_FLAG = 'gemba flag "what hurts"'


@dataclass
class Phases:
    """Median hours per review-flow phase; None where there is no data."""

    pickup: float | None = None
    review: float | None = None
    merge: float | None = None


@dataclass
class Weekly:
    """Values per ISO week label ("2026-W47"), one list per named series."""

    weeks: list[str] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)


@dataclass
class WaitingPull:
    repo: str
    number: int
    title: str
    url: str | None
    author: str | None
    waiting_for: str
    waited_hours: float


@dataclass
class PersonReviews:
    pulls: list[PullWait]
    phases: Phases
    usual: Phases
    team: Phases
    reviews_given: int
    usual_reviews_given: float | None
    reviews_weekly: Weekly


@dataclass
class TeamReviews:
    trend: Weekly  # pickup, review, merge median hours per week
    waiting: list[WaitingPull]
    load: dict[str, int]  # reviews given per member login in the period
    waiting_hours: Weekly  # hours PRs waited for reviews, per week
    median_pickup_hours: float | None


@dataclass
class CiWaits:
    """Hours waited on CI, and the part of it spent on flaky builds."""

    on_ci: float | None = None
    on_flaky: float | None = None


@dataclass
class PersonCi:
    hits: list[CiHit]
    reruns: int
    waits: CiWaits
    usual: CiWaits
    team: CiWaits


@dataclass
class FlakyJob:
    repo: str
    workflow: str
    job: str
    flaky_runs: int
    url: str | None


@dataclass
class WorkflowHealth:
    repo: str
    workflow: str
    runs: int
    failure_rate: float | None
    flaky_runs: int
    median_minutes: float | None


@dataclass
class GroupCi:
    weekly: Weekly  # runs, failed, flaky per week
    flaky_jobs: list[FlakyJob]
    wait_hours: Weekly  # hours waited on CI per week
    workflows: list[WorkflowHealth]


@dataclass
class FileSignal:
    repo: str
    path: str
    url: str | None
    churn: int  # lines added + deleted in the window
    commits: int
    loc: int | None
    authors: int
    top_author: str | None
    top_share: float
    idle_days: int | None = None  # knowledge risk: days since the main author's last commit


@dataclass
class CouplingPair:
    repo: str
    first: str
    second: str
    together: int
    strength: float


@dataclass
class Hotspots:
    files: list[FileSignal]
    knowledge_risk: list[FileSignal]
    coupling: list[CouplingPair]


# --- review flow (dashboards.signals.reviews) ----------------------------------------------

USUAL_PERIODS = 3  # "their usual": the three periods of the same length before this one


def _phases(summary: reviews.FlowSummary) -> Phases:
    medians = {p.phase: p.median_hours for p in summary.phases}
    return Phases(medians.get("pickup"), medians.get("review"), medians.get("merge"))


def _in_period(flow: reviews.PullFlow, period: Period) -> bool:
    moments = (flow.ready_at or flow.created_at, flow.first_review_at, flow.merged_at)
    return any(m is not None and period.start <= m < period.end for m in moments)


def _week_counts(weeks: list[str], counts: dict[str, float]) -> list[float | None]:
    return [counts.get(week, 0.0) for week in weeks]


def _per_period(earlier: list[GivenReview], period: Period) -> float | None:
    """Reviews per period of this length, over the time since their first earlier review.

    Someone who started reviewing six weeks ago is compared with those six weeks, not with
    three empty months.
    """
    if not earlier:
        return None
    covered = (period.start - min(g.submitted_at for g in earlier)).total_seconds() / 86400
    return round(len(earlier) * period.days / max(covered, period.days), 1)


# A team's baseline (its median phases, its median hours on CI) is the same for every member's
# page: it is computed over whole days and cached per team, days and data version, so a page
# pays only for the person's own numbers, which are always live.
_BASELINE_CACHE: dict[tuple[object, ...], object] = {}
_BASELINE_CACHE_SIZE = 512


def _day_window(period: Period) -> tuple[datetime, datetime]:
    start = period.start.replace(hour=0, minute=0, second=0, microsecond=0)
    end = period.end.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return start, end


def _team_window(period: Period) -> tuple[datetime, datetime]:
    """The team comparison window: the period rounded up to whole weeks, ending tonight.

    Every member's "since the last 1:1" starts on a different day; rounding to weeks lets
    their pages share one team baseline instead of computing one per member.
    """
    _, end = _day_window(period)
    weeks = max(1, math.ceil(period.days / 7))
    return end - timedelta(days=7 * weeks), end


def _baseline(session: Session, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    full_key = (str(session.get_bind().url), *key, data_version(session))
    if full_key in _BASELINE_CACHE:
        return _BASELINE_CACHE[full_key]  # type: ignore[return-value]
    value = compute()
    if len(_BASELINE_CACHE) >= _BASELINE_CACHE_SIZE:
        _BASELINE_CACHE.clear()
    _BASELINE_CACHE[full_key] = value
    return value


def team_phases(
    session: Session, *, team_logins: set[str], period: Period, settings: Settings
) -> Phases:
    """Median hours of each phase over the team's PRs in the period's weeks."""
    start, end = _team_window(period)

    def compute() -> Phases:
        flows = reviews.pull_flows(
            session, settings=settings, authors=team_logins, since=start, until=end
        )
        window = Period(period.key, period.label, start, end)
        return _phases(reviews.summarise([f for f in flows if _in_period(f, window)], now=end))

    return _baseline(session, ("phases", frozenset(team_logins), start, end), compute)


def person_reviews(
    session: Session,
    *,
    logins: set[str],
    team_logins: set[str],
    period: Period,
    now: datetime,
    settings: Settings,
) -> PersonReviews | None:
    """Their PRs' flow against their own usual and the team's median, and reviews they gave."""
    usual_window = period.previous(USUAL_PERIODS)
    flows = reviews.pull_flows(
        session, settings=settings, authors=logins, since=usual_window.start, until=now
    )
    given = [
        g
        for g in given_reviews(session, since=usual_window.start, until=now, reviewers=logins)
        if g.author_login not in logins
        and not reviews.BotRule.from_settings(settings).is_bot(g.reviewer_login, g.reviewer_is_bot)
    ]
    if not flows and not given:
        return None
    now_flows = [f for f in flows if _in_period(f, period)]
    before = [f for f in flows if not _in_period(f, period) and f.created_at < period.start]
    waiting = {
        (w.repository, w.number): w
        for w in reviews.waiting_now(session, now=now, settings=settings, authors=logins).unreviewed
    }
    pulls = [
        PullWait(
            repo=f.repository,
            number=f.number,
            title=f.title,
            url=f.html_url,
            pickup_hours=f.pickup_hours,
            waiting_now=(f.repository, f.number) in waiting,
            waited_hours=w.waited_hours if (w := waiting.get((f.repository, f.number))) else None,
        )
        for f in sorted(now_flows, key=lambda f: f.created_at, reverse=True)
    ]
    in_period = [g for g in given if g.submitted_at >= period.start]
    earlier = [g for g in given if g.submitted_at < period.start]
    weeks = weeks_between(period.start, period.end)
    counts: dict[str, float] = {}
    for g in in_period:
        week = iso_week(g.submitted_at)
        counts[week] = counts.get(week, 0.0) + 1
    return PersonReviews(
        pulls=pulls,
        phases=_phases(reviews.summarise(now_flows, now=now)),
        usual=_phases(reviews.summarise(before, now=now)),
        team=team_phases(session, team_logins=team_logins, period=period, settings=settings),
        reviews_given=len(in_period),
        usual_reviews_given=_per_period(earlier, period),
        reviews_weekly=Weekly(weeks, {"Reviews given": _week_counts(weeks, counts)}),
    )


def team_reviews(
    session: Session,
    *,
    team_logins: set[str] | None,
    repository: str | None,
    period: Period,
    now: datetime,
    settings: Settings,
) -> TeamReviews | None:
    """Weekly medians of each phase, what waits now, and how reviews were spread.

    The history is a team baseline (cached per days and data version); what waits now is live.
    """
    authors = team_logins if team_logins is not None else None
    start, end = _day_window(period)
    key = ("team_reviews", frozenset(authors) if authors is not None else None, repository)

    def compute() -> TeamReviews | None:
        return _team_review_history(
            session, authors=authors, repository=repository, period=period, settings=settings
        )

    history = _baseline(session, (*key, start, end), compute)
    waiting = reviews.waiting_now(
        session, now=now, settings=settings, repo=repository, authors=authors
    )
    if history is None and not waiting.on_reviewer:
        return None
    if history is None:
        history = TeamReviews(Weekly(), [], {}, Weekly(), None)
    return replace(
        history,
        waiting=[
            WaitingPull(
                repo=w.repository,
                number=w.number,
                title=w.title,
                url=w.html_url,
                author=w.author_login,
                waiting_for="a re-review" if w.reviewed else "a first review",
                waited_hours=w.waited_hours,
            )
            for w in waiting.on_reviewer
        ],
    )


def _team_review_history(
    session: Session,
    *,
    authors: set[str] | None,
    repository: str | None,
    period: Period,
    settings: Settings,
) -> TeamReviews | None:
    start, end = _day_window(period)
    flows = reviews.pull_flows(
        session, settings=settings, repo=repository, authors=authors, since=start, until=end
    )
    load = reviews.reviewer_load(
        session, since=start, until=end, settings=settings, repo=repository, reviewers=authors
    )
    if not flows and not load:
        return None
    weekly = reviews.weekly_flow(flows)
    medians = {
        name: [next(p.median_hours for p in w.phases if p.phase == key) for w in weekly]
        for name, key in (
            ("Waiting for first review", "pickup"),
            ("In review", "review"),
            ("Approved to merge", "merge"),
        )
    }
    waited: dict[str, float] = {}
    for flow in flows:
        if flow.first_review_at is not None and flow.pickup_hours is not None:
            week = iso_week(flow.first_review_at)
            waited[week] = waited.get(week, 0.0) + flow.pickup_hours
    all_weeks = weeks_between(period.start, period.end)
    per_person: dict[str, int] = {}
    for row in load:
        per_person[row.reviewer] = per_person.get(row.reviewer, 0) + row.reviews
    return TeamReviews(
        trend=Weekly([w.week for w in weekly], medians),
        waiting=[],
        load=per_person,
        waiting_hours=Weekly(
            all_weeks, {"Waiting for a first review": _week_counts(all_weeks, waited)}
        ),
        median_pickup_hours=_phases(reviews.summarise(flows, now=end)).pickup,
    )


# --- CI (dashboards.signals.builds) ----------------------------------------------------------


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _run_id(url: str) -> int | None:
    match = re.search(r"/runs/(\d+)", url)
    return int(match.group(1)) if match else None


def person_ci(
    session: Session,
    *,
    logins: set[str],
    team_logins: set[str],
    period: Period,
    now: datetime,
) -> PersonCi | None:
    """Flaky builds that hit their PRs and hours waited on CI, against their usual and the team."""
    usual_window = period.previous(USUAL_PERIODS)
    rows = attempts_for(session, since=usual_window.start, until=now, actors=logins)
    if not rows:
        return None
    people = load_people(session)
    attempts = [a for a in rows if a.created_at >= period.start]
    before = [a for a in rows if a.created_at < period.start]
    groups, _ = builds.groups_by_sha(attempts, [])  # runner time is not shown on this page
    mine = builds.person_ci_from_rows(attempts, groups, people, logins=logins)
    before_groups, _ = builds.groups_by_sha(before, [])
    usual = builds.person_ci_from_rows(before, before_groups, people, logins=logins)
    weekly_team = team_ci_waits(session, team_logins=team_logins, period=period)
    start, end = _team_window(period)
    scale = period.days / ((end - start).total_seconds() / 86400)  # totals: same length as ours
    team = CiWaits(
        *(
            None if v is None else round(v * scale, 2)
            for v in (weekly_team.on_ci, weekly_team.on_flaky)
        )
    )
    hits = [
        CiHit(
            repo=pull.repo,
            run_id=_run_id(pull.run_urls[0]) if pull.run_urls else None,
            workflow=", ".join(pull.workflows),
            job=None,
            url=pull.run_urls[0] if pull.run_urls else None,
            pull_number=pull.number,
        )
        for p in mine
        for pull in p.flaked_pulls
    ]

    def total(items: list[builds.PersonCI], attr: str) -> float | None:
        if not items:
            return None
        return _hours(sum((getattr(i, attr) for i in items), timedelta()))

    def per_period(items: list[builds.PersonCI], attr: str) -> float | None:
        value = total(items, attr)
        return None if value is None else round(value / USUAL_PERIODS, 2)

    return PersonCi(
        hits=hits,
        reruns=sum(p.reruns for p in mine),
        waits=CiWaits(total(mine, "waited_on_ci"), total(mine, "waited_on_flaky")),
        usual=CiWaits(per_period(usual, "waited_on_ci"), per_period(usual, "waited_on_flaky")),
        team=team,
    )


def team_ci_waits(session: Session, *, team_logins: set[str], period: Period) -> CiWaits:
    """The median member's hours waited on CI (and on flaky builds) in the period's weeks."""
    start, end = _team_window(period)

    def compute() -> CiWaits:
        attempts = attempts_for(session, since=start, until=end, actors=team_logins)
        groups, _ = builds.groups_by_sha(attempts, [])
        rows = builds.person_ci_from_rows(
            attempts, groups, load_people(session), logins=team_logins
        )
        if not rows:
            return CiWaits()
        return CiWaits(
            round(statistics.median(_hours(r.waited_on_ci) or 0.0 for r in rows), 2),
            round(statistics.median(_hours(r.waited_on_flaky) or 0.0 for r in rows), 2),
        )

    return _baseline(session, ("ci", frozenset(team_logins), start, end), compute)


def group_ci(
    session: Session,
    *,
    team_logins: set[str] | None,
    repository: str | None,
    period: Period,
    now: datetime,
) -> GroupCi | None:
    """CI health per week, the flakiest jobs, hours waited on flaky builds, per workflow.

    A team baseline: computed over the period's whole days, cached per days and data version.
    """
    start, end = _day_window(period)
    actors = frozenset(team_logins) if team_logins is not None else None

    def compute() -> GroupCi | None:
        return _group_ci(session, actors=actors, repository=repository, period=period)

    return _baseline(session, ("group_ci", actors, repository, start, end), compute)


def _group_ci(
    session: Session, *, actors: frozenset[str] | None, repository: str | None, period: Period
) -> GroupCi | None:
    start, end = _day_window(period)
    attempts = attempts_for(session, since=start, until=end, actors=actors, repo=repository)
    if not attempts:
        return None
    jobs = jobs_for(session, since=start, until=end, actors=actors, repo=repository)
    health = builds.workflow_health(attempts, jobs, now=end)
    report = builds.flaky_from_rows(attempts, jobs, top=10)
    weeks = weeks_between(period.start, period.end)
    runs: dict[str, float] = {}
    failed: dict[str, float] = {}
    for flow in health:
        for stats in flow.weeks:
            week = iso_week(datetime.combine(stats.week, datetime.min.time()))
            runs[week] = runs.get(week, 0.0) + stats.runs
            failed[week] = failed.get(week, 0.0) + stats.failed
    flaky: dict[str, float] = {}
    waited: dict[str, float] = {}
    flaky_by_workflow: dict[tuple[str, str], int] = {}
    for group in report.workflows:
        moment = group.first_failure_at or group.last_at
        if moment is None:
            continue
        week = iso_week(moment)
        flaky[week] = flaky.get(week, 0.0) + 1
        waited[week] = waited.get(week, 0.0) + (_hours(group.wait) or 0.0)
        key = (group.repo, group.workflow)
        flaky_by_workflow[key] = flaky_by_workflow.get(key, 0) + 1
    workflows = []
    for flow in health:
        total_runs = sum(w.runs for w in flow.weeks)
        decided = sum(w.succeeded + w.failed for w in flow.weeks)
        durations = [
            w.duration_p50.total_seconds() / 60 for w in flow.weeks if w.duration_p50 is not None
        ]
        workflows.append(
            WorkflowHealth(
                repo=flow.repo,
                workflow=flow.workflow,
                runs=total_runs,
                failure_rate=round(sum(w.failed for w in flow.weeks) / decided, 3)
                if decided
                else None,
                flaky_runs=flaky_by_workflow.get((flow.repo, flow.workflow), 0),
                median_minutes=round(statistics.median(durations), 1) if durations else None,
            )
        )
    return GroupCi(
        weekly=Weekly(
            weeks,
            {
                "Runs": _week_counts(weeks, runs),
                "Failed runs": _week_counts(weeks, failed),
                "Flaky runs": _week_counts(weeks, flaky),
            },
        ),
        flaky_jobs=[
            FlakyJob(
                j.repo, j.workflow, j.job, j.flaky_groups, j.run_urls[0] if j.run_urls else None
            )
            for j in report.jobs
        ],
        wait_hours=Weekly(weeks, {"Waiting on flaky builds": _week_counts(weeks, waited)}),
        workflows=workflows,
    )


# --- hotspots (dashboards.signals.hotspots) --------------------------------------------------


def repo_hotspots(
    session: Session, *, repository: str, period: Period, now: datetime, limit: int = 60
) -> Hotspots | None:
    """A repository's hotspots with ownership, coupling and knowledge risk (a baseline, cached)."""
    start, end = _day_window(period)

    def compute() -> Hotspots | None:
        return _repo_hotspots(session, repository=repository, start=start, end=end, limit=limit)

    return _baseline(session, ("hotspots", repository, start, end), compute)


def _repo_hotspots(
    session: Session, *, repository: str, start: datetime, end: datetime, limit: int
) -> Hotspots | None:
    try:
        spots = hot.hotspots(session, repo=repository, now=end, since=start, limit=limit)
    except hot.UnknownRepository:
        return None
    if not spots:
        return None
    pairs = hot.coupling(session, repo=repository, now=end, since=start, limit=30)
    _, risky = repo_knowledge(session, repository=repository, now=end)
    base = _repo_link(session, repository)
    files = [
        FileSignal(
            repo=repository,
            path=h.path,
            url=f"{base}/{h.path}" if base else None,
            churn=h.churn,
            commits=h.commits,
            loc=h.loc,
            authors=h.authors,
            top_author=h.main_author,
            top_share=h.main_author_share or 0.0,
        )
        for h in spots
    ]
    return Hotspots(
        files=files,
        knowledge_risk=risky[:30],
        coupling=[
            CouplingPair(repository, c.path, c.coupled_path, c.shared, round(c.degree / 100, 3))
            for c in pairs
        ],
    )


def _repo_link(session: Session, repository: str) -> str | None:
    row = session.exec(select(Repository).where(Repository.name == repository)).first()
    if row is None or not row.html_url:
        return None
    return f"{row.html_url}/blob/{row.default_branch or 'HEAD'}"


def _risk_signal(repository: str, risk: hot.KnowledgeRisk, base: str | None) -> FileSignal:
    return FileSignal(
        repo=repository,
        path=risk.path,
        url=f"{base}/{risk.path}" if base else None,
        churn=0,
        commits=0,
        loc=risk.loc,
        authors=1,
        top_author=risk.main_author,
        top_share=risk.main_author_share or 0.0,
        idle_days=risk.idle_days,
    )


# Ownership and knowledge risk look at a year of history of a whole repository: they change only
# when a collector writes, so they are computed once per repository, day and data version.
_KNOWLEDGE_CACHE: dict[
    tuple[object, ...], tuple[dict[str, hot.FileOwnership], list[FileSignal]]
] = {}
_KNOWLEDGE_CACHE_SIZE = 256


def repo_knowledge(
    session: Session, *, repository: str, now: datetime
) -> tuple[dict[str, hot.FileOwnership], list[FileSignal]]:
    """Ownership by path and the knowledge-risk files of one repository (cached, see above)."""
    key = (str(session.get_bind().url), repository, now.date(), data_version(session))
    cached = _KNOWLEDGE_CACHE.get(key)
    if cached is not None:
        return cached
    base = _repo_link(session, repository)
    owners = {o.path: o for o in hot.ownership(session, repo=repository, now=now)}
    risky = [
        _risk_signal(repository, r, base)
        for r in hot.knowledge_risk(session, repo=repository, now=now)
    ]
    if len(_KNOWLEDGE_CACHE) >= _KNOWLEDGE_CACHE_SIZE:
        _KNOWLEDGE_CACHE.clear()
    _KNOWLEDGE_CACHE[key] = (owners, risky)
    return owners, risky


def team_hotspots(
    session: Session, *, emails: set[str], period: Period, now: datetime, limit: int = 20
) -> Hotspots | None:
    """`people_hotspots` for a whole team: a baseline over whole days, cached."""
    start, end = _day_window(period)

    def compute() -> Hotspots | None:
        window = Period(period.key, period.label, start, end)
        return people_hotspots(session, emails=emails, period=window, now=end, limit=limit)

    return _baseline(session, ("team_hotspots", frozenset(emails), start, end), compute)


def people_hotspots(
    session: Session, *, emails: set[str], period: Period, now: datetime, limit: int = 15
) -> Hotspots | None:
    """Files these people changed in the period, and the knowledge-risk files among them."""
    touched = files_touched(session, emails=emails, since=period.start, until=now)
    if not touched:
        return None
    touched.sort(key=lambda t: (-(t.added + t.deleted), t.repo, t.path))
    shown = touched[:limit]
    files: list[FileSignal] = []
    risky: list[FileSignal] = []
    for repository in sorted({t.repo for t in shown}):
        base = _repo_link(session, repository)
        owners, repo_risk = repo_knowledge(session, repository=repository, now=now)
        paths = {t.path for t in touched if t.repo == repository}
        risky += [r for r in repo_risk if r.path in paths]
        for t in shown:
            if t.repo != repository:
                continue
            owner = owners.get(t.path)
            files.append(
                FileSignal(
                    repo=repository,
                    path=t.path,
                    url=f"{base}/{t.path}" if base else None,
                    churn=t.added + t.deleted,
                    commits=t.commits,
                    loc=owner.loc if owner else None,
                    authors=owner.authors if owner else 1,
                    top_author=owner.main_author if owner else None,
                    top_share=(owner.main_author_share or 0.0) if owner else 0.0,
                )
            )
    files.sort(key=lambda f: (-f.churn, f.repo, f.path))
    return Hotspots(files=files, knowledge_risk=risky, coupling=[])
