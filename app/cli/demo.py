"""`gemba demo`: a whole organisation in one command, collected by the real collectors.

It builds (or reuses) the demo organisation under DATA_DIR/demo, serves its GitHub history from
the stand-in on a free port, runs the same collectors `gemba sync` runs (git on the generated
repositories, pull requests, CI and delivery through PyGithub), imports the people, posts
friction flags through the product's own flag function, then serves the web app and prints
sign-in links. What `--check` compares is `app.cli.demo_check`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
import uvicorn
import yaml
from github import Github
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cli import common
from app.cli.demo_check import check, expected_pages, fetch_pages
from app.core.db import session_scope
from app.core.models import Person
from app.core.settings import Settings
from app.demo import org
from app.demo.build import Manifest, load_or_build
from app.ops import sync
from collectors.github_client import make_github

DEMO_DB = "gemba-demo.db"
DEMO_TOKEN = "demo-token"
MANAGER = org.team("Payments").manager
DIRECTOR = org.DIRECTOR.login
DEVELOPER = org.WAITING_AUTHOR


def _say(message: str) -> None:
    typer.echo(message, err=True)


@dataclass
class DemoRun:
    settings: Settings
    manifest: Manifest
    timings: dict[str, float] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)

    def timed(self, step: str, started: float) -> None:
        self.timings[step] = round(time.perf_counter() - started, 2)


def demo_settings(config: Settings, folder: Path) -> Settings:
    """The demo's own SQLite file unless GEMBA_DATABASE_URL was set on purpose."""
    update: dict[str, Any] = {"github_seconds_between_requests": 0, "github_retries": 2}
    if "database_url" not in config.model_fields_set:
        update["database_url"] = f"sqlite:///{folder / DEMO_DB}"
    return config.model_copy(update=update)


def collect(run: DemoRun, engine: Engine, api_url: str) -> None:
    """The real collectors, exactly as `gemba sync` calls them, pointed at the stand-in."""
    config = run.settings.model_copy(update={"github_api_url": api_url, "github_token": DEMO_TOKEN})
    gh = make_github(config)
    started = time.perf_counter()
    for repo in run.manifest.repos:
        summary = sync.collect_git_path(engine, config, repo["path"], repo["full_name"])
        _say(f"{repo['full_name']}: git {summary}")
    run.timed("git", started)
    for step, source in (("pulls", "pulls"), ("ci", "ci"), ("delivery", "delivery")):
        started = time.perf_counter()
        for repo in run.manifest.repos:
            report = sync.collect_repository(
                engine, config, gh, repo["full_name"], sources=[source], say=lambda _m: None
            )
            if not report.ok:
                common.fail(f"{repo['full_name']}: {source} failed: {report.errors[source]}")
            _say(f"{repo['full_name']}: {source} {report.done[source]}")
        run.timed(step, started)
    _close(gh)


def _close(gh: Github) -> None:
    with contextlib.suppress(Exception):  # closing a pool is best effort
        gh.close()


def people_flags_tokens(run: DemoRun, engine: Engine) -> None:
    """People from people.yaml; flags (through `app.flags.store`), 1:1s and notes spread over
    the history (`app.demo.conversations`); one token per demo viewer."""
    from app.core.people import import_people
    from app.core.tokens import create_token
    from app.demo import conversations

    started = time.perf_counter()
    document = yaml.safe_load(Path(run.manifest.people_file).read_text())
    with session_scope(engine) as session:
        import_people(session, document)
        import_people(session, org.leadership_document())  # the director, in older demos too
    with session_scope(engine) as session:
        conversations.seed(session, run.manifest.flags, datetime.now(UTC))
        for login in (MANAGER, DEVELOPER, DIRECTOR):
            token, secret = create_token(session, _person(session, login), label="demo")
            run.tokens[login] = secret
            run.token_ids[login] = token.id or 0
    run.timed("people", started)


def digest_preview(run: DemoRun, engine: Engine, folder: Path) -> Path | None:
    """The manager's weekly digest as an HTML file (None when the manager gets none)."""
    from app.flags.lookup import lookup
    from dashboards.digest.build import render_parts
    from dashboards.digest.delivery import digest_for

    try:
        with session_scope(engine) as session:
            manager = _person(session, MANAGER)
            now = datetime.now(UTC)
            data = digest_for(session, manager, None, run.settings, now, flags=lookup)
            if data is None:
                return None
            _, html = render_parts(data)
    except Exception as error:  # the digest is a bonus here: the demo goes on without it
        _say(f"digest preview unavailable: {error}")
        return None
    path = folder / f"digest-{MANAGER}.html"
    path.write_text(html, encoding="utf-8")
    return path


def slack_nudges(run: DemoRun, engine: Engine, folder: Path) -> Path | None:
    """Due nudges sent to a Slack stand-in; the JSON file of what went out."""
    from app.demo.slack import send_demo_nudges

    try:
        path, report = send_demo_nudges(engine, run.settings, folder)
    except Exception as error:  # nudges are a bonus here too: the demo goes on without them
        _say(f"Slack nudges unavailable: {error}")
        return None
    _say(f"Slack nudges: {len(report.sent)} sent, {len(report.waiting)} waiting")
    return path


