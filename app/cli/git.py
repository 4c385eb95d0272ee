"""`gemba collect git` and the file-level views over its data: hotspots, coupling, ownership."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from app.cli import common
from app.cli.collect_group import add_collect_group, collect_app
from collectors.git.quick import sqlite_file, stored_at_head

if TYPE_CHECKING:
    from rich.progress import Progress

    from app.core.settings import Settings
    from collectors.git.early import StartedRead
    from dashboards.signals.hotspots import Hotspot

log = logging.getLogger("gemba.collect")
PROGRESS_MIN_COMMITS = 2000

RepoOption = typer.Option(..., "--repo", help="Name the repository was collected under")
SinceOption = typer.Option(
    None,
    "--since",
    formats=common.DATE_FORMATS,
    metavar=common.DATE_METAVAR,
    help=f"Start of the window ({common.DATE_HELP}; default: 365 days ago)",
)
LimitOption = typer.Option(20, "--limit", min=1, help="At most this many rows")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table")


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, shown only once a run turns out to be long."""
    bar: Progress | None = None
    task: Any = None

    shown = sys.stderr.isatty()  # a bar nobody watches (cron, a pipe) is only its imports

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if total < PROGRESS_MIN_COMMITS or not shown:
            return
        if bar is None:  # rich is imported here: a run that shows no bar never loads it
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            bar.start()
            task = bar.add_task("commits", total=total)
        bar.update(task, completed=done, total=total)  # the walk may still be growing it

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


@collect_app.command("git")
def collect_git_command(
    path: Path = typer.Argument(..., help="A local clone (working tree or bare)"),
    name: str | None = typer.Option(None, "--name", help="Name to store it under (default: dir)"),
    full: bool = typer.Option(False, "--full", help="Re-read the whole history"),
    jobs: int | None = typer.Option(
        None, "--jobs", min=1, help="Worker processes reading history (default: one per core)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary of the collect"),
) -> None:
    """Read a repository's history (incremental after the first run) into the database.
    Exits 3 when another run is collecting the same repository."""
    config = common.settings()
    if not full:
        from app.core.schema import schema_head

        known = stored_at_head(config.database_url, path, name, schema_head())
        if known is not None:  # nothing new: answered without loading the collector
            _logged(_unchanged(*known))
            if as_json:
                common.print_json(_unchanged(*known))
            else:
                typer.echo(f"{known[0]}: up to date at {known[1][:12]}")
            return
    from collectors.git.log import GitInputError

    started = None
    database = sqlite_file(config.database_url)
    if database is not None and not database.exists():  # a first collect: read meanwhile
        from collectors.git.early import start_reading

        try:
            started = start_reading(path, name, bot_logins=config.bot_logins, jobs=jobs)
        except GitInputError as error:
            common.fail(str(error))
    try:
        _collect(config, path, name, full, jobs, as_json, started)
    finally:
        if started is not None:
            started.close()


def _collect(
    config: Settings,
    path: Path,
    name: str | None,
    full: bool,
    jobs: int | None,
    as_json: bool,
    started: StartedRead | None,
) -> None:
    """Open (or create) the database and collect; `started` is the read begun before it."""
    from collectors.git.lease import CollectRefused
    from collectors.git.log import GitInputError
    from collectors.git.store import collect_git

    engine = common.engine(config, create=True)
    try:
        with _progress_bar() as progress:
            result = collect_git(
                engine,
                path,
                name=name,
                full=full,
                bot_logins=config.bot_logins,
                jobs=jobs,
                batch_commits=config.git_batch_commits,
                progress=progress,
                started=started,
            )
    except GitInputError as error:
        common.fail(str(error))
    except CollectRefused as error:
        common.fail(str(error), code=3)
    finally:
        engine.dispose()
    _logged(asdict(result))
    if as_json:
        common.print_json(result)
        return
    if result.mode == "unchanged":
        typer.echo(f"{result.repository}: up to date at {result.head[:12]}")
        return
    typer.echo(
        f"{result.repository}: {result.mode} collect to {result.head[:12]}: "
        f"{result.commits_added} commits added, {result.commits_removed} removed, "
        f"{result.file_changes_written} file changes written, {result.files_at_head} files at HEAD"
    )


def _logged(result: dict[str, Any]) -> None:
    """One log line per collect, in the configured format (GEMBA_LOG_FORMAT)."""
    log.info("collected", extra={"source": "git", **result})


