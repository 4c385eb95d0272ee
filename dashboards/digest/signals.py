"""The digest's bridge to the signal modules: review flow, CI, hotspots, review queues.

Each section returns None while its data is not collected yet (no rows of that kind at all),
so the email says "not collected yet" instead of printing a zero. Rows every digest needs
(CI attempts, hotspot rankings) are loaded once per session and filtered per scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar, cast
from urllib.parse import quote

from sqlmodel import Session, SQLModel, func, select

from app.core.models import Commit, PullRequest, WorkflowRun
from app.core.settings import Settings
from dashboards.digest.data import FileNote, Metric, WaitingPR, metric_from_weeks
from dashboards.digest.scope import Scope, people_directory, run_cache
from dashboards.digest.week import Week
from dashboards.queries import ci as ci_queries
from dashboards.queries import git as git_queries
from dashboards.queries.git import AuthorFileRow
from dashboards.queries.reviews import GivenReview, given_reviews, pull_rows
from dashboards.reports.hotspots import hotspots, knowledge_risk
from dashboards.reports.review_flow import waiting_now
from dashboards.signals.ci.flaky import flaky_from_rows
from dashboards.signals.ci.health import workflow_health
from dashboards.signals.ci.lost import PersonCI, person_ci_from_rows
from dashboards.signals.hotspots import KnowledgeRisk
from dashboards.signals.reviews.flow import PullFlow, flows_from, phase_stats
from dashboards.signals.reviews.rules import PHASES, BotRule, WorkCalendar
from dashboards.signals.reviews.waiting import WaitingNow, WaitingPull, waiting_from

T = TypeVar("T")


@dataclass
class ReviewSection:
    metrics: list[Metric] = field(default_factory=list)
    waiting_now: list[WaitingPR] = field(default_factory=list)
    flows: list[PullFlow] = field(default_factory=list)  # the scope's, all 9 weeks
    unreviewed: dict[tuple[str, int], WaitingPull] = field(default_factory=dict)
    given: list[GivenReview] = field(default_factory=list)  # reviews by the scope's people


@dataclass
class CiSection:
    metrics: list[Metric] = field(default_factory=list)
    per_week: list[dict[str, PersonCI]] = field(default_factory=list)  # by person login


@dataclass
class FileSection:
    hotspots: list[FileNote] = field(default_factory=list)
    knowledge_risk: list[FileNote] = field(default_factory=list)
    touched: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # email -> files
    risks: list[tuple[str, KnowledgeRisk]] = field(default_factory=list)


def _memo(session: Session, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """Rows shared by every digest built in one session (one run of `gemba digest send`)."""
    cache = run_cache(session)
    if key not in cache:
        cache[key] = compute()
    return cast(T, cache[key])


def _within(moment: datetime | None, week: Week) -> bool:
    return moment is not None and week.utc_start <= moment < week.utc_end


def _waiting(pull: WaitingPull) -> WaitingPR:
    return WaitingPR(
        repo=pull.repository,
        number=pull.number,
        title=pull.title,
        url=pull.html_url,
        author_login=pull.author_login,
        waiting_hours=round(pull.waited_hours, 1),
    )


def review_section(
    session: Session, scope: Scope, weeks: list[Week], now: datetime, settings: Settings
) -> ReviewSection | None:
    """Pickup and review time, PRs merged and hours waited for a first review, per week (by
    merge date, as `weekly_flow` counts them), and the scope's PRs waiting now."""
    if not _has_rows(session, PullRequest):
        return None
    tz = str(weeks[0].start.tzinfo or "UTC")
    since, until = weeks[-1].utc_start, weeks[0].utc_end
    every_flow, every_wait, every_review = _memo(
        session,
        ("reviews", since, until, now, tz),
        lambda: _review_rows(session, since, until, now, settings, tz),
    )
    flows = [f for f in every_flow if f.author_login in scope.logins]
    merged = [[f for f in flows if _within(f.merged_at, w)] for w in weeks]
    stats = [
        {phase.phase: phase for phase in (phase_stats(items, p) for p in PHASES)}
        for items in merged
    ]
    waited = [
        round(sum(f.pickup_hours or 0.0 for f in items), 1) if items else 0.0 for items in merged
    ]
    waiting = [w for w in every_wait.on_reviewer if w.author_login in scope.logins]
    given = [g for g in every_review if g.reviewer_login in scope.logins]
    return ReviewSection(
        flows=flows,
        unreviewed={(w.repository, w.number): w for w in waiting if not w.reviewed},
        given=given,
        metrics=[
            metric_from_weeks(
                "pickup_hours",
                "Time to first review (median)",
                "hours",
                [s["pickup"].median_hours for s in stats],
            ),
            metric_from_weeks(
                "review_hours",
                "Review time, first review to approval (median)",
                "hours",
                [s["review"].median_hours for s in stats],
            ),
            metric_from_weeks(
                "prs_merged",
                "Pull requests merged",
                "PRs",
                [float(len(items)) for items in merged],
                lower_is_better=False,
            ),
            metric_from_weeks(
                "review_wait_hours",
                "Time waited for a first review (PRs merged)",
                "hours",
                list(waited),
            ),
        ],
        waiting_now=[_waiting(p) for p in waiting],
    )


