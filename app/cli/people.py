"""`gemba people ...`, `gemba token ...` and `gemba oneone ...`: who is who, who may sign in,
and when each person's last 1:1 was held."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from app.cli.common import fail, print_json, session, settings
from app.core.models import Person
from app.core.people import (
    PeopleError,
    import_people,
    list_people,
    map_identity,
    person_for_login,
    unknown_identities,
)
from app.core.tokens import create_token, list_tokens, revoke_token
from app.nudges.recipients import slack_misses

people_app = typer.Typer(
    help="People, teams and their git/GitHub identities.", no_args_is_help=True
)
token_app = typer.Typer(help="Bearer tokens for the API and the web pages.", no_args_is_help=True)
oneone_app = typer.Typer(
    help='1:1s held: "since the last 1:1" on the person page starts at the newest.',
    no_args_is_help=True,
)


@people_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="YAML file (see docs/people-and-access.md)"),
) -> None:
    """Create or update people and teams from FILE; running it again changes nothing."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    except UnicodeDecodeError as error:
        fail(f"{file} is not UTF-8 text (byte {error.start}): save it as UTF-8")
    except yaml.YAMLError as error:
        fail(f"{file} is not valid YAML: {error}")
    try:
        with session() as db:
            report = import_people(db, data)
    except PeopleError as error:
        fail(f"{file}:\n{error}")
    typer.echo(
        f"people: {len(report.people_created)} created, {len(report.people_updated)} updated; "
        f"teams: {len(report.teams_created)} created, {len(report.teams_updated)} updated; "
        f"identities added: {report.identities_added}"
    )


