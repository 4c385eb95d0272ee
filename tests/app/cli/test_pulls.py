"""`gemba collect github`, `gemba pulls`, `gemba reviews flow` end to end against the stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import get_settings
from tests.world import reviews as sc
from tests.world.github import make_pull
from tests.world.github_api import GithubApi

TOKEN = "ghp_good"


@pytest.fixture
def gemba(
    db_url: str, github_api: GithubApi, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    github_api.set_tokens({TOKEN: "ann"})
    for key, value in {
        "GEMBA_DATABASE_URL": db_url,
        "GEMBA_GITHUB_API_URL": github_api.url,
        "GEMBA_GITHUB_TOKEN": TOKEN,
        "GEMBA_GITHUB_SECONDS_BETWEEN_REQUESTS": "0",
        "GEMBA_GITHUB_RETRIES": "3",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_collect_then_show_pulls_and_flow(gemba: CliRunner, github_api: GithubApi) -> None:
    github_api.write_repo(sc.OWNER, sc.REPO, **sc.build())
    github_api.inject(path=r"/pulls\?", kind="secondary_rate_limit", times=1, retry_after=1)
    collected = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME])
    assert collected.exit_code == 0, collected.output
    assert "11 pull requests stored" in collected.stdout
    assert "acme/api: 0 CI runs stored" in collected.stdout  # CI is collected too (none here)
    assert "GitHub secondary rate limit" in collected.stderr  # the wait is visible
    again = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME, "--only", "pulls"])
    assert "0 pull requests stored, 1 unchanged, 1 requests" in again.stdout
    shown = gemba.invoke(cli, ["pulls", "--repo", sc.FULL_NAME, "--json"])
    assert shown.exit_code == 0, shown.output
    pulls = {p["number"]: p for p in json.loads(shown.stdout)}
    assert pulls[2]["pickup_hours"] == 3.0 and pulls[2]["first_reviewer"] == "bob"
    assert pulls[6]["merge_hours"] is None
    table = gemba.invoke(cli, ["pulls", "--repo", sc.FULL_NAME])
    assert "#1" in table.stdout and "pickup" in table.stdout
    flow = gemba.invoke(cli, ["reviews", "flow", "--repo", sc.FULL_NAME, "--weeks", "104"])
    assert flow.exit_code == 0, flow.output
    assert "7 merged" in flow.stdout and "Waiting on a reviewer now: 1" in flow.stdout
    as_json = gemba.invoke(cli, ["reviews", "flow", "--person", "ann", "--weeks", "104", "--json"])
    assert json.loads(as_json.stdout)["summary"]["merged"] == 7


def test_running_out_of_rate_limit_waits_for_the_reset_visibly(
    gemba: CliRunner, github_api: GithubApi
) -> None:
    github_api.write_repo(sc.OWNER, sc.REPO, **sc.build())
    github_api.inject(path=r"/pulls\?", kind="primary_rate_limit", times=1, reset_in=2)
    result = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME, "--only", "pulls"])
    assert result.exit_code == 0, result.output
    assert "GitHub rate limit hit: Request GET /repos/acme/api/pulls" in result.stderr
    assert "11 pull requests stored" in result.stdout
    assert 403 in {r.status for r in github_api.requests}


def test_org_collects_every_repository(gemba: CliRunner, github_api: GithubApi) -> None:
    github_api.write_repo("acme", "api", pulls=[make_pull("acme", "api", 1)])
    github_api.write_repo("acme", "web", pulls=[make_pull("acme", "web", 1)])
    result = gemba.invoke(cli, ["collect", "github", "--org", "acme", "--only", "pulls"])
    assert result.exit_code == 0, result.output
    assert "acme/api: 1 pull requests stored" in result.stdout
    assert "acme/web: 1 pull requests stored" in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["collect", "github", "acme/nope"], {}, "repository acme/nope not found"),
        (["collect", "github", "acme/api"], {"GEMBA_GITHUB_TOKEN": "bad"}, "rejected the token"),
        (["collect", "github", "not-a-repo"], {}, "expected OWNER/REPO"),
        (["collect", "github"], {}, "give either OWNER/REPO or --org ORG"),
        (["collect", "github", "--org", "ghost", "--only", "pulls"], {}, "ghost not found"),
        (["reviews", "flow"], {}, "exactly one of --repo, --team or --person"),
        (["reviews", "flow", "--team", "Nope"], {}, "no team named 'Nope'"),
    ],
)
def test_bad_input_gets_a_clear_message_and_non_zero_exit(
    gemba: CliRunner,
    github_api: GithubApi,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    github_api.write_repo("acme", "api", pulls=[])
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    result = gemba.invoke(cli, args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("path", "status"), [(r"/graphql", 429), (r"/graphql", 403), (r"/pulls\?", 429)]
)
def test_a_primary_rate_limit_is_waited_out_whatever_its_status(
    gemba: CliRunner, github_api: GithubApi, path: str, status: int
) -> None:
    """GitHub answers an exhausted primary limit with 403 or 429: both wait for the reset."""
    github_api.write_repo(sc.OWNER, sc.REPO, **sc.build())
    github_api.inject(path=path, kind="primary_rate_limit", status=status, times=1, reset_in=2)
    result = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME, "--only", "pulls"])
    assert result.exit_code == 0, result.output
    assert "11 pull requests stored" in result.stdout
    assert status in {r.status for r in github_api.requests}


def test_an_unreachable_github_is_one_line_and_exit_1(
    gemba: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMBA_GITHUB_API_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("GEMBA_GITHUB_RETRIES", "1")
    result = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME, "--only", "pulls"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "error: GitHub at http://127.0.0.1:9 could not be reached: check GEMBA_GITHUB_API_URL "
        "and the network"
    )


def test_a_storm_of_bad_gateways_ends_in_one_line_and_a_rerun_completes(
    gemba: CliRunner, github_api: GithubApi
) -> None:
    github_api.write_repo(sc.OWNER, sc.REPO, **sc.build())
    github_api.inject(path=r"/graphql", kind="5xx", status=502, times=-1)
    failed = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME, "--only", "pulls"])
    assert failed.exit_code == 1
    assert "Traceback" not in failed.output
    [error] = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert "kept failing (too many 502 error responses)" in error, failed.stderr
    assert len(failed.stderr.strip().splitlines()) <= 2, failed.stderr
    github_api.server.clear_faults()
    rerun = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME, "--only", "pulls"])
    assert rerun.exit_code == 0, rerun.output
    assert "11 pull requests stored" in rerun.stdout


def test_a_github_url_that_is_not_a_url_is_one_clear_line(
    gemba: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMBA_GITHUB_API_URL", "not-a-url")
    result = gemba.invoke(cli, ["collect", "github", sc.FULL_NAME, "--only", "pulls"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "AttributeError" not in result.output
    assert "GEMBA_GITHUB_API_URL must be an http:// or https:// URL" in result.stderr
