"""The SQL behind the pain map: which files each PR touched, and the runs of each PR.

GitHub's list of a PR's files is not collected, so the files come from the git history
(docs/metrics.md, "Pain map"): the files changed by the PR's head commit (its last commit,
in the history once the PR is merged with a merge commit or rebased), by commits whose
subject names the PR as a squash merge does ("... (#N)"), and the files reviewers commented
on in the PR. Paths are HEAD paths, as the git collector stores them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.core.models import (
    Commit,
    FileChange,
    FrictionFlag,
    Identity,
    Person,
    PullRequest,
    RepoFile,
    Repository,
    Review,
    ReviewComment,
    RunAttempt,
    SyncCursor,
    WorkflowRun,
)
from app.core.models.base import as_utc
from dashboards.queries.pages import data_version as pages_data_version

SQUASH = re.compile(r"\(#(\d+)\)\s*$")


@dataclass(frozen=True)
class RunRow:
    """One workflow run of a PR, as of its latest attempt, and whether an attempt flaked."""

    id: int
    number: int  # the PR
    name: str
    conclusion: str | None  # of the latest attempt
    conclusions: frozenset[str]  # of every attempt
    html_url: str | None
    created_at: datetime


@dataclass(frozen=True)
class CommitRow:
    sha: str
    summary: str
    authored_at: datetime


def pull_heads(
    session: Session, *, repository_id: int, numbers: Collection[int]
) -> dict[int, str | None]:
    """Head SHA of each of these PRs."""
    if not numbers:
        return {}
    query = select(PullRequest.number, PullRequest.head_sha).where(
        PullRequest.repository_id == repository_id, col(PullRequest.number).in_(list(numbers))
    )
    return {number: sha for number, sha in session.exec(query)}


def pull_paths(
    session: Session, *, repository_id: int, heads: Mapping[int, str | None], ids: Mapping[int, int]
) -> dict[str, set[int]]:
    """PR numbers per path. `heads`: number -> head SHA; `ids`: PR row id -> number."""
    result: dict[str, set[int]] = defaultdict(set)
    by_sha = {sha: number for number, sha in heads.items() if sha}
    changes = (
        select(Commit.sha, Commit.summary, FileChange.path)
        .join(FileChange, FileChange.commit_id == Commit.id)  # type: ignore[arg-type]
        .where(Commit.repository_id == repository_id)
    )
    if by_sha:
        for sha, _, path in session.exec(changes.where(col(Commit.sha).in_(list(by_sha)))):
            result[path].add(by_sha[sha])
    for _, summary, path in session.exec(changes.where(col(Commit.summary).like("%(#%)%"))):
        match = SQUASH.search(summary)
        if match and int(match.group(1)) in heads:
            result[path].add(int(match.group(1)))
    if ids:
        comments = select(ReviewComment.pull_request_id, ReviewComment.path).where(
            col(ReviewComment.pull_request_id).in_(list(ids)),
            col(ReviewComment.path).is_not(None),
        )
        for pull_id, path in session.exec(comments):
            result[str(path)].add(ids[pull_id])
    return dict(result)


def pull_runs(
    session: Session, *, repository_id: int, heads: Mapping[int, str | None]
) -> dict[int, list[RunRow]]:
    """Runs of each PR: those GitHub tied to the PR, and those on the PR's head SHA."""
    by_sha = {sha: number for number, sha in heads.items() if sha}
    columns = (
        WorkflowRun.id,
        WorkflowRun.name,
        WorkflowRun.head_sha,
        WorkflowRun.conclusion,
        WorkflowRun.html_url,
        WorkflowRun.created_at,
        WorkflowRun.pull_numbers,
    )
    runs = list(
        session.connection().execute(
            select(*columns).where(WorkflowRun.repository_id == repository_id)
        )
    )
    wanted = {
        run.id: numbers for run in runs if (numbers := _numbers_of(run, heads.keys(), by_sha))
    }
    outcomes: dict[int, set[str]] = defaultdict(set)
    if wanted:
        attempts = select(RunAttempt.run_id, RunAttempt.conclusion).where(
            col(RunAttempt.run_id).in_(list(wanted))
        )
        for run_id, conclusion in session.exec(attempts):
            outcomes[run_id].add(conclusion or "")
    result: dict[int, list[RunRow]] = defaultdict(list)
    for run in runs:
        seen = outcomes[run.id] | {run.conclusion or ""}
        for number in wanted.get(run.id, ()):
            result[number].append(
                RunRow(
                    id=run.id,
                    number=number,
                    name=run.name,
                    conclusion=run.conclusion,
                    conclusions=frozenset(seen),
                    html_url=run.html_url,
                    created_at=as_utc(run.created_at),  # type: ignore[arg-type]
                )
            )
    return dict(result)


def _numbers_of(run: Any, known: Collection[int], by_sha: Mapping[str, int]) -> set[int]:
    numbers = {n for n in run.pull_numbers or () if n in known}
    if run.head_sha in by_sha:
        numbers.add(by_sha[run.head_sha])
    return numbers


