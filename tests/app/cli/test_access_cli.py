"""The people, token and flag commands, end to end through the real CLI."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.models import ApiToken, FlagAuthor, FrictionFlag, Person
from app.core.settings import Settings, get_settings
from app.http.main import create_app

PEOPLE_YAML = """
teams:
  - name: Payments
    manager: alice
    members: [bob, carol, erin]
people:
  - {login: alice, name: Alice Doe, email: alice@example.com}
  - {login: bob, emails: [bob@users.noreply.github.com]}
  - {login: carol}
  - {login: erin}
"""


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def gemba(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_people_import_is_idempotent_and_reports_bad_files(
    run: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    good = tmp_path / "people.yaml"
    good.write_text(PEOPLE_YAML)
    code, out, _ = gemba(run, "people", "import", str(good))
    assert code == 0 and "people: 4 created" in out and "teams: 1 created" in out
    code, out, _ = gemba(run, "people", "import", str(good))
    assert code == 0 and "people: 0 created, 0 updated; teams: 0 created, 0 updated" in out
    with Session(engine) as session:
        assert len(session.exec(select(Person)).all()) == 4
    bad = tmp_path / "bad.yaml"
    bad.write_text("people:\n  - login: zed\n    email: nope\n")
    code, _, err = gemba(run, "people", "import", str(bad))
    assert code == 1 and "people[0] (login 'zed'): email" in err and "Traceback" not in err
    bad.write_text("people: [unclosed\n")
    code, _, err = gemba(run, "people", "import", str(bad))
    assert code == 1 and "not valid YAML" in err
    code, _, err = gemba(run, "people", "import", str(tmp_path / "missing.yaml"))
    assert code == 1 and "cannot read" in err
    code, out, _ = gemba(run, "people", "list")
    assert code == 0 and "bob" in out and "Payments" in out


def test_tokens_are_shown_once_listed_without_secret_and_revocable(
    run: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    (tmp_path / "p.yaml").write_text(PEOPLE_YAML)
    gemba(run, "people", "import", str(tmp_path / "p.yaml"))
    code, secret, err = gemba(run, "token", "create", "bob", "--label", "laptop")
    secret = secret.strip()
    assert code == 0 and secret.startswith("gw_") and "shown once" in err
    code, listing, _ = gemba(run, "token", "list")
    assert code == 0 and "laptop" in listing and secret not in listing
    with Session(engine) as session:
        token = session.exec(select(ApiToken)).one()
    assert token.token_hash != secret and secret not in token.token_hash
    assert gemba(run, "token", "revoke", str(token.id))[0] == 0
    assert "revoked" in gemba(run, "token", "list")[1]
    code, _, err = gemba(run, "token", "revoke", "999")
    assert code == 1 and "no token with id 999" in err
    code, _, err = gemba(run, "token", "create", "ghost")
    assert code == 1 and "no person with login 'ghost'" in err


def test_people_import_of_a_file_that_is_not_utf8_is_a_clear_error(
    run: CliRunner, tmp_path: Path
) -> None:
    latin1 = tmp_path / "people.yaml"
    latin1.write_bytes("people:\n  - login: jos\u00e9\n".encode("latin-1"))
    code, _, err = gemba(run, "people", "import", str(latin1))
    assert code == 1 and "is not UTF-8 text" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("token_id", [str(2**70), "0"])
def test_revoking_an_impossible_token_id_is_a_usage_error(run: CliRunner, token_id: str) -> None:
    code, _, err = gemba(run, "token", "revoke", token_id)
    assert code == 2 and "Invalid value for 'token_id'" in err
    assert "Traceback" not in err


def test_flag_locally_with_as_and_unknown_identity_mapping(
    run: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    (tmp_path / "p.yaml").write_text(PEOPLE_YAML)
    gemba(run, "people", "import", str(tmp_path / "p.yaml"))
    code, out, _ = gemba(
        run, "flag", "CI takes 40 minutes", "--category", "slow_build", "--workflow", "ci",
        "--as", "bob",
    )  # fmt: skip
    assert code == 0 and "raised" in out
    code, out, _ = gemba(run, "flag", "standups run long", "--anonymous", "--as", "carol")
    assert code == 0 and "anonymously" in out
    code, _, err = gemba(run, "flag", "x", "--category", "vibes", "--as", "bob")
    assert code == 1 and "category" in err
    code, _, err = gemba(run, "flag", "x")
    assert code == 1 and "--as LOGIN" in err
    gemba(run, "flag", "red \x1b[31mtext\x1b[0m\nfake line", "--as", "bob")
    own = gemba(run, "flags", "list", "--as", "bob")[1]
    assert "CI takes 40 minutes" in own and "\x1b" not in own
    assert "red \\x1b[31mtext\\x1b[0m\\nfake line" in own
    team = gemba(run, "flags", "list", "--team", "--as", "alice")[1]
    assert "anonymous: standups run long" in team and "bob: CI takes 40 minutes" in team
    with Session(engine) as session:
        assert len(session.exec(select(FrictionFlag)).all()) == 3
        assert len(session.exec(select(FlagAuthor)).all()) == 2
    code, out, _ = gemba(run, "people", "map", "email", "bob@work.example", "bob")
    assert code == 0
    code, _, err = gemba(run, "people", "map", "phone", "1", "bob")
    assert code == 1 and "kind must be" in err
    assert "every identity" in gemba(run, "people", "unknown")[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    limited = settings.model_copy(update={"flags_per_minute": 60, "flags_burst": 1})
    port = _free_port()
    config = uvicorn.Config(
        create_app(limited),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = running.force_exit = True
    thread.join(5)


def test_flag_through_a_server_retries_429_without_duplicates(
    run: CliRunner, tmp_path: Path, engine: Engine, server: str
) -> None:
    (tmp_path / "p.yaml").write_text(PEOPLE_YAML)
    gemba(run, "people", "import", str(tmp_path / "p.yaml"))
    secret = gemba(run, "token", "create", "bob")[1].strip()
    remote = ["--server", server, "--token", secret]
    assert gemba(run, "flag", "first", *remote)[0] == 0
    code, out, _ = gemba(run, "flag", "second, after a 429 and Retry-After", *remote)
    assert code == 0 and "raised" in out
    listed = gemba(run, "flags", "list", *remote)[1]
    assert "first" in listed and "second" in listed
    with Session(engine) as session:
        assert len(session.exec(select(FrictionFlag)).all()) == 2
    code, _, err = gemba(run, "flag", "x", "--server", server, "--token", "gw_wrong")
    assert code == 1 and "401" in err


def test_flag_reads_server_and_token_from_dotenv(
    run: CliRunner,
    tmp_path: Path,
    engine: Engine,
    server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GEMBA_SERVER / GEMBA_TOKEN are settings: `.env` in the working folder is enough."""
    (tmp_path / "p.yaml").write_text(PEOPLE_YAML)
    gemba(run, "people", "import", str(tmp_path / "p.yaml"))
    secret = gemba(run, "token", "create", "carol")[1].strip()
    monkeypatch.delenv("GEMBA_SERVER", raising=False)
    monkeypatch.delenv("GEMBA_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"GEMBA_SERVER={server}/\nGEMBA_TOKEN={secret}\n")
    get_settings.cache_clear()
    code, out, err = gemba(run, "flag", "flag from a .env")
    assert code == 0 and "raised" in out, err
    assert "flag from a .env" in gemba(run, "flags", "list")[1]
    with Session(engine) as session:
        carol = session.exec(select(Person).where(Person.login == "carol")).one()
        authors = session.exec(select(FlagAuthor)).all()
        assert [a.person_id for a in authors] == [carol.id]
    (tmp_path / ".env").write_text(f"GEMBA_TOKEN={secret}\n")  # the option names the server
    get_settings.cache_clear()
    assert gemba(run, "flag", "server from the option", "--server", server)[0] == 0
    (tmp_path / ".env").write_text(f"GEMBA_SERVER={server}\n")
    get_settings.cache_clear()
    code, _, err = gemba(run, "flag", "no token")
    assert code == 1 and "GEMBA_TOKEN" in err
    (tmp_path / ".env").write_text("GEMBA_SERVER=gemba.example.com\n")
    get_settings.cache_clear()
    code, _, err = gemba(run, "flag", "not a URL")
    assert code == 1 and "http:// or https://" in err and "Traceback" not in err
