"""`gemba serve`: run the web app with uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from app.cli.common import engine, settings
from app.core.logs import uvicorn_log_config


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on"),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes"),
    schedule: bool = typer.Option(
        False,
        "--schedule",
        help="Also run a queue worker with the schedule (sync, digests, nudges) in this process",
    ),
) -> None:
    """Serve the dashboards and the API (OpenAPI docs at /docs)."""
    config = settings()
    db = engine(config)  # migrate once before workers start
    if schedule:  # one worker thread in this (supervisor) process, however many web workers
        from app.ops.queue import Queue
        from app.ops.tasks import Runtime
        from app.ops.worker import Background, Options

        Background(Queue(Runtime(config, db)), Options()).start()
    else:
        db.dispose()
    typer.echo(f"Gemba Walk on http://{host}:{port}/")
    uvicorn.run(
        "app.http.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=uvicorn_log_config(config),  # every worker process logs in our format
    )


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
