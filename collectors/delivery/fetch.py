"""Reads deployments with their statuses, releases, incident issues and compares over REST.

Each function takes a PyGithub `Repository` (from `collectors.github_client.make_github`) and
answers records, read from the JSON each listing returned (`raw`: PyGithub's `raw_data` would
fetch every listed object again). Lists are walked newest first and stop at `since`, so a
re-collect reads only what is new (deployments a look-back earlier, since their statuses change
after creation; the statuses of a deployment already stored as succeeded are not read again).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from datetime import UTC, datetime, timedelta

from github.Repository import Repository

from collectors.ci.fetch import raw
from collectors.delivery.records import DeploymentRecord, IncidentRecord, ReleaseRecord

DEFAULT_ENVIRONMENTS = r"^(production|prod)$"
DEFAULT_WORKFLOWS = r"deploy|release"
DEFAULT_INCIDENT_LABELS = ("incident",)
STATUS_LOOKBACK = timedelta(days=2)


def environment_pattern(pattern: str = DEFAULT_ENVIRONMENTS) -> re.Pattern[str]:
    """The environments that count as production, matched case-insensitively."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"not a regular expression: {pattern!r} ({error})") from error


def fetch_deployments(
    repo: Repository,
    environments: re.Pattern[str],
    since: datetime | None = None,
    known: Container[int] = (),
) -> list[DeploymentRecord]:
    """Deployments to a matching environment, each with its statuses, oldest first; those in
    `known` (stored as succeeded) are left out."""
    floor = since - STATUS_LOOKBACK if since else None
    records = []
    for deployment in repo.get_deployments():
        data = raw(deployment)
        if not environments.search(data.get("environment") or ""):
            continue
        record_time = DeploymentRecord.from_json(data, []).created_at
        if floor is not None and record_time < floor:
            break
        if int(data["id"]) in known:
            continue
        statuses = [raw(status) for status in deployment.get_statuses()]
        records.append(DeploymentRecord.from_json(data, statuses))
    return sorted(records, key=lambda r: (r.created_at, r.id))


def fetch_releases(repo: Repository) -> list[ReleaseRecord]:
    """Every release, oldest first; `ReleaseRecord.counts` says which are deployments."""
    records = [ReleaseRecord.from_json(raw(release)) for release in repo.get_releases()]
    drafts_last = datetime.max.replace(tzinfo=UTC)
    return sorted(records, key=lambda r: (r.published_at or drafts_last, r.id))


def fetch_tag_shas(repo: Repository) -> dict[str, str]:
    """Each tag's commit SHA, which a release's `target_commitish` (a branch) does not give."""
    return {raw(tag)["name"]: raw(tag)["commit"]["sha"] for tag in repo.get_tags()}


def fetch_incidents(
    repo: Repository, labels: Iterable[str] = DEFAULT_INCIDENT_LABELS, since: datetime | None = None
) -> list[IncidentRecord]:
    """Issues (not PRs) carrying any of `labels`; one listing per label, since GitHub's
    `labels=a,b` keeps only issues carrying all of them."""
    found: dict[int, IncidentRecord] = {}
    for label in labels:
        kwargs = {"state": "all", "labels": [label]}
        if since is not None:
            kwargs["since"] = since
        for issue in repo.get_issues(**kwargs):
            data = raw(issue)
            if "pull_request" not in data:
                found[int(data["number"])] = IncidentRecord.from_json(data)
    return sorted(found.values(), key=lambda r: (r.opened_at, r.number))


def fetch_pull_body(repo: Repository, number: int) -> str:
    """A PR's description, one request: the pulls collector keeps no descriptions, and only a
    revert's is needed (to name the PR it reverts)."""
    return repo.get_pull(number).body or ""


def compare_commits(repo: Repository) -> Callable[[str, str], tuple[str, ...]]:
    """`commits_between(base, head)` over `/compare/{base}...{head}`, oldest first."""

    def commits_between(base: str, head: str) -> tuple[str, ...]:
        comparison = repo.compare(base, head)  # lazy when `repo` is: `.status` reads it
        if comparison.status not in ("ahead", "diverged"):
            return ()
        return tuple(commit.sha for commit in comparison.commits)

    return commits_between
