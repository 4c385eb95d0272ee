"""Collect one repository's GitHub Actions history: workflows, runs, every attempt, every job.

How a sync proceeds (incremental unless `full`):
1. Workflows (one page per 100): upserted by id, so a renamed workflow keeps one identity.
2. Runs created since the cursor's `created_through` minus a rerun look-back (a rerun keeps its
   run's `created_at`), listed with `created=a..b`. GitHub serves
   at most 1,000 results per filtered listing, so a window whose `total_count` is over the cap
   is split in half until each part fits (a part of one second that is still too big is read
   up to the cap and reported).
3. Runs already stored at the same attempt and `updated_at` are skipped; for the others we read
   the earlier attempts still unknown (`/attempts/{n}`) and the jobs of all attempts
   (`/jobs?filter=all`).
4. Runs stored while still running and not listed again are read by id (deleted ones are
   forgotten).
5. Check runs of other apps (external CI) for the head SHAs of pull requests changed since.
Windows are handled oldest first and runs saved in batches with the cursor, so an interrupted
sync resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from github import Github
from github.CheckRun import CheckRun
from github.GithubException import GithubException, UnknownObjectException
from github.GithubObject import GithubObject
from github.PaginatedList import PaginatedList
from github.Repository import Repository as GhRepository
from github.WorkflowRun import WorkflowRun as GhRun
from requests.exceptions import RequestException
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.core.db import session_scope
from app.core.models import PullRequest
from app.core.settings import Settings
from collectors.ci.records import (
    ACTIONS_APP,
    AttemptRecord,
    CheckRunRecord,
    JobRecord,
    RunBundle,
    WorkflowRecord,
)
from collectors.ci.store import (
    CiCursor,
    checked_shas,
    delete_runs,
    finished_attempts,
    read_cursor,
    save_check_runs,
    save_runs,
    save_workflows,
    stored_runs,
    unfinished_runs,
    write_cursor,
)
from collectors.github_client import RequestCounter
from collectors.pulls.store import upsert_repository
from collectors.pulls.sync import CollectError, explain

RESULT_CAP = 1000
BATCH_SIZE = 25
SMALLEST_WINDOW = timedelta(seconds=1)
Progress = Callable[[str], None]


@dataclass
class CollectStats:
    repository: str
    workflows: int = 0
    listed: int = 0
    runs: int = 0
    skipped_unchanged: int = 0
    attempts: int = 0
    jobs: int = 0
    check_runs: int = 0
    windows: int = 0
    capped_windows: int = 0
    requests: int = 0
    still_open: int = 0

    def __str__(self) -> str:
        return (
            f"{self.runs} runs stored ({self.skipped_unchanged} unchanged), "
            f"{self.attempts} attempts, {self.jobs} jobs, {self.check_runs} external checks, "
            f"{self.still_open} still running, {self.requests} requests"
        )


def raw(obj: GithubObject) -> dict[str, Any]:
    """The JSON PyGithub received, without `raw_data`'s completion (a hidden extra request)."""
    return GithubObject.raw_data.fget(obj)  # type: ignore[attr-defined, no-any-return]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- fetch


def list_runs(
    repo: GhRepository, since: datetime, until: datetime, stats: CollectStats, say: Progress
) -> Iterator[dict[str, Any]]:
    """Runs created in [since, until] (whole seconds), oldest window first, split at the cap."""
    listing = repo.get_workflow_runs(created=f"{_stamp(since)}..{_stamp(until)}")
    pages = iter(listing)
    first = next(pages, None)
    total = listing.totalCount  # known from the first page, no extra request
    if total > RESULT_CAP and until - since > SMALLEST_WINDOW:
        middle = since + (until - since) / 2
        middle = middle.replace(microsecond=0)
        say(f"{total} runs from {_stamp(since)} to {_stamp(until)}: splitting the window")
        yield from list_runs(repo, since, middle, stats, say)
        yield from list_runs(repo, middle + timedelta(seconds=1), until, stats, say)
        return
    stats.windows += 1
    if total > RESULT_CAP:
        stats.capped_windows += 1
        say(f"{total} runs created within one second: only {RESULT_CAP} can be read")
    if first is None:
        return
    # By id: a page boundary that shifts while we read must not store a run twice in one batch.
    window = {run["id"]: run for run in (raw(first), *(raw(run) for run in pages))}
    yield from sorted(window.values(), key=lambda r: (r.get("created_at") or "", r["id"]))


