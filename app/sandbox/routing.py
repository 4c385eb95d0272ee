"""Router and GitHub's list conventions, shared by every endpoint module of the stand-in.

Router API (for endpoint modules such as `app.sandbox.actions`)::

    def add_routes(router: Router) -> None:
        router.get(r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/actions/runs", list_runs)

    def list_runs(request: Request) -> Response:
        data = request.repo_data()               # RepoData of {owner}/{repo}, 404 if unknown
        runs = filter_since(request, data.list("runs.json"), "created_at")
        return paginate(request, runs, wrap="workflow_runs")

- Patterns are regexes matched against the whole path (no query); named groups land in
  `request.params`. `/repositories/{id}/...` is rewritten to `/repos/{owner}/{repo}/...`
  before routing, so register only the `/repos/...` form.
- A handler returns `Response(status, body, headers)` or raises `HttpError` (e.g.
  `raise not_found()`). Bodies are JSON-serialisable; `https://api.github.com` in bodies and
  headers is rewritten to the stand-in's own URL, and ETag / 304 / X-RateLimit-* are added by
  the server for every answer.
- `paginate(request, items)` applies per_page/page and sets the Link header;
  `sort_items`, `filter_since`, `query_int`, `query_choice` cover GitHub's list parameters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from app.sandbox.limits import Limits
    from app.sandbox.scenario import RepoData, Scenario

GITHUB_API = "https://api.github.com"
DOCS = "https://docs.github.com/rest"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100

Handler = Callable[["Request"], "Response"]


@dataclass
class Response:
    """One answer: status, JSON body (None = empty) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    _text: str | None = field(default=None, repr=False, compare=False)

    def text(self) -> str:
        """The body as compact JSON, serialised once (ETag and sending share it)."""
        if self._text is None:
            self._text = json.dumps(self.body, separators=(",", ":"), ensure_ascii=False)
        return self._text


class HttpError(Exception):
    """Raised by handlers to answer with a GitHub-style error body."""

    def __init__(self, status: int, message: str, documentation_url: str = DOCS, **extra: Any):
        super().__init__(message)
        self.response = Response(
            status,
            {"message": message, "documentation_url": documentation_url, **extra},
        )
        if status >= 400:
            self.response.body["status"] = str(status)


def not_found(documentation_url: str = DOCS) -> HttpError:
    """GitHub's 404 body: {"message": "Not Found", "documentation_url": ..., "status": "404"}."""
    return HttpError(404, "Not Found", documentation_url)


def validation_failed(field_name: str, message: str) -> HttpError:
    """GitHub's 422 body for a bad parameter."""
    return HttpError(
        422,
        "Validation Failed",
        errors=[{"resource": "Search", "field": field_name, "code": "invalid", "message": message}],
    )


@dataclass
class Request:
    """What a handler sees: method, path, query (first value of each key), headers, body."""

    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    scenario: Scenario
    params: dict[str, str] = field(default_factory=dict)
    limits: Limits | None = None

    def repo_data(self) -> RepoData:
        """The scenario repository named by the `owner` and `repo` path groups, else 404."""
        data = self.scenario.repo(self.params["owner"], self.params["repo"])
        if data is None:
            raise not_found()
        return data

    def url(self, query: Mapping[str, Any] | None = None) -> str:
        """This request's absolute URL with `query` replacing the query string."""
        target = f"{self.base_url}{self.path}"
        return f"{target}?{urlencode(query)}" if query else target


class Router:
    """Maps (method, path regex) to a handler; first registered match wins."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def get(self, pattern: str, handler: Handler) -> None:
        self.add("GET", pattern, handler)

    def post(self, pattern: str, handler: Handler) -> None:
        self.add("POST", pattern, handler)

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """The handler and path groups for a request; None when no route exists.

        HEAD is answered by GET handlers, as GitHub does.
        """
        method = "GET" if method == "HEAD" else method
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler, match.groupdict()
        return None


def query_int(
    request: Request, name: str, default: int, *, minimum: int = 1, maximum: int | None = None
) -> int:
    """An integer query parameter, clamped like GitHub (bad values fall back to the default)."""
    raw = request.query.get(name)
    try:
        value = int(raw) if raw not in (None, "") else default
    except ValueError:
        value = default
    value = max(value, minimum)
    return min(value, maximum) if maximum is not None else value


def query_choice(request: Request, name: str, choices: Sequence[str], default: str) -> str:
    """An enum query parameter; an unknown value is a 422 like GitHub's."""
    value = request.query.get(name) or default
    if value not in choices:
        raise validation_failed(name, f"{name} must be one of: {', '.join(choices)}")
    return value


def parse_time(value: str | None) -> datetime | None:
    """GitHub timestamps (`2024-01-02T03:04:05Z`) as aware datetimes; None stays None."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def query_since(request: Request, name: str = "since") -> datetime | None:
    """The `since` parameter as a datetime; a malformed one is a 422."""
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        parsed = parse_time(raw)
    except ValueError as error:
        raise validation_failed(name, f"invalid ISO 8601 timestamp: {raw}") from error
    if parsed is not None and parsed.tzinfo is None:
        raise validation_failed(name, f"timestamp needs a time zone: {raw}")
    return parsed


def filter_since(request: Request, items: Iterable[dict[str, Any]], key: str) -> list[dict]:
    """Items whose `key` time is at or after `?since=`; all items without the parameter."""
    since = query_since(request)
    items = list(items)
    if since is None:
        return items
    return [item for item in items if (t := parse_time(item.get(key))) is not None and t >= since]


def sort_items(
    items: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any], direction: str
) -> list[dict[str, Any]]:
    """Stable sort by `key`, `direction` "asc" or "desc"; ties keep scenario order."""
    return sorted(items, key=key, reverse=direction == "desc")


def paginate(
    request: Request,
    items: Sequence[Any],
    *,
    wrap: str | None = None,
    max_items: int | None = None,
    transform: Callable[[Any], Any] | None = None,
) -> Response:
    """One page of `items` with GitHub's `Link` header (next, last, first, prev).

    `wrap` names the key of an object answer (`{"total_count": n, wrap: [...]}`, as the
    Actions endpoints answer); `max_items` caps the list like GitHub does for PR commits (250);
    `transform` shapes only the items of this page (cheap on long lists).
    """
    if max_items is not None:
        items = items[:max_items]
    per_page = query_int(request, "per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    page = query_int(request, "page", 1)
    last = max(1, -(-len(items) // per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])
    if transform is not None:
        chunk = [transform(item) for item in chunk]
    body: Any = {"total_count": len(items), wrap: chunk} if wrap else chunk
    headers = {}
    links = _links(request, page, last)
    if links:
        headers["Link"] = links
    return Response(200, body, headers)


def _links(request: Request, page: int, last: int) -> str:
    def link(number: int, rel: str) -> str:
        return f'<{request.url({**request.query, "page": number})}>; rel="{rel}"'

    parts = []
    if page > 1:
        parts.append(link(min(page - 1, last), "prev"))
    if page < last:
        parts.append(link(page + 1, "next"))
        parts.append(link(last, "last"))
    if page > 1:
        parts.append(link(1, "first"))
    return ", ".join(parts)
