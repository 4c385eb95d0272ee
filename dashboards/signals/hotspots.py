"""Hotspots, ownership, temporal coupling and knowledge risk for files at HEAD.

Definitions (docs/metrics.md, "Hotspots, ownership, coupling"):
- merges are left out of every count (their diff repeats work already counted on the branch);
- paths are the paths at HEAD, renames followed by the collector;
- bots count for the file (commits, churn) but never as people (authors, owners, risk);
- "people": emails claimed by the same Person are one person, unmapped emails are themselves.

The functions are pure over typed rows (`dashboards.queries.git`) with an explicit `now`;
`dashboards.reports.hotspots` reads the rows and calls them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations

from dashboards.queries.git import (
    AuthorFileRow,
    ChangeRow,
    FileTotals,
    HeadFile,
    PersonKey,
)

DEFAULT_WINDOW = timedelta(days=365)


DEFAULT_INACTIVE = timedelta(days=90)


@dataclass(frozen=True)
class Contributor:
    """One person's part in a file: non-merge commits and lines added in the window."""

    key: str  # "person:ID" or "email:ADDRESS"
    name: str
    commits: int
    added: int
    share: float | None  # of the lines added by people; None when nobody added a line


@dataclass(frozen=True)
class Hotspot:
    path: str
    commits: int
    churn: int
    added: int
    deleted: int
    loc: int
    authors: int
    main_author: str | None
    main_author_share: float | None
    last_changed: datetime
    score: float


@dataclass(frozen=True)
class FileOwnership:
    path: str
    loc: int
    authors: int
    main_author: str | None
    main_author_share: float | None
    contributors: tuple[Contributor, ...]


@dataclass(frozen=True)
class Coupling:
    path: str
    coupled_path: str
    shared: int
    commits: int
    coupled_commits: int
    degree: float  # 100 x shared / mean(commits, coupled_commits)


@dataclass(frozen=True)
class KnowledgeRisk:
    path: str
    loc: int
    main_author: str
    main_author_share: float | None
    main_author_last_commit: datetime
    idle_days: int


@dataclass(frozen=True)
class TouchedFile:
    repo: str
    path: str
    commits: int
    added: int
    deleted: int
    last_changed: datetime


@dataclass
class FileStats:
    commits: int = 0
    added: int = 0
    deleted: int = 0
    last_changed: datetime | None = None
    people: dict[str, list[int]] = field(default_factory=dict)  # key -> [commits, added]
    names: dict[str, str] = field(default_factory=dict)


def person_of(row: AuthorFileRow, people: Mapping[str, PersonKey]) -> PersonKey:
    """The person behind a row's email; bots stay bots whatever the mapping says."""
    email = row.author_email.lower()
    mapped = people.get(email)
    if mapped is not None:
        return PersonKey(mapped.key, mapped.name, mapped.is_bot or row.is_bot)
    return PersonKey(f"email:{email}", row.author_name, row.is_bot)


def compute_file_stats(
    rows: Iterable[AuthorFileRow], people: Mapping[str, PersonKey]
) -> dict[str, FileStats]:
    """Fold per-email rows into per-file totals and per-person contributions."""
    stats: dict[str, FileStats] = defaultdict(FileStats)
    for row in rows:
        entry = stats[row.path]
        entry.commits += row.commits
        entry.added += row.added
        entry.deleted += row.deleted
        if entry.last_changed is None or row.last_changed > entry.last_changed:
            entry.last_changed = row.last_changed
        person = person_of(row, people)
        if person.is_bot:
            continue
        counts = entry.people.setdefault(person.key, [0, 0])
        counts[0] += row.commits
        counts[1] += row.added
        entry.names.setdefault(person.key, person.name)
    return dict(stats)


