"""`gemba delivery`: the four delivery keys of a repository or a team, with the items behind
each number (the same answer as `GET /api/v1/delivery`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import typer

from app.cli import common

DEFAULT_PERIOD = timedelta(weeks=12)


def _date_option(name: str, what: str, default: str) -> Any:
    return typer.Option(
        None,
        name,
        formats=common.DATE_FORMATS,
        metavar=common.DATE_METAVAR,
        help=f"{what} ({common.DATE_HELP}; default: {default})",
    )


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} h"


def delivery_command(
    repo: str | None = typer.Option(None, "--repo", help="OWNER/REPO, as collected"),
    team: str | None = typer.Option(None, "--team", help="Team name"),
    since: datetime | None = _date_option("--since", "Start of the period", "12 weeks ago"),
    until: datetime | None = _date_option("--until", "End of the period", "now"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON with every item"),
) -> None:
    """Deployment frequency, lead time for changes, change failure rate and time to restore."""
    from dashboards.reports import delivery
    from dashboards.reports.repositories import UnknownRepositoryError

    if (repo is None) == (team is None):
        common.fail("give --repo OWNER/REPO or --team TEAM")
    end = (until.replace(tzinfo=until.tzinfo or UTC) if until else datetime.now(UTC)).astimezone(
        UTC
    )
    start = (
        since.replace(tzinfo=since.tzinfo or UTC).astimezone(UTC) if since else end - DEFAULT_PERIOD
    )
    if start >= end:
        common.fail("--since must be before --until")
    config = common.settings()
    with common.session() as session:
        try:
            answer = delivery.delivery_answer(
                session, repo=repo, team=team, since=start, until=end, tz=config.default_timezone
            )
        except UnknownRepositoryError as error:
            common.fail(f"{error}; run `gemba collect github {repo}`")
        except delivery.UnknownTeamError as error:
            common.fail(str(error))
    if as_json:
        common.print_json(delivery.answer_json(answer))
        return
    _print(answer)


def _print(answer: Any) -> None:
    echo = typer.echo
    sources = ", ".join(f"{r}: {s or 'not collected'}" for r, s in answer.sources.items())
    echo(f"Delivery of {answer.name}, {answer.since:%Y-%m-%d} to {answer.until:%Y-%m-%d}")
    echo(f"Deployments from: {sources or 'no repository'}")
    echo("Deployment frequency (deployments / deployment days per week):")
    for week in answer.frequency:
        echo(f"  {week.week}  {week.deployments} / {week.deployment_days}")
    echo("Lead time for changes (median / p75 per week of deployment):")
    for week in answer.lead_weeks:
        phases = "  ".join(f"{k} {_hours(v)}" for k, v in week.phase_median_hours.items())
        echo(
            f"  {week.week}  {_hours(week.median_hours)} / {_hours(week.p75_hours)}  "
            f"({len(week.pulls)} PRs; medians: {phases})"
        )
    if answer.undeployed:
        echo(f"  merged, not deployed yet: {', '.join(answer.undeployed)}")
    rate = answer.failure_rate
    shown = "-" if rate.rate is None else f"{rate.rate:.0%}"
    echo(
        f"Change failure rate: {shown} ({len(rate.failed_deployment_ids)} of {rate.deployments} "
        "deployments caused a failure)"
    )
    for failure in answer.failures:
        echo(
            f"  {failure.id} ({failure.kind}) after {failure.deployment_id or 'no deployment'}"
            f", restored in {_hours(failure.restore_hours)}"
        )
    echo(
        f"Time to restore: median {_hours(answer.restore['median_hours'])}, "
        f"p75 {_hours(answer.restore['p75_hours'])}"
    )


def register(cli: typer.Typer) -> None:
    cli.command("delivery")(delivery_command)
