"""The delivery charts: the four keys week by week, each with the items behind it as its data
(deployments, PRs with their lead-time phases, weeks with their failed deployments, failures),
so the CSV and JSON under a chart walk every number back."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from dashboards import figures
from dashboards.figures import Series
from dashboards.pages.charts import Chart, PageCharts, series_rows
from dashboards.pages.commands import COLLECT_DELIVERY
from dashboards.periods import Period
from dashboards.reports.delivery import DeliveryAnswer
from dashboards.signals.weeks import week_label

CHART_KEYS = (
    "delivery_frequency",
    "delivery_lead_time",
    "delivery_lead_phases",
    "delivery_failure_rate",
    "delivery_restore",
)
PHASE_NAMES = {
    "coding": "Coding",
    "pickup": "Pickup",
    "review": "Review",
    "waiting_for_deploy": "Waiting for a deploy",
}
NOT_COLLECTED = f"No deployments collected yet: run `{COLLECT_DELIVERY}` to collect them."


def delivery_charts(maker: PageCharts, answer: DeliveryAnswer, period: Period) -> list[Chart]:
    empty = NOT_COLLECTED if not answer.sources else f"No deployments {period.since}."
    weeks = [w.week for w in answer.frequency]
    return [
        _frequency(maker, answer, weeks, empty),
        _lead_time(maker, answer, weeks, empty),
        _lead_phases(maker, answer, weeks, empty),
        _failure_rate(maker, answer, weeks, empty),
        _restore(maker, answer, weeks, empty),
    ]


def _join(items: tuple[str, ...] | list[str]) -> str:
    return " ".join(items)


def _frequency(maker: PageCharts, answer: DeliveryAnswer, weeks: list[str], empty: str) -> Chart:
    title = "Deployment frequency: deployments and deployment days per week"
    built = figures.grouped_bars(
        weeks,
        [
            Series("Deployments", [float(w.deployments) for w in answer.frequency]),
            Series("Deployment days", [float(w.deployment_days) for w in answer.frequency]),
        ],
        x_title="Week starting",
        y_title="Deployments (count)",
        unit="deployments",
    )
    tz = answer.timezone
    rows = [
        {
            "week": week_label(d.deployed_at, tz),
            "deployment": d.id,
            "repo": d.repo,
            "source": d.source,
            "environment": d.environment,
            "sha": d.sha,
            "deployed_at": d.deployed_at.isoformat(),
            "commits": len(d.commits),
            "pull_requests": _join(d.pulls),
            "url": d.html_url,
        }
        for d in answer.deployments
    ]
    return maker.drawn("delivery_frequency", title, built, rows, empty)


def _lead_time(maker: PageCharts, answer: DeliveryAnswer, weeks: list[str], empty: str) -> Chart:
    title = "Lead time for changes: first commit to production, median and p75 per week"
    by_week = {w.week: w for w in answer.lead_weeks}
    built = figures.lines(
        weeks,
        [
            Series("Median", [_get(by_week, w, "median_hours") for w in weeks]),
            Series("p75", [_get(by_week, w, "p75_hours") for w in weeks]),
        ],
        x_title="Week starting",
        y_title="Hours from first commit to production",
        unit="hours",
        dashed=("p75",),
    )
    tz = answer.timezone
    rows = [
        {
            "week": week_label(item.deployed_at, tz) if item.deployed_at else None,
            "pull_request": item.pull,
            "title": item.title,
            "merged_at": item.merged_at.isoformat() if item.merged_at else None,
            "deployed_at": item.deployed_at.isoformat() if item.deployed_at else None,
            "deployment": item.deployment_id,
            **{f"{name}_hours": item.phases.get(name) for name in PHASE_NAMES},
            "total_hours": item.total_hours,
            "url": item.html_url,
        }
        for item in answer.lead_times
    ]
    return maker.drawn("delivery_lead_time", title, built, rows, empty)


def _get(by_week: dict, week: str, name: str) -> float | None:
    found = by_week.get(week)
    return getattr(found, name) if found is not None else None


def _lead_phases(maker: PageCharts, answer: DeliveryAnswer, weeks: list[str], empty: str) -> Chart:
    title = (
        "Lead time phases: weekly median hours of coding, pickup, review and waiting for a deploy"
    )
    by_week = {w.week: w for w in answer.lead_weeks}
    series = [
        Series(
            label,
            [(by_week[w].phase_median_hours.get(name) if w in by_week else None) for w in weeks],
        )
        for name, label in PHASE_NAMES.items()
    ]
    built = figures.stacked_bars(
        weeks, series, x_title="Week starting", y_title="Median hours", unit="hours"
    )
    rows = series_rows("week", weeks, series, "hours")
    for row in rows:
        found = by_week.get(row["week"])
        row["pull_requests"] = _join(found.pulls) if found else ""
    return maker.drawn("delivery_lead_phases", title, built, rows, empty)


def _failure_rate(maker: PageCharts, answer: DeliveryAnswer, weeks: list[str], empty: str) -> Chart:
    title = "Change failure rate: deployments that caused a failure, per week"
    failed = set(answer.failure_rate.failed_deployment_ids)
    rows = []
    for week in answer.frequency:
        bad = [d for d in week.deployment_ids if d in failed]
        rows.append(
            {
                "week": week.week,
                "deployments": week.deployments,
                "failed_deployments": len(bad),
                "failure_rate": len(bad) / week.deployments if week.deployments else None,
                "failed_deployment_ids": _join(bad),
            }
        )
    built = figures.grouped_bars(
        weeks,
        [
            Series(
                "Change failure rate (%)",
                [None if r["failure_rate"] is None else 100 * r["failure_rate"] for r in rows],
            )
        ],
        x_title="Week starting",
        y_title="Deployments that caused a failure (%)",
        unit="%",
    )
    calm = empty if not answer.deployments else "No deployment caused a failure in this period."
    return maker.drawn("delivery_failure_rate", title, built, rows, calm)


def _restore(maker: PageCharts, answer: DeliveryAnswer, weeks: list[str], empty: str) -> Chart:
    title = "Time to restore: median hours from a failure to the fix, per week it started"
    tz = answer.timezone
    hours: dict[str, list[float]] = defaultdict(list)
    for failure in answer.failures:
        if failure.restore_hours is not None:
            hours[week_label(failure.started_at, tz)].append(failure.restore_hours)
    built = figures.grouped_bars(
        weeks,
        [Series("Median time to restore", [median(hours[w]) if hours[w] else None for w in weeks])],
        x_title="Week starting",
        y_title="Hours to restore",
        unit="hours",
    )
    rows = [
        {
            "week": week_label(f.started_at, tz),
            "failure": f.id,
            "kind": f.kind,
            "title": f.title,
            "started_at": f.started_at.isoformat(),
            "deployment": f.deployment_id,
            "restored_at": f.restored_at.isoformat() if f.restored_at else None,
            "restore_hours": f.restore_hours,
            "url": f.html_url,
        }
        for f in answer.failures
    ]
    calm = empty if not answer.deployments else "No failure to restore from in this period."
    return maker.drawn("delivery_restore", title, built, rows, calm)
