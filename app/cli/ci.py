"""`gemba` commands for ci (filled in by its capability)."""

from __future__ import annotations

import typer


def register(cli: typer.Typer) -> None:
    """Add this module's commands to the root command."""
