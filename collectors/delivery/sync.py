"""Collect one repository's delivery: deployments by the source ladder, their commits, the pull
requests they shipped, and the failures after them (incidents, reverts, failed statuses).

How a collect proceeds (after git, pulls and CI, whose tables rungs 2 and 4 read):
1. GitHub Deployments created since the cursor (minus a look-back, as statuses arrive late),
   with their statuses (over GraphQL when authenticated: 100 a request; else REST, one request
   more per deployment); rung 1 holds when any production deployment ever succeeded.
2. Else the stored default-branch workflow runs (no request), else published full releases with
   their tags' commits, else the stored merges (no request). GEMBA_DELIVERY_SOURCES forces one.
3. New deployments, oldest first, in batches: the commits each brought (local clone, else one
   compare each; a merge brings its merge commit without a request), stored with the cursor.
4. Failures: failed production statuses, incident issues updated since the last collect, merged
   `Revert "..."` PRs (the body of each new one read once, to name the PR it reverts); then each
   merged PR's first deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from github import Github
from github.GithubException import GithubException
from github.Repository import Repository as GhRepository
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.delivery import SOURCES, Deployment, Source
from app.core.models import PullRequest
from app.core.models.base import as_utc
from app.core.settings import Settings
from collectors.delivery import store
from collectors.delivery.commits import commits_source
from collectors.delivery.fetch import (
    environment_pattern,
    fetch_deployments,
    fetch_incidents,
    fetch_pull_body,
    fetch_releases,
    fetch_tag_shas,
)
from collectors.delivery.graphql import fetch_deployments_graphql
from collectors.delivery.ladder import Evidence, choose, with_commits
from collectors.delivery.records import (
    DeploymentRecord,
    RevertRecord,
    is_revert,
    revert_record,
    reverted_pull,
)
from collectors.github_client import RequestCounter
from collectors.pulls.store import repository_row, upsert_repository
from collectors.pulls.sync import explain

BATCH_SIZE = 25
Progress = Callable[[str], None]


@dataclass
class DeliveryStats:
    repository: str
    source: str = ""
    deployments: int = 0
    commits: int = 0
    failures: int = 0
    pulls_linked: int = 0
    requests: int = 0

    def __str__(self) -> str:
        return (
            f"source {self.source}: {self.deployments} new deployments ({self.commits} commits), "
            f"{self.failures} failures, {self.pulls_linked} pull requests deployed, "
            f"{self.requests} requests"
        )


@dataclass(frozen=True)
class _Repo:
    id: int
    name: str
    default_branch: str
    html_url: str
    clone: Path | None


def collect_delivery(
    engine: Engine,
    gh: Github,
    full_name: str,
    settings: Settings,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> DeliveryStats:
    """Bring a repository's deployments, deployed commits and PRs, and failures up to date."""
    say = progress or (lambda _message: None)
    stats = DeliveryStats(full_name)
    with RequestCounter() as counter:
        try:
            _sync(engine, gh, full_name, settings, now or datetime.now(UTC), batch_size, stats, say)
        except GithubException as error:
            raise explain(error, full_name, gh.requester.base_url) from error
        finally:
            stats.requests = counter.count
    return stats


def _repository(engine: Engine, gh: Github, name: str) -> tuple[_Repo, GhRepository]:
    """Our Repository row; asks GitHub for it only when no collector stored its branch yet."""
    with session_scope(engine) as session:
        row = repository_row(session, name)
        if row is not None and row.default_branch and row.html_url and row.id is not None:
            clone = Path(row.path) if row.path else None
            lazy = gh.withLazy(True).get_repo(name)
            return _Repo(row.id, name, row.default_branch, row.html_url, clone), lazy
    repo = gh.get_repo(name)
    with session_scope(engine) as session:
        repository_id = upsert_repository(
            session,
            name=name,
            github_id=repo.id,
            default_branch=repo.default_branch,
            html_url=repo.html_url,
        )
        row = repository_row(session, name)
        clone = Path(row.path) if row is not None and row.path else None
    return _Repo(repository_id, name, repo.default_branch, repo.html_url, clone), repo


