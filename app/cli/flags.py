"""`gemba flag "..."`, `gemba flags list|acknowledge|answer`: say what hurts, and answer it.

Two ways to reach Gemba Walk:
- local install: `--as LOGIN` writes straight to the configured database (GEMBA_DATABASE_URL);
- remote server: `--server URL --token SECRET` (or the GEMBA_SERVER / GEMBA_TOKEN settings,
  from the environment or `.env`) posts to the API with an Idempotency-Key, retrying network
  errors, 5xx and 429 without ever making two flags.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any
from urllib.parse import quote

import typer
from pydantic import ValidationError

from app.cli.common import fail, print_json, session, settings
from app.core.access import Viewer
from app.core.models import CATEGORIES
from app.core.people import person_for_login
from app.flags import rules
from app.flags.follow import follow_hash, new_follow_key
from app.flags.rules import list_for_manager, list_own
from app.flags.schemas import AnswerCreate, FlagCreate, FlagView
from app.flags.store import UnknownRepositoryError, create_flag

flags_app = typer.Typer(help="Friction flags.", no_args_is_help=True)

ATTEMPTS = 4
AS_HELP = "your login (local install: writes to the database directly)"
# No square brackets: Rich would take "[default: ...]" for markup and drop it from --help.
SERVER_HELP = "Gemba Walk URL, e.g. https://gemba.example.com (default: GEMBA_SERVER, env or .env)"
TOKEN_HELP = "your API token, from gemba token create LOGIN (default: GEMBA_TOKEN, env or .env)"
# The options every flag command takes, declared once.
AsLogin = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
Server = Annotated[str | None, typer.Option("--server", help=SERVER_HELP)]
Token = Annotated[str | None, typer.Option("--token", help=TOKEN_HELP)]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _remote(server: str | None, token: str | None) -> tuple[str, str] | None:
    """The server and token to post to: options first, then the GEMBA_SERVER / GEMBA_TOKEN
    settings (environment or .env); None means the local database."""
    if server is None or token is None:
        config = settings()
        server = server or config.server
        token = token or (config.token.get_secret_value() if config.token else None)
    if not server:
        return None
    if not token:
        fail("--server needs --token (or GEMBA_TOKEN in the environment or .env)")
    return server.rstrip("/"), token


def _local_viewer(login: str) -> Viewer:
    with session() as db:
        person = person_for_login(db, login)
        if person is None or person.id is None:
            fail(f"no person with login {login!r}")
        return Viewer(person_id=person.id, login=person.login)


def _request(method: str, url: str, token: str, **kwargs: Any) -> Any:
    """One API call with retries; the same Idempotency-Key is sent on every attempt."""
    import requests  # only a remote call pays for it

    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = requests.request(method, url, headers=headers, timeout=10, **kwargs)
        except requests.RequestException as error:
            if attempt == ATTEMPTS:
                fail(f"cannot reach {url}: {error}")
            time.sleep(attempt)
            continue
        if response.status_code == 429 or response.status_code >= 500:
            if attempt == ATTEMPTS:
                fail(f"server answered {response.status_code} {response.text[:200]}")
            time.sleep(float(response.headers.get("retry-after", attempt)))
            continue
        if response.status_code >= 400:
            fail(f"server refused ({response.status_code}): {response.text[:1000]}")
        return response.json()
    raise AssertionError("unreachable")


def shown(text: str) -> str:
    """Text as a terminal should show it: control characters (escape sequences that could
    rewrite the screen, newlines that could fake another line) are printed escaped."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def _summary_line(flag: FlagView | dict[str, Any]) -> str:
    data = flag if isinstance(flag, dict) else flag.model_dump()
    who = "anonymous" if data["anonymous"] else data["author_login"]
    summary = shown(data["summary"])
    line = f"{data['id']}  {data['status']:<12} {data['category']:<12} {who}: {summary}"
    for reply in data.get("answers") or []:
        when = str(reply["created_at"])[:16].replace("T", " ")
        author = reply["author_login"] or "a former member"
        line += f"\n    answer from {author} ({when} UTC): {shown(reply['body'])}"
    return line


def _raised(result: dict[str, Any] | FlagView, follow_key: str | None) -> None:
    data = result if isinstance(result, dict) else result.model_dump()
    typer.echo(f"flag {data['id']} raised" + (" anonymously" if follow_key else ""))
    if follow_key:
        typer.echo(
            f"follow key (shown once; it alone shows you the answers): {follow_key}\n"
            f"  read them with: gemba flags show {data['id']} --key {follow_key}"
        )