def fetch_bundle(gh_run: GhRun, known_done: set[int]) -> RunBundle:
    """A run with its earlier attempts (those not stored as finished) and all jobs."""
    latest = AttemptRecord.from_json(raw(gh_run))
    attempts = [latest]
    for number in range(1, latest.attempt):
        if number in known_done:
            continue
        try:
            attempts.append(AttemptRecord.from_json(raw(gh_run.get_attempt(number))))
        except UnknownObjectException:
            continue  # an attempt GitHub no longer has: keep what we know
    jobs = {job.id: JobRecord.from_json(raw(job)) for job in gh_run.jobs(_filter="all")}
    return RunBundle(latest, tuple(sorted(attempts, key=lambda a: a.attempt)), tuple(jobs.values()))


def fetch_check_runs(repo: GhRepository, sha: str) -> list[CheckRunRecord]:
    """Check runs of one commit from apps other than GitHub Actions (Actions is read as runs)."""
    checks: PaginatedList[CheckRun] = PaginatedList(
        CheckRun,
        repo.requester,
        f"{repo.url}/commits/{sha}/check-runs",
        {"filter": "all"},
        list_item="check_runs",
    )
    records = [CheckRunRecord.from_json(raw(check)) for check in checks]
    return [r for r in records if r.app_slug != ACTIONS_APP]


# --------------------------------------------------------------------------- collect


