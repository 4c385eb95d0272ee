"""The delivery section of the team and repository pages: the four keys over the period, where
each repository's deployments come from, and every failure with its deployment, PRs and incident.

The numbers come from `dashboards.reports.delivery` (the answer the CLI and API give too); the
charts beside them (`dashboards.pages.delivery_charts`) list the items behind each number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.core.models import PullRequest, Repository
from dashboards.item_flags import pull_key
from dashboards.pages.charts import Chart, PageCharts
from dashboards.pages.commands import COLLECT_DELIVERY
from dashboards.pages.delivery_charts import CHART_KEYS, delivery_charts
from dashboards.pages.empty import collected_kinds
from dashboards.pages.parts import Link
from dashboards.periods import Period
from dashboards.reports.delivery import (
    DeliveryAnswer,
    DeployedAt,
    DeploymentItem,
    FailureItem,
    delivery_answer,
    deployed_pulls,
)
from dashboards.signals.stats import percentile

SOURCE_LABELS = {
    "deployments": "GitHub Deployments to production",
    "workflow_runs": "deploy workflow runs on the default branch",
    "releases": "published releases (no drafts, no pre-releases)",
    "merges": "merges to the default branch (no deployments found, so every merge counts)",
}
KIND_LABELS = {
    "incident": "Incident",
    "revert": "Revert",
    "failed_status": "Failed deployment",
}


@dataclass
class SourceLine:
    """Where one repository's deployments come from (the rung of the source ladder)."""

    repo: str
    source: str
    label: str


@dataclass
class FailureRow:
    """One failure with what it points back to: its deployment, the PRs that deployment
    shipped (the reverted one first) and the incident issue."""

    id: str
    repo: str
    kind: str
    label: str
    url: str | None
    started_at: datetime
    restored_at: datetime | None
    restore_hours: float | None
    deployment: Link | None
    pulls: list[Link] = field(default_factory=list)
    incident: Link | None = None


@dataclass
class DeliverySection:
    """The four keys for the period; `empty` says why there is nothing (and how to collect)."""

    sources: list[SourceLine]
    deployments: int
    deployments_per_week: float | None
    deployment_days_per_week: float | None
    lead_time_median_hours: float | None
    lead_time_p75_hours: float | None
    failed_deployments: int
    change_failure_rate: float | None
    restore_median_hours: float | None
    failures: list[FailureRow]
    never_deployed: int
    chart_keys: list[str]
    empty: str | None = None


def delivery_section(
    session: Session,
    maker: PageCharts,
    period: Period,
    *,
    timezone: str,
    team: str | None = None,
    repo: str | None = None,
) -> tuple[DeliverySection, list[Chart]]:
    """The section and its charts for a team (or, given `repo`, one repository)."""
    answer = delivery_answer(
        session,
        repo=repo,
        team=None if repo else team,
        since=period.start,
        until=period.end,
        tz=timezone,
    )
    charts = delivery_charts(maker, answer, period)
    section = section_of(answer, _repo_urls(session), period)
    if section.empty and "delivery" in collected_kinds(session, repo):
        section.empty = f"No deployments {period.since}."  # collected, just not in this period
    return section, charts


def _repo_urls(session: Session) -> dict[str, str]:
    rows = session.exec(select(Repository.name, Repository.html_url))
    return {name: url for name, url in rows if url}


def section_of(
    answer: DeliveryAnswer, repo_urls: dict[str, str], period: Period
) -> DeliverySection:
    """The answer as the page shows it: totals for the period and each failure's links."""
    weeks = answer.frequency
    count = len(answer.deployments)
    per_week = count / len(weeks) if weeks and answer.sources else None
    days = sum(w.deployment_days for w in weeks) / len(weeks) if weeks and answer.sources else None
    totals = sorted(t for item in answer.lead_times if (t := item.total_hours) is not None)
    empty = None
    if not answer.sources:
        empty = f"No deployments collected yet: run `{COLLECT_DELIVERY}` to collect them."
    elif not count:
        empty = f"No deployments {period.since}."
    return DeliverySection(
        sources=[
            SourceLine(repo, source, SOURCE_LABELS.get(source, source))
            for repo, source in sorted(answer.sources.items())
        ],
        deployments=count,
        deployments_per_week=per_week,
        deployment_days_per_week=days,
        lead_time_median_hours=percentile(totals, 0.5),
        lead_time_p75_hours=percentile(totals, 0.75),
        failed_deployments=len(answer.failure_rate.failed_deployment_ids),
        change_failure_rate=answer.failure_rate.rate,
        restore_median_hours=answer.restore.get("median_hours"),
        failures=failure_rows(answer, repo_urls),
        never_deployed=len(answer.undeployed),
        chart_keys=list(CHART_KEYS),
        empty=empty,
    )


