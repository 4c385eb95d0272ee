"""The `gemba` command: each module in this package registers its own commands."""

from __future__ import annotations

import typer
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from app.cli import ci, db, demo, digest, flags, git, github, people, serve

cli = typer.Typer(
    name="gemba",
    help="Gemba Walk: see where engineering work gets stuck, and talk about it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (db, git, github, ci, people, flags, digest, serve, demo):
    module.register(cli)


def main() -> None:
    """Run the CLI; a database that cannot be reached or a malformed GEMBA_DATABASE_URL ends
    with one line on stderr and exit code 1, not a SQLAlchemy traceback."""
    try:
        cli()
    except (ArgumentError, NoSuchModuleError, OperationalError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        typer.echo(f"error: database: {reason} (check GEMBA_DATABASE_URL)", err=True)
        raise SystemExit(1) from None