def _sync(
    engine: Engine,
    gh: Github,
    name: str,
    settings: Settings,
    now: datetime,
    batch_size: int,
    stats: DeliveryStats,
    say: Progress,
) -> None:
    repo, gh_repo = _repository(engine, gh, name)
    with session_scope(engine) as session:
        cursor = store.read_cursor(session, name)
        stored = store.stored_deployments(session, repository_id=repo.id)
    known = {int(d.id.partition(":")[2]) for d in stored if d.source == "deployments"}
    environments = environment_pattern(settings.delivery_environments)
    listed = None
    if gh.requester.auth is not None:  # GraphQL needs a token; it costs ~1 request per 100
        owner, _, short = name.partition("/")
        listed = fetch_deployments_graphql(
            gh.requester, owner, short, environments, cursor.deployments_through, known
        )
    if listed is None:
        listed = fetch_deployments(gh_repo, environments, cursor.deployments_through, known)
    forced = settings.forced_delivery_sources.get(name)
    source, found, urls = _choose(engine, gh_repo, repo, settings, stored, listed, forced)
    stats.source = source
    say(f"{name}: deployments from {source}")
    with session_scope(engine) as session:
        store.drop_other_sources(session, repository_id=repo.id, source=source)
    stored_keys = {d.id for d in stored if d.source == source}
    new = [d for d in found if d.id not in stored_keys]
    everything = [d for d in stored if d.source == source] + new
    created = {f"deployment:{r.id}": r.created_at for r in listed}
    between = commits_source(gh_repo, repo.clone)
    if source == "merges" and repo.clone is None:
        between = lambda _base, head: (head,)  # noqa: E731 - each merge brings its merge commit
    wanted = {d.id for d in new}
    computed = [d for d in with_commits(everything, between, wanted) if d.id in wanted]
    for start in range(0, len(computed), batch_size):
        batch = computed[start : start + batch_size]
        with session_scope(engine) as session:
            stats.commits += store.save_deployments(
                session, repository_id=repo.id, deployments=batch, created=created, urls=urls
            )
            cursor.source = source
            store.write_cursor(session, name, cursor)
        stats.deployments += len(batch)
    incidents_listed_at = now
    failures = _failures(engine, gh_repo, repo, settings, listed, cursor.incidents_since)
    reverts = _reverts(engine, gh_repo, repo)
    with session_scope(engine) as session:
        stats.failures = store.save_failures(session, repository_id=repo.id, rows=failures)
        stats.pulls_linked = store.link_pulls(session, repository_id=repo.id)
        stats.failures += _save_reverts(session, repo, reverts)
        if listed:
            newest = max(r.created_at for r in listed)
            cursor.deployments_through = max(newest, cursor.deployments_through or newest)
        cursor.source = source
        cursor.incidents_since = incidents_listed_at
        store.write_cursor(session, name, cursor)


def _choose(
    engine: Engine,
    gh_repo: GhRepository,
    repo: _Repo,
    settings: Settings,
    stored: list[Deployment],
    listed: list[DeploymentRecord],
    forced: str | None,
) -> tuple[Source, list[Deployment], dict[str, str | None]]:
    """The first rung with a deployment (stored or new), reading only the rungs it must."""
    workflows = environment_pattern(settings.delivery_workflows)
    for source in [forced] if forced else SOURCES:
        assert source in SOURCES
        evidence, urls = _evidence(engine, gh_repo, repo, source, stored, listed)
        chosen, found = choose(evidence, workflows, source)  # type: ignore[arg-type]
        earlier = [d for d in stored if d.source == source]
        if found or earlier or forced:
            return chosen, found, urls
    return "merges", [], {}


def _evidence(
    engine: Engine,
    gh_repo: GhRepository,
    repo: _Repo,
    source: str,
    stored: list[Deployment],
    listed: list[DeploymentRecord],
) -> tuple[Evidence, dict[str, str | None]]:
    branch = repo.default_branch
    if source == "deployments":
        urls = {f"deployment:{r.id}": f"{repo.html_url}/deployments" for r in listed}
        return Evidence(branch, deployments=listed), urls  # type: ignore[arg-type]
    if source == "workflow_runs":
        with session_scope(engine) as session:
            runs = store.deploy_runs(session, repository_id=repo.id)
            urls = store.run_urls(session, repository_id=repo.id)
        return Evidence(branch, runs=runs), urls
    if source == "releases":
        releases = fetch_releases(gh_repo)
        shas = fetch_tag_shas(gh_repo) if any(r.counts for r in releases) else {}
        urls = {
            f"release:{r.tag_name}": f"{repo.html_url}/releases/tag/{r.tag_name}" for r in releases
        }
        return Evidence(branch, releases=releases, release_shas=shas), urls  # type: ignore[arg-type]
    with session_scope(engine) as session:
        pulls = store.merged_pulls(session, repository_id=repo.id)
    urls = {f"merge:{p.number}": p.html_url for p in pulls}
    return Evidence(branch, merges=store.merges(pulls, branch)), urls


