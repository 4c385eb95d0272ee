"""`gemba nudges send|preview|off|on`: Slack nudges, sent once each, and a person's say in them."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from sqlmodel import select

from app.cli.common import engine, fail, session, settings
from app.core.models import Person
from app.nudges import optout
from app.nudges.send import NudgeReport, send_nudges
from app.nudges.slack import web_client

KINDS = optout.KINDS

nudges_cli = typer.Typer(
    help="Slack nudges: send what is due (once each), preview them, switch them off or on.",
    no_args_is_help=True,
)


def _when(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now {value!r} is not an ISO date and time such as 2026-03-02T10:00+01:00")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _run(now: datetime, *, dry_run: bool) -> NudgeReport:
    config = settings()
    if config.slack_bot_token is None and not dry_run:
        fail("GEMBA_SLACK_BOT_TOKEN is not set (see docs/nudges.md)")
    token = config.slack_bot_token.get_secret_value() if config.slack_bot_token else "unset"
    client = web_client(token, config.slack_api_url)
    return send_nudges(engine(config), client, now, config, dry_run=dry_run)


@nudges_cli.command("send")
def send_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due, send nothing"),
    now: str | None = typer.Option(None, "--now", help="Act as if it were this ISO time"),
) -> None:
    """Send every nudge due now, each exactly once; what waits says why."""
    report = _run(_when(now), dry_run=dry_run)
    for nudge in report.would_send:
        typer.echo(f"would send  {nudge.kind:<15} to {nudge.recipient}: {nudge.text}")
    for nudge in report.sent:
        typer.echo(f"sent        {nudge.kind:<15} to {nudge.recipient}")
    for nudge, why in report.waiting:
        typer.echo(f"waiting     {nudge.kind:<15} to {nudge.recipient}: {why}")
    for nudge, error in report.failed:
        typer.echo(f"failed      {nudge.kind:<15} to {nudge.recipient}: {error} (next run retries)")
    for nudge in report.resumed:
        typer.echo(f"recorded    {nudge.kind:<15} to {nudge.recipient}: it went out before a cut")
    for nudge in report.uncertain:
        typer.echo(
            f"uncertain   {nudge.kind:<15} to {nudge.recipient}: a send was cut short; it is"
            " checked in Slack's history once 10 minutes old (never posted twice)"
        )
    if report.updated:
        typer.echo(f"updated in place: {report.updated}")
    if report.failed or report.uncertain:
        raise typer.Exit(1)


@nudges_cli.command("preview")
def preview_command(
    to: str = typer.Option(..., "--to", help="Login of the recipient"),
    now: str | None = typer.Option(None, "--now", help="Act as if it were this ISO time"),
) -> None:
    """What would go out to LOGIN now, as text (nothing is sent or stored)."""
    report = _run(_when(now), dry_run=True)
    mine = [n for n in report.would_send if n.recipient == to]
    for nudge in mine:
        typer.echo(f"[{nudge.kind}] {nudge.text}" + (f"\n  {nudge.url}" if nudge.url else ""))
    if not mine:
        typer.echo(f"nothing would go to {to} now")


def _switch(login: str, kind: str | None, *, off: bool) -> None:
    with session() as db:
        person = db.exec(select(Person).where(Person.login == login)).first()
        if person is None or person.id is None:
            fail(f"no person with login {login!r} (see `gemba people import`)")
        try:
            optout.switch(db, person.id, kind, off=off)
        except ValueError as error:
            fail(str(error))
    what = f"{kind} nudges" if kind else "all nudges"
    typer.echo(f"{what} {'off' if off else 'on'} for {login}")


LOGIN = typer.Option(..., "--login", help="Whose nudges")
KIND = typer.Option(None, "--kind", help=f"One kind: {', '.join(KINDS)} (default: all)")


@nudges_cli.command("off")
def off_command(login: str = LOGIN, kind: str | None = KIND) -> None:
    """Switch nudges off for a person, all or one kind."""
    _switch(login, kind, off=True)


@nudges_cli.command("on")
def on_command(login: str = LOGIN, kind: str | None = KIND) -> None:
    """Switch nudges back on (all: every kind switched off before is on again)."""
    _switch(login, kind, off=False)


def register(cli: typer.Typer) -> None:
    """Add `gemba nudges ...` to the root command."""
    cli.add_typer(nudges_cli, name="nudges")
