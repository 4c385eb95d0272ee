"""The pain map of a repository, read from the database: git signals from the hotspot
module, review waits from the review-flow module, runs and PR files from
`dashboards.queries.painmap`, flags through the caller's lookup (which applies who may see
what, and the k >= 3 rule for anonymous flags). The tree itself is `dashboards.signals.painmap`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session

from app.core.access import Viewer
from app.core.identities import directory
from app.core.settings import Settings
from dashboards.item_flags import FlagLike, FlagLookup, PageItems
from dashboards.queries import git as q
from dashboards.queries import painmap as pq
from dashboards.queries.painmap_clone import clone_pull_paths
from dashboards.queries.reviews import pull_rows
from dashboards.reports import painmap_cache
from dashboards.reports.hotspots import risks_of
from dashboards.reports.repositories import require_repository
from dashboards.signals.ci.outcomes import FAILURE, SUCCESS
from dashboards.signals.hotspots import (
    DEFAULT_WINDOW,
    compute_coupling,
    compute_file_stats,
    compute_ownership,
    rank_files,
)
from dashboards.signals.painmap import FileFacts, PullFacts, build_tree
from dashboards.signals.reviews.flow import PullFlow, flows_from
from dashboards.signals.reviews.rules import flow_rules, hours

COLORS = {
    "hotspot": ("hotspot_score", "hotspot score (0-1, change frequency x size)"),
    "change": ("commits", "commits in the period"),
    "knowledge": ("knowledge_risk", "share of lines whose main author is quiet 90+ days"),
    "review": ("review_wait_median_hours", "median hours to first review"),
    "ci": ("ci_pain_runs", "failed + flaky runs of PRs"),
    "flags": ("flags", "friction flags"),
}
TREES = 16  # boxes kept per data: a few viewers (flags seen) times a few sizes
COUPLING_CHANGESET = 30  # as `gemba coupling`: larger commits say nothing about pairs


@dataclass(frozen=True)
class MapQuery:
    """Whose map of which repository over which period: every front door builds one."""

    repo: str
    since: datetime
    until: datetime
    viewer: Viewer
    lookup: FlagLookup
    settings: Settings


@dataclass(frozen=True)
class Evidence:
    """What the map knows about one repository in one period, behind every box, with the
    flags one viewer may see. `trees` is shared by every viewer's evidence of the same data:
    the boxes drawn from it, keyed on the flags seen and the number of boxes."""

    repo: str
    files: list[FileFacts]
    flows: dict[int, PullFlow]
    pulls: dict[int, PullFacts]
    pulls_of: dict[str, set[int]]
    flags_of: dict[str, set[str]]
    runs: dict[int, list[pq.RunRow]]
    flags: dict[str, FlagLike]
    trees: dict[tuple[object, ...], list[dict[str, object]]] = field(default_factory=dict)
    seen: tuple[object, ...] = ()  # which flags are laid over the boxes (part of a tree's key)


def as_of(moment: datetime) -> datetime:
    """The start of `moment`'s minute: a map asked for "now" is the map of this minute, so
    repeated views within it share one reading of the data (`painmap_cache`)."""
    return moment.replace(second=0, microsecond=0)


def gather(session: Session, query: MapQuery) -> Evidence:
    """Every fact the map of `repo` needs: git, PRs and runs remembered while the data stays
    the same (`painmap_cache`), flags looked up for this viewer on every call."""
    return with_flags(session, query, remembered(session, query))


def remembered(session: Session, query: MapQuery) -> Evidence:
    """The viewer-free facts of `query.repo`'s map, kept while its data stays the same."""
    repo_id = require_repository(session, query.repo)
    key = ("painmap", query.repo, query.since, query.until, *version_of(session, query))
    return painmap_cache.remember(
        session, key, lambda: _gather(session, repo_id, query), size=_size
    )


def version_of(session: Session, query: MapQuery) -> tuple[object, ...]:
    """What `query.repo`'s remembered facts depend on: its data version, and the bots and
    working calendar that shape the waits."""
    repo_id = require_repository(session, query.repo)
    version = pq.data_version(session, repository_id=repo_id, repo=query.repo)
    return (version, repr(flow_rules(query.settings)))


def _size(evidence: Evidence) -> int:
    """What a remembered map weighs against `painmap_cache.FILES`: its files."""
    return len(evidence.files)


