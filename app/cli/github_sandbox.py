"""`gemba github-sandbox` (serve a scenario folder as a local GitHub) and `gemba github-record`."""

from __future__ import annotations

from pathlib import Path

import typer
from github import GithubException

from app.cli import common
from app.sandbox import graphql
from app.sandbox.record import record_repository
from app.sandbox.scenario import Scenario
from app.sandbox.server import SandboxServer
from collectors.github_client import VisibleWaits, make_github


def github_sandbox(
    scenario_dir: Path = typer.Argument(..., help="Folder of <owner>/<repo>/*.json files"),
    port: int = typer.Option(8787, "--port", help="0 picks a free port"),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    token: list[str] = typer.Option(
        [], "--token", help="Accept only these tokens (repeatable); others get 401"
    ),
) -> None:
    """Serve a scenario folder as a GitHub REST + GraphQL API until Ctrl-C."""
    if not scenario_dir.is_dir():
        common.fail(f"scenario folder {scenario_dir} does not exist")
    repos = Scenario(scenario_dir).folders()
    if not repos:
        typer.secho(f"warning: {scenario_dir} has no <owner>/<repo> folders yet", err=True)
    try:
        server = SandboxServer(scenario_dir, host, port, tokens=token or None)
    except OSError as error:
        common.fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    graphql.warm_up()
    typer.echo(f"GitHub stand-in serving {len(repos)} repositories at {server.url}")
    typer.echo(f"  export GEMBA_GITHUB_API_URL={server.url}")
    for folder in repos:
        typer.echo(f"  {folder.parent.name}/{folder.name}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.stop()


def github_record(
    repository: str = typer.Argument(..., metavar="OWNER/REPO"),
    out: Path = typer.Option(..., "--out", help="Scenario folder to write into"),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Only the N most recently updated PRs (and N latest runs)"
    ),
    actions: bool = typer.Option(True, "--actions/--no-actions", help="Record workflow runs"),
) -> None:
    """Record a repository from the GitHub API into a scenario folder (for offline replay)."""
    owner, _, name = repository.partition("/")
    if not owner or not name or "/" in name:
        common.fail(f"expected OWNER/REPO, got {repository!r}")
    config = common.settings()
    gh = make_github(config)
    say = lambda message: typer.echo(message, err=True)  # noqa: E731 - one-line callback
    try:
        with VisibleWaits(say):
            stats = record_repository(
                gh, repository, out, limit=limit, actions=actions, progress=say
            )
    except GithubException as error:
        message = error.data.get("message") if isinstance(error.data, dict) else error.data
        if error.status == 404:
            common.fail(f"repository {repository} not found at {config.github_api_url}")
        if error.status == 401:
            common.fail(f"GitHub refused the token ({message}); check GEMBA_GITHUB_TOKEN")
        common.fail(f"GitHub answered {error.status}: {message}")
    summary = ", ".join(f"{file} {count}" for file, count in stats.files.items())
    typer.echo(
        f"recorded {repository} into {stats.folder} with {stats.requests} requests: {summary}"
    )
    for skipped in stats.skipped:
        typer.secho(f"skipped {skipped}", err=True)


def register(cli: typer.Typer) -> None:
    """Add `github-sandbox` and `github-record` to the root command."""
    cli.command("github-sandbox")(github_sandbox)
    cli.command("github-record")(github_record)