def _review_rows(
    session: Session, since: datetime, until: datetime, now: datetime, settings: Settings, tz: str
) -> tuple[list[PullFlow], WaitingNow, list[GivenReview]]:
    """Every PR alive from `since` to now, read once for both the weekly flow and what waits
    now (the same as `pull_flows` plus `waiting_now`, from one query)."""
    rows = pull_rows(session, since=since, until=now)
    bots = BotRule.from_settings(settings)
    calendar = WorkCalendar.from_settings(settings, tz)
    return (
        flows_from(rows, bots=bots, calendar=calendar),
        waiting_from(rows, now=now, bots=bots, calendar=calendar),
        given_reviews(session, since=since, until=until),
    )


def _has_rows(session: Session, table: type[SQLModel]) -> bool:
    """Whether this kind of data was ever collected (else the section says so)."""
    return _memo(
        session,
        ("has", table.__name__),
        lambda: session.exec(select(func.count()).select_from(table)).one() > 0,
    )


def ci_section(session: Session, scope: Scope, weeks: list[Week]) -> CiSection | None:
    """CI success rate, flaky rate, hours waited on CI and hours lost to flaky reruns, for the
    runs whose person (PR author, else pusher) is in scope, per week of run creation."""
    if not _has_rows(session, WorkflowRun):
        return None
    since, until = weeks[-1].utc_start, weeks[0].utc_end
    by_person, jobs_of_run, people = _memo(
        session, ("ci", since, until), lambda: _ci_rows(session, since, until)
    )
    mine = sorted(
        (a for login in scope.person_logins for a in by_person.get(login, [])),
        key=lambda a: (a.created_at, a.run_id, a.attempt),  # attempts_for's order
    )
    runs = dict.fromkeys(a.run_id for a in mine)
    my_jobs = [j for run in runs for j in jobs_of_run.get(run, [])]
    success: list[float | None] = []
    flaky: list[float | None] = []
    waited: list[float | None] = []
    lost: list[float | None] = []
    per_week: list[dict[str, PersonCI]] = []
    for week in weeks:
        week_attempts = [a for a in mine if _within(a.created_at, week)]
        week_runs = {a.run_id for a in week_attempts}
        week_jobs = [j for j in my_jobs if j.run_id in week_runs]
        health = workflow_health(week_attempts, week_jobs, now=week.utc_end)
        counted = [s for h in health for s in h.weeks]
        decided = sum(s.succeeded + s.failed + s.other for s in counted)
        succeeded = sum(s.succeeded for s in counted)
        success.append(round(100 * succeeded / decided, 1) if decided else None)
        report = flaky_from_rows(week_attempts, week_jobs)
        rate = report.flaky_rate
        flaky.append(round(100 * rate, 1) if rate is not None else None)
        # person_ci_from_rows reads only the flaky workflow groups, which the report lists
        per_person = person_ci_from_rows(
            week_attempts, report.workflows, people, logins=scope.person_logins
        )
        per_week.append({p.login: p for p in per_person})
        waited.append(_hours(sum((p.waited_on_ci for p in per_person), timedelta())))
        lost.append(_hours(sum((p.waited_on_flaky for p in per_person), timedelta())))
    metrics = [
        metric_from_weeks("ci_success_pct", "CI success rate", "%", success, lower_is_better=False),
        metric_from_weeks(
            "flaky_pct", "Flaky builds (same commit failed, then passed)", "%", flaky
        ),
        metric_from_weeks("ci_wait_hours", "Time waited on CI", "hours", waited),
        metric_from_weeks("flaky_lost_hours", "Time lost to flaky reruns", "hours", lost),
    ]
    return CiSection(metrics=metrics, per_week=per_week)


def _ci_rows(
    session: Session, since: datetime, until: datetime
) -> tuple[
    dict[str | None, list[ci_queries.AttemptRow]],
    dict[int, list[ci_queries.JobRow]],
    ci_queries.People,
]:
    """Every attempt in the window grouped by its person's login, jobs grouped by run."""
    people = ci_queries.People.of(people_directory(session))
    by_person: dict[str | None, list[ci_queries.AttemptRow]] = defaultdict(list)
    attempts = ci_queries.attempts_for(session, since=since, until=until)
    for attempt in attempts:
        by_person[people.person(attempt.person)].append(attempt)
    jobs_of_run: dict[int, list[ci_queries.JobRow]] = defaultdict(list)
    for job in ci_queries.jobs_for(session, attempts, since=since, until=until):
        jobs_of_run[job.run_id].append(job)
    return dict(by_person), dict(jobs_of_run), people