def collect_ci(
    engine: Engine,
    gh: Github,
    repo_full_name: str,
    settings: Settings,
    *,
    full: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> CollectStats:
    """Bring a repository's Actions runs, attempts, jobs and external checks up to date.

    Incremental: runs created since the last sync minus `settings.ci_rerun_lookback_days`
    (reruns of older runs are found by `full=True`), plus the runs still running at the last
    sync.
    """
    say = progress or (lambda _message: None)
    stats = CollectStats(repo_full_name)
    api_url = gh.requester.base_url
    with RequestCounter() as counter:
        try:
            _sync(
                engine,
                gh,
                repo_full_name,
                full=full,
                now=now or datetime.now(UTC),
                batch_size=batch_size,
                rerun_lookback=timedelta(days=settings.ci_rerun_lookback_days),
                stats=stats,
                say=say,
            )
        except GithubException as error:
            raise explain(error, repo_full_name, api_url) from error
        except RequestException as error:  # retries used up, or GitHub unreachable
            raise CollectError(
                f"GitHub at {api_url} kept failing for {repo_full_name} ({_reason(error)}); "
                f"{stats.runs} runs were stored, run again to resume"
            ) from error
        finally:
            stats.requests = counter.count
    return stats


def _reason(error: RequestException) -> str:
    """urllib3's own reason when there is one (e.g. "too many 502 error responses")."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return str(reason or error)


def _sync(
    engine: Engine,
    gh: Github,
    name: str,
    *,
    full: bool,
    now: datetime,
    batch_size: int,
    rerun_lookback: timedelta,
    stats: CollectStats,
    say: Progress,
) -> None:
    repo = gh.get_repo(name)
    with session_scope(engine) as session:
        repository_id = upsert_repository(
            session,
            name=name,
            github_id=repo.id,
            default_branch=repo.default_branch,
            html_url=repo.html_url,
        )
        cursor = CiCursor() if full else read_cursor(session, name)
        stats.workflows = save_workflows(
            session,
            repository_id=repository_id,
            records=[WorkflowRecord.from_json(raw(w)) for w in repo.get_workflows()],
        )
    previous_through = cursor.created_through
    until = now.replace(microsecond=0)
    if previous_through is None:
        since = repo.created_at or datetime(2008, 1, 1, tzinfo=UTC)
    else:
        since = min(previous_through - rerun_lookback, until)
    batches = _Batches(engine, repo, name, repository_id, cursor, full, stats)
    pending: list[dict[str, Any]] = []
    for run in list_runs(repo, since, until, stats, say):
        stats.listed += 1
        pending.append(run)
        if len(pending) >= batch_size:
            batches.store(pending)
            pending = []
    batches.store(pending)
    # Runs still running at the last sync and not listed again (created before the window).
    with session_scope(engine) as session:
        stale = sorted(unfinished_runs(session, repository_id=repository_id) - batches.seen)
    found, gone = [], []
    for run_id in stale:
        try:
            found.append(raw(repo.get_workflow_run(run_id)))
        except UnknownObjectException:
            gone.append(run_id)
    batches.store(found)
    with session_scope(engine) as session:
        delete_runs(session, gone)
        cursor.created_through = max(cursor.created_through or until, until)
        write_cursor(session, name, cursor)
        stats.still_open = len(unfinished_runs(session, repository_id=repository_id))
    _collect_checks(engine, repo, repository_id, None if full else previous_through, stats)
    say(
        f"{name}: {stats.runs} runs stored ({stats.skipped_unchanged} unchanged), "
        f"{stats.jobs} jobs, {stats.still_open} still running"
    )


class _Batches:
    """Fetches the details of changed runs, batch by batch, saving each with the cursor."""

    def __init__(
        self,
        engine: Engine,
        repo: GhRepository,
        name: str,
        repository_id: int,
        cursor: CiCursor,
        full: bool,
        stats: CollectStats,
    ) -> None:
        self.engine, self.repo, self.name = engine, repo, name
        self.repository_id, self.cursor, self.full, self.stats = repository_id, cursor, full, stats
        self.seen: set[int] = set()

    def store(self, runs: list[dict[str, Any]]) -> None:
        if not runs:
            return
        ids = [run["id"] for run in runs]
        self.seen.update(ids)
        with session_scope(self.engine) as session:
            stored = {} if self.full else stored_runs(session, ids)
            done = {} if self.full else {i: finished_attempts(session, i) for i in ids}
        bundles = []
        for data in runs:
            record = AttemptRecord.from_json(data)
            if stored.get(record.run_id) == (record.attempt, record.status, record.updated_at):
                self.stats.skipped_unchanged += 1
                continue
            gh_run = GhRun(self.repo.requester, {}, data, completed=True)
            bundles.append(fetch_bundle(gh_run, done.get(record.run_id, set())))
        newest = max(AttemptRecord.from_json(run).created_at for run in runs)
        with session_scope(self.engine) as session:
            written = save_runs(session, repository_id=self.repository_id, bundles=bundles)
            through = self.cursor.created_through
            self.cursor.created_through = newest if through is None else max(through, newest)
            write_cursor(session, self.name, self.cursor)
        self.stats.runs += written[0]
        self.stats.attempts += written[1]
        self.stats.jobs += written[2]


def _collect_checks(
    engine: Engine,
    repo: GhRepository,
    repository_id: int,
    since: datetime | None,
    stats: CollectStats,
) -> None:
    """External CI: check runs for head SHAs of PRs updated since the last sync."""
    with session_scope(engine) as session:
        query = select(PullRequest.head_sha).where(
            PullRequest.repository_id == repository_id, col(PullRequest.head_sha).is_not(None)
        )
        if since is not None:
            query = query.where(PullRequest.updated_at >= since)
        shas = sorted({sha for sha in session.exec(query) if sha})
        done = checked_shas(session, repository_id=repository_id, shas=shas)
    for sha in shas:
        if sha in done:
            continue
        records = fetch_check_runs(repo, sha)
        with session_scope(engine) as session:
            stats.check_runs += save_check_runs(
                session, repository_id=repository_id, records=records
            )