def path_commits(
    session: Session,
    *,
    repository_id: int,
    path: str,
    since: datetime,
    until: datetime,
    limit: int = 50,
) -> list[CommitRow]:
    """Non-merge commits that changed `path` or anything under it in the window, newest first."""
    query = (
        select(Commit.sha, Commit.summary, Commit.authored_at)
        .join(FileChange, FileChange.commit_id == Commit.id)  # type: ignore[arg-type]
        .where(
            Commit.repository_id == repository_id,
            col(Commit.is_merge).is_(False),
            Commit.authored_at >= since,
            Commit.authored_at <= until,
        )
        .distinct()
        .order_by(col(Commit.authored_at).desc())
        .limit(limit)
    )
    if path:
        query = query.where(
            (FileChange.path == path) | col(FileChange.path).startswith(path.rstrip("/") + "/")
        )
    return [CommitRow(sha, summary, as_utc(at)) for sha, summary, at in session.exec(query)]  # type: ignore[arg-type]


def team_repositories(
    session: Session, *, logins: Collection[str], since: datetime, until: datetime
) -> list[str]:
    """Repositories where these people opened PRs alive in the period, by name: a team's map.
    The PRs are read by the author index and their repositories deduplicated here (a DISTINCT
    join walks every PR in repository order instead)."""
    if not logins:
        return []
    ids = set(
        session.exec(
            select(PullRequest.repository_id).where(
                col(PullRequest.author_login).in_(list(logins)),
                PullRequest.created_at < until,
                (col(PullRequest.closed_at).is_(None)) | (col(PullRequest.closed_at) >= since),
            )
        )
    )
    names = session.exec(select(Repository.name).where(col(Repository.id).in_(sorted(ids))))
    return sorted(names)


def flagged_items(session: Session, *, repo: str) -> tuple[set[str], set[int]]:
    """Paths and PR numbers of `repo` that any flag names, whoever may see it: the map asks
    the flag lookup about these few items instead of every file at HEAD."""
    rows = session.connection().execute(
        select(FrictionFlag.path, FrictionFlag.pull_number)
        .where(FrictionFlag.repo == repo)
        .distinct()
    )
    paths, pulls = set(), set()
    for path, number in rows:
        if path is not None:
            paths.add(path)
        if number is not None:
            pulls.add(number)
    return paths, pulls


def data_version(session: Session, *, repository_id: int, repo: str) -> tuple[object, ...]:
    """What changes whenever the data behind a repository's map changes: every collect moves
    its cursor's `updated_at` in the same transaction as its rows (a rerun's new attempt, a
    run's or PR's update among them); new rows move a count or a largest id. Index look-ups
    and small counts, the repository's part in one statement, the shared part once per
    transaction however many repositories a page maps."""
    repo_rows = {
        SyncCursor: SyncCursor.repository == repo,
        Commit: Commit.repository_id == repository_id,
        RepoFile: RepoFile.repository_id == repository_id,
        PullRequest: PullRequest.repository_id == repository_id,
        WorkflowRun: WorkflowRun.repository_id == repository_id,
    }
    latest: dict[type, Any] = {
        SyncCursor: func.max(SyncCursor.updated_at),
        Commit: func.max(Commit.id),
        PullRequest: func.max(PullRequest.updated_at),
    }
    parts: list[Any] = []
    for table, where in repo_rows.items():
        parts.append(select(func.count()).select_from(table).where(where).scalar_subquery())
        if table in latest:
            parts.append(select(latest[table]).where(where).scalar_subquery())
    own = tuple(session.connection().execute(select(*parts)).one())
    return own + _shared_version(session)


_SHARED_KEY = "gemba_painmap_shared_version"


@sa_event.listens_for(OrmSession, "after_commit")
@sa_event.listens_for(OrmSession, "after_rollback")
def _forget_shared_version(session: OrmSession) -> None:
    """A new transaction may see new reviews or people: the next map asks again."""
    session.info.pop(_SHARED_KEY, None)


def every_repository_version(session: Session) -> tuple[object, ...]:
    """What changes whenever the data behind any repository's map changes: the data version
    every page keeps its readings under (a collect anywhere moves it) and the shared part
    above. Coarser than `data_version`, and one look-up however many repositories it covers."""
    return (*pages_data_version(session), *_shared_version(session))


def _shared_version(session: Session) -> tuple[object, ...]:
    """Reviews, review comments, people and identities: tables without a repository column."""
    cached = session.info.get(_SHARED_KEY)
    if cached is None:
        parts: list[Any] = []
        for table, column in (
            (Review, Review.id),
            (ReviewComment, ReviewComment.id),
            (Person, Person.id),
            (Identity, Identity.id),
        ):
            parts.append(select(func.count()).select_from(table).scalar_subquery())
            parts.append(select(func.max(column)).scalar_subquery())
        cached = session.info[_SHARED_KEY] = tuple(
            session.connection().execute(select(*parts)).one()
        )
    return cached  # type: ignore[no-any-return]


def paths_changed_by(
    session: Session, *, emails: Collection[str], since: datetime, until: datetime
) -> dict[str, set[str]]:
    """Per repository name, the paths that non-merge commits by these emails (any case)
    changed in the period: the files a person works in."""
    lowered = sorted({e.lower() for e in emails})
    if not lowered:
        return {}
    rows = session.connection().execute(
        select(Repository.name, FileChange.path)
        .join(Commit, Commit.repository_id == Repository.id)  # type: ignore[arg-type]
        .join(FileChange, FileChange.commit_id == Commit.id)  # type: ignore[arg-type]
        .where(
            func.lower(Commit.author_email).in_(lowered),
            col(Commit.is_merge).is_(False),
            Commit.authored_at >= since,
            Commit.authored_at <= until,
        )
        .distinct()
    )
    result: dict[str, set[str]] = defaultdict(set)
    for repo, path in rows:
        result[repo].add(path)
    return dict(result)