def failure_rows(answer: DeliveryAnswer, repo_urls: dict[str, str]) -> list[FailureRow]:
    """Every failure, newest first, with the links that walk it back."""
    deployments = {d.id: d for d in answer.deployments}
    pull_urls = {item.pull: item.html_url for item in answer.lead_times if item.html_url}
    rows = []
    for failure in sorted(answer.failures, key=lambda f: f.started_at, reverse=True):
        deployment = deployments.get(failure.deployment_id or "")
        shipped = list(deployment.pulls) if deployment else []
        if failure.reverted_pull:
            shipped = [failure.reverted_pull, *(p for p in shipped if p != failure.reverted_pull)]
        rows.append(
            FailureRow(
                id=failure.id,
                repo=failure.repo,
                kind=failure.kind,
                label=_label(failure),
                url=failure.html_url,
                started_at=failure.started_at,
                restored_at=failure.restored_at,
                restore_hours=failure.restore_hours,
                deployment=_deployment_link(deployment, repo_urls) if deployment else None,
                pulls=[_pull_link(p, pull_urls, repo_urls) for p in shipped[:5]],
                incident=(
                    Link(f"#{failure.number} {failure.title}".strip(), failure.html_url or "")
                    if failure.kind == "incident" and failure.number is not None
                    else None
                ),
            )
        )
    return rows


def _label(failure: FailureItem) -> str:
    kind = KIND_LABELS.get(failure.kind, failure.kind)
    if failure.kind in ("revert", "incident") and failure.number is not None:
        return f"{kind} #{failure.number}: {failure.title}"
    if failure.title:  # a failed status's title already says what failed
        return failure.title[:1].upper() + failure.title[1:]
    return kind


def _deployment_link(deployment: DeploymentItem, repo_urls: dict[str, str]) -> Link:
    """The deployment's page on GitHub when it has one, else its commit."""
    where = f" to {deployment.environment}" if deployment.environment else ""
    label = (
        f"{deployment.repo} {deployment.sha[:7]}{where} on {deployment.deployed_at:%d %b %H:%M} UTC"
    )
    base = repo_urls.get(deployment.repo)
    url = deployment.html_url or (f"{base}/commit/{deployment.sha}" if base else "")
    return Link(label, url, key=deployment.id)


def _pull_link(pull: str, pull_urls: dict[str, str], repo_urls: dict[str, str]) -> Link:
    """A PR id ("acme/shop#12") as a link: its own URL, else the repository's /pull/12."""
    repo, _, number = pull.rpartition("#")
    base = repo_urls.get(repo)
    return Link(pull, pull_urls.get(pull) or (f"{base}/pull/{number}" if base else ""), key=pull)


def deployed_at_of(session: Session, pulls: Iterable[tuple[str, int]]) -> dict[str, DeployedAt]:
    """(repo, number) of PRs -> when its merge commit first reached production, keyed as
    `dashboards.item_flags.pull_key` (the person page's "deployed at" column)."""
    wanted = set(pulls)
    if not wanted:
        return {}
    rows = session.exec(
        select(PullRequest.id, Repository.name, PullRequest.number)
        .join(Repository, col(Repository.id) == col(PullRequest.repository_id))
        .where(
            col(PullRequest.number).in_({n for _, n in wanted}),
            col(Repository.name).in_({r for r, _ in wanted}),
        )
    )
    ids = {pull_id: (repo, number) for pull_id, repo, number in rows if (repo, number) in wanted}
    shipped = deployed_pulls(session, pull_request_ids=list(ids))
    return {pull_key(*ids[pull_id]): deployed for pull_id, deployed in shipped.items()}
