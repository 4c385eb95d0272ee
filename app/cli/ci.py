"""`gemba ci health|flaky|lost`: CI health, flaky builds and the time they cost, in a terminal.

Collection is `gemba collect github OWNER/REPO --only ci` (app/cli/github.py); these commands
only read. From the terminal you are the operator: per-person rows are shown as on an admin's
page, listed alphabetically, as hours waited (never a score or a ranking).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import typer

from app.cli import common
from app.flags.lookup import TERMINAL, flags_by_item
from dashboards.item_flags import ItemFlag
from dashboards.reports.ci import ci_health, flaky_report, time_lost

T = TypeVar("T")
REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

ci_app = typer.Typer(
    help="CI health, flaky builds and time lost (after collecting CI).", no_args_is_help=True
)
RepoOption = typer.Option(..., "--repo", help="OWNER/REPO, as collected")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table")
SinceOption = typer.Option(
    None,
    "--since",
    formats=common.DATE_FORMATS,
    metavar=common.DATE_METAVAR,
    help=f"Start ({common.DATE_HELP}; default 12 weeks ago)",
)
UntilOption = typer.Option(
    None,
    "--until",
    formats=common.DATE_FORMATS,
    metavar=common.DATE_METAVAR,
    help="End, not included (default now)",
)


def register(cli: typer.Typer) -> None:
    """Add `gemba ci ...` to the root command."""
    cli.add_typer(ci_app, name="ci")


def _aware(value: datetime | None) -> datetime | None:
    """Dates typed without a zone are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    end = _aware(until) or datetime.now(UTC)
    start = _aware(since) or end - timedelta(weeks=12)
    if start >= end:
        common.fail("--since must be before --until")
    return start, end


def _check_repo(repo: str) -> None:
    if not REPO_NAME.match(repo):
        common.fail(f"--repo must look like OWNER/REPO, got {repo!r}")
    with common.session() as session:
        common.check_repository(session, repo, f"run `gemba collect github {repo} --only ci`")


def _flags(rows: list[Any]) -> dict[str, list[ItemFlag]]:
    """The flags beside each workflow, as the terminal (an admin) sees them: one lookup."""
    from dashboards.reports.ci_health import workflow_items

    with common.session() as session:
        return flags_by_item(session, TERMINAL, workflow_items(rows))


def _hours(value: timedelta | None) -> str:
    return "-" if value is None else f"{value.total_seconds() / 3600:.1f} h"


def _minutes(value: timedelta | None) -> str:
    return "-" if value is None else f"{value.total_seconds() / 60:.1f} min"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _echo_rows(header: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for row in [header, *rows]:
        typer.echo(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)
            ).rstrip()
        )


def _read(
    repo: str,
    since: datetime | None,
    until: datetime | None,
    signal: Callable[..., T],
) -> tuple[T, datetime, datetime]:
    """Check the repository and compute `signal` over the window."""
    _check_repo(repo)
    start, end = _window(since, until)
    with common.session() as session:
        result = signal(session, repo=repo, since=start, until=end)
    return result, start, end


@ci_app.command("health")
def health(
    repo: str = RepoOption,
    since: datetime | None = SinceOption,
    until: datetime | None = UntilOption,
    as_json: bool = JsonOption,
) -> None:
    """Per workflow, weekly: runs, success rate, duration and queue p50/p90, red time.

    --json prints what GET /api/v1/ci/health answers: durations in minutes, red time in hours.
    """
    zone = common.settings().default_timezone  # the weeks of the default time zone
    workflows, start, end = _read(repo, since, until, partial(ci_health, timezone=zone))
    if as_json:
        from dashboards.reports.ci_health import CiHealthOut  # only --json needs pydantic models

        common.print_json(
            CiHealthOut.of(workflows, _flags(workflows), since=start, until=end, repo=repo)
        )
        return
    rows = [
        [
            w.workflow,
            week.week.isoformat(),
            week.runs,
            _percent(week.success_rate),
            week.cancelled + week.skipped,
            _minutes(week.duration_p50),
            _minutes(week.duration_p90),
            _minutes(week.queue_p90),
            _hours(week.red_time),
        ]
        for w in workflows
        for week in w.weeks
    ]
    if not rows:
        typer.echo(f"no runs of {repo} created between {start:%Y-%m-%d} and {end:%Y-%m-%d}")
        return
    _echo_rows(
        ["workflow", "week", "runs", "success", "cancel/skip", "p50", "p90", "queue p90", "red"],
        rows,
    )


@ci_app.command("flaky")
def flaky(
    repo: str = RepoOption,
    since: datetime | None = SinceOption,
    until: datetime | None = UntilOption,
    as_json: bool = JsonOption,
) -> None:
    """Flaky rate (same SHA failed and passed) and the jobs that flake, with links.

    --json prints what GET /api/v1/ci/flaky answers: waited_hours and runner_minutes.
    """
    report, start, end = _read(repo, since, until, flaky_report)
    if as_json:
        from dashboards.reports.ci_health import FlakyOut

        keyed = _flags([*report.workflows, *report.jobs])
        common.print_json(FlakyOut.of(report, keyed, since=start, until=end, repo=repo))
        return
    typer.echo(
        f"{report.flaky} flaky of {report.groups} workflow/commit groups "
        f"({_percent(report.flaky_rate)})"
    )
    for job in report.jobs:
        last = job.last_seen.strftime("%Y-%m-%d") if job.last_seen else "-"
        typer.echo(
            f"  {job.workflow} / {job.job}: {job.flaky_groups} of {job.groups} SHAs, last {last}"
        )
        for url in job.run_urls[:3]:
            typer.echo(f"    {url}")


@ci_app.command("lost")
def lost(
    repo: str = RepoOption,
    since: datetime | None = SinceOption,
    until: datetime | None = UntilOption,
    as_json: bool = JsonOption,
) -> None:
    """Hours waited and runner minutes lost to flaky builds, per workflow, team and person.

    --json prints what GET /api/v1/ci/lost answers: waited_hours and runner_minutes.
    """
    result, start, end = _read(repo, since, until, time_lost)
    if as_json:
        from dashboards.reports.ci_lost import (
            TimeLostOut,  # only this command needs pydantic models
        )

        common.print_json(TimeLostOut.of(result, since=start, until=end, repo=repo))
        return
    typer.echo(
        f"waited on flaky builds: {_hours(result.waited)}; "
        f"runner time: {_minutes(result.runner_time)}"
    )
    for title, rows in (
        ("workflow", result.by_workflow),
        ("team", result.by_team),
        ("person", result.by_person),
    ):
        if rows:
            typer.echo("")
            _echo_rows(
                [title, "flaky", "waited", "runner"],
                [[r.key, r.flaky_groups, _hours(r.waited), _minutes(r.runner_time)] for r in rows],
            )