def _person(session: Session, login: str) -> Person:
    person = session.exec(select(Person).where(Person.login == login)).first()
    if person is None:
        common.fail(f"demo person {login!r} was not imported")
    return person


def _warm_graphql_schema() -> None:
    """The stand-in builds GitHub's GraphQL schema once per process (seconds on a busy
    machine); start now so it overlaps generation and git collection."""
    from app.sandbox.graphql import github_schema

    threading.Thread(target=github_schema, daemon=True, name="schema-warm-up").start()


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError("no free port")


def start_web(settings: Settings, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    from app.http.main import create_app

    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return server, thread


def print_sign_in(run: DemoRun, web: Settings, config: Settings) -> None:
    """The sign-in links (each works once, for a few minutes) and how the CLI reaches this
    demo's database, so that `gemba digest preview` and friends read it, not a new file."""
    from app.core.signin import link_url

    viewers = (
        (DIRECTOR, "director: /org"),
        (MANAGER, "manager of Payments"),
        (DEVELOPER, "developer"),
    )
    for login, role in viewers:
        typer.echo(f"  sign in as {login} ({role}): {link_url(web, run.token_ids[login])}")
    if "database_url" in config.model_fields_set:
        typer.echo("  the CLI reads this demo through your GEMBA_DATABASE_URL")
    else:
        typer.echo("  for the CLI on this demo's data (gemba digest preview ...), first run:")
        typer.echo(f"    export GEMBA_DATABASE_URL={web.database_url}")
    ids = ", ".join(f"{login} {run.token_ids[login]}" for login, _ in viewers)
    typer.echo(
        f"  each link works once, for {web.signin_link_minutes} minutes; for a new one: "
        f"GEMBA_BASE_URL={web.base_url} gemba token link ID  (token ids: {ids})"
    )


def demo(
    port: int = typer.Option(8000, help="Port for the web app (a free one if taken)"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app at the end"),
    check_counts: bool = typer.Option(
        False, "--check", help="Compare stored rows with what was generated; exit 1 on a gap"
    ),
    fresh: bool = typer.Option(
        False, "--fresh", help="Rebuild the demo organisation (and its own SQLite database)"
    ),
) -> None:
    """Build a demo organisation, collect it with the real collectors, and serve it."""
    total = time.perf_counter()
    _warm_graphql_schema()
    config = common.settings()
    folder = config.data_dir.resolve() / "demo"
    started = time.perf_counter()
    manifest, built = load_or_build(folder, fresh=fresh)
    run = DemoRun(demo_settings(config, folder), manifest)
    run.timed("generate", started)
    _say(f"demo organisation {'built' if built else 'reused'} in {folder}")
    engine = common.engine(run.settings, create=True)
    from app.sandbox.server import SandboxServer

    web_port = free_port(port)
    base = f"http://127.0.0.1:{web_port}"
    if "base_url" not in config.model_fields_set:  # links in the digest open this server
        run.settings = run.settings.model_copy(update={"base_url": base})
    sandbox = SandboxServer(manifest.scenario_dir).start()
    try:
        collect(run, engine, sandbox.url)
        people_flags_tokens(run, engine)
        digest = digest_preview(run, engine, folder)
        slack = slack_nudges(run, engine, folder)
        problems = check(run.manifest, engine) if check_counts or not serve else []
    finally:
        sandbox.stop()
    web_settings = run.settings.model_copy(update={"base_url": base})
    server, thread = start_web(web_settings, web_port)
    problems += fetch_pages(base, run.tokens[MANAGER], expected_pages(manifest))
    problems += fetch_pages(
        base, run.tokens[DIRECTOR], {"/org": [*org.team_names(), "For your 1:1"]}
    )
    run.timed("total", total)
    _say("timings (s): " + json.dumps(run.timings))
    typer.echo(f"\nGemba Walk demo: {base}/")
    print_sign_in(run, web_settings, config)
    if digest is not None:
        typer.echo(f"  {MANAGER}'s weekly digest email: {digest}")
    if slack is not None:
        typer.echo(f"  Slack nudges sent to the demo's Slack stand-in: {slack}")
        typer.echo(f"    as Slack shows them (open in a browser): {slack.with_suffix('.html')}")
    if problems:
        for problem in problems:
            _say(f"problem: {problem}")
    if not serve:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
        if problems:
            raise typer.Exit(1)
        typer.echo(
            "demo check passed: every generated row was collected, every page shows its pattern"
        )
        return
    typer.echo("Press Ctrl-C to stop.")
    try:
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(timeout=10)
    engine.dispose()


def register(cli: typer.Typer) -> None:
    """Add this module's commands to the root command."""
    cli.command("demo")(demo)
