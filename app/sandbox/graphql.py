"""POST /graphql: GitHub's GraphQL API answered from the scenario's REST objects.

Every query is validated against GitHub's real public schema (schema.graphql, see NOTICE.txt),
so a collector query that GitHub would reject fails here too. Resolvers cover repositories,
pull requests with reviews, review requests, commits, labels and timeline items, and rateLimit.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    build_schema,
    execute,
    parse,
    validate,
)

from app.sandbox.routing import Request, Response, Router
from app.sandbox.scenario import RepoData

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
MAX_PAGE = 100
GRAPHQL_DOCS = "https://docs.github.com/graphql"
# REST timeline event name -> GraphQL timeline item type.
TIMELINE_TYPES = {
    "ready_for_review": "ReadyForReviewEvent",
    "convert_to_draft": "ConvertToDraftEvent",
    "reopened": "ReopenedEvent",
    "closed": "ClosedEvent",
    "merged": "MergedEvent",
    "head_ref_force_pushed": "HeadRefForcePushedEvent",
    "review_requested": "ReviewRequestedEvent",
    "review_request_removed": "ReviewRequestRemovedEvent",
    "review_dismissed": "ReviewDismissedEvent",
    "labeled": "LabeledEvent",
    "unlabeled": "UnlabeledEvent",
    "assigned": "AssignedEvent",
}


_schema_lock = threading.Lock()


@cache
def _build_schema() -> GraphQLSchema:
    schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"), assume_valid_sdl=True)
    schema._validation_errors = []  # the SDL is GitHub's own; skip its self-check
    return schema


def github_schema() -> GraphQLSchema:
    """GitHub's schema, built once per process (about a second, more on a busy machine).

    GitHub's SDL breaks two of graphql-core's schema rules (a duplicated field, deprecated
    implementations of interface fields), so it is built as already-valid; queries are still
    validated in full against it.
    """
    with _schema_lock:
        return _build_schema()


def add_routes(router: Router) -> None:
    router.post("/graphql", answer_graphql)
    # Build the schema while the server starts, so the first query does not wait for it.
    threading.Thread(target=github_schema, daemon=True).start()


def answer_graphql(request: Request) -> Response:
    """Parse, validate against GitHub's schema, execute; errors in GitHub's wording."""
    if not request.headers.get("Authorization"):
        return Response(
            401,
            {
                "message": "This endpoint requires you to be authenticated.",
                "documentation_url": f"{GRAPHQL_DOCS}/guides/forming-calls-with-graphql"
                "#authenticating-with-graphql",
            },
        )
    try:
        payload = json.loads(request.body or b"null")
    except ValueError:
        return Response(
            400, {"message": "Problems parsing JSON", "documentation_url": GRAPHQL_DOCS}
        )
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, str):
        message = "A query attribute must be specified and must be a string."
        return Response(200, {"errors": [{"message": message}]})
    try:
        document = parse(query)
    except GraphQLError as error:
        return Response(200, {"errors": [_github_error(error)]})
    schema = github_schema()
    errors = validate(schema, document)
    if errors:
        paths = _field_paths(document)
        return Response(200, {"errors": [_github_error(e, paths) for e in errors]})
    result = execute(
        schema,
        document,
        root_value=_root(request),
        variable_values=payload.get("variables") or {},
        operation_name=payload.get("operationName"),
    )
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_github_error(e) for e in result.errors]
    return Response(200, body)


_UNDEFINED_FIELD = re.compile(r"Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\.")
_UNKNOWN_ARGUMENT = re.compile(
    r"Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'\."
)


def _field_paths(document: DocumentNode) -> dict[int, list[str]]:
    """For each field node (by id), GitHub's error path: ["query", "repository", "stars"]."""
    paths: dict[int, list[str]] = {}

    def walk(selections: Any, prefix: list[str]) -> None:
        for selection in selections or ():
            if isinstance(selection, FieldNode):
                path = [*prefix, selection.name.value]
                paths[id(selection)] = path
                if selection.selection_set:
                    walk(selection.selection_set.selections, path)
            elif isinstance(selection, InlineFragmentNode):
                on = (
                    f"... on {selection.type_condition.name.value}"
                    if selection.type_condition
                    else "..."
                )
                walk(selection.selection_set.selections, [*prefix, on])

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = definition.operation.value
            if definition.name:
                root = f"{root} {definition.name.value}"
            walk(definition.selection_set.selections, [root])
        elif isinstance(definition, FragmentDefinitionNode):
            walk(definition.selection_set.selections, [f"fragment {definition.name.value}"])
    return paths


