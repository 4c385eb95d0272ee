"""Hotspots, ownership, coupling and knowledge risk of one repository (and the files a person
touched), read from the database: rows from `dashboards.queries.git`, numbers from the pure
functions in `dashboards.signals.hotspots` (definitions there and in docs/metrics.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from app.core.identities import directory
from dashboards.queries import git as q
from dashboards.queries.git import (
    AuthorFileRow,
)
from dashboards.reports.repositories import UnknownRepositoryError, require_repository
from dashboards.signals.hotspots import (
    DEFAULT_INACTIVE,
    DEFAULT_WINDOW,
    Coupling,
    FileOwnership,
    FileStats,
    Hotspot,
    KnowledgeRisk,
    TouchedFile,
    compute_coupling,
    compute_file_stats,
    compute_hotspots,
    compute_knowledge_risk,
    compute_ownership,
    rank_files,
)

UnknownRepository = UnknownRepositoryError  # the name the callers of these reports know


def _repo_id(session: Session, repo: str) -> int:
    return require_repository(session, repo)


def _stats(
    session: Session,
    repo_id: int,
    since: datetime | None,
    now: datetime,
    paths: Iterable[str] | None = None,
) -> dict[str, FileStats]:
    start = since if since is not None else now - DEFAULT_WINDOW
    rows = q.author_file_rows(session, repository_id=repo_id, since=start, until=now, paths=paths)
    people = q.people_for_emails(directory(session), {r.author_email for r in rows})
    return compute_file_stats(rows, people)


def hotspots(
    session: Session,
    *,
    repo: str,
    now: datetime,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[Hotspot]:
    """Files at HEAD ranked by change frequency x size over [since, now] (default 365 days).

    Raises UnknownRepository when `repo` was never collected.
    """
    repo_id = _repo_id(session, repo)
    start = since if since is not None else now - DEFAULT_WINDOW
    totals = q.file_totals(session, repository_id=repo_id, since=start, until=now)
    ranked = rank_files(totals, q.head_files(session, repository_id=repo_id))
    ranked = ranked[:limit] if limit is not None else ranked
    paths = [file.path for file, _, _ in ranked] if limit is not None else None
    return compute_hotspots(ranked, _stats(session, repo_id, since, now, paths))


def ownership(
    session: Session,
    *,
    repo: str,
    now: datetime,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[FileOwnership]:
    """Per file at HEAD: distinct people, main author and their share of added lines."""
    repo_id = _repo_id(session, repo)
    stats = _stats(session, repo_id, since, now)
    return compute_ownership(stats, q.head_files(session, repository_id=repo_id), limit=limit)


def coupling(
    session: Session,
    *,
    repo: str,
    now: datetime,
    since: datetime | None = None,
    max_changeset: int = 30,
    min_revs: int = 5,
    min_shared: int = 5,
    min_degree: float = 30.0,
    limit: int | None = None,
) -> list[Coupling]:
    """Pairs of files at HEAD that change together (Code Maat's `coupling` analysis)."""
    repo_id = _repo_id(session, repo)
    start = since if since is not None else now - DEFAULT_WINDOW
    changes = q.change_rows(
        session, repository_id=repo_id, since=start, until=now, max_changeset=max_changeset
    )
    head_paths = {f.path for f in q.head_files(session, repository_id=repo_id)}
    return compute_coupling(
        changes,
        head_paths,
        min_revs=min_revs,
        min_shared=min_shared,
        min_degree=min_degree,
        limit=limit,
    )


def knowledge_risk(
    session: Session,
    *,
    repo: str,
    now: datetime,
    since: datetime | None = None,
    inactive: timedelta = DEFAULT_INACTIVE,
    limit: int | None = None,
) -> list[KnowledgeRisk]:
    """Files whose main author has made no commit in any repository for `inactive` (90 days)."""
    owners = ownership(session, repo=repo, now=now, since=since)
    risks = risks_of(session, owners, now=now, inactive=inactive)
    return risks[:limit] if limit is not None else risks


def risks_of(
    session: Session,
    ownership: Iterable[FileOwnership],
    *,
    now: datetime,
    inactive: timedelta = DEFAULT_INACTIVE,
) -> list[KnowledgeRisk]:
    """Knowledge risk of files whose ownership is already known (the pain map has it)."""
    owners = [o for o in ownership if o.main_author]
    keys = {o.contributors[0].key for o in owners}
    emails = q.emails_of_keys(directory(session), keys)
    seen_by_email = q.last_commit_by_email(session, emails=set().union(*emails.values()))
    last_seen: dict[str, datetime] = {}
    for key, addresses in emails.items():
        times = [seen_by_email[e] for e in addresses if e in seen_by_email]
        if times:
            last_seen[key] = max(times)
    return compute_knowledge_risk(owners, last_seen, now=now, inactive=inactive)


def files_touched_by(
    session: Session,
    *,
    emails: Iterable[str],
    now: datetime,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[TouchedFile]:
    """Files present at HEAD (any repository) that these emails changed in non-merge commits.

    For a person's page: pass every email of the person (`Directory.emails_of`).
    """
    wanted = {e.lower() for e in emails}
    if not wanted:
        return []
    start = since if since is not None else now - DEFAULT_WINDOW
    names = q.repositories(session)
    result = []
    for repo_id, repo_name in names.items():
        rows = q.author_file_rows(
            session, repository_id=repo_id, since=start, until=now, emails=wanted
        )
        at_head = {f.path for f in q.head_files(session, repository_id=repo_id)}
        per_path: dict[str, list[AuthorFileRow]] = defaultdict(list)
        for row in rows:
            if row.path in at_head:
                per_path[row.path].append(row)
        for path, mine in per_path.items():
            result.append(
                TouchedFile(
                    repo=repo_name,
                    path=path,
                    commits=sum(r.commits for r in mine),
                    added=sum(r.added for r in mine),
                    deleted=sum(r.deleted for r in mine),
                    last_changed=max(r.last_changed for r in mine),
                )
            )
    result.sort(key=lambda t: (-t.commits, t.repo, t.path))
    return result[:limit] if limit is not None else result
