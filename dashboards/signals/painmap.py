"""The pain map: the tree of a repository at HEAD with friction laid over each box.

Pure over the facts `dashboards.reports.painmap` gathers (definitions in docs/metrics.md,
"Pain map"). A file's numbers come from its own history, PRs, runs and flags; a directory's
are what its files give: weighted by lines for scores (`hotspot_score`, `knowledge_risk`),
a median over the distinct PRs for waits, distinct items for counts (commits, PRs, runs,
flags), summed added lines per person for `bus_factor`. Only a file names a person, as its
owner (main author).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ROOT = ""
OTHER = "other files"
BINARY = "binary files"


@dataclass(frozen=True)
class FileFacts:
    """What the git signals say about one file at HEAD."""

    path: str
    loc: int
    is_binary: bool = False
    size_bytes: int = 0
    commit_ids: frozenset[int] = frozenset()
    hotspot_score: float = 0.0
    added_by: Mapping[str, int] = field(default_factory=dict)  # person key -> lines added
    owner: str | None = None  # the main author's name
    owner_gone_days: int | None = None  # set when the main author is quiet 90+ days
    top_coupled: str | None = None


@dataclass(frozen=True)
class PullFacts:
    """One PR that touched files of the map, with what it waited and what CI did to it."""

    number: int
    wait_hours: float | None  # to first review (so far, when still waiting)
    failed_runs: frozenset[int] = frozenset()
    flaky_runs: frozenset[int] = frozenset()
    flags: frozenset[str] = frozenset()  # public ids the viewer may see


@dataclass
class _Acc:
    """Everything a box holds, kept as sets so a directory counts distinct items."""

    loc: int = 0
    score_lines: float = 0.0
    risk_lines: int = 0
    commits: set[int] = field(default_factory=set)
    pulls: set[int] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)
    added_by: dict[str, int] = field(default_factory=dict)
    files: int = 0
    size_bytes: int = 0

    def take(self, other: _Acc) -> None:
        self.loc += other.loc
        self.size_bytes += other.size_bytes
        self.score_lines += other.score_lines
        self.risk_lines += other.risk_lines
        self.commits |= other.commits
        self.pulls |= other.pulls
        self.flags |= other.flags
        self.files += other.files
        for key, lines in other.added_by.items():
            self.added_by[key] = self.added_by.get(key, 0) + lines


def bus_factor(added_by: Mapping[str, int]) -> int | None:
    """The fewest people who together added more than half of the lines; None if nobody did."""
    total = sum(added_by.values())
    if total <= 0:
        return None
    covered, people = 0, 0
    for lines in sorted(added_by.values(), reverse=True):
        covered += lines
        people += 1
        if covered * 2 > total:
            break
    return people


def _parents(path: str) -> list[str]:
    """The directories holding `path`, deepest first."""
    result = []
    cut = path.rfind("/")
    while cut > 0:
        result.append(path[:cut])
        cut = path.rfind("/", 0, cut)
    return result


def _add_file(
    acc: _Acc,
    facts: FileFacts,
    pulls_of: Mapping[str, Iterable[int]],
    flags_of: Mapping[str, Iterable[str]],
    pulls: Mapping[int, PullFacts],
) -> None:
    """Add one file's numbers to `acc` in place (no box of its own made and merged)."""
    numbers = [n for n in pulls_of.get(facts.path, ()) if n in pulls]
    acc.loc += facts.loc
    acc.size_bytes += facts.size_bytes
    acc.score_lines += facts.hotspot_score * facts.loc
    if facts.owner_gone_days is not None:
        acc.risk_lines += facts.loc
    acc.commits.update(facts.commit_ids)
    acc.pulls.update(numbers)
    acc.flags.update(flags_of.get(facts.path, ()))
    for number in numbers:
        acc.flags.update(pulls[number].flags)
    added = acc.added_by
    for key, lines in facts.added_by.items():
        added[key] = added.get(key, 0) + lines
    acc.files += 1


def _metrics(acc: _Acc, pulls: Mapping[int, PullFacts]) -> dict[str, object]:
    waits = [w for n in acc.pulls if (w := pulls[n].wait_hours) is not None]
    failed = {r for n in acc.pulls for r in pulls[n].failed_runs}
    flaky = {r for n in acc.pulls for r in pulls[n].flaky_runs}
    return {
        "loc": acc.loc,
        "files": acc.files,
        "size_bytes": acc.size_bytes,
        "hotspot_score": round(acc.score_lines / acc.loc, 4) if acc.loc else 0.0,
        "knowledge_risk": round(acc.risk_lines / acc.loc, 4) if acc.loc else 0.0,
        "commits": len(acc.commits),
        "bus_factor": bus_factor(acc.added_by),
        "pulls": len(acc.pulls),
        "review_wait_median_hours": round(statistics.median(waits), 2) if waits else None,
        "ci_failed_runs": len(failed),
        "ci_flaky_runs": len(flaky),
        "flags": len(acc.flags),
    }


