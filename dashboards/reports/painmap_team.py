"""A team's pain map and a person's: one top-level box per repository the team (or the
person) works in, each the repository's own map (`dashboards.reports.painmap`), or the part of
it the person changed, with its share of the boxes."""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from dashboards.queries import painmap as pq
from dashboards.reports import painmap_cache
from dashboards.reports.painmap import (
    COLORS,
    Evidence,
    MapQuery,
    gather,
    nodes,
    remembered,
    with_flags,
)
from dashboards.signals.reviews.rules import flow_rules


def team_answer(
    session: Session,
    query: MapQuery,
    *,
    team: str,
    logins: frozenset[str],
    color: str,
    max_boxes: int | None = None,
) -> dict[str, object]:
    """A team's map: one top-level box per repository where its members opened PRs in the
    period, under one root named for the team; the boxes are shared out by lines."""
    if color not in COLORS:
        raise ValueError(f"unknown color {color!r}; one of {', '.join(COLORS)}")
    repos = pq.team_repositories(session, logins=logins, since=query.since, until=query.until)
    evidence = [gather(session, replace(query, repo=repo)) for repo in repos]
    boxes = min(max_boxes or query.settings.painmap_max_boxes, query.settings.painmap_max_boxes)
    result = _combined(f"team:{team}", team, evidence, boxes)
    header = {**_header(query, color), "max_boxes": boxes}
    return {"team": team, "repos": repos, **header, "nodes": result}


def person_answer(
    session: Session, query: MapQuery, *, emails: frozenset[str], color: str, max_boxes: int
) -> dict[str, object]:
    """The map of the files a person changed in the period (their commit `emails`), one
    top-level box per repository. Their name is nowhere on it: the root is "files worked
    in", and a file names only its owner (main author), as on every map."""
    if color not in COLORS:
        raise ValueError(f"unknown color {color!r}; one of {', '.join(COLORS)}")
    evidence = [
        with_flags(session, replace(query, repo=found.repo), found)
        for found in _persons_part(session, query, emails)
    ]
    boxes = min(max_boxes, query.settings.painmap_max_boxes)
    result = _combined(PERSON_ROOT, "files worked in", evidence, boxes)
    header = {**_header(query, color), "max_boxes": boxes}
    return {"repos": [e.repo for e in evidence], **header, "nodes": result}


PERSON_ROOT = "files"


def _persons_part(session: Session, query: MapQuery, emails: frozenset[str]) -> list[Evidence]:
    """The part of each repository's facts that holds the files the person changed, kept on
    its own while the data stays the same (any collect gives a new part): a person's page
    opened again reads neither which files they changed nor their repositories' whole maps,
    and needs no room for those among the kept maps."""
    version = (pq.every_repository_version(session), repr(flow_rules(query.settings)))
    key = ("painmap-person", tuple(sorted(emails)), query.since, query.until, version)

    def build() -> list[Evidence]:
        touched = pq.paths_changed_by(session, emails=emails, since=query.since, until=query.until)
        parts = []
        for repo, paths in sorted(touched.items()):
            found = remembered(session, replace(query, repo=repo))
            mine = [f for f in found.files if f.path in paths]
            if mine:  # its own boxes: the repository's remembered ones hold every file
                parts.append(replace(found, files=mine, trees={}))
        return parts

    return painmap_cache.remember(
        session, key, build, size=lambda parts: sum(len(p.files) for p in parts), part=True
    )


def _header(query: MapQuery, color: str) -> dict[str, object]:
    metric, unit = COLORS[color]
    return {
        "since": query.since.isoformat(),
        "until": query.until.isoformat(),
        "color": color,
        "color_metric": metric,
        "color_unit": unit,
    }


def _combined(
    root_id: str, name: str, evidence: list[Evidence], max_boxes: int
) -> list[dict[str, object]]:
    """Each repository's boxes under one root, the boxes shared out by lines."""
    lines = [max(sum(f.loc for f in e.files), 1) for e in evidence]
    budget = max_boxes - 1
    result: list[dict[str, object]] = []
    roots: list[dict[str, Any]] = []
    for share, found in zip(lines, evidence, strict=True):
        part = nodes(found, max_boxes=max(4, budget * share // sum(lines)))
        part[0]["parent"] = root_id
        roots.append(part[0])
        result.extend(part)
    result.insert(0, _team_root(root_id, name, roots, evidence))
    return result


def _team_root(
    root_id: str, name: str, roots: list[dict[str, Any]], evidence: list[Evidence]
) -> dict[str, object]:
    """The root box: repositories share no file, PR, run or flag, so counts add up; scores
    are weighted by lines; the wait is the median over every PR of the map; people are
    counted per repository only (`bus_factor` is None here)."""
    loc = sum(int(r["loc"]) for r in roots)
    waits = [
        w
        for e in evidence
        for n in {n for f in e.files for n in e.pulls_of.get(f.path, ())}
        if (w := e.pulls[n].wait_hours) is not None
    ]
    node: dict[str, object] = {
        "id": root_id,
        "parent": None,
        "path": "",
        "name": name,
        "kind": "team",
        "repo": None,
        "area": 0,
        "owner": None,
        "owner_gone_days": None,
        "top_coupled": None,
        "bus_factor": None,
        "loc": loc,
        "review_wait_median_hours": round(statistics.median(waits), 2) if waits else None,
    }
    for key in (
        "files",
        "size_bytes",
        "commits",
        "pulls",
        "ci_failed_runs",
        "ci_flaky_runs",
        "ci_pain_runs",
        "flags",
    ):
        node[key] = sum(int(r[key]) for r in roots)
    for key in ("hotspot_score", "knowledge_risk"):
        weighted = sum(float(r[key]) * int(r["loc"]) for r in roots)
        node[key] = round(weighted / loc, 4) if loc else 0.0
    return node