def _failures(
    engine: Engine,
    gh_repo: GhRepository,
    repo: _Repo,
    settings: Settings,
    listed: list[DeploymentRecord],
    incidents_since: datetime | None,
) -> list[dict[str, Any]]:
    """Failed production statuses and incident issues, as DeliveryFailure rows."""
    rows: list[dict[str, Any]] = [
        {
            "kind": "failed_status",
            "ref": f"deployment:{r.id}",
            "number": None,
            "title": f"{r.environment} deployment of {r.sha[:7]}: {r.state or 'failure'}",
            "html_url": f"{repo.html_url}/deployments",
            "started_at": r.failed_at,
            "restored_at": None,
            "deployment_key": f"deployment:{r.id}",
            "reverted_number": None,
        }
        for r in listed
        if r.failed_at is not None
    ]
    labels = settings.incident_labels
    for issue in fetch_incidents(gh_repo, labels, incidents_since) if labels else []:
        rows.append(
            {
                "kind": "incident",
                "ref": f"issue:{issue.number}",
                "number": issue.number,
                "title": issue.title[:1000],
                "html_url": f"{repo.html_url}/issues/{issue.number}",
                "started_at": issue.opened_at,
                "restored_at": issue.closed_at,
                "deployment_key": None,
                "reverted_number": None,
            }
        )
    return rows


def _reverts(engine: Engine, gh_repo: GhRepository, repo: _Repo) -> list[RevertRecord]:
    """Merged `Revert "..."` PRs and the PR each reverts; a revert not stored yet has its body
    read (one request) for GitHub's "Reverts owner/repo#N" or git's "This reverts commit"."""
    with session_scope(engine) as session:
        pulls = [_as_json(p) for p in store.merged_pulls(session, repository_id=repo.id)]
        known = store.reverted_numbers(session, repository_id=repo.id)
    reverts = []
    for pull in filter(is_revert, pulls):
        if pull["number"] in known:
            reverts.append(revert_record(pull, known[pull["number"]]))
            continue
        pull["body"] = fetch_pull_body(gh_repo, pull["number"])
        reverted = reverted_pull(pull, pulls)
        if reverted is not None:
            reverts.append(revert_record(pull, int(reverted["number"])))
    return reverts


def _as_json(pull: PullRequest) -> dict[str, Any]:
    """A stored PR in the shape of GitHub's JSON, as `collectors.delivery.records` reads it."""

    def iso(value: datetime | None) -> str | None:
        return as_utc(value).isoformat() if value else None

    return {
        "number": pull.number,
        "title": pull.title,
        "created_at": iso(pull.created_at),
        "merged_at": iso(pull.merged_at),
        "merge_commit_sha": pull.merge_commit_sha,
    }


def _save_reverts(session: Any, repo: _Repo, reverts: list[RevertRecord]) -> int:
    """The reverts, each against the deployment that shipped the reverted PR (when one did)."""
    pulls = store.merged_pulls(session, repository_id=repo.id)
    urls = {p.number: p.html_url for p in pulls}
    titles = {p.number: p.title for p in pulls}
    rows = [
        {
            "kind": "revert",
            "ref": f"pull:{revert.number}",
            "number": revert.number,
            "title": titles.get(revert.number, "")[:1000],
            "html_url": urls.get(revert.number),
            "started_at": revert.merged_at,
            "restored_at": None,
            "deployment_key": store.deployment_of_pull(
                session, repository_id=repo.id, number=revert.reverted_number
            ),
            "reverted_number": revert.reverted_number,
        }
        for revert in reverts
    ]
    return store.save_failures(session, repository_id=repo.id, rows=rows)
