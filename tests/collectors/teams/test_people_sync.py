"""`gemba people sync --org`: teams, managers and members from the GitHub stand-in through
PyGithub, over real HTTP: nested teams, a person in two teams, a maintainer who is not a
member, renames, a re-run that changes nothing, --dry-run and the people file's overrides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core import access
from app.core.access import Viewer
from app.core.models import Identity, Person, Team, TeamMember
from app.core.settings import get_settings
from tests.world.github_api import GithubApi
from tests.world.teams import ORG, write_org


@pytest.fixture
def run(db_url: str, github_api: GithubApi, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    for name, value in {
        "GEMBA_DATABASE_URL": db_url,
        "GEMBA_GITHUB_API_URL": github_api.url,
        "GEMBA_GITHUB_TOKEN": "ghp_test",
        "GEMBA_GITHUB_SECONDS_BETWEEN_REQUESTS": "0",
        "GEMBA_GITHUB_RETRIES": "0",
        "GEMBA_GITHUB_PER_PAGE": "2",  # every list takes more than one page
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def sync(runner: CliRunner, *extra: str) -> str:
    result = runner.invoke(cli, ["people", "sync", "--org", ORG, *extra])
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def teams(engine: Engine) -> dict[str, tuple[str | None, list[str]]]:
    with Session(engine) as session:
        login = {p.id: p.login for p in session.exec(select(Person))}
        found = {}
        for team in session.exec(select(Team)):
            members = session.exec(
                select(TeamMember.person_id).where(TeamMember.team_id == team.id)
            )
            found[team.name] = (
                login.get(team.manager_id) if team.manager_id else None,
                sorted(login[m] for m in members),
            )
        return found


def test_nested_teams_map_to_managers_and_members(
    run: CliRunner, github_api: GithubApi, engine: Engine
) -> None:
    write_org(github_api)
    out = sync(run)
    assert "acme: 4 teams, 9 people;" in out
    assert teams(engine) == {
        "Engineering": ("vera", ["amara", "farah", "olga"]),  # its child teams' managers
        "Payments": ("amara", ["bruno", "chen", "kim"]),  # kim manages Mobile, below it
        "Platform": ("farah", ["chen", "gus"]),  # chen is in two teams
        "Mobile": ("kim", ["lee"]),  # the maintainer manages it and is not its member
    }
    with Session(engine) as session:
        vera = session.exec(select(Person).where(Person.login == "vera")).one()
        assert vera.name == "Vera" and vera.email == "vera@acme.example"
        seen = access.managed_teams(session, Viewer(vera.id or 0, "vera"))
        assert len(seen) == 4  # skip-level: the director sees every team below
    paged = [r for r in github_api.requests if r.query.get("page") == "2" and "/members" in r.path]
    assert paged  # PyGithub followed the Link header


def test_a_rerun_changes_nothing_and_reads_no_profile(
    run: CliRunner, github_api: GithubApi, engine: Engine
) -> None:
    write_org(github_api)
    sync(run)
    github_api.clear_requests()
    out = sync(run)
    assert out.strip().endswith("nothing to change")
    assert not [r for r in github_api.requests if r.path.startswith("/users/")]


def test_dry_run_shows_exactly_what_the_real_run_writes(
    run: CliRunner, github_api: GithubApi, engine: Engine
) -> None:
    write_org(github_api)
    dry = sync(run, "--dry-run")
    assert teams(engine) == {}
    real = sync(run)
    would = [line.removeprefix("would change ") for line in dry.splitlines()[:-1]]
    assert would == real.splitlines()[:-1]
    assert "team Mobile: add member lee" in would


def test_renamed_team_and_login_keep_their_rows(
    run: CliRunner, github_api: GithubApi, engine: Engine
) -> None:
    write_org(github_api)
    sync(run)
    with Session(engine) as session:
        before = session.exec(select(Team.id).where(Team.name == "Platform")).one()
    write_org(github_api, platform="Core Platform", gus="gus-m")
    out = sync(run)
    assert "team Platform: name 'Platform' -> 'Core Platform'" in out
    assert "person gus: login 'gus' -> 'gus-m'" in out
    assert teams(engine)["Core Platform"] == ("farah", ["chen", "gus-m"])
    with Session(engine) as session:
        assert session.exec(select(Team.id).where(Team.name == "Core Platform")).one() == before
        alias = session.exec(select(Identity).where(Identity.value == "gus")).one()
        person = session.get(Person, alias.person_id)
        assert person is not None and person.login == "gus-m"
    assert sync(run).strip().endswith("nothing to change")


def test_the_people_file_wins_for_what_it_names(
    run: CliRunner, github_api: GithubApi, engine: Engine, tmp_path: Path
) -> None:
    write_org(github_api)
    people = tmp_path / "people.yaml"
    people.write_text(
        yaml.safe_dump(
            {
                "teams": [{"name": "Payments", "manager": "chen", "members": ["bruno"]}],
                "people": [{"login": "bruno", "name": "Bruno Costa"}],
            }
        )
    )
    sync(run, "--file", str(people))
    found = teams(engine)
    assert found["Payments"] == ("chen", ["bruno"])
    assert found["Engineering"] == ("vera", ["chen", "farah", "olga"])  # the file's manager
    with Session(engine) as session:
        bruno = session.exec(select(Person).where(Person.login == "bruno")).one()
        assert bruno.name == "Bruno Costa"
    assert sync(run, "--file", str(people)).strip().endswith("nothing to change")
