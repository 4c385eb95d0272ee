"""What every page is made of: links, the not-found error, and the page as JSON.

Each page builder (`page_home`, `page_person`, `page_team`, `page_repo`) returns a dataclass
that `app/http/web.py` renders as HTML and, through `to_jsonable`, as JSON, so the two cannot drift.
Nothing here knows the web framework: access problems are raised as `PageNotFoundError`, which
the HTTP layer turns into a 404 that does not say whether the page exists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from dashboards.periods import PERIOD_LABELS


class PageNotFoundError(LookupError):
    """No such page, or not one this viewer may open (deliberately indistinguishable)."""


@dataclass
class Link:
    label: str
    url: str
    current: bool = False
    key: str = ""


def to_jsonable(value: Any) -> Any:
    """The page as JSON-ready data: the same fields the template sees."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def with_query(path: str, **query: str | None) -> str:
    params = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode(params)}" if params else path


def period_links(
    path: str, current: str | None, keys: Sequence[str], **query: str | None
) -> list[Link]:
    return [
        Link(PERIOD_LABELS[k], with_query(path, period=k, **query), current=k == current, key=k)
        for k in keys
    ]
