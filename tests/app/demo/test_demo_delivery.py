"""The demo's delivery story, read as the delivery collector reads it: through PyGithub and the
GitHub stand-in serving the generated scenario. Each repository answers a different rung of the
source ladder, and payments-api has a revert, an incident and a failed deploy to count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from github import Github
from github.Repository import Repository as GhRepository
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.cli.demo_delivery import check
from app.cli.demo_delivery import pages as demo_pages
from app.demo.build import Manifest, build_demo
from app.sandbox.server import SandboxServer
from collectors.delivery.fetch import (
    compare_commits,
    environment_pattern,
    fetch_deployments,
    fetch_incidents,
    fetch_releases,
    fetch_tag_shas,
)
from collectors.delivery.ladder import Evidence, Merge, choose, with_commits
from collectors.delivery.records import find_reverts
from dashboards.signals.delivery.keys import (
    attribute,
    change_failure_rate,
    first_deployment_of,
    time_to_restore,
)
from dashboards.signals.delivery.model import Failure
from tests import world

WORKFLOWS = re.compile("deploy|release", re.IGNORECASE)
HTML_URL = "https://github.com/acme/x"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Manifest, Github]]:
    folder = tmp_path_factory.mktemp("demo") / "demo"
    manifest = build_demo(folder, today=date(2026, 11, 25))
    with SandboxServer(Path(manifest.scenario_dir)) as server:
        yield manifest, Github(base_url=server.url, per_page=100, seconds_between_requests=0)


def _pulls(repo: GhRepository) -> list[dict[str, Any]]:
    """The listed fields (`raw_data` would fetch each PR again)."""
    return [
        {
            "number": p.number,
            "title": p.title,
            "body": p.body,
            "user": {"login": p.user.login},
            "merged_at": p.merged_at and p.merged_at.isoformat(),
            "merge_commit_sha": p.merge_commit_sha,
        }
        for p in repo.get_pulls(state="all")
    ]


def test_payments_deploys_with_github_deployments_and_every_merge_reaches_production(
    demo: tuple[Manifest, Github],
) -> None:
    manifest, gh = demo
    repo = gh.get_repo("acme/payments-api")
    source, found = choose(
        Evidence("main", deployments=fetch_deployments(repo, environment_pattern())), WORKFLOWS
    )
    assert source == manifest.patterns["delivery"]["acme/payments-api"]["source"] == "deployments"
    assert len(found) == manifest.counts["acme/payments-api"]["deployments"] >= 40
    assert {d.environment for d in found} == {"production"}  # staging is left out
    shipped = with_commits(found, compare_commits(repo))
    merged = [p for p in _pulls(repo) if p["merged_at"]]
    assert merged and all(
        first_deployment_of(p["merge_commit_sha"], shipped) is not None for p in merged
    )


def test_payments_has_a_revert_an_incident_and_a_failed_deploy_that_each_count_once(
    demo: tuple[Manifest, Github],
) -> None:
    manifest, gh = demo
    story = manifest.patterns["delivery"]["acme/payments-api"]
    repo = gh.get_repo("acme/payments-api")
    records = fetch_deployments(repo, environment_pattern())
    _, found = choose(Evidence("main", deployments=records), WORKFLOWS)
    shipped = with_commits(found, compare_commits(repo))
    pulls = _pulls(repo)
    [revert] = find_reverts(pulls)
    assert (revert.number, revert.reverted_number) == (
        story["revert"]["number"],
        story["revert"]["reverts"],
    )
    reverted = next(p for p in pulls if p["number"] == revert.reverted_number)
    assert (
        next(p for p in pulls if p["number"] == revert.number)["user"]["login"]
        == (reverted["user"]["login"])
    )
    culprit = first_deployment_of(reverted["merge_commit_sha"], shipped)
    [incident] = fetch_incidents(repo)
    assert incident.number == story["incident"] and incident.closed_at is not None
    [failed] = [r for r in records if r.failed_at is not None]
    assert failed.id == story["failed_deployment"]
    assert culprit is not None
    failures = [
        Failure("revert", f"pull:{revert.number}", revert.merged_at, culprit.id),
        Failure(
            "incident", f"issue:{incident.number}", incident.opened_at, None, incident.closed_at
        ),
        Failure("failed_status", f"deployment:{failed.id}", failed.failed_at),  # type: ignore[arg-type]
    ]
    links = attribute(failures, shipped)
    rate = change_failure_rate(links, shipped)
    assert len(rate.failed_deployment_ids) == 3 and not rate.unattributed
    assert rate.rate is not None and 0 < rate.rate < 0.1
    restore = time_to_restore(links)
    assert restore["median_hours"] is not None and restore["median_hours"] > 0


def test_checkout_releases_and_infra_falls_back_to_merges(demo: tuple[Manifest, Github]) -> None:
    manifest, gh = demo
    checkout = gh.get_repo("acme/checkout-web")
    assert list(checkout.get_deployments()) == []
    source, found = choose(
        Evidence(
            "main",
            releases=fetch_releases(checkout),
            release_shas=fetch_tag_shas(checkout),
        ),
        WORKFLOWS,
    )
    assert source == "releases"
    assert len(found) == manifest.counts["acme/checkout-web"]["deployments"] >= 10
    assert len(list(checkout.get_releases())) == len(found) + 1  # one pre-release left out
    infra = gh.get_repo("acme/platform-infra")
    merges = [
        Merge(p.number, p.merge_commit_sha, p.merged_at)
        for p in infra.get_pulls(state="closed")
        if p.merged_at
    ]
    empty = Evidence("main", releases=fetch_releases(infra), merges=merges)
    source, found = choose(empty, WORKFLOWS)
    assert source == manifest.patterns["delivery"]["acme/platform-infra"]["source"] == "merges"
    assert len(found) == manifest.counts["acme/platform-infra"]["deployments"]


def test_the_demo_check_names_what_was_not_collected(
    demo: tuple[Manifest, Github], engine: Engine
) -> None:
    """On a database without delivery the check lists each gap (the CLI test sees it pass)."""
    manifest, _ = demo
    with Session(engine) as session:
        world.make_repo(session, "acme/payments-api", html_url=HTML_URL, default_branch=None)
        session.commit()
    problems = check(engine, manifest)
    assert "acme/payments-api: 0 deployments from deployments stored, " in problems[0]
    assert any("the revert pull:" in p for p in problems)
    assert any("the incident issue:" in p for p in problems)
    assert "acme/checkout-web: no repository stored" in problems
    assert problems[-1] == "no deployment stored at all"
    pages = demo_pages(manifest)
    assert (
        f"Revert #{manifest.patterns['delivery']['acme/payments-api']['revert']['number']}"
        in (pages["/teams/Payments?period=90d"])
    )


@pytest.mark.parametrize("later", [8, 0])
def test_the_demo_check_names_a_revert_stored_against_the_wrong_pr(
    demo: tuple[Manifest, Github], engine: Engine, later: int
) -> None:
    """Titles repeat in the demo: a revert stored as reverting a later PR of its title is named,
    with the PR it should revert; one that names it right must stand against the deployment
    that shipped it (none here)."""
    manifest, _ = demo
    story = manifest.patterns["delivery"]["acme/payments-api"]["revert"]
    with Session(engine) as session:
        repo = world.make_repo(session, "acme/payments-api", html_url=HTML_URL, default_branch=None)
        world.make_delivery_failure(
            session,
            repo,
            "revert",
            f"pull:{story['number']}",
            started_at=datetime(2026, 11, 1, tzinfo=UTC),
            number=story["number"],
            reverted_number=story["reverts"] + later,
        )
        session.commit()
    problems = check(engine, manifest)
    named = f"#{story['reverts']}"
    revert = f"revert #{story['number']}"
    expected = (
        f"acme/payments-api: {revert} reverts #{story['reverts'] + later}, not {named}"
        if later
        else f"acme/payments-api: no deployment shipped {named}, which {revert} reverts"
    )
    assert expected in problems
    assert not any("the revert pull:" in p for p in problems)  # stored, only wrongly
