"""Collect one repository's pull requests: list what changed, fetch it, store it in batches.

Order matters for resuming: changed PRs are processed oldest `updated_at` first, and each
batch commits with the cursor set to the newest `updated_at` in it. After a crash or Ctrl-C
the cursor is at most one batch behind, PRs already stored at their current version are
skipped, and upserts make any repeat harmless: no gaps, no duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from github import Github
from github.GithubException import (
    BadCredentialsException,
    GithubException,
    UnknownObjectException,
)
from github.Repository import Repository
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from collectors.github_client import RequestCounter
from collectors.pulls.fetch import (
    ListedPull,
    fetch_pull,
    list_changed_pulls,
    review_comments_of,
)
from collectors.pulls.graphql import BATCH as GRAPHQL_BATCH
from collectors.pulls.graphql import GraphPull, fetch_pulls_graphql, rate_limited_wait
from collectors.pulls.records import PullRequestRecord
from collectors.pulls.store import (
    read_cursor,
    repository_row,
    save_pulls,
    stored_versions,
    upsert_repository,
    write_cursor,
)

BATCH_SIZE = GRAPHQL_BATCH
Progress = Callable[[str], None]


class CollectError(Exception):
    """A problem the user can fix (token, repository name); shown without a traceback."""


@dataclass
class PullSyncStats:
    repository: str
    listed: int = 0
    fetched: int = 0
    skipped_unchanged: int = 0
    requests: int = 0
    via: str = "rest"
    rest_fallbacks: int = 0
    cursor: str | None = None
    batches: int = 0
    numbers: list[int] = field(default_factory=list)


def explain(error: GithubException, repo_name: str, api_url: str) -> CollectError:
    """Turn PyGithub's exceptions into messages that say what to do."""
    if isinstance(error, BadCredentialsException):
        return CollectError(
            f"GitHub at {api_url} rejected the token (401 Bad credentials): "
            "check GEMBA_GITHUB_TOKEN"
        )
    if isinstance(error, UnknownObjectException):
        return CollectError(
            f"repository {repo_name} not found at {api_url} "
            "(check the name, or the token cannot see it)"
        )
    message = error.data.get("message") if isinstance(error.data, dict) else error.data
    return CollectError(f"GitHub answered {error.status} for {repo_name}: {message}")


def collect_pulls(
    engine: Engine,
    gh: Github,
    repo_name: str,
    *,
    full: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    graphql: bool | None = None,
    max_wait: float = 3600,
) -> PullSyncStats:
    """Bring `repo_name`'s pull requests up to date; `full` re-reads every PR.

    graphql: fetch changed PRs in batches over GraphQL (None: when authenticated, since
    GitHub's GraphQL API needs a token); False: REST only, about four requests per PR.
    max_wait: longest wait for a GraphQL rate-limit reset (REST waits are GithubRetry's).
    """
    say = progress or (lambda _message: None)
    stats = PullSyncStats(repo_name)
    api_url = gh.requester.base_url
    use_graphql = gh.requester.auth is not None if graphql is None else graphql
    fetcher = _Fetcher(gh, repo_name, use_graphql, stats, say, max_wait)
    with RequestCounter() as counter:
        try:
            _sync(engine, gh, repo_name, full, batch_size, stats, say, fetcher)
        except GithubException as error:
            raise explain(error, repo_name, api_url) from error
        finally:
            stats.requests = counter.count
    return stats