def _github_error(error: GraphQLError, paths: dict[int, list[str]] | None = None) -> dict[str, Any]:
    """graphql-core's error as GitHub words the common ones (message, path, extensions.code)."""
    body: dict[str, Any] = {"message": error.message}
    if error.path:
        body["path"] = list(error.path)
    elif paths and error.nodes and id(error.nodes[0]) in paths:
        body["path"] = paths[id(error.nodes[0])]
    if error.locations:
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if match := _UNDEFINED_FIELD.fullmatch(error.message):
        body["message"] = f"Field '{match['field']}' doesn't exist on type '{match['type']}'"
        body["extensions"] = {
            "code": "undefinedField",
            "typeName": match["type"],
            "fieldName": match["field"],
        }
    elif match := _UNKNOWN_ARGUMENT.fullmatch(error.message):
        body["message"] = f"Field '{match['field']}' doesn't accept argument '{match['arg']}'"
        body["extensions"] = {
            "code": "argumentNotAccepted",
            "name": match["field"],
            "typeName": "Field",
            "argumentName": match["arg"],
        }
    elif error.message.startswith("Could not resolve to"):
        body["type"] = "NOT_FOUND"
    return body


# -- connections ---------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _index(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return int(base64.b64decode(cursor).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError) as error:
        raise GraphQLError(f"`{cursor}` does not appear to be a valid cursor.") from error