def build_tree(
    files: Iterable[FileFacts],
    *,
    root: str,
    pulls: Mapping[int, PullFacts],
    pulls_of: Mapping[str, Iterable[int]],
    flags_of: Mapping[str, Iterable[str]],
    max_boxes: int,
) -> list[dict[str, object]]:
    """Nodes (`id`, `parent`, `path`, `name`, `kind` and every metric), parents first.

    Ids are `root/path`, so a team's repositories share one map. At most `max_boxes` nodes:
    the smallest files are folded, per directory, into one "other files" box (and, when even
    the directories are too many, the deepest directories into their ancestors' box). Binary
    files (no lines) sit apart under a "binary files" box sized by bytes (`binary_areas`).
    """
    if max_boxes < 4:
        raise ValueError("max_boxes must be at least 4")
    files = list(files)
    text = [f for f in files if not f.is_binary]
    binary = sorted((f for f in files if f.is_binary), key=lambda f: f.path)
    binary_boxes = min(len(binary), max_boxes // 10) + (1 if binary else 0)
    binary_shown, binary_folded = binary[: binary_boxes - 1], binary[binary_boxes - 1 :]
    above = {f.path: _parents(f.path) for f in text}
    dirs = {d for chain in above.values() for d in chain}
    depth = max((d.count("/") for d in dirs), default=0)
    while dirs and len(dirs) + binary_boxes + 2 > max_boxes // 2:
        depth -= 1
        dirs = {d for d in dirs if d.count("/") <= depth}
    homes = {f.path: _home(above[f.path], dirs) for f in text}
    at_home = {f.path: (above[f.path][0] if above[f.path] else ROOT) == homes[f.path] for f in text}
    visible = sorted((f for f in text if at_home[f.path]), key=lambda f: (-f.loc, f.path))
    forced = [f for f in text if not at_home[f.path]]
    shown = _largest_that_fit(visible, forced, homes, max_boxes - 1 - len(dirs) - binary_boxes)
    accs: dict[str, _Acc] = {ROOT: _Acc()}
    kinds: dict[str, str] = {ROOT: "root"}
    chosen = {f.path for f in shown}
    for f in text:
        key = f.path if f.path in chosen else _join(homes[f.path], OTHER)
        if key not in accs:
            accs[key] = _Acc()
            kinds[key] = "file" if f.path in chosen else "other"
        _add_file(accs[key], f, pulls_of, flags_of, pulls)
    if binary:
        accs[BINARY], kinds[BINARY] = _Acc(), "binary-group"
        for f in binary_shown:
            key = _join(BINARY, f.path)
            accs[key], kinds[key] = _Acc(), "binary"
            _add_file(accs[key], f, pulls_of, flags_of, pulls)
        for f in binary_folded:
            key = _join(BINARY, OTHER)
            accs.setdefault(key, _Acc())
            kinds[key] = "binary"
            _add_file(accs[key], f, pulls_of, flags_of, pulls)
    leaves = [k for k, kind in kinds.items() if kind in ("file", "other", "binary")]
    for d in dirs:
        accs[d], kinds[d] = _Acc(), "dir"
    for leaf in leaves:
        chain = [BINARY] if kinds[leaf] == "binary" else _parents(leaf)
        for parent in [*chain, ROOT]:
            accs[parent].take(accs[leaf])
    facts = {f.path: f for f in [*shown, *binary_shown]}
    order = sorted(accs, key=lambda k: (k.count("/") if k else -1, k))
    per_byte = binary_areas(text, binary)
    return [_node(key, kinds, accs[key], facts, pulls, root, per_byte) for key in order]


def binary_areas(text: list[FileFacts], binary: list[FileFacts]) -> float:
    """Area per byte of a binary box. Bytes and lines are not one unit, so the "binary files"
    box takes the share of the map that binary files have among all files (2 of 10 files:
    a fifth of the text's lines as area), and inside it each binary file's area is in
    proportion to its size in bytes."""
    if not binary:
        return 0.0
    lines = sum(f.loc for f in text)
    share = max(lines, 1) * len(binary) / (len(text) + len(binary)) if text else len(binary)
    return share / max(sum(f.size_bytes for f in binary), 1)


def _largest_that_fit(
    visible: list[FileFacts], forced: list[FileFacts], homes: Mapping[str, str], budget: int
) -> list[FileFacts]:
    """The most (largest first) files whose boxes, with one "other files" box per directory
    that keeps a folded file, fit in `budget`."""
    if len(visible) <= budget and not forced:
        return visible
    folded: dict[str, int] = {}
    for f in [*visible, *forced]:
        folded[homes[f.path]] = folded.get(homes[f.path], 0) + 1
    best = 0
    for count, f in enumerate(visible, start=1):
        home = homes[f.path]
        folded[home] -= 1
        if folded[home] == 0:
            del folded[home]
        if count + len(folded) <= budget:
            best = count
        elif count > budget:
            break
    return visible[:best]


def _node(
    key: str,
    kinds: Mapping[str, str],
    acc: _Acc,
    facts: Mapping[str, FileFacts],
    pulls: Mapping[int, PullFacts],
    root: str,
    per_byte: float,
) -> dict[str, object]:
    kind = kinds[key]
    path = key.removeprefix(BINARY + "/") if kind == "binary" else key
    parent = None
    if key != ROOT:
        above = BINARY if kind == "binary" else _dir(key)
        parent = _join(root, above) if above else root
    node: dict[str, object] = {
        "id": _join(root, key) if key else root,
        "parent": parent,
        "path": path,
        "name": key.rsplit("/", 1)[-1] if key else root,
        "kind": kind,
    }
    node.update(_metrics(acc, pulls))
    node["area"] = 0
    if kind == "binary":
        node["area"] = round(max(acc.size_bytes * per_byte, 0.001), 3)
    elif kind in LEAVES:
        node["area"] = max(acc.loc, 1)
    file = facts.get(path) if kind in ("file", "binary") else None
    node["owner"] = file.owner if file else None
    node["owner_gone_days"] = file.owner_gone_days if file else None
    node["top_coupled"] = file.top_coupled if file else None
    return node


LEAVES = ("file", "other", "binary")


def _home(parents: list[str], dirs: set[str]) -> str:
    """The deepest directory kept on the map among a path's `parents` (the root when none)."""
    for parent in parents:
        if parent in dirs:
            return parent
    return ROOT


def _dir(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ROOT


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name