def _gather(session: Session, repo_id: int, query: MapQuery) -> Evidence:
    """The viewer-free facts, in a fixed number of queries."""
    repo, since, until, settings = query.repo, query.since, query.until, query.settings
    head = q.head_files(session, repository_id=repo_id)
    changes = q.change_rows(
        session, repository_id=repo_id, since=since, until=until, max_changeset=10**9
    )
    commits_of: dict[str, set[int]] = defaultdict(set)
    sizes: dict[int, int] = defaultdict(int)
    for change in changes:
        commits_of[change.path].add(change.commit_id)
        sizes[change.commit_id] += 1
    totals = q.file_totals(session, repository_id=repo_id, since=since, until=until)
    scores = {f.path: score for f, _, score in rank_files(totals, head)}
    # Knowledge builds up over more than one period: owners, bus factor and knowledge risk read
    # at least the year `gemba ownership` and `gemba knowledge-risk` read.
    known_since = min(since, until - DEFAULT_WINDOW)
    rows = q.author_file_rows(session, repository_id=repo_id, since=known_since, until=until)
    stats = compute_file_stats(
        rows, q.people_for_emails(directory(session), {r.author_email for r in rows})
    )
    risks = risks_of(session, compute_ownership(stats, head), now=until)
    gone = {r.path: r.idle_days for r in risks}
    small = [c for c in changes if sizes[c.commit_id] <= COUPLING_CHANGESET]
    coupled: dict[str, str] = {}
    for pair in compute_coupling(small, {f.path for f in head}):
        coupled.setdefault(pair.path, pair.coupled_path)
        coupled.setdefault(pair.coupled_path, pair.path)
    files = []
    for f in head:
        entry = stats.get(f.path)
        people = {k: v[1] for k, v in entry.people.items()} if entry else {}
        owner = None
        if entry and people and not f.is_binary and sum(people.values()) > 0:
            key = min(people, key=lambda k: (-people[k], -entry.people[k][0], k))
            owner = entry.names[key]
        files.append(
            FileFacts(
                path=f.path,
                loc=f.loc,
                is_binary=f.is_binary,
                size_bytes=f.size_bytes,
                commit_ids=frozenset(commits_of.get(f.path, ())),
                hotspot_score=scores.get(f.path, 0.0),
                added_by=people,
                owner=owner,
                owner_gone_days=gone.get(f.path),
                top_coupled=coupled.get(f.path),
            )
        )
    rules = flow_rules(settings)
    pull_list = pull_rows(session, repo=repo, since=since, until=until)
    flows = {flow.number: flow for flow in flows_from(pull_list, **rules)}
    heads = pq.pull_heads(session, repository_id=repo_id, numbers=flows)
    ids = {flow.id: flow.number for flow in flows.values()}
    at_head = {f.path for f in head}
    found = pq.pull_paths(session, repository_id=repo_id, heads=heads, ids=ids)
    known = {n for numbers in found.values() for n in numbers}
    unknown = [n for n in flows if n not in known]  # an open PR's branch: read from the clone
    for path, numbers in clone_pull_paths(session, repository_id=repo_id, numbers=unknown).items():
        found.setdefault(path, set()).update(numbers)
    pulls_of = {path: numbers for path, numbers in found.items() if path in at_head}
    runs = pq.pull_runs(session, repository_id=repo_id, heads=heads)
    pulls = {
        number: PullFacts(
            number=number,
            wait_hours=wait_hours(flow, until),
            failed_runs=frozenset(r.id for r in runs.get(number, ()) if failed(r)),
            flaky_runs=frozenset(r.id for r in runs.get(number, ()) if flaky(r)),
        )
        for number, flow in flows.items()
    }
    return Evidence(repo, files, flows, pulls, pulls_of, {}, runs, {})


def with_flags(session: Session, query: MapQuery, base: Evidence) -> Evidence:
    """`base` with the flags `query.viewer` may see (the lookup applies who sees what and the
    k >= 3 rule), asked only about the paths and PRs that any flag names."""
    repo, since, until = query.repo, query.since, query.until
    paths, numbers = pq.flagged_items(session, repo=repo)
    at_head = {f.path for f in base.files} & paths
    items = PageItems(
        pulls={(repo, n) for n in numbers if n in base.flows},
        paths={(repo, p) for p in at_head},
    )
    found = []
    if items.pulls or items.paths:
        found = [
            f
            for f in query.lookup(session, query.viewer, items)
            if f.repo == repo and since <= f.created_at <= until
        ]
    flags_of: dict[str, set[str]] = defaultdict(set)
    pull_flags: dict[int, set[str]] = defaultdict(set)
    for flag in found:
        if flag.path is not None and flag.path in at_head:
            flags_of[flag.path].add(flag.id)
        if flag.pull_number is not None and flag.pull_number in base.flows:
            pull_flags[flag.pull_number].add(flag.id)
    pulls = dict(base.pulls)
    for number, ids in pull_flags.items():
        pulls[number] = replace(pulls[number], flags=frozenset(ids))
    seen = (
        tuple(sorted((p, tuple(sorted(ids))) for p, ids in flags_of.items())),
        tuple(sorted((n, tuple(sorted(ids))) for n, ids in pull_flags.items())),
    )
    return replace(
        base, pulls=pulls, flags_of=dict(flags_of), flags={f.id: f for f in found}, seen=seen
    )


def failed(run: pq.RunRow) -> bool:
    """Its latest attempt failed (`dashboards.signals.ci.outcomes`: failure, timed out...)."""
    return run.conclusion in FAILURE


