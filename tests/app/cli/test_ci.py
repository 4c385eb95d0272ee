"""`gemba ci health|flaky|lost` over collected data, and clear errors for bad input."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import Settings, get_settings
from tests.collectors.ci.test_fetch import _collect
from tests.world.ci import history
from tests.world.github_api import GithubApi

WINDOW = ["--since", "2026-03-01", "--until", "2026-03-09"]


@pytest.fixture
def runner(
    engine: Engine, settings: Settings, github_api: GithubApi, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    history().write(github_api)
    _collect(engine, settings, github_api)
    monkeypatch.setenv("GEMBA_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    return CliRunner()


def test_health_flaky_and_lost_in_the_terminal(runner: CliRunner) -> None:
    health = runner.invoke(cli, ["ci", "health", "--repo", "acme/app", *WINDOW])
    assert health.exit_code == 0, health.output
    assert "CI" in health.output and "50%" in health.output

    flaky = runner.invoke(cli, ["ci", "flaky", "--repo", "acme/app", *WINDOW])
    assert "1 flaky of 3" in flaky.output and "test (3.11)" in flaky.output


def test_health_and_flaky_json_is_the_api_shape(runner: CliRunner) -> None:
    """`--json` prints what /api/v1/ci/health and /flaky answer: minutes and hours by name."""
    health = json.loads(
        runner.invoke(cli, ["ci", "health", "--repo", "acme/app", "--json", *WINDOW]).output
    )
    assert health["repo"] == "acme/app"
    ci = next(w for w in health["workflows"] if w["workflow"] == "CI")
    assert ci["weeks"][0]["red_hours"] == 1.0 and "red_time" not in ci["weeks"][0]
    assert ci["weeks"][0]["duration_p50_minutes"] is not None
    assert ci["flags"] == {"open": 0, "acknowledged": 0, "answered": 0, "items": []}
    table = runner.invoke(cli, ["ci", "health", "--repo", "acme/app", *WINDOW]).output
    assert f"{ci['weeks'][0]['duration_p50_minutes']:.1f} min" in table
    assert f"{ci['weeks'][0]['red_hours']:.1f} h" in table

    flaky = json.loads(
        runner.invoke(cli, ["ci", "flaky", "--repo", "acme/app", "--json", *WINDOW]).output
    )
    assert (flaky["flaky"], flaky["groups"]) == (1, 3)
    group = flaky["workflows"][0]
    assert (group["waited_hours"], group["runner_minutes"]) == (0.5, 6.0)
    assert group["person"] == "ana" and "wait" not in group  # the terminal sees as an admin
    assert flaky["jobs"][0]["job"] == "test (3.11)" and "flags" in flaky["jobs"][0]


def test_lost_in_the_terminal(runner: CliRunner) -> None:
    lost = runner.invoke(cli, ["ci", "lost", "--repo", "acme/app", "--json", *WINDOW])
    data = json.loads(lost.output)
    assert data["waited_hours"] == 0.5 and data["by_person"][0]["key"] == "ana"
    assert "waited" not in data and data["by_person"][0]["waited_hours"] == 0.5
    table = runner.invoke(cli, ["ci", "lost", "--repo", "acme/app", *WINDOW])
    assert f"waited on flaky builds: {data['waited_hours']:.1f} h" in table.output
    assert f"runner time: {data['runner_minutes']:.1f} min" in table.output


def test_collect_github_only_ci_runs_this_collector(
    runner: CliRunner, github_api: GithubApi
) -> None:
    result = runner.invoke(
        cli,
        ["collect", "github", "acme/app", "--only", "ci"],
        env={"GEMBA_GITHUB_API_URL": github_api.url, "GEMBA_GITHUB_SECONDS_BETWEEN_REQUESTS": "0"},
    )
    assert result.exit_code == 0, result.output
    assert "0 runs stored (5 unchanged)" in result.output  # nothing new since the first sync
    assert "3 requests" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--repo", "not-a-repo"], "OWNER/REPO"),
        (["--repo", "acme/other"], "gemba collect github acme/other"),
        (["--repo", "acme/app", "--since", "2026-03-09", "--until", "2026-03-01"], "before"),
    ],
)
def test_bad_input_fails_with_a_message(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["ci", "health", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