def _sync(
    engine: Engine,
    gh: Github,
    repo_name: str,
    full: bool,
    batch_size: int,
    stats: PullSyncStats,
    say: Progress,
    fetcher: _Fetcher,
) -> None:
    with session_scope(engine) as session:
        known = repository_row(session, repo_name)
        since = None if full else read_cursor(session, repo_name)
        repository_id = known.id if known and known.github_id else None
    if repository_id is None:
        repo = gh.get_repo(repo_name)  # one request, first time only: ids and default branch
        with session_scope(engine) as session:
            repository_id = upsert_repository(
                session,
                name=repo_name,
                github_id=repo.id,
                default_branch=repo.default_branch,
                html_url=repo.html_url,
            )
    else:
        repo = gh.withLazy(True).get_repo(repo_name)
    listed: dict[int, ListedPull] = {}
    for pull in list_changed_pulls(repo, since=since):
        listed.setdefault(pull.id, pull)  # a PR updated while we page can appear twice
    stats.listed = len(listed)
    with session_scope(engine) as session:
        stored = {} if full else stored_versions(session, list(listed))
    todo = sorted(
        (p for p in listed.values() if stored.get(p.id) != p.updated_at),
        key=lambda p: (p.updated_at, p.number),
    )
    stats.skipped_unchanged = len(listed) - len(todo)
    if todo:
        say(
            f"{repo_name}: {len(todo)} pull requests to fetch ({stats.skipped_unchanged} unchanged)"
        )
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        records = fetcher.fetch(repo, batch)
        high_water = max(p.updated_at for p in batch)
        with session_scope(engine) as session:
            save_pulls(session, repository_id=repository_id, records=records)
            write_cursor(session, repo_name, high_water)
        stats.fetched += len(records)
        stats.batches += 1
        stats.numbers.extend(r.number for r in records)
        stats.cursor = high_water.isoformat()
        say(f"{repo_name}: stored {stats.fetched}/{len(todo)} pull requests")
    if not todo and listed:
        # Nothing new, but make sure the cursor is at the newest PR we have seen.
        with session_scope(engine) as session:
            write_cursor(session, repo_name, max(p.updated_at for p in listed.values()))
    with session_scope(engine) as session:
        cursor = read_cursor(session, repo_name)
    stats.cursor = cursor.isoformat() if cursor else None


def cursor_of(engine: Engine, repo_name: str) -> datetime | None:
    with session_scope(engine) as session:
        return read_cursor(session, repo_name)


class _Fetcher:
    """REST, or GraphQL with REST for what does not fit (long lists, missing resolvers)."""

    def __init__(
        self,
        gh: Github,
        repo_name: str,
        graphql: bool,
        stats: PullSyncStats,
        say: Progress,
        max_wait: float,
    ) -> None:
        self.requester = gh.requester
        self.say = say
        self.max_wait = max_wait
        self.owner, self.name = repo_name.split("/", 1)
        self.graphql = graphql
        self.with_comments = True
        self.stats = stats
        stats.via = "graphql" if graphql else "rest"

    def fetch(self, repo: Repository, pulls: list[ListedPull]) -> list[PullRequestRecord]:
        if not self.graphql:
            return [fetch_pull(repo, pull.number) for pull in pulls]
        records = []
        for start in range(0, len(pulls), GRAPHQL_BATCH):
            chunk = pulls[start : start + GRAPHQL_BATCH]
            for item in self._graphql({pull.number: pull.id for pull in chunk}):
                if item.overflow:
                    self.stats.rest_fallbacks += 1
                    records.append(fetch_pull(repo, item.number))
                elif item.record is not None:
                    record = item.record
                    if item.comments_missing:
                        comments = tuple(review_comments_of(repo, item.number))
                        record = replace(record, review_comments=comments)
                    records.append(record)
        return records

    def _graphql(self, ids: dict[int, int]) -> list[GraphPull]:
        try:
            return fetch_pulls_graphql(
                self.requester, self.owner, self.name, ids, with_comments=self.with_comments
            )
        except GithubException as error:
            wait = rate_limited_wait(error, time.time())
            if wait is not None:
                if wait > self.max_wait:
                    raise CollectError(
                        f"GitHub GraphQL rate limit: the reset is {wait:.0f} s away, more than "
                        f"GEMBA_GITHUB_MAX_WAIT_SECONDS ({self.max_wait:.0f}); run again later"
                    ) from error
                self.say(f"GitHub GraphQL rate limit: waiting {wait:.0f} s for the reset")
                time.sleep(wait)
                return self._graphql(ids)
            if not self.with_comments or error.status != 400 or "comments" not in str(error.data):
                raise
            # A server without review comments on reviews (an older GHES): ask without them.
            self.with_comments = False
            return self._graphql(ids)