def contributors(entry: FileStats) -> tuple[Contributor, ...]:
    """People of a file, main author first: most lines added, then most commits, then key."""
    total = sum(added for _, added in entry.people.values())
    ranked = sorted(entry.people.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    return tuple(
        Contributor(
            key=key,
            name=entry.names[key],
            commits=commits,
            added=added,
            share=(added / total) if total else None,
        )
        for key, (commits, added) in ranked
    )


def main_author(people: tuple[Contributor, ...]) -> Contributor | None:
    """The person who added the most lines; None when nobody added a line (a binary file, a
    file only renamed or emptied in the window): commits alone make nobody its author."""
    return people[0] if people and people[0].share is not None else None


def rank_files(
    totals: Iterable[FileTotals], head: Iterable[HeadFile]
) -> list[tuple[HeadFile, FileTotals, float]]:
    """Files at HEAD changed in the window, ranked by (commits/max) x (loc/max)."""
    by_path = {t.path: t for t in totals}
    present = [(f, by_path[f.path]) for f in head if f.path in by_path]
    if not present:
        return []
    max_commits = max(t.commits for _, t in present) or 1
    max_loc = max(f.loc for f, _ in present)
    ranked = [
        (f, t, (t.commits / max_commits) * (f.loc / max_loc) if max_loc else 0.0)
        for f, t in present
    ]
    ranked.sort(key=lambda r: (-r[2], -r[1].commits, r[0].path))
    return ranked


def compute_hotspots(
    ranked: Iterable[tuple[HeadFile, FileTotals, float]], stats: Mapping[str, FileStats]
) -> list[Hotspot]:
    """Hotspot rows for ranked files; `stats` holds the people of (at least) those files."""
    spots = []
    for file, total, score in ranked:
        entry = stats.get(file.path)
        people = contributors(entry) if entry is not None else ()
        main = main_author(people)
        spots.append(
            Hotspot(
                path=file.path,
                commits=total.commits,
                churn=total.added + total.deleted,
                added=total.added,
                deleted=total.deleted,
                loc=file.loc,
                authors=len(people),
                main_author=main.name if main else None,
                main_author_share=main.share if main else None,
                last_changed=total.last_changed,
                score=score,
            )
        )
    return spots


def compute_ownership(
    stats: Mapping[str, FileStats], head: Iterable[HeadFile], *, limit: int | None = None
) -> list[FileOwnership]:
    """Who wrote each file at HEAD; files with the most concentrated knowledge first."""
    result = []
    for file in head:
        entry = stats.get(file.path)
        if entry is None or not entry.people:
            continue
        people = contributors(entry)
        main = None if file.is_binary else main_author(people)
        result.append(
            FileOwnership(
                path=file.path,
                loc=file.loc,
                authors=len(people),
                main_author=main.name if main else None,
                main_author_share=main.share if main else None,
                contributors=people,
            )
        )
    result.sort(key=lambda o: (o.authors, -(o.main_author_share or 0), -o.loc, o.path))
    return result[:limit] if limit is not None else result


def compute_coupling(
    changes: Iterable[ChangeRow],
    head_paths: set[str],
    *,
    min_revs: int = 5,
    min_shared: int = 5,
    min_degree: float = 30.0,
    limit: int | None = None,
) -> list[Coupling]:
    """Code Maat's coupling: degree = 100 x shared / mean(revisions of each file).

    `changes` must already be restricted to the commits that count (non-merge, in the
    window, at most N files each); only files present at HEAD are paired.
    """
    by_commit: dict[int, set[str]] = defaultdict(set)
    for change in changes:
        if change.path in head_paths:
            by_commit[change.commit_id].add(change.path)
    revisions: Counter[str] = Counter()
    shared: Counter[tuple[str, str]] = Counter()
    for paths in by_commit.values():
        revisions.update(paths)
        shared.update(combinations(sorted(paths), 2))
    result = []
    for (first, second), together in shared.items():
        revs_a, revs_b = revisions[first], revisions[second]
        if together < min_shared or revs_a < min_revs or revs_b < min_revs:
            continue
        degree = 100.0 * together / ((revs_a + revs_b) / 2)
        if degree >= min_degree:
            result.append(Coupling(first, second, together, revs_a, revs_b, degree))
    result.sort(key=lambda c: (-c.degree, -c.shared, c.path, c.coupled_path))
    return result[:limit] if limit is not None else result


def compute_knowledge_risk(
    ownership: Iterable[FileOwnership],
    last_seen: Mapping[str, datetime],
    *,
    now: datetime,
    inactive: timedelta = DEFAULT_INACTIVE,
) -> list[KnowledgeRisk]:
    """Files whose main author's latest commit (any repository) is older than `inactive`.

    Knowledge is counted in lines added: a file without a main author (binary, or nobody
    added a line) is nobody's knowledge, so it is never a risk.
    """
    result = []
    for entry in ownership:
        if entry.main_author is None:
            continue
        main = entry.contributors[0]
        seen = last_seen.get(main.key)
        if seen is None or now - seen <= inactive:
            continue
        result.append(
            KnowledgeRisk(
                path=entry.path,
                loc=entry.loc,
                main_author=main.name,
                main_author_share=main.share,
                main_author_last_commit=seen,
                idle_days=(now - seen).days,
            )
        )
    result.sort(key=lambda r: (-r.loc, r.path))
    return result
