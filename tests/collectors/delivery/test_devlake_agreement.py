"""Agreement with Apache DevLake's change lead time (its e2e fixtures, ../shared/realdata).

DevLake's rows (pull requests, their commits and comments, production deployments and the
commits between a deployment and the previous one) are fed through the GitHub stand-in and our
collectors unchanged in meaning: each PR becomes a PR, each comment by someone other than the
author a review, each deployment a GitHub Deployment with a success status at its finish time
(failed ones with a failure status), and `commits_diffs` becomes the commit graph that
`/compare` walks. DevLake takes a deployment's previous one per CI scope, repository and
environment; we take it per environment, so each of DevLake's (scope, repository) pairs becomes
one production environment (`production/cicd1/REPO111`). Where the definitions coincide, the
minutes equal DevLake's `project_pr_metrics.csv` (DevLake rounds minutes up); every other value
is the difference docs/metrics.md explains, asserted here so that it stays explained.
"""

from __future__ import annotations

import csv
import itertools
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from github import Github
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.settings import Settings
from collectors.delivery.sync import collect_delivery
from collectors.pulls.sync import collect_pulls
from dashboards.reports.delivery import delivery_answer
from tests.paths import realdata
from tests.world.github import (
    make_commit,
    make_deployment,
    make_deployment_status,
    make_pull,
    make_review,
)

FOLDER = ("devlake", "dora", "e2e", "change_lead_time")
OWNER, NAME = "devlake", "project1"
PROJECT = "project1"
KEYS = {"coding": "pr_coding_time", "pickup": "pr_pickup_time", "review": "pr_review_time"}
KEYS["waiting_for_deploy"] = "pr_deploy_time"


def _rows(name: str) -> list[dict[str, str]]:
    with Path(realdata(*FOLDER, name)).open(newline="") as handle:
        return list(csv.DictReader(handle))


def _time(value: str) -> datetime:
    """DevLake writes both ISO times and `2023-4-10 6:51:47`."""
    if "T" in value:
        return datetime.fromisoformat(value).astimezone(UTC)
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(pr_id: str) -> int:
    return 100 + int(pr_id.removeprefix("pr"))


def _project_scopes() -> set[str]:
    return {
        r["row_id"]
        for r in _rows("project_mapping.csv")
        if r["project_name"] == PROJECT and r["table"] == "cicd_scopes"
    }


