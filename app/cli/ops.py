"""`gemba sync`, `gemba worker` and `gemba jobs ...`: running collection for real.

`sync` collects every configured repository in this process; `worker` runs Procrastinate
workers on the shared queue and the schedule (any number, on any machines, against one
PostgreSQL; on SQLite, in this process); `jobs enqueue` fills the queue, `jobs list` shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from app.cli import common
from app.core.logs import configure_logging
from app.core.settings import Settings
from app.ops import sync

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from app.ops.queue import Queue

jobs_app = typer.Typer(
    help="The shared collection queue used by `gemba worker`.", no_args_is_help=True
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def sync_command(
    only: str = typer.Option(
        ",".join(sync.SOURCES), "--only", help="Comma-separated sources: git, pulls, ci, delivery"
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print a JSON summary on stdout (per-source lines go to stderr)"
    ),
) -> None:
    """Collect every repository in GEMBA_REPOS: fetch clones, then git, pull requests, CI and
    deployments. Exits 1 when a repository had errors."""
    config = common.settings()
    configure_logging(config)
    sources = [s.strip() for s in only.split(",") if s.strip()]
    unknown = [s for s in sources if s not in sync.SOURCES]
    if unknown:
        common.fail(f"unknown source(s) {', '.join(unknown)}; use {', '.join(sync.SOURCES)}")
    engine = common.engine(config, create=True)
    gh = sync.github(config)
    try:
        targets = sync.discover(config, gh)
        if not targets:
            common.fail("nothing to collect: set GEMBA_REPOS (e.g. my-org/* or my-org/api)")
        reports = []
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
                typer.echo(f"{full_name}: {source}: {result}", err=as_json)
            for source, error in report.errors.items():
                typer.echo(f"{full_name}: {source}: FAILED: {error}", err=True)
            reports.append(report)
    except sync.SyncError as error:
        common.fail(str(error))
    finally:
        engine.dispose()
    failed = sum(not report.ok for report in reports)
    if as_json:
        common.print_json(
            {
                "repositories": [
                    {"repository": r.repository, "done": r.done, "errors": r.errors}
                    for r in reports
                ],
                "failed": failed,
            }
        )
    if failed:
        common.fail(f"{failed} of {len(targets)} repositories had errors (see above)")


def _queue(config: Settings, engine: Engine, *, schedule: bool) -> Queue:
    from app.ops.queue import Queue
    from app.ops.tasks import Runtime

    return Queue(Runtime(config, engine), schedule=schedule)


def worker_command(
    until_empty: bool = typer.Option(
        False, "--until-empty", help="Exit once no job is waiting or running (no schedule)"
    ),
    poll: float = typer.Option(5.0, "--poll", min=0.1, help="Seconds between looks at the queue"),
    max_jobs: int | None = typer.Option(None, "--max-jobs", min=1, help="Exit after N jobs"),
    concurrency: int = typer.Option(
        1, "--concurrency", min=1, help="Collection jobs at a time in this process"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout at exit"),
) -> None:
    """Run queued jobs and the schedule until stopped (SIGTERM finishes the jobs in hand).

    On PostgreSQL, any number of workers on any machines share the queue; on SQLite this
    process runs the schedule itself. Exits 1 when a job failed for good."""
    from app.ops import worker

    config = common.settings()
    configure_logging(config)
    engine = common.engine(config)
    name = worker.worker_name()
    queue = _queue(config, engine, schedule=not until_empty)
    _say(f"worker {name} on {engine.dialect.name}")
    options = worker.Options(
        until_empty=until_empty,
        concurrency=concurrency,
        poll_seconds=poll,
        max_jobs=max_jobs,
        name=name,
    )
    try:
        outcome = worker.run_blocking(queue, options)
    finally:
        engine.dispose()
    if as_json:
        common.print_json(
            {
                "worker": name,
                "database": engine.dialect.name,
                "done": outcome.done,
                "failed": outcome.failed,
                "retried": outcome.retried,
                "errors": outcome.errors,
            }
        )
    else:
        typer.echo(f"worker {name}: {outcome.done} jobs done, {outcome.failed} failed")
    if outcome.failed:
        common.fail(f"{outcome.failed} jobs failed: " + "; ".join(outcome.errors[:5]))


@jobs_app.command("enqueue")
def enqueue_command(
    targets: list[str] = typer.Argument(None, help="OWNER/REPO, or NAME=PATH-or-URL for git"),
    source: str = typer.Option("repo", "--source", help="repo (git, pulls and ci), git, pulls, ci"),
    configured: bool = typer.Option(False, "--configured", help="Every repo in GEMBA_REPOS"),
) -> None:
    """Queue collection jobs for the workers (on SQLite: run them now, in this process)."""
    from app.ops.queue import JobError

    config = common.settings()
    names = list(targets or [])
    if configured:
        try:
            names += [name for name, _ in sync.discover(config, sync.github(config))]
        except sync.SyncError as error:
            common.fail(str(error))
    if not names:
        common.fail("give targets or --configured")
    engine = common.engine(config)
    queue = _queue(config, engine, schedule=False)
    try:
        with queue.app.open():
            for target in names:
                try:
                    queued = queue.enqueue(source, target)
                except JobError as error:
                    common.fail(str(error))
                for task_source, outcome in queued:
                    typer.echo(f"{task_source} {target}: {outcome}")
        if not queue.postgres:
            _run_here(config, queue)
    finally:
        engine.dispose()


def _run_here(config: Settings, queue: Queue) -> None:
    """SQLite has no shared queue: what was just queued runs in this process."""
    from app.ops import worker

    configure_logging(config)
    outcome = worker.run_blocking(queue, worker.Options(until_empty=True, poll_seconds=0.2))
    typer.echo(f"ran here (SQLite): {outcome.done} jobs done, {outcome.failed} failed")
    if outcome.failed:
        common.fail(f"{outcome.failed} jobs failed: " + "; ".join(outcome.errors[:5]))


@jobs_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Jobs waiting, running or failed, with their task, lock and attempts (PostgreSQL)."""
    config = common.settings()
    engine = common.engine(config)
    queue = _queue(config, engine, schedule=False)
    rows = []
    try:
        with queue.app.open():
            for job in queue.app.job_manager.list_jobs():
                rows.append(
                    {
                        "id": job.id,
                        "task": job.task_name,
                        "status": job.status,
                        "queue": job.queue,
                        "lock": job.lock,
                        "attempts": job.attempts,
                        "args": job.task_kwargs,
                        "scheduled_at": job.scheduled_at,
                    }
                )
    finally:
        engine.dispose()
    if as_json:
        common.print_json(rows)
        return
    if not queue.postgres:
        typer.echo("SQLite: jobs run in the process that queues them; nothing is kept", err=True)
    for row in rows:
        typer.echo(
            f"{row['id']:>6} {row['status']:<9} {row['attempts']:>2} {row['task']:<20} "
            f"{row['lock'] or ''}"
        )


def register(cli: typer.Typer) -> None:
    """Add `sync`, `worker` and `jobs` to the root command."""
    cli.command("sync")(sync_command)
    cli.command("worker")(worker_command)
    cli.add_typer(jobs_app, name="jobs")
