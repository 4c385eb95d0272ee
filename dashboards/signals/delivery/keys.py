"""Deployment frequency, lead time for changes, change failure rate and time to restore."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from dashboards.signals.delivery.model import Change, Deployment, Failure
from dashboards.signals.stats import percentile
from dashboards.signals.weeks import week_label, weeks_between, zone

PHASES = ("coding", "pickup", "review", "waiting_for_deploy")


@dataclass(frozen=True)
class WeekFrequency:
    week: str
    deployments: int
    deployment_days: int
    deployment_ids: tuple[str, ...]


def frequency(
    deployments: Sequence[Deployment], start: datetime, end: datetime, tz: str | tzinfo | None
) -> list[WeekFrequency]:
    """Per week of [start, end): deployments and distinct local days with one, every week shown."""
    by_week: dict[str, list[Deployment]] = defaultdict(list)
    for deployment in deployments:
        if start <= deployment.at < end:
            by_week[week_label(deployment.at, tz)].append(deployment)
    local = zone(tz)
    return [
        WeekFrequency(
            week,
            len(by_week[week]),
            len({d.at.astimezone(local).date() for d in by_week[week]}),
            tuple(d.id for d in sorted(by_week[week], key=lambda d: d.at)),
        )
        for week in weeks_between(start, end - timedelta(microseconds=1), tz)
    ]


@dataclass(frozen=True)
class LeadTime:
    """One PR's way to production; phases in hours, None where a start time is unknown."""

    number: int
    deployment_id: str | None
    deployed_at: datetime | None
    phases: dict[str, float | None]
    total_hours: float | None


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0) / 3600


def first_deployment_of(sha: str, deployments: Sequence[Deployment]) -> Deployment | None:
    """The first successful deployment whose deployed commits contain `sha`."""
    for deployment in sorted(deployments, key=lambda d: d.at):
        if sha in deployment.commits or sha == deployment.sha:
            return deployment
    return None


def lead_times(changes: Sequence[Change], deployments: Sequence[Deployment]) -> list[LeadTime]:
    """Each PR: first commit -> opened -> first review -> merged -> deployed (or not yet)."""
    answer = []
    for change in changes:
        shipped = first_deployment_of(change.merge_commit_sha, deployments)
        deployed_at = shipped.at if shipped else None
        reviewed = change.first_review_at
        phases = {
            "coding": _hours(change.first_commit_at, change.opened_at),
            "pickup": _hours(change.opened_at, reviewed or change.merged_at),
            "review": _hours(reviewed, change.merged_at) if reviewed else 0.0,
            "waiting_for_deploy": _hours(change.merged_at, deployed_at),
        }
        began = change.first_commit_at or change.opened_at
        answer.append(
            LeadTime(
                change.number,
                shipped.id if shipped else None,
                deployed_at,
                phases,
                _hours(began, deployed_at),
            )
        )
    return answer


@dataclass(frozen=True)
class WeekLeadTime:
    week: str
    numbers: tuple[int, ...]
    median_hours: float | None
    p75_hours: float | None
    phase_median_hours: dict[str, float | None]


def weekly_lead_time(lead: Sequence[LeadTime], tz: str | tzinfo | None) -> list[WeekLeadTime]:
    """Median and p75 of total lead time per week of deployment, with each phase's median."""
    by_week: dict[str, list[LeadTime]] = defaultdict(list)
    for item in lead:
        if item.deployed_at is not None and item.total_hours is not None:
            by_week[week_label(item.deployed_at, tz)].append(item)
    weeks = []
    for week in sorted(by_week):
        items = by_week[week]
        totals = [i.total_hours for i in items if i.total_hours is not None]
        phases = {
            name: percentile([v for i in items if (v := i.phases[name]) is not None], 0.5)
            for name in PHASES
        }
        weeks.append(
            WeekLeadTime(
                week,
                tuple(i.number for i in items),
                percentile(totals, 0.5),
                percentile(totals, 0.75),
                phases,
            )
        )
    return weeks


@dataclass(frozen=True)
class FailureLink:
    """A failure with the deployment it counts against (None: no deployment before it)."""

    failure: Failure
    deployment_id: str | None
    restored_at: datetime | None
    restore_hours: float | None


def attribute(failures: Sequence[Failure], deployments: Sequence[Deployment]) -> list[FailureLink]:
    """Each failure's deployment and restore time.

    A named deployment wins when it is among `deployments`; else the last deployment at or
    before the failure started. Incidents are restored when closed; the others by the next
    successful deployment after they started.
    """
    ordered = sorted(deployments, key=lambda d: d.at)
    known = {d.id for d in ordered}
    links = []
    for failure in sorted(failures, key=lambda f: f.started_at):
        if failure.deployment_id in known:
            target: str | None = failure.deployment_id
        else:
            before = [d for d in ordered if d.at <= failure.started_at]
            target = before[-1].id if before else None
        if failure.kind == "incident":
            restored = failure.restored_at
        else:
            restored = next((d.at for d in ordered if d.at > failure.started_at), None)
        links.append(FailureLink(failure, target, restored, _hours(failure.started_at, restored)))
    return links


@dataclass(frozen=True)
class FailureRate:
    deployments: int
    failed_deployment_ids: tuple[str, ...]
    rate: float | None
    unattributed: tuple[str, ...]


def change_failure_rate(
    links: Sequence[FailureLink], deployments: Sequence[Deployment]
) -> FailureRate:
    """Deployments that caused at least one failure over all deployments (so never over 1)."""
    ids = {d.id for d in deployments}
    failed = sorted({link.deployment_id for link in links if link.deployment_id in ids})
    unattributed = tuple(link.failure.ref for link in links if link.deployment_id not in ids)
    rate = len(failed) / len(ids) if ids else None
    return FailureRate(len(ids), tuple(failed), rate, unattributed)


def time_to_restore(links: Sequence[FailureLink]) -> dict[str, float | None]:
    """Median and p75 hours from failure to restore, over the failures already restored."""
    hours = [link.restore_hours for link in links if link.restore_hours is not None]
    return {"median_hours": percentile(hours, 0.5), "p75_hours": percentile(hours, 0.75)}