def _commit_graph(deployments: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each deployment's SHA after the previous one's in its (scope, repository, environment),
    with `commits_diffs`' commits in between, so `/compare/{previous}...{sha}` lists them."""
    between: dict[tuple[str, str], list[str]] = {}
    for row in _rows("commits_diffs.csv"):
        between.setdefault((row["old_commit_sha"], row["new_commit_sha"]), []).append(
            row["commit_sha"]
        )
    by_id = {d["id"]: d for d in deployments}
    parents: dict[str, list[str]] = {}
    for deployment in deployments:
        previous = by_id.get(deployment["prev_success_deployment_commit_id"])
        base = previous["commit_sha"] if previous else ""
        # a first deployment (no previous): what came before it hangs below it, unattributed
        chain = [base, *between.get((base, deployment["commit_sha"]), []), deployment["commit_sha"]]
        for parent, child in itertools.pairwise(chain):
            parents.setdefault(child, [parent] if parent else [])
            if parent:
                parents.setdefault(parent, [])
    return [
        make_commit(OWNER, NAME, sha=sha, message=sha, parents=ancestors)
        for sha, ancestors in parents.items()
    ]


def _write(github_api) -> None:
    scopes = _project_scopes()
    deployments = [d for d in _rows("cicd_deployment_commits.csv") if d["cicd_scope_id"] in scopes]
    commits = _commit_graph(deployments)
    made, statuses = [], {}
    for n, d in enumerate(deployments, start=1):
        environment = f"{d['environment'].lower()}/{d['cicd_scope_id']}/{d['repo_url']}"
        deployment = make_deployment(
            OWNER,
            NAME,
            d["commit_sha"],
            id=n,
            environment=environment,
            created_at=_iso(_time(d["started_date"])),
        )
        state = "success" if d["result"] == "SUCCESS" else "failure"
        at = _iso(_time(d["finished_date"]))
        made.append(deployment)
        statuses[str(n)] = [make_deployment_status(deployment, state, id=n * 10, created_at=at)]
    pulls, reviews, pull_commits = [], {}, {}
    comments = _rows("pull_request_comments.csv")
    for row in _rows("pull_requests.csv"):
        number = _number(row["id"])
        author = row["author_id"] or "ghost"
        merged = _iso(_time(row["merged_date"])) if row["merged_date"] else None
        pull = make_pull(
            OWNER,
            NAME,
            number,
            author=author,
            state="closed" if merged else "open",
            created_at=_iso(_time(row["created_date"])),
            merged_at=merged,
            closed_at=merged,
        )
        pull["merge_commit_sha"] = row["merge_commit_sha"] if merged else None
        pulls.append(pull)
        reviews[str(number)] = [
            make_review(
                OWNER,
                NAME,
                number,
                reviewer=c["account_id"],
                state="COMMENTED",
                submitted_at=_iso(_time(c["created_date"])),
                id=1000 + i,
            )
            for i, c in enumerate(comments)
            if c["pull_request_id"] == row["id"]
        ]
        pull_commits[str(number)] = [
            make_commit(
                OWNER, NAME, sha=c["commit_sha"], authored_at=_iso(_time(c["commit_authored_date"]))
            )
            for c in _rows("pull_request_commits.csv")
            if c["pull_request_id"] == row["id"]
        ]
    github_api.write_repo(
        OWNER,
        NAME,
        commits=commits,
        pulls=pulls,
        reviews=reviews,
        pull_commits=pull_commits,
        deployments=made,
        deployment_statuses=statuses,
    )


def _minutes(hours: float | None) -> int | None:
    return None if hours is None else math.ceil(round(hours * 60, 6))


def _span(row: dict[str, str], start: str, end: str) -> int:
    """Minutes between two dates of a DevLake row, rounded up as DevLake rounds."""
    return math.ceil(round((_time(row[end]) - _time(row[start])).total_seconds() / 60, 6))


def test_lead_time_minutes_agree_with_devlake_where_the_definitions_coincide(
    engine: Engine, github_api
) -> None:
    expected = {r["id"]: r for r in _rows("project_pr_metrics.csv")}
    _write(github_api)
    gh = Github(base_url=github_api.url, per_page=100, seconds_between_requests=0)
    collect_pulls(engine, gh, f"{OWNER}/{NAME}", graphql=False)
    settings = Settings(delivery_environments="^production/")
    assert collect_delivery(engine, gh, f"{OWNER}/{NAME}", settings).source == "deployments"
    with Session(engine) as session:
        answer = delivery_answer(
            session,
            repo=f"{OWNER}/{NAME}",
            since=datetime(2022, 1, 1, tzinfo=UTC),
            until=datetime(2023, 5, 1, tzinfo=UTC),
            tz="UTC",
        )
    ours = {f"pr{item.number - 100}": item for item in answer.lead_times}
    assert set(ours) == set(expected)  # pr6 was never merged: neither side counts it

    def theirs(pr: str, key: str) -> int | None:
        value = expected[pr][key]
        return int(value) if value else None

    agree = {
        "coding": ["pr0", "pr1", "pr3", "pr4", "pr5"],
        "pickup": ["pr1", "pr2", "pr4"],
        "review": ["pr1", "pr2", "pr3", "pr5"],
        "waiting_for_deploy": ["pr0", "pr1", "pr2", "pr4", "pr5"],  # 0, 4, 5 never deployed
    }
    for phase, prs in agree.items():
        for pr in prs:
            assert _minutes(ours[pr].phases[phase]) == theirs(pr, KEYS[phase]), (pr, phase)
    assert _minutes(ours["pr1"].total_hours) == theirs("pr1", "pr_cycle_time")
    assert ours["pr1"].deployment_id == ours["pr2"].deployment_id  # one deployment ships both

    # The differences docs/metrics.md explains ("Where we differ from DevLake"):
    # a phase whose end comes before its start is 0 h with us, empty with DevLake;
    assert theirs("pr2", KEYS["coding"]) is None and ours["pr2"].phases["coding"] == 0
    assert theirs("pr3", KEYS["pickup"]) is None and ours["pr3"].phases["pickup"] == 0
    assert theirs("pr5", KEYS["pickup"]) is None and ours["pr5"].phases["pickup"] == 0
    assert theirs("pr3", KEYS["waiting_for_deploy"]) is None
    assert ours["pr3"].phases["waiting_for_deploy"] == 0  # deployed before its recorded merge
    # no review: pickup runs to the merge and review is 0 h with us, both empty with DevLake;
    assert theirs("pr0", KEYS["pickup"]) is None and theirs("pr0", KEYS["review"]) is None
    assert (
        _minutes(ours["pr0"].phases["pickup"]) == 30 * 24 * 60 and ours["pr0"].phases["review"] == 0
    )
    # the first review after the merge: review is 0 h with us, empty with DevLake;
    assert theirs("pr4", KEYS["review"]) is None and ours["pr4"].phases["review"] == 0
    # lead time ends at a production deployment; DevLake's cycle time ends at the merge when
    # there is none, and starts at the PR's creation when the first commit is later.
    for pr in ("pr0", "pr4", "pr5"):
        assert ours[pr].total_hours is None and theirs(pr, "pr_cycle_time") is not None

    first, deployed = "first_commit_authored_date", "pr_deployed_date"
    pr2, pr3 = expected["pr2"], expected["pr3"]
    assert _minutes(ours["pr2"].total_hours) == _span(pr2, first, deployed)
    assert theirs("pr2", "pr_cycle_time") == _span(pr2, "pr_created_date", deployed)
    # and a deployment recorded before the merge ends our lead time, DevLake's cycle the merge.
    assert _minutes(ours["pr3"].total_hours) == _span(pr3, first, deployed)
    assert theirs("pr3", "pr_cycle_time") == _span(pr3, first, "pr_merged_date")