def flag_command(
    summary: str = typer.Argument(..., help="what hurts, up to 200 characters"),
    category: str = typer.Option("other", "--category", "-c", help=", ".join(CATEGORIES)),
    details: str = typer.Option("", "--details", "-d", help="more, up to 5000 characters"),
    pr: int | None = typer.Option(None, "--pr", help="pull request number"),
    repo: str | None = typer.Option(None, "--repo", help="owner/name"),
    path: str | None = typer.Option(None, "--path", help="file path"),
    workflow: str | None = typer.Option(None, "--workflow", help="CI workflow name"),
    run_id: int | None = typer.Option(None, "--run-id", help="CI run id"),
    anonymous: bool = typer.Option(False, "--anonymous", help="store no author at all"),
    as_login: AsLogin = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Raise a friction flag, tied to the PR, file or workflow that hurts."""
    try:
        data = FlagCreate(
            category=category,  # type: ignore[arg-type]
            summary=summary,
            details=details,
            repo=repo,
            pull_number=pr,
            path=path,
            workflow=workflow,
            run_id=run_id,
            anonymous=anonymous,
        )
    except ValidationError as error:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    remote = _remote(server, token)
    if remote:
        url, secret = remote
        key = str(uuid.uuid4())
        result = _request(
            "POST",
            f"{url}/api/v1/friction",
            secret,
            json=data.model_dump(exclude_defaults=True),
            headers={"Idempotency-Key": key},
        )
        _raised(result, result.get("follow_key"))
        return
    if not as_login:
        fail("say who you are: --as LOGIN (local install) or --server URL --token T")
    viewer = _local_viewer(as_login)
    follow_key = new_follow_key() if anonymous else None
    with session() as db:
        try:
            view, _ = create_flag(
                db, viewer, data, follow_hash=follow_hash(follow_key) if follow_key else None
            )
        except UnknownRepositoryError as error:
            fail(f"{error}; a flag's --repo must be a collected repository")
    _raised(view, follow_key)


@flags_app.command("list")
def list_command(
    team: bool = typer.Option(False, "--team", help="the teams you manage, not your own flags"),
    as_login: AsLogin = None,
    server: Server = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Your own flags (and their answers), or with --team those of the teams you manage."""
    remote = _remote(server, token)
    if remote:
        url, secret = remote
        path = "/api/v1/friction/teams" if team else "/api/v1/friction"
        result = _request("GET", f"{url}{path}", secret)
        teams = result if team else None
        flags = None if team else result
    else:
        if not as_login:
            fail("say who you are: --as LOGIN (local install) or --server URL --token T")
        viewer = _local_viewer(as_login)
        with session() as db:
            if team:
                teams = [t.model_dump() for t in list_for_manager(db, viewer)]
                flags = None
            else:
                flags = [f.model_dump() for f in list_own(db, viewer)]
                teams = None
    if as_json:
        print_json(teams if team else flags)
        return
    for t in teams or []:
        typer.echo(f"== {t['team_name']} ({t['members']} members)")
        for f in t["flags"]:
            typer.echo(_summary_line(f))
        if t["anonymous_counts"]:
            counts = ", ".join(f"{k}: {n}" for k, n in t["anonymous_counts"].items())
            typer.echo(f"   anonymous flags (team too small to show them): {counts}")
    for f in flags or []:
        typer.echo(_summary_line(f))
    if not (teams or flags):
        typer.echo("no flags")


def _act_locally(as_login: str | None, action: Any) -> dict[str, Any]:
    if not as_login:
        fail("say who you are: --as LOGIN (local install) or --server URL --token T")
    viewer = _local_viewer(as_login)
    with session() as db:
        try:
            return dict(action(db, viewer).model_dump(mode="json"))
        except rules.FlagError:
            fail("no such flag for you (flags are named by the id gemba flags list prints)")
        except PermissionError as error:
            fail(str(error))


@flags_app.command("answer")
def answer_command(
    flag_id: str = typer.Argument(..., help="the flag's id, as gemba flags list prints it"),
    note: str = typer.Argument(..., help="your answer, up to 5000 characters"),
    as_login: AsLogin = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Answer a flag of someone you manage; the answer joins the flag's thread."""
    try:
        body = AnswerCreate(note=note)
    except ValidationError as error:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    remote = _remote(server, token)
    if remote:
        url, secret = remote
        path = f"{url}/api/v1/friction/{quote(flag_id, safe='')}/answer"
        result = _request("POST", path, secret, json=body.model_dump())
    else:
        result = _act_locally(
            as_login, lambda db, viewer: rules.answer(db, viewer, flag_id, body.note)
        )
    typer.echo(f"answered flag {result['id']}:")
    typer.echo(_summary_line(result))


@flags_app.command("acknowledge")
def acknowledge_command(
    flag_id: str = typer.Argument(..., help="the flag's id, as gemba flags list prints it"),
    as_login: AsLogin = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Say "seen, we are on it" to a flag of someone you manage."""
    remote = _remote(server, token)
    if remote:
        url, secret = remote
        path = f"{url}/api/v1/friction/{quote(flag_id, safe='')}/acknowledge"
        result = _request("POST", path, secret)
    else:
        result = _act_locally(as_login, lambda db, viewer: rules.acknowledge(db, viewer, flag_id))
    typer.echo(_summary_line(result))


@flags_app.command("show")
def show_command(
    flag_id: str = typer.Argument(..., help="the flag's id"),
    key: str | None = typer.Option(None, "--key", help="the follow key of your anonymous flag"),
    as_login: AsLogin = None,
    server: Server = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """One flag and its answers (with --key, an anonymous flag you raised)."""
    remote = _remote(server, token)
    if remote:
        url, secret = remote
        headers = {"Flag-Follow-Key": key} if key else {}
        path = f"{url}/api/v1/friction/{quote(flag_id, safe='')}"
        result = _request("GET", path, secret, headers=headers)
    else:
        keys = [key] if key else []
        result = _act_locally(
            as_login, lambda db, viewer: rules.get_flag(db, viewer, flag_id, keys)
        )
    if as_json:
        print_json(result)
        return
    typer.echo(_summary_line(result))


def register(cli: typer.Typer) -> None:
    cli.command("flag")(flag_command)
    cli.add_typer(flags_app, name="flags")
