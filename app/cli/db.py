"""`gemba db ...`: schema migrations."""

from __future__ import annotations

import typer

from app.cli.common import settings
from app.core.db import require_database, upgrade

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply migrations to the configured database (GEMBA_DATABASE_URL)."""
    url = settings().database_url
    require_database(url, create=True)  # the one command whose job is to make it
    upgrade(url, revision)
    typer.echo("database is up to date")


def register(cli: typer.Typer) -> None:
    cli.add_typer(db_app, name="db")
