"""A small delivery history for acme/shop, written to the GitHub stand-in, and its parts.

Commits c0..c6 on main. PRs #1..#3 merged as c1..c3, #4 (`Revert "Hotfix the cart"`, reverting
#3) as c5, #5 as c6 and never deployed to production. Production: c1 (t2), c3 (t4), c3 again
(t6, the hotfix deployed twice: nothing new), c1 (t8, a rollback), c5 failed (t9), c5 (t10);
staging: c6 (t11). Incidents: #20 before any deployment (t0-t1), #21 at t7, closed at t9.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.sandbox.pulls import issue_from_pull
from tests.world.github import (
    make_commit,
    make_deployment,
    make_deployment_status,
    make_label,
    make_pull,
)
from tests.world.github_api import GithubApi

OWNER, NAME = "acme", "shop"
FULL_NAME = f"{OWNER}/{NAME}"
TITLES = {
    1: "Add cart",
    2: "Checkout",
    3: "Hotfix the cart",
    4: 'Revert "Hotfix the cart"',
    5: "Docs",
}
MERGED = {1: 1, 2: 2, 3: 3, 4: 5, 5: 6}  # PR -> index of its merge commit


def t(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=UTC)


def iso(hour: int) -> str:
    return f"2026-03-02T{hour:02d}:00:00Z"


def history(count: int = 7) -> list[dict[str, Any]]:
    """`count` commits c0, c1, ... on main, an hour apart."""
    commits: list[dict[str, Any]] = []
    for n in range(count):
        parents = [commits[-1]["sha"]] if commits else []
        commits.append(
            make_commit(OWNER, NAME, message=f"c{n}", authored_at=iso(n), parents=parents)
        )
    return commits


def pulls(shas: list[str]) -> list[dict[str, Any]]:
    made = []
    for number, title in TITLES.items():
        at = MERGED[number]
        pull = make_pull(
            OWNER,
            NAME,
            number,
            title=title,
            state="closed",
            created_at=iso(max(at - 1, 0)),
            closed_at=iso(at),
            merged_at=iso(at),
        )
        pull["merge_commit_sha"] = shas[at]
        made.append(pull)
    return made


def deployment(sha: str, id: int, hour: int, environment: str, *states: str) -> tuple:
    """A deployment made at `hour` and its statuses, one an hour from then."""
    made = make_deployment(OWNER, NAME, sha, id=id, environment=environment, created_at=iso(hour))
    statuses = [
        make_deployment_status(made, state, id=id * 10 + n, created_at=iso(hour + n))
        for n, state in enumerate(states)
    ]
    return made, statuses


def deployments(c: list[str]) -> list[tuple]:
    return [
        deployment(c[1], 1, 2, "production", "success"),
        deployment(c[3], 2, 4, "production", "success"),
        deployment(c[3], 3, 6, "production", "success"),
        deployment(c[1], 4, 8, "production", "success"),
        deployment(c[5], 5, 9, "production", "failure"),
        deployment(c[5], 6, 10, "production", "success"),
        deployment(c[6], 7, 11, "staging", "success"),
    ]


def incidents() -> list[dict[str, Any]]:
    made = []
    for number, opened, closed in ((20, 0, 1), (21, 7, 9)):
        issue = issue_from_pull(
            make_pull(OWNER, NAME, number, title=f"Outage {number}", created_at=iso(opened))
        )
        issue.pop("pull_request")
        issue.update(
            state="closed", closed_at=iso(closed), labels=[make_label(OWNER, NAME, "incident")]
        )
        made.append(issue)
    return made


def write(
    github_api: GithubApi,
    *,
    with_deployments: bool = True,
    shas: list[str] | None = None,
    **extra: Any,
) -> list[str]:
    """The scenario; `shas` (a real clone's c0..c6) replace the stand-in's made-up commits."""
    commits = history()
    c = shas or [commit["sha"] for commit in commits]
    _write(github_api, commits, c, deployments(c) if with_deployments else [], **extra)
    return c


def write_many(github_api: GithubApi, count: int = 30) -> None:
    """`count` production deployments, one per commit, each with a status: a longer collect."""
    commits = history(count + 1)
    c = [commit["sha"] for commit in commits]
    made = [
        deployment(c[n + 1], n + 1, 0, "production", "failure" if n % 7 == 3 else "success")
        for n in range(count)
    ]
    for n, (shipped, statuses) in enumerate(made):
        stamp = f"2026-03-{2 + n // 24:02d}T{n % 24:02d}:00:00Z"
        shipped["created_at"] = shipped["updated_at"] = stamp
        statuses[0]["created_at"] = statuses[0]["updated_at"] = stamp
    _write(github_api, commits, c, made)


def _write(
    github_api: GithubApi,
    commits: list[dict[str, Any]],
    c: list[str],
    made: list[tuple],
    **extra: Any,
) -> None:
    """The commits, the PRs merged as `c`, the incidents and the `made` deployments."""
    github_api.write_repo(
        OWNER,
        NAME,
        commits=commits,
        pulls=pulls(c),
        issues=incidents(),
        deployments=[d for d, _ in made],
        deployment_statuses={str(d["id"]): s for d, s in made},
        **extra,
    )
