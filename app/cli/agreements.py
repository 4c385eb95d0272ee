"""`gemba agreements show|set|backtest|check`: a team's working agreements from the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from sqlmodel import Session, select

from app.cli import common
from app.core.agreements import (
    RULES,
    AgreementError,
    agreements_of,
    history_of,
    parse_assignment,
    set_agreements,
)
from app.core.models import Team

agreements_app = typer.Typer(help="A team's working agreements.", no_args_is_help=True)
TEAM = typer.Option(..., "--team", help="Team name, as in the people file")


def _team(session: Session, name: str) -> Team:
    team = session.exec(select(Team).where(Team.name == name)).first()
    if team is None or team.id is None:
        known = ", ".join(sorted(session.exec(select(Team.name)))) or "none yet"
        common.fail(f"no team named {name!r} (known: {known})")
    return team


def _assignments(pairs: list[str]) -> dict[str, object]:
    try:
        return dict(parse_assignment(pair) for pair in pairs)
    except AgreementError as error:
        common.fail(str(error))


def _describe(name: str, value: object) -> str:
    rule = RULES.get(name)
    unit = f" {rule.unit}" if rule and rule.unit else ""
    return f"{name} = {value}{unit}" + (f"  ({rule.summary})" if rule else "")


@agreements_app.command("show")
def show(team: str = TEAM, json_out: bool = typer.Option(False, "--json")) -> None:
    """The team's targets and their recent changes."""
    with common.session() as session:
        found = _team(session, team)
        assert found.id is not None
        current = agreements_of(session, found.id)
        history = history_of(session, found.id)
        if json_out:
            common.print_json(
                {
                    "team": found.name,
                    "agreements": current,
                    "history": [
                        {
                            "name": h.name,
                            "old": h.old_value,
                            "new": h.new_value,
                            "by": h.changed_by,
                            "at": h.changed_at,
                        }
                        for h in history
                    ],
                }
            )
            return
    if not current:
        typer.echo(f"{team}: no agreements yet (set one with gemba agreements set)")
    for name, value in sorted(current.items()):
        typer.echo(_describe(name, value))
    for change in history[:10]:
        typer.echo(
            f"  {change.changed_at:%Y-%m-%d %H:%M} {change.changed_by}: {change.name} "
            f"{change.old_value} -> {change.new_value}"
        )


@agreements_app.command("set")
def set_command(
    team: str = TEAM,
    pairs: list[str] = typer.Argument(..., metavar="NAME=VALUE...", help="e.g. pr_size_lines=400"),
    by: str = typer.Option("cli", "--by", help="Who made the change, for the history"),
) -> None:
    """Set targets (an empty value removes one: `open_days=`)."""
    values = _assignments(pairs)
    with common.session() as session:
        found = _team(session, team)
        assert found.id is not None
        try:
            changes = set_agreements(session, found.id, values, by=by)
        except AgreementError as error:
            common.fail(str(error))
    if not changes:
        typer.echo(f"{team}: nothing changed")
    for change in changes:
        typer.echo(f"{team}: {change.name} {change.old_value} -> {change.new_value}")


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """[since, until) in UTC; by default the 30 days up to now."""
    end = _aware(until) or datetime.now(UTC)
    start = _aware(since) or end - timedelta(days=30)
    if start >= end:
        common.fail("--since must be before --until")
    return start, end


def _print(result: object, json_out: bool) -> None:
    from dashboards.reports.agreements import ExceptionsOut, exception_out

    assert hasattr(result, "exceptions")
    answer = ExceptionsOut(
        team=result.team,  # type: ignore[attr-defined]
        since=result.since,  # type: ignore[attr-defined]
        until=result.until,  # type: ignore[attr-defined]
        agreements=dict(result.targets.limits),  # type: ignore[attr-defined]
        counts=dict(result.counts),  # type: ignore[attr-defined]
        exceptions=[exception_out(e, show_person=True) for e in result.exceptions],  # type: ignore[attr-defined]
    )
    if json_out:
        common.print_json(answer)
        return
    total = sum(answer.counts.values())
    typer.echo(
        f"{answer.team}: {total} exceptions from {answer.since:%Y-%m-%d} to {answer.until:%Y-%m-%d}"
    )
    for name in answer.agreements:
        typer.echo(f"  {name} ({answer.agreements[name]}): {answer.counts.get(name, 0)}")
    for e in answer.exceptions:
        what = f"{e.repo}#{e.pull_number}" if e.pull_number else (e.workflow or e.item)
        value = next(
            (
                f"{v} {k.removeprefix('value_')}"
                for k, v in e.model_dump().items()
                if k.startswith("value_") and v is not None
            ),
            "yes",
        )
        note = f"  expected: {e.expected_reason}" if e.expected else ""
        typer.echo(f"  {e.at:%Y-%m-%d %H:%M} {e.rule} {what}: {value}{note}")


@agreements_app.command("check")
def check(
    team: str = TEAM,
    since: datetime | None = typer.Option(
        None,
        "--since",
        formats=common.DATE_FORMATS,
        metavar=common.DATE_METAVAR,
        help=common.DATE_HELP,
    ),
    until: datetime | None = typer.Option(
        None,
        "--until",
        formats=common.DATE_FORMATS,
        metavar=common.DATE_METAVAR,
        help=common.DATE_HELP,
    ),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """The exceptions to the team's agreements in a window (default: the last 30 days)."""
    from dashboards.reports.agreements import team_exceptions

    start, end = _window(since, until)
    config = common.settings()
    with common.session() as session:
        found = _team(session, team)
        result = team_exceptions(
            session, found, config, since=start, until=end, now=datetime.now(UTC)
        )
        _print(result, json_out)


@agreements_app.command("backtest")
def backtest(
    team: str = TEAM,
    pairs: list[str] = typer.Argument(
        ..., metavar="NAME=VALUE...", help="e.g. first_review_hours=24"
    ),
    days: int = typer.Option(30, "--days", min=1, max=366, help="How far back to try it"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """How many exceptions these targets would have raised over the last DAYS, and on which
    items (nothing is stored)."""
    from dashboards.reports.agreements import team_exceptions

    overrides = _assignments(pairs)
    now = datetime.now(UTC)
    config = common.settings()
    with common.session() as session:
        found = _team(session, team)
        result = team_exceptions(
            session,
            found,
            config,
            since=now - timedelta(days=days),
            until=now,
            now=now,
            overrides=overrides,
            only=set(overrides),
        )
        _print(result, json_out)


def register(cli: typer.Typer) -> None:
    cli.add_typer(agreements_app, name="agreements")
