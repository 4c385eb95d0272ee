"""`gemba collect github`, `gemba pulls` and `gemba reviews flow`.

The stand-in's own commands (`github-sandbox`, `github-record`) live in app/cli/github_sandbox.py
and are registered from here when present.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import typer
from github import Github, GithubException
from sqlmodel import Session, select

from app.cli import common
from app.cli.collect_group import add_collect_group, collect_app
from app.core.models import Team
from app.core.people import person_for_login
from app.core.settings import Settings
from app.flags.lookup import TERMINAL, pull_rows
from collectors.ci.fetch import CollectStats, collect_ci
from collectors.delivery.sync import collect_delivery
from collectors.github_client import (
    NETWORK_ERRORS,
    VisibleWaits,
    describe_network_error,
    make_github,
)
from collectors.pulls.sync import CollectError, collect_pulls, explain
from dashboards.queries.reviews import FlowScope, person_scope, team_scope
from dashboards.reports.review_flow import FlowReport, flow_report, pull_flows

REPO_HELP = "OWNER/REPO"
log = logging.getLogger("gemba.collect")

reviews_app = typer.Typer(help="Review flow: pickup, review and merge times.", no_args_is_help=True)


class Only(StrEnum):
    pulls = "pulls"
    ci = "ci"
    delivery = "delivery"


def _say(message: str) -> None:
    typer.echo(message, err=True)


_COLLECT_HINT = "run `gemba collect github {repo}`"


def _logged(repository: str, source: str, stats: Any) -> None:
    """One log line per source collected, with the collector's counts."""
    counts = {k: v for k, v in asdict(stats).items() if isinstance(v, int | float | str | None)}
    log.info("collected", extra={**counts, "repository": repository, "source": source})


def _check_repo_name(name: str) -> str:
    owner, _, repo = name.partition("/")
    if not owner or not repo or "/" in repo:
        common.fail(f"expected {REPO_HELP}, got {name!r}")
    return name


def _org_repos(gh: Github, org: str) -> list[str]:
    try:
        return [repo.full_name for repo in gh.withLazy(True).get_organization(org).get_repos()]
    except GithubException as error:
        if error.status == 404:
            common.fail(f"organization {org} not found at {gh.requester.base_url}")
        common.fail(str(explain(error, org, gh.requester.base_url)))


def _collect_ci(config: Settings, gh: Github, repo: str, full: bool, quiet: bool) -> CollectStats:
    engine = common.engine(config, create=True)
    try:
        stats = collect_ci(engine, gh, repo, config, full=full, progress=_say)
    except GithubException as error:
        raise explain(error, repo, gh.requester.base_url) from error
    finally:
        engine.dispose()
    typer.echo(
        f"{repo}: {stats.runs} CI runs stored ({stats.attempts} attempts, {stats.jobs} jobs), "
        f"{stats.requests} requests",
        err=quiet,
    )
    return stats


def collect_github(
    repository: str | None = typer.Argument(None, metavar=REPO_HELP, help="e.g. octo-org/api"),
    org: str | None = typer.Option(None, "--org", help="Every repository of this organization"),
    only: Only | None = typer.Option(None, "--only", help="Collect only pulls, ci or delivery"),
    full: bool = typer.Option(False, "--full", help="Re-read everything, ignoring the cursor"),
    as_json: bool = typer.Option(
        False, "--json", help="Print a JSON summary per repository (the lines go to stderr)"
    ),
) -> None:
    """Collect pull requests with their reviews, CI runs and deployments from GitHub."""
    if (repository is None) == (org is None):
        common.fail(f"give either {REPO_HELP} or --org ORG")
    config = common.settings()
    gh = make_github(config)
    if not config.github_token and "api.github.com" in config.github_api_url:
        _say("note: no GEMBA_GITHUB_TOKEN; GitHub allows 60 unauthenticated requests an hour")
    repos = [_check_repo_name(repository)] if repository else _org_repos(gh, org or "")
    engine = common.engine(config, create=True)
    summary: list[dict[str, Any]] = []
    try:
        with VisibleWaits(_say):
            for name in repos:
                done: dict[str, Any] = {"repository": name}
                summary.append(done)
                if only in (None, Only.pulls):
                    stats = collect_pulls(
                        engine,
                        gh,
                        name,
                        full=full,
                        progress=_say,
                        max_wait=config.github_max_wait_seconds,
                    )
                    typer.echo(
                        f"{name}: {stats.fetched} pull requests stored, "
                        f"{stats.skipped_unchanged} unchanged, {stats.requests} requests, "
                        f"cursor {stats.cursor or '-'} (via {stats.via})",
                        err=as_json,
                    )
                    done["pulls"] = stats
                    _logged(name, "pulls", stats)
                if only in (None, Only.ci):
                    done["ci"] = _collect_ci(config, gh, name, full, as_json)
                    _logged(name, "ci", done["ci"])
                if only in (None, Only.delivery):
                    delivery = collect_delivery(engine, gh, name, config, progress=_say)
                    typer.echo(f"{name}: delivery {delivery}", err=as_json)
                    done["delivery"] = delivery
                    _logged(name, "delivery", delivery)
        if as_json:
            common.print_json(summary)
    except CollectError as error:
        common.fail(str(error))
    except NETWORK_ERRORS as error:
        common.fail(describe_network_error(error, config.github_api_url))
    except KeyboardInterrupt:
        common.fail("interrupted: stored batches are kept; run the same command to resume", 130)
    finally:
        engine.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


