"""`gemba sync`, `gemba worker` and `gemba jobs ...`: running collection for real.

`sync` collects every configured repository in this process; `worker` takes jobs from the
shared queue (any number of workers on any machines, against one PostgreSQL); `jobs enqueue`
fills the queue, `jobs list` shows it.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer
from sqlalchemy import text

from app.cli import common
from app.core.logs import configure_logging
from app.ops import sync, worker

jobs_app = typer.Typer(
    help="The shared collection queue used by `gemba worker`.", no_args_is_help=True
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def sync_command(
    only: str = typer.Option(
        ",".join(sync.SOURCES), "--only", help="Comma-separated sources: git, pulls, ci"
    ),
) -> None:
    """Collect every repository in GEMBA_REPOS: fetch clones, then git, pull requests and CI."""
    config = common.settings()
    configure_logging(config)
    sources = [s.strip() for s in only.split(",") if s.strip()]
    unknown = [s for s in sources if s not in sync.SOURCES]
    if unknown:
        common.fail(f"unknown source(s) {', '.join(unknown)}; use {', '.join(sync.SOURCES)}")
    from collectors.github_client import make_github

    engine = common.engine(config, create=True)
    gh = make_github(config)
    try:
        targets = sync.discover(config, gh)
        if not targets:
            common.fail("nothing to collect: set GEMBA_REPOS (e.g. my-org/* or my-org/api)")
        failed = 0
        for full_name, reported in targets:
            report = sync.collect_repository(
                engine,
                config,
                gh,
                full_name,
                reported_clone_url=reported,
                sources=sources,
                say=_say,
            )
            for source, result in report.done.items():
                typer.echo(f"{full_name}: {source}: {result}")
            for source, error in report.errors.items():
                typer.echo(f"{full_name}: {source}: FAILED: {error}", err=True)
            failed += not report.ok
    except sync.SyncError as error:
        common.fail(str(error))
    finally:
        engine.dispose()
    if failed:
        common.fail(f"{failed} of {len(targets)} repositories had errors (see above)")


def worker_command(
    until_empty: bool = typer.Option(False, "--until-empty", help="Exit once the queue is done"),
    poll: float = typer.Option(5.0, "--poll", min=0.1, help="Seconds between looks at the queue"),
    max_jobs: int | None = typer.Option(None, "--max-jobs", min=1, help="Exit after N jobs"),
) -> None:
    """Take collection jobs from the shared queue until stopped (SIGTERM finishes the job)."""
    config = common.settings()
    configure_logging(config)
    engine = common.engine(config)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    name = worker.worker_name()
    _say(f"worker {name} on {engine.dialect.name}")
    try:
        count = worker.work(
            engine,
            config,
            worker=name,
            until_empty=until_empty,
            poll_seconds=poll,
            max_jobs=max_jobs,
            stop=stop,
            say=_say,
        )
    except KeyboardInterrupt:
        common.fail("interrupted: the job in hand is taken over once its lease expires", 130)
    finally:
        signal.signal(signal.SIGTERM, previous)
        engine.dispose()
    typer.echo(f"worker {name}: {count} jobs")


@jobs_app.command("enqueue")
def enqueue_command(
    targets: list[str] = typer.Argument(None, help="OWNER/REPO, or NAME=PATH-or-URL for git"),
    source: str = typer.Option("repo", "--source", help="repo, git, pulls or ci"),
    configured: bool = typer.Option(False, "--configured", help="Every repo in GEMBA_REPOS"),
) -> None:
    """Queue collection jobs for the workers."""
    config = common.settings()
    names = list(targets or [])
    if configured:
        from collectors.github_client import make_github

        try:
            names += [name for name, _ in sync.discover(config, make_github(config))]
        except sync.SyncError as error:
            common.fail(str(error))
    if not names:
        common.fail("give targets or --configured")
    engine = common.engine(config)
    try:
        for target in names:
            try:
                outcome = worker.enqueue(engine, source, target)
            except worker.JobError as error:
                common.fail(str(error))
            typer.echo(f"{source} {target}: {outcome}")
    finally:
        engine.dispose()


@jobs_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Every job with its status, worker, attempts and last error."""
    engine = common.engine()
    try:
        with engine.connect() as conn:
            rows = [
                dict(row._mapping)
                for row in conn.execute(
                    text(
                        "SELECT id, source, target, status, worker, attempts, lease_until, "
                        "finished_at, last_error FROM collectjob ORDER BY id"
                    )
                )
            ]
    finally:
        engine.dispose()
    if as_json:
        common.print_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['id']:>5} {row['source']:<6} {row['status']:<8} {row['attempts']:>2} "
            f"{row['target']}  {row['worker'] or ''}  {row['last_error'] or ''}"
        )


def register(cli: typer.Typer) -> None:
    """Add `sync`, `worker` and `jobs` to the root command."""
    cli.command("sync")(sync_command)
    cli.command("worker")(worker_command)
    cli.add_typer(jobs_app, name="jobs")