def _hours(value: timedelta) -> float:
    return round(value.total_seconds() / 3600, 1)


HOT_TOP = 10
HOT_LOOKBACK = timedelta(days=90)


def file_section(
    session: Session, scope: Scope, week: Week, settings: Settings
) -> FileSection | None:
    """Files the scope's people changed in the last 90 days that entered (or climbed) the top
    ten hotspots of their repository during the week, and those whose main author went quiet.
    Authors' names are left out: a file's main author may be on another team."""
    if not scope.emails or not _has_rows(session, Commit):
        return None
    end, start = week.utc_end, week.utc_start
    section = FileSection()
    ours: dict[str, set[str]] = defaultdict(set)
    for repo, rows in _recent_changes(session, end).items():
        for row in rows:
            email = row.author_email.lower()
            if email in scope.emails:
                ours[repo].add(row.path)
                section.touched.setdefault(email, set()).add((repo, row.path))
    for repo in sorted(ours):
        url = _repo_url(settings, repo)
        before = _ranks(session, repo, start)
        after = _ranks(session, repo, end)
        for path, rank in sorted(after.items(), key=lambda kv: kv[1]):
            if path not in ours[repo]:
                continue
            if path not in before:
                reason = f"new in the top {HOT_TOP} hotspots (now #{rank})"
            elif before[path] > rank:
                reason = f"rising: #{before[path]} to #{rank} among hotspots"
            else:
                continue
            section.hotspots.append(FileNote(repo, path, reason, url))
        risks = _memo(
            session,
            ("risk", repo, end),
            lambda r=repo: knowledge_risk(session, repo=r, now=end),  # type: ignore[misc]
        )
        for risk in risks:
            if risk.path in ours[repo]:
                section.risks.append((repo, risk))
                share = (
                    f"with {risk.main_author_share:.0%} of its lines"
                    if risk.main_author_share is not None
                    else "with most of its lines"
                )
                section.knowledge_risk.append(
                    FileNote(
                        repo,
                        risk.path,
                        f"its main author, {share}, has made no commit for {risk.idle_days} days",
                        url,
                    )
                )
    return section


def _recent_changes(session: Session, end: datetime) -> dict[str, list[AuthorFileRow]]:
    """Per repository: who changed which file present at HEAD in the 90 days before `end`."""

    def load() -> dict[str, list[AuthorFileRow]]:
        changes = {}
        for repo_id, name in git_queries.repositories(session).items():
            at_head = {f.path for f in git_queries.head_files(session, repository_id=repo_id)}
            rows = git_queries.author_file_rows(
                session, repository_id=repo_id, since=end - HOT_LOOKBACK, until=end
            )
            changes[name] = [r for r in rows if r.path in at_head]
        return changes

    return _memo(session, ("changes", end), load)


def _ranks(session: Session, repo: str, now: datetime) -> dict[str, int]:
    top = _memo(
        session,
        ("hot", repo, now),
        lambda: hotspots(session, repo=repo, now=now, limit=HOT_TOP),
    )
    return {spot.path: index for index, spot in enumerate(top, start=1) if spot.score > 0}


def _repo_url(settings: Settings, repo: str) -> str:
    return (
        settings.base_url.rstrip("/")
        + "/repos/"
        + "/".join(quote(part, safe="") for part in repo.split("/"))
    )


def _absolute(settings: Settings, url: str | None) -> str | None:
    if url is None or not url.startswith("/"):
        return url
    return settings.base_url.rstrip("/") + url


def review_queues(
    session: Session, scope: Scope, now: datetime, settings: Settings
) -> tuple[list[WaitingPR], list[WaitingPR]] | None:
    """For one developer: others' PRs waiting on their review, and their own PRs waiting."""
    if not _has_rows(session, PullRequest):
        return None
    everyone = _memo(
        session, ("waiting", now), lambda: waiting_now(session, now=now, settings=settings)
    )
    lowered = {login.lower() for login in scope.logins}
    asked = [
        _waiting(p)
        for p in everyone.on_reviewer
        if (p.author_login or "").lower() not in lowered
        and any(r.lower() in lowered for r in p.requested_reviewers)
    ]
    own = [_waiting(p) for p in everyone.on_reviewer if (p.author_login or "").lower() in lowered]
    return asked, own
