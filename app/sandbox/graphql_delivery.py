"""GraphQL `Repository.deployments` as GitHub answers it, from deployments.json and
deployment_statuses.json (the files the REST routes serve), with each deployment's statuses.

`orderBy: {field: CREATED_AT, direction: ASC|DESC}` (ascending by default, as GitHub) and
`environments: [...]` (exact names) filter as GitHub does; states are GitHub's upper-case enums.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.sandbox.graphql_connections import connection, lazy_connection
from app.sandbox.scenario import RepoData


def _status(status: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "DeploymentStatus",
        "id": status.get("node_id"),
        "state": str(status.get("state", "")).upper(),
        "description": status.get("description"),
        "environment": status.get("environment"),
        "createdAt": status.get("created_at"),
        "updatedAt": status.get("updated_at") or status.get("created_at"),
    }


def _deployment(deployment: dict[str, Any], statuses: list[dict[str, Any]]) -> dict[str, Any]:
    newest_first = [_status(s) for s in statuses]
    return {
        "__typename": "Deployment",
        "id": deployment.get("node_id"),
        "databaseId": deployment.get("id"),
        "commitOid": deployment.get("sha"),
        "environment": deployment.get("environment"),
        "originalEnvironment": deployment.get("original_environment"),
        "task": deployment.get("task"),
        "description": deployment.get("description"),
        "createdAt": deployment.get("created_at"),
        "updatedAt": deployment.get("updated_at") or deployment.get("created_at"),
        "latestStatus": newest_first[0] if newest_first else None,
        "statuses": lazy_connection("statuses", lambda: newest_first),
    }


def deployments(data: RepoData) -> Callable[..., dict[str, Any]]:
    """The `deployments` field resolver of one repository."""

    def resolve(
        _info: Any,
        environments: list[str] | None = None,
        orderBy: dict[str, str] | None = None,
        **args: Any,
    ) -> dict[str, Any]:
        listed = data.list("deployments.json")
        if environments is not None:
            listed = [d for d in listed if d.get("environment") in environments]
        descending = (orderBy or {}).get("direction") == "DESC"
        listed = sorted(
            listed, key=lambda d: (d.get("created_at") or "", d.get("id", 0)), reverse=descending
        )
        statuses = data.mapping("deployment_statuses.json")
        nodes = [_deployment(d, statuses.get(str(d.get("id")), [])) for d in listed]
        return connection("deployments", nodes, **args)

    return resolve
