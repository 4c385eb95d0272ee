"""`gemba serve`: run the web app with uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from app.cli.common import engine, settings


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on"),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes"),
    schedule: bool = typer.Option(
        False, "--schedule", help="Also run `gemba sync` and due digests on a schedule"
    ),
) -> None:
    """Serve the dashboards and the API (OpenAPI docs at /docs)."""
    engine(settings()).dispose()  # migrate once before workers start
    if schedule:  # one scheduler thread in this (supervisor) process: see app/ops/scheduler.py
        from app.core.logs import configure_logging
        from app.ops.scheduler import Scheduler

        configure_logging(settings())
        Scheduler(settings()).start()
    typer.echo(f"Gemba Walk on http://{host}:{port}/")
    uvicorn.run("app.http.main:create_app", factory=True, host=host, port=port, workers=workers)


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
