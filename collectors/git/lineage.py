"""Which file at HEAD each change belongs to, found through the history graph, not dates.

Rules (docs/metrics.md, "Renames and deletions: lineages"):
- walking from HEAD to older commits, every commit has a map "path in this commit -> path at
  HEAD"; a parent's map is its child's map through the diff between them (for a merge, the
  diff against each parent), so a branch commit that edits a file's old name, merged after
  the rename, belongs to the renamed file whatever the dates;
- a deletion ends a lineage: the deleted file's changes are stored under its own path behind
  ENDED, so a later file that takes the path (created, or renamed into it) starts afresh;
- where two lines of history meet (a fork point), a file that lives on along either line
  lives on (the first line's name wins when both keep it under different names).

A map is a dict of exceptions to "the same path": a renamed path maps to its newer path,
a deleted one to DEAD. Maps are shared along a line and copied only where they differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from collectors.git.log import ENDED, Batch, ChangeRow, CommitRow, Edits

DEAD = ""  # a path whose lineage ends before HEAD (never a real path)


class _Map:
    __slots__ = ("owners", "paths")

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = paths
        self.owners = 1  # holders: the commit being read, and parents waiting for it


class _Held(NamedTuple):
    commit: CommitRow
    changes: list[ChangeRow]


def _through(paths: Mapping[str, str], edits: Edits, into: dict[str, str]) -> None:
    """`into` = the parent's map: `paths` (the child's) through the child's diff, `edits`."""
    values = [(old, paths.get(new, new) if new else DEAD) for old, new in edits]
    for old, value in values:  # computed first: renames in one commit may chain
        if value == old:
            into.pop(old, None)
        else:
            into[old] = value


def _meet(first: Mapping[str, str], second: Mapping[str, str]) -> dict[str, str]:
    """The map of a fork point reached along two lines: alive on either line is alive."""
    result: dict[str, str] = {}
    for key in first.keys() | second.keys():
        value = first.get(key, key)
        if value == DEAD:
            value = second.get(key, key)
        if value != key:
            result[key] = value
    return result


class Lineage:
    """Maps each batch's paths to the paths at HEAD; commits come newest first.

    `parents` is the walked graph (sha -> parent shas). A commit is resolved once all its
    walked children are; one that comes earlier (a clock skewed so that a parent looks newer
    than a child) is held back until then.
    """

    def __init__(self, parents: Mapping[str, tuple[str, ...]]) -> None:
        self.parents = parents  # filled while the walk goes on: read once it is complete
        self._waiting: dict[str, int] | None = None
        self.maps: dict[str, _Map | None] = {}  # None: reached, nothing renamed or deleted
        self.edits: dict[str, tuple[Edits, ...]] = {}
        self.held: dict[str, _Held] = {}

    @property
    def waiting(self) -> dict[str, int]:
        """Walked children not yet resolved, per commit (counted when first needed)."""
        if self._waiting is None:
            counts: dict[str, int] = {}
            for shas in self.parents.values():
                for parent in shas:
                    counts[parent] = counts.get(parent, 0) + 1
            self._waiting = counts
        return self._waiting

    def resolve(self, batch: Batch) -> Batch:
        """The batch's commits that can be resolved now (and any held ones they free)."""
        self.edits.update(batch.edits)
        commits: list[CommitRow] = []
        changes: list[ChangeRow] = []
        rows, end, count = batch.changes, 0, len(batch.changes)
        waiting = self.waiting
        for commit in batch.commits:
            sha, start = commit[0], end
            while end < count and rows[end][0] == sha:
                end += 1
            if waiting.get(sha, 0):
                self.held[sha] = _Held(commit, rows[start:end])
                continue
            self._resolve(commit, rows[start:end], commits, changes)
        return Batch(commits, changes, {})

    def remaining(self) -> Batch:
        """Commits still held at the end (none unless the graph was not the walked one)."""
        commits: list[CommitRow] = []
        changes: list[ChangeRow] = []
        while self.held:
            sha, (commit, rows) = self.held.popitem()
            self.waiting[sha] = 0
            self._resolve(commit, rows, commits, changes)
        return Batch(commits, changes, {})

    def renames_at(self, sha: str) -> dict[str, str]:
        """Path in `sha` -> path at HEAD, for paths that differ (ENDED + path when deleted)."""
        found = self.maps.get(sha)
        if found is None:
            return {}
        return {old: new or ENDED + old for old, new in found.paths.items()}

    def _resolve(
        self,
        commit: CommitRow,
        rows: list[ChangeRow],
        commits: list[CommitRow],
        changes: list[ChangeRow],
    ) -> None:
        maps, held, waiting = self.maps, self.held, self.waiting
        parents_of, edits = self.parents, self.edits
        todo = [(commit, rows)]
        while todo:
            commit, rows = todo.pop()
            sha = commit[0]
            found = maps.pop(sha, None)
            commits.append(commit)
            changes.extend(_moved(rows, found.paths) if found is not None and rows else rows)
            parents = parents_of.get(sha, ())
            if len(parents) == 1 and sha not in edits:  # most commits: hand the map on as is
                parent = parents[0]
                if parent in maps:
                    self._give(parent, found)
                else:
                    maps[parent] = found
                left = waiting.get(parent, 0) - 1
                waiting[parent] = left
                freed = [parent] if left <= 0 else []
            else:
                freed = list(self._hand_down(sha, found))
            for parent in freed:
                waiting_commit = held.pop(parent, None)
                if waiting_commit is not None:
                    todo.append(waiting_commit)

    def _hand_down(self, sha: str, found: _Map | None) -> Iterable[str]:
        """Give each parent its map; yields the parents whose children are all resolved."""
        parents = self.parents.get(sha, ())
        edits = self.edits.pop(sha, ())
        kept = found is not None  # this commit still holds `found`
        last = len(parents) - 1
        for index, parent in enumerate(parents):
            diff = edits[index] if index < len(edits) else ()
            given: _Map | None
            if diff:
                if found is not None and index == last and found.owners == 1:
                    given, kept = found, False  # nobody else holds it: change it in place
                else:
                    given = _Map(dict(found.paths) if found is not None else {})
                _through(found.paths if found is not None else {}, diff, given.paths)
            elif found is not None and index == last:
                given, kept = found, False
            else:
                given = found
                if found is not None:
                    found.owners += 1
            self._give(parent, given)
            left = self.waiting.get(parent, 0) - 1
            self.waiting[parent] = left
            if left <= 0:
                yield parent
        if kept and found is not None:
            found.owners -= 1

    def _give(self, parent: str, given: _Map | None) -> None:
        if parent not in self.maps:
            self.maps[parent] = given
            return
        first = self.maps[parent]
        if first is given:
            if given is not None:
                given.owners -= 1
            return
        merged = _meet(
            first.paths if first is not None else {}, given.paths if given is not None else {}
        )
        for old in (first, given):
            if old is not None:
                old.owners -= 1
        self.maps[parent] = _Map(merged) if merged else None


def _moved(rows: list[ChangeRow], paths: Mapping[str, str]) -> list[ChangeRow]:
    """Rows with each path replaced by its path at HEAD (ENDED + path when it was deleted)."""
    if not paths:
        return rows
    get = paths.get
    for index, row in enumerate(rows):
        path = row[1]
        target = get(path)
        if target is not None:
            rows[index] = (row[0], target or ENDED + path, *row[2:])
    return rows
