"""`gemba delivery --repo R | --team T`: the four keys, and JSON naming the items behind them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import Settings, get_settings
from tests.collectors.delivery.test_sync import _collect
from tests.world import delivery as sc
from tests.world.github_api import GithubApi

WINDOW = ["--since", "2026-03-01", "--until", "2026-03-09"]


@pytest.fixture
def runner(
    engine: Engine, settings: Settings, github_api: GithubApi, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    sc.write(github_api)
    _collect(engine, github_api)
    monkeypatch.setenv("GEMBA_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    return CliRunner()


def test_json_lists_the_items_behind_each_key(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["delivery", "--repo", sc.FULL_NAME, "--json", *WINDOW])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["sources"] == {sc.FULL_NAME: "deployments"}
    ids = [d["id"] for d in answer["deployments"]]
    assert ids == [f"acme/shop#deployment:{n}" for n in (1, 2, 3, 4, 6)]
    (week,) = [w for w in answer["frequency"] if w["deployments"]]  # 2026-W10, every week shown
    assert len(answer["frequency"]) == 2
    assert (week["deployments"], week["deployment_days"]) == (5, 1)
    assert week["deployment_ids"] == ids
    lead = {item["pull"]: item for item in answer["lead_times"]}
    assert lead["acme/shop#2"]["deployment_id"] == "acme/shop#deployment:2"
    assert lead["acme/shop#2"]["phases"]["waiting_for_deploy"] == 2.0  # merged t2, deployed t4
    assert answer["undeployed"] == ["acme/shop#5"]
    rate = answer["failure_rate"]
    # failed status (deployment 5 never succeeded: counts against 4, the one before it), the
    # revert of #3 against deployment 2, incident 21 (t7) against deployment 3 (t6)
    assert rate["failed_deployment_ids"] == [
        "acme/shop#deployment:2",
        "acme/shop#deployment:3",
        "acme/shop#deployment:4",
    ]
    assert rate["rate"] == 3 / 5
    assert rate["unattributed"] == ["acme/shop#issue:20"]  # before any deployment
    incident = next(f for f in answer["failures"] if f["ref"] == "issue:21")
    assert incident["restore_hours"] == 2.0


def test_the_terminal_table_and_bad_input(runner: CliRunner) -> None:
    table = runner.invoke(cli, ["delivery", "--repo", sc.FULL_NAME, *WINDOW])
    assert table.exit_code == 0, table.output
    assert "Deployments from: acme/shop: deployments" in table.output
    assert "Change failure rate: 60% (3 of 5 deployments" in table.output
    both = runner.invoke(cli, ["delivery", "--repo", sc.FULL_NAME, "--team", "x"])
    assert both.exit_code == 1 and "give --repo" in both.output
    unknown = runner.invoke(cli, ["delivery", "--repo", "acme/nope"])
    assert unknown.exit_code == 1
    no_team = runner.invoke(cli, ["delivery", "--team", "ghosts"])
    assert no_team.exit_code == 1 and "no team named" in no_team.output
