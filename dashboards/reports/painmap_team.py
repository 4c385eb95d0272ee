"""A team's pain map: one top-level box per repository the team works in, each the
repository's own map (`dashboards.reports.painmap`) with its share of the boxes."""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from dashboards.queries import painmap as pq
from dashboards.reports.painmap import COLORS, Evidence, MapQuery, gather, nodes


def team_answer(
    session: Session, query: MapQuery, *, team: str, logins: frozenset[str], color: str
) -> dict[str, object]:
    """A team's map: one top-level box per repository where its members opened PRs in the
    period, under one root named for the team; the boxes are shared out by lines."""
    if color not in COLORS:
        raise ValueError(f"unknown color {color!r}; one of {', '.join(COLORS)}")
    repos = pq.team_repositories(session, logins=logins, since=query.since, until=query.until)
    evidence = [gather(session, replace(query, repo=repo)) for repo in repos]
    lines = [max(sum(f.loc for f in e.files), 1) for e in evidence]
    budget = query.settings.painmap_max_boxes - 1
    result: list[dict[str, object]] = []
    roots: list[dict[str, Any]] = []
    for share, found in zip(lines, evidence, strict=True):
        part = nodes(found, max_boxes=max(4, budget * share // sum(lines)))
        part[0]["parent"] = f"team:{team}"
        roots.append(part[0])
        result.extend(part)
    result.insert(0, _team_root(team, roots, evidence))
    metric, unit = COLORS[color]
    return {
        "team": team,
        "repos": repos,
        "since": query.since.isoformat(),
        "until": query.until.isoformat(),
        "color": color,
        "color_metric": metric,
        "color_unit": unit,
        "max_boxes": query.settings.painmap_max_boxes,
        "nodes": result,
    }


def _team_root(
    team: str, roots: list[dict[str, Any]], evidence: list[Evidence]
) -> dict[str, object]:
    """The team's box: repositories share no file, PR, run or flag, so counts add up; scores
    are weighted by lines; the wait is the median over every PR of the map; people are
    counted per repository only (`bus_factor` is None here)."""
    loc = sum(int(r["loc"]) for r in roots)
    waits = [
        w
        for e in evidence
        for n in {n for numbers in e.pulls_of.values() for n in numbers}
        if (w := e.pulls[n].wait_hours) is not None
    ]
    node: dict[str, object] = {
        "id": f"team:{team}",
        "parent": None,
        "path": "",
        "name": team,
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
