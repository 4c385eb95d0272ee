"""A repository's or a team's delivery answer: the four keys with every item behind them.

Shared by `gemba delivery`, `GET /api/v1/delivery` and the team and repository pages. Items are
named "owner/repo#<key>" (deployments, failures) and "owner/repo#<number>" (PRs), so a team's
answer over several repositories stays unambiguous. Definitions: docs/metrics.md ("Delivery").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, select

from app.core.delivery import Deployment
from app.core.models import Team
from dashboards.queries import delivery as q
from dashboards.queries.delivery import DeployedAt
from dashboards.queries.reviews import team_scope
from dashboards.reports.repositories import require_repository
from dashboards.signals.delivery.keys import (
    FailureRate,
    LeadTime,
    WeekFrequency,
    attribute,
    change_failure_rate,
    frequency,
    lead_times,
    time_to_restore,
    weekly_lead_time,
)
from dashboards.signals.delivery.model import Change, Failure

# Deployments this long before the window are read too: a failure early in the window counts
# against the deployment it follows, and the first deployment in the window needs its previous.
LOOKBACK = timedelta(days=90)


class UnknownTeamError(LookupError):
    pass


@dataclass(frozen=True)
class DeploymentItem:
    id: str
    repo: str
    key: str
    source: str
    environment: str
    sha: str
    deployed_at: datetime
    html_url: str | None
    commits: tuple[str, ...]
    pulls: tuple[str, ...]


@dataclass(frozen=True)
class LeadTimeItem:
    pull: str
    repo: str
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    first_commit_at: datetime | None
    opened_at: datetime
    first_review_at: datetime | None
    merged_at: datetime
    deployed_at: datetime | None
    deployment_id: str | None
    phases: dict[str, float | None]  # hours: coding, pickup, review, waiting_for_deploy
    total_hours: float | None


@dataclass(frozen=True)
class LeadWeek:
    week: str
    pulls: tuple[str, ...]
    median_hours: float | None
    p75_hours: float | None
    phase_median_hours: dict[str, float | None]


@dataclass(frozen=True)
class FailureItem:
    id: str
    repo: str
    kind: str
    ref: str
    number: int | None
    title: str
    html_url: str | None
    started_at: datetime
    deployment_id: str | None
    restored_at: datetime | None
    restore_hours: float | None
    reverted_pull: str | None


@dataclass(frozen=True)
class DeliveryAnswer:
    scope: Literal["repo", "team"]
    name: str
    since: datetime
    until: datetime
    timezone: str
    sources: dict[str, str]
    deployments: list[DeploymentItem]
    frequency: list[WeekFrequency]
    lead_times: list[LeadTimeItem]
    lead_weeks: list[LeadWeek]
    failures: list[FailureItem]
    failure_rate: FailureRate
    restore: dict[str, float | None]
    undeployed: tuple[str, ...] = field(default=())


def _scope(session: Session, repo: str | None, team: str | None) -> tuple[dict[int, str], Any, str]:
    """(repositories, author logins or None, the scope's name)."""
    if (repo is None) == (team is None):
        raise ValueError("give a repository or a team")
    if repo is not None:
        require_repository(session, repo)
        return q.repositories(session, [repo]), None, repo
    found = session.exec(select(Team).where(func.lower(Team.name) == (team or "").lower())).first()
    if found is None:
        raise UnknownTeamError(f"no team named {team!r}")
    logins = team_scope(session, found).logins or frozenset()
    return q.repositories_of_authors(session, logins), logins, found.name


def delivery_answer(
    session: Session,
    *,
    repo: str | None = None,
    team: str | None = None,
    since: datetime,
    until: datetime,
    tz: str,
) -> DeliveryAnswer:
    """The four keys over [since, until) with the deployments, PRs and failures behind them."""
    repos, logins, name = _scope(session, repo, team)
    rows = q.deployments(session, repos, since=since - LOOKBACK)
    deployments = [
        Deployment(
            f"{d.repository}#{d.key}", d.sha, d.deployed_at, d.source, d.environment, d.commits
        )  # type: ignore[arg-type]
        for d in rows
    ]
    in_window = [d for d in deployments if since <= d.at < until]
    pulls = q.merged_pulls(session, repos, since=since, until=until, logins=logins)
    lead = _lead_times(pulls, deployments)
    failures = q.failures(session, repos, since=since, until=until)
    links = attribute([_failure(f) for f in failures], in_window)
    by_ref = {f"{f.repository}#{f.ref}": f for f in failures}
    shipped: dict[str, list[str]] = {}
    for item in lead:
        if item.deployment_id:
            shipped.setdefault(item.deployment_id, []).append(item.pull)
    return DeliveryAnswer(
        "repo" if repo else "team",
        name,
        since,
        until,
        tz,
        q.sources(session, list(repos.values())),
        [
            DeploymentItem(
                f"{d.repository}#{d.key}",
                d.repository,
                d.key,
                d.source,
                d.environment,
                d.sha,
                d.deployed_at,
                d.html_url,
                d.commits,
                tuple(shipped.get(f"{d.repository}#{d.key}", ())),
            )
            for d in rows
            if since <= d.deployed_at < until
        ],
        frequency(in_window, since, until, tz),
        lead,
        [
            LeadWeek(
                w.week,
                tuple(lead[n].pull for n in w.numbers),
                w.median_hours,
                w.p75_hours,
                w.phase_median_hours,
            )
            for w in weekly_lead_time(_as_signal(lead), tz)
        ],
        [
            FailureItem(
                link.failure.ref,
                by_ref[link.failure.ref].repository,
                link.failure.kind,
                by_ref[link.failure.ref].ref,
                by_ref[link.failure.ref].number,
                by_ref[link.failure.ref].title,
                by_ref[link.failure.ref].html_url,
                link.failure.started_at,
                link.deployment_id,
                link.restored_at,
                link.restore_hours,
                f"{by_ref[link.failure.ref].repository}#{n}"
                if (n := by_ref[link.failure.ref].reverted_number)
                else None,
            )
            for link in links
        ],
        change_failure_rate(links, in_window),
        time_to_restore(links),
        tuple(item.pull for item in lead if item.deployed_at is None),
    )


def _failure(row: q.FailureRow) -> Failure:
    named = f"{row.repository}#{row.deployment_key}" if row.deployment_key else None
    return Failure(row.kind, f"{row.repository}#{row.ref}", row.started_at, named, row.restored_at)  # type: ignore[arg-type]


def _lead_times(pulls: list[q.PullRow], deployments: list[Deployment]) -> list[LeadTimeItem]:
    """Each PR's phases; the deployment must be of the PR's own repository."""
    answer = []
    for pull in pulls:
        own = [d for d in deployments if d.id.startswith(f"{pull.repository}#")]
        change = Change(
            0,
            pull.merge_commit_sha,
            pull.merged_at,
            pull.opened_at,
            pull.first_commit_at,
            pull.first_review_at,
        )
        (lead,) = lead_times([change], own)
        answer.append(
            LeadTimeItem(
                f"{pull.repository}#{pull.number}",
                pull.repository,
                pull.number,
                pull.title,
                pull.html_url,
                pull.author_login,
                pull.first_commit_at,
                pull.opened_at,
                pull.first_review_at,
                pull.merged_at,
                lead.deployed_at,
                lead.deployment_id,
                lead.phases,
                lead.total_hours,
            )
        )
    return answer


def _as_signal(lead: list[LeadTimeItem]) -> list[LeadTime]:
    """The items as the weekly signal takes them, numbered by position (mapped back after)."""
    return [
        LeadTime(n, i.deployment_id, i.deployed_at, i.phases, i.total_hours)
        for n, i in enumerate(lead)
    ]


def deployed_pulls(session: Session, *, pull_request_ids: list[int]) -> dict[int, DeployedAt]:
    """PR id -> when and by which deployment it first reached production."""
    return q.deployed_pulls(session, pull_request_ids)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def answer_json(answer: DeliveryAnswer) -> dict[str, Any]:
    """What `gemba delivery --json` and the API answer: every key with its items."""
    return _plain(asdict(answer))  # type: ignore[no-any-return]
