"""The `gemba` command: each module in this package registers its own commands."""

from __future__ import annotations

import typer

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
    cli()
