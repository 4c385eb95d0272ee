"""GitHub's GraphQL rate-limit arithmetic: node count, request count and point cost of a query.

GitHub documents it ("Rate limits and node limits for the GraphQL API"): every connection must
give `first` or `last`; nodes = the product of page sizes down each path; requests = one per
parent node of each connection; cost = requests / 100, rounded, at least 1 point; and a query
may ask for at most 500,000 nodes. Collectors that batch by GraphQL are judged by these points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

MAX_NODES = 500_000


@dataclass(frozen=True)
class QueryCost:
    nodes: int
    requests: int
    #: (connection name, total nodes asked for once it is reached) when over MAX_NODES
    over_limit: tuple[str, int] | None = None

    @property
    def points(self) -> int:
        return max(1, math.floor(self.requests / 100 + 0.5))


def query_cost(
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> QueryCost:
    """Nodes and requests of the operation that will run (the named one, else the only one)."""
    variables = variables or {}
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (o for o in operations if o.name and o.name.value == operation_name),
        operations[0] if operations else None,
    )
    totals = {"nodes": 0, "requests": 0}
    over: list[tuple[str, int]] = []

    def page_size(field: FieldNode) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return int(given) if isinstance(given, int) else None
        return None

    def walk(selection_set: SelectionSetNode | None, parents: int, seen: frozenset[str]) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                size = page_size(selection)
                if size is None:
                    walk(selection.selection_set, parents, seen)
                    continue
                totals["requests"] += parents
                totals["nodes"] += parents * size
                if totals["nodes"] > MAX_NODES and not over:
                    over.append((selection.name.value, totals["nodes"]))
                walk(selection.selection_set, parents * size, seen)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, parents, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    walk(fragments[name].selection_set, parents, seen | {name})

    if operation is not None:
        walk(operation.selection_set, 1, frozenset())
    return QueryCost(totals["nodes"], totals["requests"], over[0] if over else None)
