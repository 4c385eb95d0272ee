"""Deployments with their statuses over GraphQL: 100 deployments and their statuses a request,
where REST spends one more request per deployment on its statuses.

Used when the client is authenticated (GitHub's GraphQL API needs a token). The answer is the
same `DeploymentRecord`s as `fetch.fetch_deployments`; when GitHub gives no `databaseId` (a
32-bit field: an id past 2^31 comes back null) the caller falls back to REST for that collect.
"""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import datetime
from typing import Any

from github.Requester import Requester

from collectors.delivery.fetch import STATUS_LOOKBACK
from collectors.delivery.records import DeploymentRecord

STATUSES = 20  # statuses read per deployment: a deployment rarely has more than a few
QUERY = f"""
query($owner: String!, $name: String!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    deployments(first: 100, after: $after, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        databaseId commitOid environment createdAt
        statuses(first: {STATUSES}) {{ nodes {{ state createdAt }} }}
      }}
    }}
  }}
}}
"""


def _record(node: dict[str, Any]) -> DeploymentRecord:
    statuses = sorted(
        (
            {"state": str(s.get("state", "")).lower(), "created_at": s.get("createdAt")}
            for s in (node.get("statuses") or {}).get("nodes") or []
        ),
        key=lambda s: s["created_at"] or "",
        reverse=True,
    )
    data = {
        "id": node["databaseId"],
        "sha": node.get("commitOid") or "",
        "environment": node.get("environment") or "",
        "created_at": node.get("createdAt"),
    }
    return DeploymentRecord.from_json(data, statuses)


def fetch_deployments_graphql(
    requester: Requester,
    owner: str,
    name: str,
    environments: re.Pattern[str],
    since: datetime | None = None,
    known: Container[int] = (),
) -> list[DeploymentRecord] | None:
    """As `fetch.fetch_deployments`, newest first down to `since` minus the look-back; None
    when a deployment's id cannot be read over GraphQL."""
    floor = since - STATUS_LOOKBACK if since else None
    records: list[DeploymentRecord] = []
    after: str | None = None
    while True:
        _headers, data = requester.graphql_query(
            QUERY, {"owner": owner, "name": name, "after": after}
        )
        listing = (((data.get("data") or {}).get("repository") or {}).get("deployments")) or {}
        for node in listing.get("nodes") or []:
            if node.get("databaseId") is None:
                return None
            record = _record(node)
            if floor is not None and record.created_at < floor:
                return sorted(records, key=lambda r: (r.created_at, r.id))
            if environments.search(record.environment) and record.id not in known:
                records.append(record)
        page = listing.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return sorted(records, key=lambda r: (r.created_at, r.id))
        after = page.get("endCursor")
