"""The source ladder: which evidence a repository's deployments come from, and their commits.

1. Deployments with a `success` status in a production environment; 2. else successful
default-branch workflow runs whose name or file matches the deploy pattern; 3. else published
full releases; 4. else every merge to the default branch. A forced source skips the ladder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from app.core.delivery import SOURCES, Deployment, Source
from collectors.delivery.records import DeploymentRecord, ReleaseRecord

FULL_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class DeployRun:
    """A workflow run as the CI collector stored it (what rung 2 needs of it)."""

    id: int
    name: str
    path: str
    head_sha: str
    head_branch: str | None
    conclusion: str | None
    at: datetime


@dataclass(frozen=True)
class Merge:
    number: int
    merge_commit_sha: str
    merged_at: datetime


@dataclass(frozen=True)
class Evidence:
    """Everything one repository offers; `release_shas` maps a tag to its commit."""

    default_branch: str
    deployments: Sequence[DeploymentRecord] = ()
    runs: Sequence[DeployRun] = ()
    releases: Sequence[ReleaseRecord] = ()
    release_shas: dict[str, str] | None = None
    merges: Sequence[Merge] = ()


def from_deployments(evidence: Evidence) -> list[Deployment]:
    return [
        Deployment(f"deployment:{d.id}", d.sha, d.succeeded_at, "deployments", d.environment)
        for d in evidence.deployments
        if d.succeeded_at is not None
    ]


def from_runs(evidence: Evidence, workflows: re.Pattern[str]) -> list[Deployment]:
    return [
        Deployment(f"run:{r.id}", r.head_sha, r.at, "workflow_runs", r.name)
        for r in evidence.runs
        if r.conclusion == "success"
        and r.head_branch == evidence.default_branch
        and (workflows.search(r.name) or workflows.search(r.path))
    ]


def _release_sha(release: ReleaseRecord, shas: dict[str, str]) -> str | None:
    """The tag's commit when known, else `target_commitish` when it is a full SHA."""
    if release.tag_name in shas:
        return shas[release.tag_name]
    return release.target_commitish if FULL_SHA.fullmatch(release.target_commitish) else None


def from_releases(evidence: Evidence) -> list[Deployment]:
    shas = evidence.release_shas or {}
    return [
        Deployment(f"release:{r.tag_name}", sha, r.published_at, "releases")
        for r in evidence.releases
        if r.counts and r.published_at is not None and (sha := _release_sha(r, shas))
    ]


def from_merges(evidence: Evidence) -> list[Deployment]:
    return [
        Deployment(f"merge:{m.number}", m.merge_commit_sha, m.merged_at, "merges")
        for m in evidence.merges
    ]


def choose(
    evidence: Evidence, workflows: re.Pattern[str], forced: Source | None = None
) -> tuple[Source, list[Deployment]]:
    """The first rung with any deployment (or the forced one, even when empty), time ordered."""
    if forced is not None and forced not in SOURCES:
        raise ValueError(f"unknown delivery source {forced!r}; expected one of {SOURCES}")
    rungs: dict[Source, Callable[[], list[Deployment]]] = {
        "deployments": lambda: from_deployments(evidence),
        "workflow_runs": lambda: from_runs(evidence, workflows),
        "releases": lambda: from_releases(evidence),
        "merges": lambda: from_merges(evidence),
    }
    for source in [forced] if forced else SOURCES:
        found = rungs[source]()
        if found or forced:
            return source, sorted(found, key=lambda d: (d.at, d.id))
    return "merges", []


def with_commits(
    deployments: Sequence[Deployment],
    commits_between: Callable[[str, str], tuple[str, ...]],
    wanted: Collection[str] | None = None,
) -> list[Deployment]:
    """Each deployment with the commits from the previous one's SHA to its own (per environment).

    The first deployment seen brings only its own SHA (its earlier history is not attributed);
    a re-deploy of the same SHA or a rollback to an ancestor brings none. With `wanted`, only
    those ids are computed (the others, already stored, are passed through as they are).
    """
    previous: dict[str, str] = {}
    answer = []
    for deployment in sorted(deployments, key=lambda d: (d.at, d.id)):
        environment = deployment.environment.lower()  # GitHub's names are case-insensitive
        base = previous.get(environment)
        if wanted is not None and deployment.id not in wanted:
            previous[environment] = deployment.sha
            answer.append(deployment)
            continue
        if base is None:
            commits: tuple[str, ...] = (deployment.sha,)
        elif base == deployment.sha:
            commits = ()
        else:
            commits = commits_between(base, deployment.sha)
        previous[environment] = deployment.sha
        answer.append(replace(deployment, commits=commits))
    return answer
