"""The shared `gemba collect ...` group: git, github and other sources add their commands to it."""

from __future__ import annotations

import typer

collect_app = typer.Typer(help="Collect data into the database.", no_args_is_help=True)


def add_collect_group(cli: typer.Typer) -> None:
    """Add `collect` to the root command once, whichever module registers first."""
    if any(group.typer_instance is collect_app for group in cli.registered_groups):
        return
    cli.add_typer(collect_app, name="collect")