def connection(
    name: str,
    items: Sequence[Any],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """A Relay connection over `items` with GitHub's first/last rules (one of them, at most 100)."""
    if first is None and last is None:
        raise GraphQLError(
            f"You must provide a `first` or `last` value to properly paginate the `{name}` "
            "connection."
        )
    for label, count in (("first", first), ("last", last)):
        if count is not None and count > MAX_PAGE:
            raise GraphQLError(
                f"Requesting {count} records on the `{name}` connection exceeds the `{label}` "
                f"limit of {MAX_PAGE} records."
            )
    start = (_index(after) + 1) if after else 0
    stop = _index(before) if before else len(items)
    window = list(range(start, min(stop, len(items))))
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    edges = [{"cursor": _cursor(i), "node": items[i]} for i in window]
    return {
        "totalCount": len(items),
        "nodes": [edge["node"] for edge in edges],
        "edges": edges,
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1] < len(items) - 1,
            "hasPreviousPage": bool(window) and window[0] > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _conn(name: str, items: Callable[[], Sequence[Any]]) -> Callable[..., dict[str, Any]]:
    return lambda _info, **args: connection(name, items(), **args)


# -- objects -------------------------------------------------------------------------------


def actor(user: dict[str, Any] | None) -> dict[str, Any] | None:
    """A REST user as a GraphQL Actor (bots lose their "[bot]" suffix, as on GitHub)."""
    if not user:
        return None
    kind = user.get("type") or "User"
    typename = kind if kind in ("User", "Bot", "Organization", "Mannequin") else "User"
    login = user.get("login", "")
    return {
        "__typename": typename,
        "id": user.get("node_id"),
        "databaseId": user.get("id"),
        "login": login.removesuffix("[bot]") if typename == "Bot" else login,
        "url": user.get("html_url"),
        "resourcePath": "/" + login,
        "avatarUrl": lambda _info, **_args: user.get("avatar_url"),
        "name": None,
        "email": "",
    }


def _review(review: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "PullRequestReview",
        "id": review.get("node_id"),
        "databaseId": review.get("id"),
        "author": actor(review.get("user")),
        "authorAssociation": review.get("author_association", "NONE"),
        "state": review.get("state"),
        "body": review.get("body") or "",
        "submittedAt": review.get("submitted_at"),
        "createdAt": review.get("submitted_at"),
        "publishedAt": review.get("submitted_at"),
        "url": review.get("html_url"),
        "commit": {"oid": review.get("commit_id")} if review.get("commit_id") else None,
    }


def _commit(item: dict[str, Any]) -> dict[str, Any]:
    commit = item.get("commit") or {}

    def signature(role: str) -> dict[str, Any]:
        person = commit.get(role) or {}
        return {
            "name": person.get("name"),
            "email": person.get("email"),
            "date": person.get("date"),
            "user": actor(item.get(role)),
        }

    return {
        "__typename": "PullRequestCommit",
        "id": item.get("node_id"),
        "url": item.get("html_url"),
        "commit": {
            "__typename": "Commit",
            "oid": item.get("sha"),
            "message": commit.get("message"),
            "authoredDate": (commit.get("author") or {}).get("date"),
            "committedDate": (commit.get("committer") or {}).get("date"),
            "author": signature("author"),
            "committer": signature("committer"),
        },
    }


def _timeline_item(event: dict[str, Any]) -> dict[str, Any] | None:
    typename = TIMELINE_TYPES.get(event.get("event", ""))
    if typename is None:
        return None
    item = {
        "__typename": typename,
        "id": event.get("node_id"),
        "createdAt": event.get("created_at"),
        "actor": actor(event.get("actor")),
    }
    if "requested_reviewer" in event:
        item["requestedReviewer"] = actor(event["requested_reviewer"])
    if "label" in event:
        item["label"] = {"name": event["label"].get("name"), "color": event["label"].get("color")}
    return item


def _item_type(typename: str) -> str:
    """ReadyForReviewEvent -> READY_FOR_REVIEW_EVENT (PullRequestTimelineItemsItemType)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", typename).upper()


def _timeline(data: RepoData, number: int) -> Callable[..., dict[str, Any]]:
    def resolve(_info: Any, itemTypes: list[str] | None = None, since: Any = None, **args: Any):
        items = [i for e in data.by_key("timelines.json", number) if (i := _timeline_item(e))]
        if itemTypes:
            items = [i for i in items if _item_type(i["__typename"]) in itemTypes]
        if since:
            items = [i for i in items if str(i["createdAt"]) >= str(since).replace("+00:00", "Z")]
        return connection("timelineItems", items, **args)

    return resolve


def pull_request(data: RepoData, pull: dict[str, Any]) -> dict[str, Any]:
    number = pull["number"]
    state = "MERGED" if pull.get("merged_at") else str(pull.get("state", "open")).upper()

    def reviews(
        _info: Any, states: list[str] | None = None, author: str | None = None, **args: Any
    ):
        items = [_review(r) for r in data.by_key("reviews.json", number)]
        if states:
            items = [r for r in items if r["state"] in states]
        if author:
            items = [r for r in items if r["author"] and r["author"]["login"] == author]
        return connection("reviews", items, **args)

    requests = [
        {"__typename": "ReviewRequest", "requestedReviewer": actor(u), "asCodeOwner": False}
        for u in pull.get("requested_reviewers") or []
    ] + [
        {
            "__typename": "ReviewRequest",
            "asCodeOwner": False,
            "requestedReviewer": {
                "__typename": "Team",
                "slug": t.get("slug"),
                "name": t.get("name"),
                "id": t.get("node_id"),
            },
        }
        for t in pull.get("requested_teams") or []
    ]
    labels = [
        {
            "__typename": "Label",
            "id": lb.get("node_id"),
            "name": lb.get("name"),
            "color": lb.get("color"),
        }
        for lb in pull.get("labels") or []
    ]
    return {
        "__typename": "PullRequest",
        "id": pull.get("node_id"),
        "databaseId": pull.get("id"),
        "number": number,
        "title": pull.get("title"),
        "body": pull.get("body") or "",
        "url": pull.get("html_url"),
        "state": state,
        "isDraft": bool(pull.get("draft")),
        "locked": bool(pull.get("locked")),
        "closed": state != "OPEN",
        "merged": state == "MERGED",
        "createdAt": pull.get("created_at"),
        "updatedAt": pull.get("updated_at"),
        "closedAt": pull.get("closed_at"),
        "mergedAt": pull.get("merged_at"),
        "additions": pull.get("additions", 0),
        "deletions": pull.get("deletions", 0),
        "changedFiles": pull.get("changed_files", 0),
        "author": actor(pull.get("user")),
        "authorAssociation": pull.get("author_association", "NONE"),
        "mergedBy": actor(pull.get("merged_by")),
        "headRefName": (pull.get("head") or {}).get("ref"),
        "headRefOid": (pull.get("head") or {}).get("sha"),
        "baseRefName": (pull.get("base") or {}).get("ref"),
        "baseRefOid": (pull.get("base") or {}).get("sha"),
        "labels": _conn("labels", lambda: labels),
        "reviewRequests": _conn("reviewRequests", lambda: requests),
        "reviews": reviews,
        "commits": _conn(
            "commits", lambda: [_commit(c) for c in data.by_key("pull_commits.json", number)]
        ),
        "timelineItems": _timeline(data, number),
    }


def _order_key(field: str) -> Callable[[dict[str, Any]], Any]:
    key = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}.get(field, "created_at")
    return lambda p: (p.get(key) or "", p.get("number", 0))


def repository(data: RepoData) -> dict[str, Any] | None:
    repo = data.repository()
    if not repo:
        return None

    def pull_requests(
        _info: Any,
        states: list[str] | None = None,
        orderBy: dict[str, str] | None = None,
        headRefName: str | None = None,
        baseRefName: str | None = None,
        labels: list[str] | None = None,
        **args: Any,
    ) -> dict[str, Any]:
        pulls = data.list("pulls.json")
        if orderBy:
            pulls = sorted(
                pulls, key=_order_key(orderBy["field"]), reverse=orderBy["direction"] == "DESC"
            )
        else:
            pulls = sorted(pulls, key=lambda p: p.get("id", 0))
        nodes = [pull_request(data, p) for p in pulls]
        if states:
            nodes = [n for n in nodes if n["state"] in states]
        if headRefName:
            nodes = [n for n in nodes if n["headRefName"] == headRefName]
        if baseRefName:
            nodes = [n for n in nodes if n["baseRefName"] == baseRefName]
        if labels:
            nodes = [n for n in nodes if {lb.get("name") for lb in _labels(data, n)} & set(labels)]
        return connection("pullRequests", nodes, **args)

    def one_pull(_info: Any, number: int) -> dict[str, Any] | None:
        pull = data.pull(number)
        return pull_request(data, pull) if pull else None

    return {
        "__typename": "Repository",
        "id": repo.get("node_id"),
        "databaseId": repo.get("id"),
        "name": repo.get("name"),
        "nameWithOwner": repo.get("full_name"),
        "owner": actor(repo.get("owner")),
        "url": repo.get("html_url"),
        "isPrivate": bool(repo.get("private")),
        "isArchived": bool(repo.get("archived")),
        "isFork": bool(repo.get("fork")),
        "createdAt": repo.get("created_at"),
        "updatedAt": repo.get("updated_at"),
        "pushedAt": repo.get("pushed_at"),
        "defaultBranchRef": {"name": repo.get("default_branch"), "prefix": "refs/heads/"},
        "pullRequests": pull_requests,
        "pullRequest": one_pull,
    }


def _labels(data: RepoData, node: dict[str, Any]) -> list[dict[str, Any]]:
    pull = data.pull(node["number"]) or {}
    return pull.get("labels") or []


def _root(request: Request) -> dict[str, Any]:
    def find_repository(_info: Any, owner: str, name: str, **_: Any) -> dict[str, Any] | None:
        data = request.scenario.repo(owner, name)
        if data is None or not data.repository():
            raise GraphQLError(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return repository(data)

    def rate_limit(_info: Any, **_: Any) -> dict[str, Any]:
        budget = request.limits.budget("graphql") if request.limits else None
        if budget is None:
            return {
                "cost": 1,
                "limit": 5000,
                "nodeCount": 0,
                "remaining": 5000,
                "used": 0,
                "resetAt": "1970-01-01T00:00:00Z",
            }
        return {
            "cost": 1,
            "limit": budget.limit,
            "nodeCount": 0,
            "remaining": max(budget.remaining - 1, 0),
            "used": budget.used + 1,
            "resetAt": datetime.fromtimestamp(budget.reset_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    return {
        "repository": find_repository,
        "rateLimit": rate_limit,
        "viewer": actor({"login": "sandbox-user", "type": "User"}),
    }
