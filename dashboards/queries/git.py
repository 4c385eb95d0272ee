"""The SQL behind the git signals: typed rows, aggregated in the database where that is cheap.

Kept apart from `hotspots.py` so the metric definitions stay pure functions over these rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, func
from sqlmodel import Session, col, select

from app.core.identities import Directory, directory
from app.core.models import Commit, FileChange, RepoFile, Repository
from app.core.models.base import as_utc


@dataclass(frozen=True)
class HeadFile:
    """A file present at HEAD."""

    path: str
    loc: int
    is_binary: bool
    size_bytes: int = 0


@dataclass(frozen=True)
class FileTotals:
    """What all non-merge commits in the window did to one file (at its HEAD path)."""

    path: str
    commits: int
    added: int
    deleted: int
    last_changed: datetime


@dataclass(frozen=True)
class AuthorFileRow:
    """What one author email did to one file (at its HEAD path) in non-merge commits."""

    path: str
    author_email: str
    author_name: str
    is_bot: bool
    commits: int
    added: int
    deleted: int
    last_changed: datetime


@dataclass(frozen=True)
class ChangeRow:
    """One file touched by one non-merge commit (for co-change counting)."""

    commit_id: int
    path: str


@dataclass(frozen=True)
class PersonKey:
    """Who an email belongs to: a mapped Person, or the email itself when unmapped."""

    key: str
    name: str
    is_bot: bool


def _rows(session: Session, query: Any) -> Any:
    """Plain Core rows: no ORM identity map or entity loading, which dominates large scans."""
    return session.connection().execute(query)


def head_files(session: Session, *, repository_id: int) -> list[HeadFile]:
    rows = _rows(
        session,
        select(RepoFile.path, RepoFile.loc, RepoFile.is_binary, RepoFile.size_bytes).where(
            RepoFile.repository_id == repository_id
        ),
    )
    return [HeadFile(path, loc, is_binary, size) for path, loc, is_binary, size in rows]


def file_totals(
    session: Session, *, repository_id: int, since: datetime | None, until: datetime
) -> list[FileTotals]:
    """Per file: non-merge commits, lines added and deleted, latest change, in the window."""
    query = _change_totals(repository_id)
    return [
        FileTotals(path, int(commits), int(added or 0), int(deleted or 0), as_utc(last))  # type: ignore[arg-type]
        for path, commits, added, deleted, last in _rows(session, _window(query, since, until))
    ]


def _change_totals(
    repository_id: int, *, keys: tuple[Any, ...] = (), extra: tuple[Any, ...] = ()
) -> Any:
    """Per file (and `keys`): `extra`, then non-merge commits, lines added and deleted, latest
    change. One select, so per-file and per-author totals count commits the same way.
    """
    return (
        select(
            FileChange.path,
            *keys,
            *extra,
            func.count(func.distinct(Commit.id)),
            func.sum(FileChange.added),
            func.sum(FileChange.deleted),
            func.max(Commit.authored_at),
        )
        .join(Commit, Commit.id == FileChange.commit_id)  # type: ignore[arg-type]
        .where(Commit.repository_id == repository_id, col(Commit.is_merge).is_(False))
        .group_by(FileChange.path, *keys)
    )


def _window(query, since: datetime | None, until: datetime):  # type: ignore[no-untyped-def]
    query = query.where(col(Commit.authored_at) <= until)
    if since is not None:
        query = query.where(col(Commit.authored_at) >= since)
    return query


def author_file_rows(
    session: Session,
    *,
    repository_id: int,
    since: datetime | None,
    until: datetime,
    emails: Iterable[str] | None = None,
    paths: Iterable[str] | None = None,
) -> list[AuthorFileRow]:
    """Per (file, author email): commits, added, deleted, last change; merges are left out.

    `paths` narrows the scan to a few files (a top-N list) instead of the whole history.
    """
    query = _change_totals(
        repository_id,
        keys=(Commit.author_email,),
        extra=(func.max(Commit.author_name), func.max(cast(Commit.is_bot, Integer))),
    )
    if emails is not None:
        query = query.where(func.lower(Commit.author_email).in_({e.lower() for e in emails}))
    if paths is not None:
        query = query.where(col(FileChange.path).in_(set(paths)))
    rows = _rows(session, _window(query, since, until))
    return [
        AuthorFileRow(
            path=path,
            author_email=email,
            author_name=name,
            is_bot=bool(bot),
            commits=int(commits),
            added=int(added or 0),
            deleted=int(deleted or 0),
            last_changed=as_utc(last),  # type: ignore[arg-type]
        )
        for path, email, name, bot, commits, added, deleted, last in rows
    ]


def change_rows(
    session: Session,
    *,
    repository_id: int,
    since: datetime | None,
    until: datetime,
    max_changeset: int,
) -> list[ChangeRow]:
    """Files of each non-merge commit in the window that touches at most `max_changeset` files."""
    small = _window(
        select(FileChange.commit_id)
        .join(Commit, Commit.id == FileChange.commit_id)  # type: ignore[arg-type]
        .where(Commit.repository_id == repository_id, col(Commit.is_merge).is_(False))
        .group_by(FileChange.commit_id)
        .having(func.count() <= max_changeset),
        since,
        until,
    ).subquery()
    rows = _rows(
        session,
        select(FileChange.commit_id, FileChange.path).where(
            col(FileChange.commit_id).in_(select(small.c.commit_id))
        ),
    )
    return [ChangeRow(commit_id, path) for commit_id, path in rows]


def people_for_emails(people: Directory, emails: Iterable[str]) -> dict[str, PersonKey]:
    """Map each email (case-insensitively) to a person key `person:ID`, when a person owns it.

    `app.core.identities` decides who owns an email (a mapped identity, else a person's own
    email); an unmapped email is left out, so it stands for itself (`email:ADDRESS`).
    """
    result: dict[str, PersonKey] = {}
    for email in {e.lower() for e in emails}:
        pid = people.person_of_email(email)
        if pid is not None:
            member = people.people[pid]
            result[email] = PersonKey(f"person:{pid}", member.display_name, member.is_bot)
    return result


def last_commit_by_email(session: Session, *, emails: Iterable[str]) -> dict[str, datetime]:
    """Latest authored_at per lower-cased email, across every collected repository. Asked by
    every stored spelling (the email index), folded to lower case here."""
    spellings = directory(session).spellings("email", emails)
    if not spellings:
        return {}
    rows = session.exec(
        select(Commit.author_email, func.max(Commit.authored_at))
        .where(col(Commit.author_email).in_(sorted(spellings)))
        .group_by(Commit.author_email)
    )
    latest: dict[str, datetime] = {}
    for email, last in rows:
        at = as_utc(last)  # type: ignore[arg-type]
        key = str(email).lower()
        if at is not None and (key not in latest or at > latest[key]):
            latest[key] = at
    return latest


def emails_of_keys(people: Directory, keys: Iterable[str]) -> dict[str, set[str]]:
    """Every commit email (lower-cased) behind each person key (reverse of `people_for_emails`)."""
    keys = set(keys)
    emails = people.every_email()
    mapping = people_for_emails(people, emails)
    result: dict[str, set[str]] = {key: set() for key in keys}
    for email in emails:
        key = mapping[email].key if email in mapping else f"email:{email}"
        if key in result:
            result[key].add(email)
    return result


def repositories(session: Session) -> dict[int, str]:
    return {rid: name for rid, name in session.exec(select(Repository.id, Repository.name))}  # type: ignore[misc]
