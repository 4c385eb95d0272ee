"""`gemba digest preview|send`: look at a weekly digest, and send the week's digests once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import typer
from sqlmodel import select

from app.cli.common import engine, fail, print_json, session, settings
from app.core.models import Person
from app.flags.lookup import lookup
from dashboards.digest.build import render_parts
from dashboards.digest.delivery import (
    BACKOFF_SECONDS,
    RETRIES,
    Due,
    SendReport,
    all_due,
    delivery_rows,
    digest_for,
    due_digests,
    send_digests,
)
from dashboards.digest.week import parse_week

digest_cli = typer.Typer(
    help="The weekly digest email: preview it, send it (exactly once per person and week).",
    no_args_is_help=True,
)

log = logging.getLogger("gemba.digest")
WEEK_HELP = "ISO week such as 2026-W47 (default: the last complete week)"


@digest_cli.command("preview")
def preview(
    to: str = typer.Option(..., "--to", help="Login of the recipient"),
    week: str | None = typer.Option(None, help=WEEK_HELP),
) -> None:
    """Write the digest LOGIN would get as HTML and text files, and print where."""
    config = settings()
    now = datetime.now(UTC)
    with session() as db:
        person = db.exec(select(Person).where(Person.login == to)).first()
        if person is None:
            fail(f"no person with login {to!r} (see `gemba people import`)")
        try:
            data = digest_for(db, person, week, config, now, flags=lookup)
        except ValueError as error:
            fail(str(error))
        if data is None:
            fail(f"{to} gets no digest")
        text, html = render_parts(data)
    folder = Path(config.data_dir) / "previews"
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, body in (("html", html), ("txt", text)):
        path = folder / f"digest-{data.week}-{to}.{suffix}"
        path.write_text(body, encoding="utf-8")
        typer.echo(str(path.resolve()))


@digest_cli.command("send")
def send(
    week: str | None = typer.Option(None, help=WEEK_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show who would get what; send nothing"),
    due: bool = typer.Option(
        False, "--due", help="Only recipients whose Monday hour has passed (run hourly from cron)"
    ),
    resend_uncertain: bool = typer.Option(
        False, "--resend-uncertain", help="Also resend digests whose earlier send was cut off"
    ),
    retries: int = typer.Option(RETRIES, min=0, help="Retries per message when SMTP fails"),
    backoff: float = typer.Option(BACKOFF_SECONDS, min=0, help="First retry delay, doubling"),
    as_json: bool = typer.Option(
        False, "--json", help="Print a JSON summary on stdout (each send's line goes to stderr)"
    ),
) -> None:
    """Send every digest not sent yet; exit 1 and list what is still pending if SMTP fails."""
    if due and week:
        fail("--due picks each team's week itself; leave out --week")
    week = _checked(week)
    config = settings()
    now = datetime.now(UTC)
    with session() as db:
        try:
            todo = due_digests(db, now, config) if due else all_due(db, week, now, config)
        except ValueError as error:
            fail(str(error))
    db_engine = engine(config)
    try:
        report = send_digests(
            db_engine,
            config,
            todo,
            now=now,
            dry_run=dry_run,
            resend_uncertain=resend_uncertain,
            retries=retries,
            backoff_seconds=backoff,
            progress=_progress(as_json),
            flags=lookup,
        )
    finally:
        db_engine.dispose()
    counts = {key: len(rows) for key, rows in _report_json(report).items()}
    log.info("digests", extra={**counts, "week": week, "due": due, "dry_run": dry_run})
    if as_json:
        print_json(_report_json(report))
    else:
        _summary(report)
    if not report.ok:
        raise typer.Exit(1)


@digest_cli.command("status")
def status(
    week: str | None = typer.Option(None, help="ISO week such as 2026-W47 (default: all)"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """List what was sent, failed or is uncertain, per recipient and week."""
    week = _checked(week)
    with session() as db:
        rows = delivery_rows(db, week)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['week']} {row['login']}: {row['status']} after {row['attempts']} attempt(s)"
            + (f", sent {row['sent_at']:%Y-%m-%d %H:%M} UTC" if row["sent_at"] else "")
            + (f", last error: {row['last_error']}" if row["last_error"] else "")
        )
    if not rows:
        typer.echo("no digest recorded" + (f" for {week}" if week else ""))


def _checked(week: str | None) -> str | None:
    """The week's normalised label, checked before any recipient is looked at: with nobody to
    send to, a malformed week would otherwise pass silently with exit code 0."""
    if week is None:
        return None
    try:
        return parse_week(week).label
    except ValueError as error:
        fail(str(error))


def _progress(to_stderr: bool) -> Callable[[str, Due, str], None]:
    """One line per send; on stderr when stdout is kept for the JSON summary."""

    def echo(event: str, item: Due, detail: str) -> None:
        typer.echo(f"{event}: {item.login} {item.week} {detail}".rstrip(), err=to_stderr)

    return echo


def _report_json(report: SendReport) -> dict[str, list[dict[str, str]]]:
    """Each outcome's recipients and weeks, with the error of a pending one and the subject a
    dry run would send."""

    def rows(items: list[Due], **extra: list[str]) -> list[dict[str, str]]:
        out = [{"login": item.login, "week": item.week} for item in items]
        for key, values in extra.items():
            for row, value in zip(out, values, strict=True):
                row[key] = value
        return out

    return {
        "sent": rows(report.sent),
        "already_sent": rows(report.already_sent),
        "pending": rows([d for d, _ in report.pending], error=[e for _, e in report.pending]),
        "uncertain": rows(report.uncertain),
        "would_send": rows(
            [d for d, _ in report.would_send], subject=[s for _, s in report.would_send]
        ),
    }


def _summary(report: SendReport) -> None:
    typer.echo(
        f"sent {len(report.sent)}, already sent {len(report.already_sent)}, "
        f"pending {len(report.pending)}, uncertain {len(report.uncertain)}"
        + (f", would send {len(report.would_send)}" if report.would_send else "")
    )
    for item, error in report.pending:
        typer.secho(f"pending: {item.login} {item.week}: {error}", fg=typer.colors.YELLOW, err=True)
    for item in report.uncertain:
        typer.secho(
            f"uncertain: {item.login} {item.week} (cut off mid-send; --resend-uncertain)",
            fg=typer.colors.YELLOW,
            err=True,
        )


def register(cli: typer.Typer) -> None:
    """Add `gemba digest ...` to the root command."""
    cli.add_typer(digest_cli, name="digest")