def flaky(run: pq.RunRow) -> bool:
    """One attempt failed and another succeeded, on the same commit."""
    return bool(run.conclusions & FAILURE) and SUCCESS in run.conclusions


def wait_hours(flow: PullFlow, now: datetime) -> float | None:
    """Hours from ready for review to the first review; for a PR still waiting (open, not a
    draft, never reviewed), the hours it has waited so far."""
    if flow.pickup_hours is not None:
        return flow.pickup_hours
    if flow.state == "open" and not flow.draft and flow.first_review_at is None:
        return hours(flow.ready_at, now)
    return None


def nodes(evidence: Evidence, *, max_boxes: int) -> list[dict[str, object]]:
    """The boxes of one repository's map, with `ci_pain_runs` (failed + flaky) for colour:
    drawn once per data, flags seen and size, and handed out as copies."""
    key = (evidence.seen, max_boxes)
    if key not in evidence.trees:
        if len(evidence.trees) >= TREES:
            evidence.trees.clear()
        evidence.trees[key] = _draw(evidence, max_boxes=max_boxes)
    return [dict(node) for node in evidence.trees[key]]


def _draw(evidence: Evidence, *, max_boxes: int) -> list[dict[str, object]]:
    result = build_tree(
        evidence.files,
        root=evidence.repo,
        pulls=evidence.pulls,
        pulls_of=evidence.pulls_of,
        flags_of=evidence.flags_of,
        max_boxes=max_boxes,
    )
    for node in result:
        node["repo"] = evidence.repo
        node["ci_pain_runs"] = int(node["ci_failed_runs"]) + int(node["ci_flaky_runs"])  # type: ignore[call-overload]
    return result


def path_panel(evidence: Evidence, path: str) -> dict[str, object]:
    """The PRs, runs, flags and commits behind one path's numbers (a file or a directory)."""
    prefix = path.rstrip("/") + "/" if path else ""
    inside = [f for f in evidence.files if not path or f.path == path or f.path.startswith(prefix)]
    if not inside:
        raise LookupError(f"no file at HEAD under {path!r} in {evidence.repo}")
    numbers = sorted({n for f in inside for n in evidence.pulls_of.get(f.path, ())})
    flag_ids = {i for f in inside for i in evidence.flags_of.get(f.path, ())}
    flag_ids |= {i for n in numbers for i in evidence.pulls[n].flags}
    pulls = [
        {
            "number": n,
            "title": evidence.flows[n].title,
            "url": evidence.flows[n].html_url,
            "state": evidence.flows[n].state,
            "wait_hours": evidence.pulls[n].wait_hours,
            "first_review_at": evidence.flows[n].first_review_at,  # None: still waiting
        }
        for n in numbers
    ]
    runs = {
        r.id: {
            "id": r.id,
            "number": r.number,
            "name": r.name,
            "conclusion": r.conclusion,
            "failed": failed(r),
            "flaky": flaky(r),
            "created_at": r.created_at,
            "url": r.html_url,
        }
        for n in numbers
        for r in evidence.runs.get(n, ())
        if failed(r) or flaky(r)
    }
    flags = [
        {
            "id": f.id,
            "category": f.category,
            "summary": f.summary,
            "status": f.status,
            "url": f"/flags/{f.id}",
        }
        for i in sorted(flag_ids)
        if (f := evidence.flags[i])
    ]
    return {
        "repo": evidence.repo,
        "path": path,
        "pulls": pulls,
        "runs": sorted(runs.values(), key=lambda r: str(r["created_at"]), reverse=True),
        "flags": flags,
    }


def answer(
    session: Session, query: MapQuery, *, color: str, max_boxes: int | None = None
) -> dict[str, object]:
    """The one JSON answer of `/api/v1/painmap` and `gemba painmap --json` (at most
    `max_boxes` boxes, default the setting: a page may ask for fewer)."""
    if color not in COLORS:
        raise ValueError(f"unknown color {color!r}; one of {', '.join(COLORS)}")
    metric, unit = COLORS[color]
    boxes = min(max_boxes or query.settings.painmap_max_boxes, query.settings.painmap_max_boxes)
    return {
        "repo": query.repo,
        "since": query.since.isoformat(),
        "until": query.until.isoformat(),
        "color": color,
        "color_metric": metric,
        "color_unit": unit,
        "max_boxes": boxes,
        "nodes": nodes(gather(session, query), max_boxes=boxes),
    }


def panel(session: Session, query: MapQuery, path: str) -> dict[str, object]:
    """The path panel's JSON: `path_panel` and the commits that changed the path, linked."""
    path = path.strip("/")
    result = path_panel(gather(session, query), path)
    repo_id = require_repository(session, query.repo)
    base = f"https://github.com/{query.repo}"
    rows = pq.path_commits(
        session, repository_id=repo_id, path=path, since=query.since, until=query.until
    )
    result["commits"] = [
        {
            "sha": c.sha,
            "summary": c.summary,
            "authored_at": c.authored_at,
            "url": f"{base}/commit/{c.sha}",
        }
        for c in rows
    ]
    return result
