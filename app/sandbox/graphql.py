"""POST /graphql: GitHub's GraphQL API answered from the scenario's REST objects.

Every query is validated against GitHub's real public schema (schema.graphql, see NOTICE.txt),
so a collector query that GitHub would reject fails here too. Resolvers cover repositories,
pull requests with reviews, review requests, commits, labels and timeline items, and rateLimit.
"""

from __future__ import annotations

import json
import re
import threading
from functools import cache, lru_cache
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

from app.sandbox.graphql_cost import MAX_NODES, query_cost
from app.sandbox.graphql_resolvers import root_value
from app.sandbox.routing import Request, Response, Router

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
GRAPHQL_DOCS = "https://docs.github.com/graphql"


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


def warm_up() -> None:
    """Build the schema in the background, so a long-running server's first query is quick.

    Not done for every server: test servers that never see GraphQL should not pay for it.
    """
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
    document, errors = checked(query)
    if document is None:
        return Response(200, {"errors": errors})
    variables = payload.get("variables") or {}
    cost = query_cost(document, variables, payload.get("operationName"))
    if cost.over_limit is not None:
        return Response(200, {"errors": [_node_limit_error(*cost.over_limit)]})
    if request.limits is not None and cost.points > 1:
        request.limits.spend("graphql", cost.points - 1)  # the server spends the last point
    result = execute(
        github_schema(),
        document,
        root_value=root_value(request, cost),
        variable_values=variables,
        operation_name=payload.get("operationName"),
    )
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_github_error(e) for e in result.errors]
    return Response(200, body)


@lru_cache(maxsize=256)
def checked(query: str) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
    """The parsed query, or None with GitHub-style errors; cached by the exact query text.

    Validating against GitHub's large schema costs far more than answering, and collectors
    repeat the same query text page after page (only variables change).
    """
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, [_github_error(error)]
    errors = validate(github_schema(), document)
    if errors:
        paths = _field_paths(document)
        return None, [_github_error(e, paths) for e in errors]
    return document, []


def _node_limit_error(connection: str, nodes: int) -> dict[str, Any]:
    return {
        "type": "MAX_NODE_LIMIT_EXCEEDED",
        "message": f"By the time this query traverses to the {connection} connection, it is "
        f"requesting up to {nodes:,} possible nodes which exceeds the maximum limit of "
        f"{MAX_NODES:,}.",
    }


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