def _unchanged(repository: str, head: str) -> dict[str, object]:
    """The JSON of a collect that found HEAD already stored (the collector's own shape)."""
    return {
        "repository": repository,
        "mode": "unchanged",
        "head": head,
        "commits_read": 0,
        "commits_added": 0,
        "commits_removed": 0,
        "file_changes_written": 0,
        "files_at_head": None,
    }


def _since(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _signals() -> Any:
    """The hotspot reports, loaded by the commands that show them, not by `collect git`."""
    from dashboards.reports import hotspots

    return hotspots


def _call(function: Callable[..., list[Any]], repo: str, **kwargs: Any) -> list[Any]:
    signals = _signals()
    with common.session() as session:
        try:
            return function(session, repo=repo, now=datetime.now(UTC), **kwargs)
        except signals.UnknownRepository as error:
            common.fail(f"{error}; run `gemba collect git PATH --name {repo}`")


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [list(headers)] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        sys.stdout.write("\n")


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):  # small scores keep two significant digits, not "0.00"
        return f"{value:.2f}" if value == 0 or abs(value) >= 0.01 else f"{value:.2g}"
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).translate(CONTROL_ESCAPES)  # a path may hold a tab or a newline


CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in range(32)} | {9: "\\t", 10: "\\n", 13: "\\r"}


def hotspots_command(
    repo: str = RepoOption,
    since: datetime | None = SinceOption,
    limit: int = LimitOption,
    as_json: bool = JsonOption,
) -> None:
    """Files at HEAD ranked by change frequency x size (docs/metrics.md)."""
    rows = _call(_signals().hotspots, repo, since=_since(since), limit=limit)
    if as_json:
        common.print_json(rows)
        return
    _table(
        ["score", "commits", "churn", "loc", "authors", "main author", "share", "last", "path"],
        [_hotspot_row(h) for h in rows],
    )


def _hotspot_row(h: Hotspot) -> list[object]:
    share, last = h.main_author_share, h.last_changed
    return [h.score, h.commits, h.churn, h.loc, h.authors, h.main_author, share, last, h.path]


def coupling_command(
    repo: str = RepoOption,
    since: datetime | None = SinceOption,
    limit: int = LimitOption,
    as_json: bool = JsonOption,
    max_changeset: int = typer.Option(30, min=1, help="Ignore commits touching more files"),
    min_revs: int = typer.Option(5, min=1, help="Minimum commits of each file"),
    min_shared: int = typer.Option(5, min=1, help="Minimum commits shared by the pair"),
    min_degree: float = typer.Option(30.0, min=0, max=100, help="Minimum degree, in %"),
) -> None:
    """Pairs of files that change together (Code Maat's coupling degree)."""
    rows = _call(
        _signals().coupling,
        repo,
        since=_since(since),
        limit=limit,
        max_changeset=max_changeset,
        min_revs=min_revs,
        min_shared=min_shared,
        min_degree=min_degree,
    )
    if as_json:
        common.print_json(rows)
        return
    _table(
        ["degree", "shared", "commits", "coupled commits", "path", "coupled path"],
        [[c.degree, c.shared, c.commits, c.coupled_commits, c.path, c.coupled_path] for c in rows],
    )


def ownership_command(
    repo: str = RepoOption,
    since: datetime | None = SinceOption,
    limit: int = LimitOption,
    as_json: bool = JsonOption,
) -> None:
    """Who wrote each file: distinct people, main author and their share of added lines."""
    rows = _call(_signals().ownership, repo, since=_since(since), limit=limit)
    if as_json:
        common.print_json(rows)
        return
    _table(
        ["authors", "main author", "share", "loc", "path"],
        [[o.authors, o.main_author, o.main_author_share, o.loc, o.path] for o in rows],
    )


def knowledge_risk_command(
    repo: str = RepoOption,
    since: datetime | None = SinceOption,
    limit: int = LimitOption,
    as_json: bool = JsonOption,
) -> None:
    """Files whose main author has made no commit in the last 90 days."""
    rows = _call(_signals().knowledge_risk, repo, since=_since(since), limit=limit)
    if as_json:
        common.print_json(rows)
        return
    _table(
        ["idle days", "main author", "share", "loc", "path"],
        [[r.idle_days, r.main_author, r.main_author_share, r.loc, r.path] for r in rows],
    )


def register(cli: typer.Typer) -> None:
    """Add `collect git` (to the shared `collect` group) and the hotspot views."""
    add_collect_group(cli)
    cli.command("hotspots")(hotspots_command)
    cli.command("coupling")(coupling_command)
    cli.command("ownership")(ownership_command)
    cli.command("knowledge-risk")(knowledge_risk_command)
