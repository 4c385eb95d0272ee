"""`gemba ... --help` is the first documentation a new user reads: every option says what it
does, dates show a readable placeholder, and what the help promises is really printed."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
import typer
from typer.testing import CliRunner

from app.cli.everything import cli


def _leaf_commands() -> Iterator[tuple[list[str], click.Command]]:
    def walk(command: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                yield from walk(child, [*path, name])
        else:
            yield path, command

    yield from walk(typer.main.get_command(cli), [])


LEAVES = list(_leaf_commands())


def test_every_option_of_every_command_says_what_it_does() -> None:
    missing = [
        f"gemba {' '.join(path)} {param.opts[0]}"
        for path, command in LEAVES
        for param in command.params
        if isinstance(param, click.Option) and "--help" not in param.opts and not param.help
    ]
    assert missing == []


@pytest.mark.parametrize("path", [path for path, _ in LEAVES], ids=" ".join)
def test_help_shows_no_strptime_formats(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "%Y" not in result.output  # a date option reads DATE, with the formats in words


@pytest.mark.parametrize("path", [["flag"], ["flags", "list"]], ids=" ".join)
def test_flag_help_names_the_settings_behind_server_and_token(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
    assert "GEMBA_SERVER" in result.output and "GEMBA_TOKEN" in result.output
