"""Whose build a run is: the PR authors behind runs, and the runs a few people may own.

The rule (docs/metrics.md, "CI health and flaky builds"): a run belongs to the author of its
pull request (by the PR numbers GitHub lists on the run, else by head SHA), else to the actor
who pushed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.core.identities import directory
from app.core.models import PullRequest, WorkflowRun
from app.core.models.base import as_utc

PullsByNumber = dict[tuple[int, int], str | None]
PullsBySha = dict[tuple[int, str], tuple[int, str | None]]


@dataclass(frozen=True)
class Owners:
    """Whose runs to keep: every spelling of their logins, and their PRs' SHAs and branches."""

    logins: frozenset[str]  # any spelling, as stored in runs and PRs
    persons: frozenset[str]  # their own logins, as `People.person` names them
    shas: frozenset[str]
    branches: frozenset[str]

    @classmethod
    def of(
        cls,
        session: Session,
        logins: Iterable[str],
        *,
        since: datetime,
        until: datetime,
        runs: bool = True,
    ) -> Owners:
        """Their PRs open at some point in [since, until): the ones runs in it can be for
        (with `runs=False`, only who they are: no SHAs or branches to look runs up by)."""
        people = directory(session)
        wanted = set(logins)
        ids = {pid for pid in map(people.person_of_login, wanted) if pid is not None}
        spellings = wanted | people.logins_of(*ids)
        shas: set[str] = set()
        branches: set[str] = set()
        for start in range(0, len(spellings) if runs else 0, 500):
            chunk = sorted(spellings)[start : start + 500]
            for sha, ref in session.exec(
                select(PullRequest.head_sha, PullRequest.head_ref).where(
                    col(PullRequest.author_login).in_(chunk),
                    PullRequest.created_at < until,
                    or_(col(PullRequest.closed_at).is_(None), col(PullRequest.closed_at) >= since),
                )
            ):
                shas.update([sha] if sha else [])
                branches.update([ref] if ref else [])
        own = {people.own_login(login) or login for login in wanted}
        return cls(frozenset(spellings), frozenset(own), frozenset(shas), frozenset(branches))

    def run_ids(self, session: Session, *, since: datetime, until: datetime) -> list[int]:
        """Runs created in [since, until) these people may own: pushed by them, or on one of
        their PRs' SHAs or branches. One indexed lookup per column (a single OR, or the window
        in SQL, lets the planners scan the whole window instead); the window is applied here."""
        found: set[int] = set()
        for column, values in (
            (WorkflowRun.actor_login, self.logins),
            (WorkflowRun.head_sha, self.shas),
            (WorkflowRun.head_branch, self.branches),
        ):
            ordered = sorted(values)
            for start in range(0, len(ordered), 500):
                rows = session.exec(
                    select(WorkflowRun.id, WorkflowRun.created_at).where(
                        col(column).in_(ordered[start : start + 500])
                    )
                )
                found.update(i for i, at in rows if since <= as_utc(at) < until)  # type: ignore[operator]
        return sorted(found)


def pull_authors(
    session: Session, numbers: set[tuple[int, int]], shas: set[tuple[int, str]]
) -> tuple[PullsByNumber, PullsBySha]:
    """(repo id, number) -> PR author and (repo id, head SHA) -> (number, author), for just
    the PRs these runs name."""
    by_number: dict[tuple[int, int], str | None] = {}
    by_sha: dict[tuple[int, str], tuple[int, str | None]] = {}
    columns = select(
        PullRequest.repository_id,
        PullRequest.number,
        PullRequest.author_login,
        PullRequest.head_sha,
    )
    wanted: dict[tuple[int, Any], set[Any]] = defaultdict(set)
    for repo_id, number in numbers:
        wanted[(repo_id, PullRequest.number)].add(number)
    for repo_id, sha in shas:
        wanted[(repo_id, PullRequest.head_sha)].add(sha)
    for (repo_id, field_), values in wanted.items():  # per repository: no other repo's PRs
        ordered = sorted(values)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for repo, number, author, head_sha in session.exec(
                columns.where(PullRequest.repository_id == repo_id, col(field_).in_(chunk))
            ):
                by_number[(repo, number)] = author
                if head_sha:
                    by_sha[(repo, head_sha)] = (number, author)
    return by_number, by_sha
