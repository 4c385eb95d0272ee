"""GraphQL connections as GitHub pages them: Relay cursors, `first`/`last` of at most 100.

GitHub's own error texts, so the collectors meet the same refusals as on github.com.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

MAX_PAGE = 100


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


def lazy_connection(name: str, items: Callable[[], Sequence[Any]]) -> Callable[..., dict[str, Any]]:
    """A field resolver: the items are listed only when a query asks for the connection."""
    return lambda _info, **args: connection(name, items(), **args)