@people_app.command("sync")
def sync_command(
    org: str = typer.Option(..., "--org", help="the GitHub organisation whose teams to read"),
    file: Path | None = typer.Option(
        None, "--file", help="the people file: what it names wins over GitHub (manager, members)"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="show what would change, write nothing"),
    full: bool = typer.Option(False, "--full", help="read every member's profile again"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """People and teams from a GitHub organisation: a team's maintainer is its manager, a
    parent team's manager manages its child teams' managers. Running it again changes nothing."""
    from github import GithubException
    from sqlmodel import select

    from app.core.models import Person as PersonRow
    from app.core.people_file import parse_people_file
    from collectors.github_client import make_github
    from collectors.teams.fetch import fetch_org
    from collectors.teams.plan import plan_org
    from collectors.teams.store import apply, changes

    overrides = None
    if file is not None:
        try:
            overrides = parse_people_file(yaml.safe_load(file.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, PeopleError) as error:
            fail(f"{file}: {error}")
    config = settings()
    with session() as db:
        known = {i for i in db.exec(select(PersonRow.github_id)) if i is not None}
        try:
            snapshot = fetch_org(make_github(config), org, known_ids=known, full=full)
        except GithubException as error:
            fail(f"GitHub answered {error.status} for organisation {org!r}: {error.data}")
        plan = plan_org(snapshot, overrides)
        found = changes(db, plan)
        if not dry_run:
            apply(db, found)
    if as_json:
        print_json({"dry_run": dry_run, "changes": [c.text for c in found], "notes": plan.notes})
        return
    for note in plan.notes:
        typer.echo(f"note: {note}", err=True)
    for change in found:
        typer.echo(("would change " if dry_run else "") + change.text)
    verb = "would change" if dry_run else "changed"
    typer.echo(
        f"{org}: {len(plan.teams)} teams, {len(plan.people)} people; "
        + (f"{len(found)} {verb}" if found else "nothing to change")
    )


@people_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Everyone known, with their teams."""
    with session() as db:
        rows = list_people(db)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        teams = ", ".join(row.teams) or "-"
        typer.echo(f"{row.login:<24} {row.name or '':<28} {row.email or '':<32} {teams}")


@people_app.command("unknown")
def unknown_command(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Emails and logins seen in commits, PRs and reviews that no person claims yet, and people
    whose email Slack's users.lookupByEmail did not know (kind "slack")."""
    with session() as db:
        rows = unknown_identities(db, ignore_logins=settings().bot_logins)
        misses = [(p.login, p.email) for p in slack_misses(db)]
    if as_json:
        slack = [{"kind": "slack", "value": email, "login": login} for login, email in misses]
        print_json([*(vars(row) for row in rows), *slack])
        return
    for login, email in misses:
        typer.echo(f"slack  {login}: no Slack member has {email}; add `slack: U...` to the file")
    if not rows:
        typer.echo("every identity in the data belongs to someone")
    for row in rows:
        typer.echo(f"{row.kind:<6} {row.value:<40} seen {row.seen}x")
    if rows:
        typer.echo("map one with: gemba people map KIND VALUE LOGIN")


@people_app.command("map")
def map_command(
    kind: str = typer.Argument(..., help="email or login"),
    value: str = typer.Argument(..., help="the email or login as seen in the data"),
    login: str = typer.Argument(..., help="the person it belongs to"),
) -> None:
    """Claim an email or login for a person."""
    try:
        with session() as db:
            map_identity(db, kind, value, login)
    except PeopleError as error:
        fail(str(error))
    typer.echo(f"{kind} {value} -> {login}")


@token_app.command("create")
def token_create(
    login: str = typer.Argument(..., help="whose token"),
    admin: bool = typer.Option(False, "--admin", help="may see everything and administer"),
    label: str | None = typer.Option(None, "--label", help="where it is used, e.g. laptop"),
) -> None:
    """Make a token and print its secret once (only a hash is stored)."""
    if label is not None and len(label) > 100:
        fail("--label must be at most 100 characters")
    with session() as db:
        person: Person | None = person_for_login(db, login)
        if person is None:
            fail(f"no person with login {login!r} (gemba people import FILE.yaml first)")
        token, secret = create_token(db, person, is_admin=admin, label=label)
        token_id = token.id
    typer.echo(secret)
    typer.echo(
        f"token {token_id} for {login}{' (admin)' if admin else ''}: shown once, store it now "
        f"(a browser sign-in link: gemba token link {token_id})",
        err=True,
    )


@token_app.command("link")
def token_link(
    token_id: int = typer.Argument(..., min=1, max=2**63 - 1, help="id from gemba token list"),
    next_path: str = typer.Option("/", "--next", help="page to open after signing in"),
) -> None:
    """Print a browser sign-in link for a token: it works once, for GEMBA_SIGNIN_LINK_MINUTES,
    and holds no secret (the browser gets its own session; sign-out ends it)."""
    from app.core.models import ApiToken
    from app.core.signin import link_url, safe_next

    config = settings()
    with session() as db:
        token = db.get(ApiToken, token_id)
        if token is None or token.revoked_at is not None:
            fail(f"no active token with id {token_id} (gemba token list)")
    if safe_next(next_path) != next_path:
        fail(f"--next must be a path on this site such as /people/alice, not {next_path!r}")
    typer.echo(link_url(config, token_id, None if next_path == "/" else next_path))
    typer.echo(
        f"valid once, for {config.signin_link_minutes} minutes, at {config.base_url}", err=True
    )


@token_app.command("list")
def token_list(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Every token, without secrets."""
    with session() as db:
        rows = list_tokens(db)
    if as_json:
        print_json(rows)
        return
    for t in rows:
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        role = "admin" if t.is_admin else "person"
        typer.echo(f"{t.id:>4} {t.login:<20} {role:<6} {state:<18} used {used:<16} {t.label or ''}")


@token_app.command("revoke")
def token_revoke(
    token_id: int = typer.Argument(..., min=1, max=2**63 - 1, help="id from gemba token list"),
) -> None:
    """Revoke a token: API calls and browser sessions using it stop working at once."""
    with session() as db:
        found = revoke_token(db, token_id)
    if not found:
        fail(f"no token with id {token_id}")
    typer.echo(f"token {token_id} revoked")


@oneone_app.command("held")
def oneone_held(
    login: str = typer.Option(..., "--person", help="whose 1:1 it was (their login)"),
    when: str | None = typer.Option(
        None,
        "--date",
        metavar="DATE",
        help="YYYY-MM-DD (the end of that day, or now if today) or YYYY-MM-DDTHH:MM, UTC "
        "unless it ends with an offset; default: now",
    ),
) -> None:
    """Mark a 1:1 held: the person page's "since the last 1:1" starts there from now on
    (agenda items and notes never move it)."""
    from datetime import UTC, datetime

    from app.core.one_on_ones import OneOnOneError, mark_held, parse_held

    try:
        held_at = parse_held(when, now=datetime.now(UTC))
    except OneOnOneError as error:
        fail(f"--date: {error}")
    with session() as db:
        person = person_for_login(db, login)
        if person is None or person.id is None:
            fail(f"no person with login {login!r} (gemba people list)")
        mark_held(db, person.id, held_at, marked_by_id=None)
    typer.echo(f"1:1 with {login} held {held_at:%Y-%m-%d %H:%M} UTC")


@oneone_app.command("list")
def oneone_list(
    login: str = typer.Option(..., "--person", help="whose 1:1s (their login)"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """The person's held 1:1s, newest first, and who marked each."""
    from app.core.one_on_ones import history

    with session() as db:
        person = person_for_login(db, login)
        if person is None or person.id is None:
            fail(f"no person with login {login!r} (gemba people list)")
        rows = history(db, person.id, limit=100)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(f"no 1:1 with {login} marked held yet: gemba oneone held --person {login}")
    for row in rows:
        typer.echo(f"{row.held_at:%Y-%m-%d %H:%M} UTC  marked by {row.marked_by or 'the CLI'}")


def register(cli: typer.Typer) -> None:
    cli.add_typer(people_app, name="people")
    cli.add_typer(token_app, name="token")
    cli.add_typer(oneone_app, name="oneone")
