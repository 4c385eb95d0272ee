"""`gemba painmap`: the pain map of a repository, the same answer as `/api/v1/painmap`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import typer

from app.cli import common

DEFAULT_PERIOD = timedelta(days=90)


def _date_option(name: str, what: str, default: str) -> Any:
    return typer.Option(
        None,
        name,
        formats=common.DATE_FORMATS,
        metavar=common.DATE_METAVAR,
        help=f"{what} ({common.DATE_HELP}; default: {default})",
    )


def painmap_command(
    repo: str = typer.Option(..., "--repo", help="Name the repository was collected under"),
    since: datetime | None = _date_option("--since", "Start of the period", "90 days ago"),
    until: datetime | None = _date_option("--until", "End of the period", "now"),
    color: str = typer.Option(
        "hotspot", "--color", help="hotspot, change, knowledge, review, ci or flags"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    """Boxes of the repository at HEAD with hotspot, commits, bus factor, review wait, CI, flags."""
    from app.flags.lookup import TERMINAL, lookup
    from dashboards.reports import painmap
    from dashboards.reports.repositories import UnknownRepositoryError

    end = (until.replace(tzinfo=until.tzinfo or UTC) if until else datetime.now(UTC)).astimezone(
        UTC
    )
    start = (
        since.replace(tzinfo=since.tzinfo or UTC).astimezone(UTC) if since else end - DEFAULT_PERIOD
    )
    if start >= end:
        common.fail("--since must be before --until")
    if color not in painmap.COLORS:
        common.fail(f"unknown --color {color!r}; one of {', '.join(painmap.COLORS)}")
    with common.session() as session:
        try:
            query = painmap.MapQuery(repo, start, end, TERMINAL, lookup, common.settings())
            answer = painmap.answer(session, query, color=color)
        except UnknownRepositoryError as error:
            common.fail(f"{error}; run `gemba collect git PATH --name {repo}`")
    if as_json:
        common.print_json(answer)
        return
    metric = str(answer["color_metric"])
    for node in answer["nodes"]:  # type: ignore[attr-defined]
        depth = str(node["path"]).count("/") + (1 if node["path"] else 0)
        sys.stdout.write(
            f"{'  ' * depth}{node['name']}  loc={node['loc']}  {metric}={node[metric]}\n"
        )


def register(cli: typer.Typer) -> None:
    cli.command("painmap")(painmap_command)