def _flow_row(flow: dict[str, Any]) -> str:
    def h(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    flags = flow["flags"]
    return (
        f"#{flow['number']:<6} {flow['state']:<6} {flow['author_login'] or '?':<16} "
        f"{h(flow['coding_hours']):>7} {h(flow['pickup_hours']):>7} "
        f"{h(flow['review_hours']):>7} {h(flow['merge_hours']):>7} "
        f"{h(flow['cycle_hours']):>7} {flow['size'] or 0:>6} "
        f"{flags.open + flags.acknowledged or '':>5}"
    )


def pulls(
    repo: str = typer.Option(..., "--repo", metavar=REPO_HELP, help="Repository to show"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON with every timestamp"),
) -> None:
    """Per pull request: each review-flow number with the timestamps behind it."""
    _check_repo_name(repo)
    config = common.settings()
    with common.session() as session:
        common.check_repository(session, repo, _COLLECT_HINT.format(repo=repo))
        flows = pull_rows(session, TERMINAL, pull_flows(session, settings=config, repo=repo))
    if as_json:
        common.print_json(flows)
        return
    if not flows:
        typer.echo(f"no pull requests stored for {repo}; run `gemba collect github {repo}`")
        return
    typer.echo(
        f"{'PR':<7} {'state':<6} {'author':<16} {'coding':>7} {'pickup':>7} "
        f"{'review':>7} {'merge':>7} {'cycle':>7} {'size':>6} {'flags':>5}"
        "   (hours; flags: open friction flags on the PR)"
    )
    for flow in flows:
        typer.echo(_flow_row(flow))


def _scope(session: Session, repo: str | None, team: str | None, person: str | None) -> FlowScope:
    """The view for exactly one of the three options."""
    if sum(x is not None for x in (repo, team, person)) != 1:
        common.fail("give exactly one of --repo, --team or --person")
    if repo is not None:
        common.check_repository(session, _check_repo_name(repo), _COLLECT_HINT.format(repo=repo))
        return FlowScope(f"repo {repo}")
    if team is not None:
        found = session.exec(select(Team).where(Team.name == team)).first()
        if found is None:
            common.fail(f"no team named {team!r} (see `gemba people`)")
        return team_scope(session, found)
    assert person is not None
    someone = person_for_login(session, person)
    if someone is None:  # not in the people file: still show that GitHub login's PRs
        return FlowScope(f"person {person}", frozenset({person}))
    return person_scope(session, someone)


def _print_report(report: FlowReport) -> None:
    s = report.summary
    typer.echo(
        f"Review flow for {report.scope}, {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}: "
        f"{s.merged} merged, {s.open} open, {s.merged_without_approval} merged without approval"
    )
    typer.echo(f"{'phase':<8} {'PRs':>5} {'median h':>9} {'p75 h':>8} {'median wh':>10}")
    for phase in s.phases:
        med = "-" if phase.median_hours is None else f"{phase.median_hours:.1f}"
        p75 = "-" if phase.p75_hours is None else f"{phase.p75_hours:.1f}"
        wmed = "-" if phase.median_working_hours is None else f"{phase.median_working_hours:.1f}"
        typer.echo(f"{phase.phase:<8} {phase.count:>5} {med:>9} {p75:>8} {wmed:>10}")
    if report.reviewer_load:
        typer.echo("Reviews given (by week, names in alphabetical order):")
        for load in report.reviewer_load:
            typer.echo(
                f"  {load.week} {load.reviewer:<20} {load.reviews:>3} reviews "
                f"({load.share:.0%} of the week's)"
            )
    typer.echo(f"Waiting on a reviewer now: {len(report.waiting.on_reviewer)}")
    for wait in report.waiting.on_reviewer:
        note = "no review yet" if not wait.reviewed else "re-requested"
        typer.echo(
            f"  {wait.repository}#{wait.number} by {wait.author_login}: "
            f"{wait.waited_hours:.1f} h ({wait.waited_working_hours:.1f} working h), {note}"
        )


@reviews_app.command("flow")
def reviews_flow(
    repo: str | None = typer.Option(None, "--repo", metavar=REPO_HELP, help="Repository"),
    team: str | None = typer.Option(None, "--team", help="Team name"),
    person: str | None = typer.Option(None, "--person", help="Person login"),
    weeks: int = typer.Option(12, "--weeks", min=1, max=104, help="How many weeks back"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    """Median and p75 of each phase per week, reviewer load, and who is waiting now."""
    config = common.settings()
    with common.session() as session:
        scope = _scope(session, repo, team, person)
        report = flow_report(
            session,
            settings=config,
            now=_now(),
            weeks=weeks,
            scope=scope.label,
            repo=repo,
            authors=scope.logins,
            timezone=scope.timezone,
        )
    if as_json:
        common.print_json(report)
    else:
        _print_report(report)


def register(cli: typer.Typer) -> None:
    """Add this module's commands to the root command."""
    add_collect_group(cli)
    collect_app.command("github")(collect_github)
    cli.command("pulls")(pulls)
    cli.add_typer(reviews_app, name="reviews")
    from app.cli import github_sandbox  # the GitHub stand-in's commands live beside these

    github_sandbox.register(cli)
