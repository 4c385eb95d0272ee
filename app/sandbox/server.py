"""The stand-in's HTTP server: stdlib ThreadingHTTPServer, GitHub's headers, faults, a request log.

Standard library only, so `gemba github-sandbox` ships in the product without a web framework.
Endpoint modules (`repos`, `pulls`, `graphql`, `actions`) add their routes to one Router.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app.sandbox import actions, graphql, pulls, repos
from app.sandbox.limits import (
    Fault,
    Limits,
    graphql_rate_limited_body,
    primary_limit_body,
    reset_time,
    secondary_limit_body,
)
from app.sandbox.routing import (
    GITHUB_API,
    HttpError,
    Request,
    Response,
    Router,
    not_found,
    parse_time,
)
from app.sandbox.scenario import Scenario, ScenarioError

ENTERPRISE_PREFIX = "/api/v3"
ENTERPRISE_GRAPHQL = "/api/graphql"  # GitHub Enterprise Server's GraphQL endpoint
CONTROL_PREFIX = "/_sandbox/"


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it, for tests that count or inspect calls."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    headers: dict[str, str] = field(default_factory=dict, compare=False)


def build_router() -> Router:
    """A router with the routes of every endpoint module."""
    router = Router()
    for module in (repos, pulls, graphql, actions):
        module.add_routes(router)
    return router


class SandboxServer:
    """A GitHub REST + GraphQL stand-in serving `scenario_dir` on `host:port` (0 = free port).

    tokens: when given, a request with any other token gets 401 "Bad credentials"; a mapping
    gives each token's login for GET /user.
    """

    def __init__(
        self,
        scenario_dir: Path | str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tokens: Mapping[str, str] | Iterable[str] | None = None,
    ) -> None:
        self.scenario = Scenario(Path(scenario_dir))
        self.router = build_router()
        self.limits = Limits()
        self.tokens: dict[str, str] | None = None
        self.set_tokens(tokens)
        self._log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL for PyGithub's `base_url`."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting -----------------------------------------------------------------------
    def set_tokens(self, tokens: Mapping[str, str] | Iterable[str] | None) -> None:
        if tokens is None:
            self.tokens = None
        elif isinstance(tokens, Mapping):
            self.tokens = dict(tokens)
        else:
            self.tokens = {token: "sandbox-user" for token in tokens}

    def inject(self, fault: Fault | dict[str, Any]) -> Fault:
        """Queue a fault (see `Fault`) for the next matching requests."""
        fault = fault if isinstance(fault, Fault) else Fault.from_json(fault)
        self.limits.add_fault(fault)
        return fault

    def clear_faults(self) -> None:
        self.limits.clear_faults()

    def set_rate_limit(
        self,
        *,
        limit: int = 5000,
        remaining: int | None = None,
        reset_in: int = 3600,
        resource: str = "core",
    ) -> None:
        """Primary rate-limit budget; at 0 remaining every request gets 403 until reset."""
        self.limits.set_budget(resource, limit=limit, remaining=remaining, reset_in=reset_in)

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self._log.append(entry)

    # -- answering -----------------------------------------------------------------------
    def answer(self, request: Request, token: str | None) -> Response | None:
        """The full response for one API request; None means "drop the connection"."""
        target = request.path + (f"?{_query_string(request.query)}" if request.query else "")
        resource = "graphql" if request.path == "/graphql" else "core"
        if self.tokens is not None and token is not None and token not in self.tokens:
            return Response(
                401,
                {
                    "message": "Bad credentials",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401",
                },
            )
        fault = self.limits.take_fault(request.method, target)
        if fault is not None:
            return self._fault_response(fault, resource)
        if request.path != "/rate_limit":
            budget = self.limits.budget(resource)
            if budget.remaining <= 0:
                body = (
                    graphql_rate_limited_body()
                    if resource == "graphql"
                    else primary_limit_body(self._login(token))
                )
                response = Response(200 if resource == "graphql" else 403, body)
                response.headers.update(budget.headers(resource))
                return response
        response = self._route(request, token)
        counts = request.path != "/rate_limit"
        if response.status == 200 and request.method in ("GET", "HEAD"):
            etag = _etag(response.text())
            response.headers.setdefault("ETag", etag)
            modified = _last_modified(response.body)
            if modified is not None:
                response.headers.setdefault("Last-Modified", format_datetime(modified, usegmt=True))
            if _not_modified(request.headers, etag, modified):
                response = Response(304, None, {"ETag": etag, **_keep(response.headers)})
                counts = False
        if counts:
            self.limits.spend(resource)
        response.headers.update(self.limits.budget(resource).headers(resource))
        return response

    def _route(self, request: Request, token: str | None) -> Response:
        if request.path == "/rate_limit":
            return Response(200, self._rate_limit_body())
        if request.path == "/user":
            if self.tokens is not None and token is None:
                return HttpError(401, "Requires authentication").response
            return Response(200, _user(self._login(token)))
        moved = _moved(request)
        if moved is not None:
            return moved
        found = self.router.resolve(request.method, request.path)
        if found is None:
            return not_found().response
        handler, params = found
        request.params = params
        try:
            return handler(request)
        except HttpError as error:
            return error.response
        except ScenarioError as error:
            return HttpError(500, f"sandbox scenario error: {error}").response

    def _login(self, token: str | None) -> str:
        if self.tokens and token in self.tokens:
            return self.tokens[token]
        return "sandbox-user"

    def _rate_limit_body(self) -> dict[str, Any]:
        names = ("core", "search", "graphql", "code_search", "integration_manifest")
        resources = {name: self.limits.budget(name).as_json() for name in names}
        return {"resources": resources, "rate": resources["core"]}

    def _fault_response(self, fault: Fault, resource: str) -> Response | None:
        if fault.kind == "reset":
            return None
        budget = self.limits.budget(resource)
        if fault.kind == "5xx":
            status = fault.status or 502
            return Response(status, {"message": "Server Error", "status": str(status)})
        if fault.kind == "secondary_rate_limit":
            response = Response(fault.status or 403, secondary_limit_body())
            response.headers.update(budget.headers(resource))
            response.headers["Retry-After"] = str(fault.retry_after)
            return response
        if fault.kind == "graphql_rate_limited":
            response = Response(fault.status or 200, graphql_rate_limited_body())
        else:
            response = Response(fault.status or 403, primary_limit_body())
        response.headers.update(budget.headers(resource))
        response.headers["X-RateLimit-Remaining"] = "0"
        response.headers["X-RateLimit-Used"] = str(budget.limit)
        response.headers["X-RateLimit-Reset"] = str(reset_time(fault.reset_in))
        return response

    def control(self, method: str, path: str, body: bytes) -> Response:
        """Scripting over HTTP for `gemba github-sandbox` users.

        POST/DELETE /_sandbox/faults, GET/DELETE /_sandbox/requests, POST /_sandbox/rate_limit.
        """
        try:
            data = json.loads(body or b"null")
            if path == "/_sandbox/faults" and method == "POST":
                for item in data if isinstance(data, list) else [data]:
                    self.inject(item)
                return Response(201, {"faults": len(self.limits.faults)})
            if path == "/_sandbox/faults" and method == "DELETE":
                self.clear_faults()
                return Response(204)
            if path == "/_sandbox/rate_limit" and method == "POST":
                self.set_rate_limit(**(data or {}))
                return Response(201, self._rate_limit_body())
            if path == "/_sandbox/requests" and method == "GET":
                # Without headers: they carry the caller's token.
                fields = ("method", "path", "query", "status")
                return Response(200, [{k: getattr(e, k) for k in fields} for e in self.requests])
            if path == "/_sandbox/requests" and method == "DELETE":
                self.clear_requests()
                return Response(204)
        except (ValueError, TypeError) as error:
            return HttpError(422, f"bad sandbox control request: {error}").response
        return not_found().response


def _moved(request: Request) -> Response | None:
    """GitHub's 301 for a renamed repository, pointing at its `/repositories/{id}` form."""
    parts = request.path.split("/", 4)
    if len(parts) < 4 or parts[1] != "repos" or request.scenario.repo(parts[2], parts[3]):
        return None
    renamed = request.scenario.renamed(parts[2], parts[3])
    target = request.scenario.repo(*renamed) if renamed else None
    repo_id = target.repository().get("id") if target else None
    if repo_id is None:
        return None
    rest = f"/{parts[4]}" if len(parts) > 4 else ""
    query = f"?{_query_string(request.query)}" if request.query else ""
    location = f"{GITHUB_API}/repositories/{repo_id}{rest}{query}"
    body = {
        "message": "Moved Permanently",
        "url": location,
        "documentation_url": "https://docs.github.com/v3/#http-redirects",
    }
    return Response(301, body, {"Location": location})


def _user(login: str) -> dict[str, Any]:
    from app.sandbox.base_objects import make_user

    return make_user(login)


def _query_string(query: Mapping[str, str]) -> str:
    return "&".join(f"{key}={value}" for key, value in query.items())


def _etag(text: str) -> str:
    return 'W/"' + hashlib.sha256(text.encode()).hexdigest() + '"'


def _last_modified(body: Any) -> datetime | None:
    """GitHub sends Last-Modified for single objects: their `updated_at`."""
    if not isinstance(body, dict) or not isinstance(body.get("updated_at"), str):
        return None
    try:
        return parse_time(body["updated_at"])
    except ValueError:
        return None


def _not_modified(headers: Mapping[str, str], etag: str, modified: datetime | None) -> bool:
    """If-None-Match decides when sent (HTTP's rule); else If-Modified-Since against updated_at."""
    if headers.get("If-None-Match"):
        return _etag_matches(headers.get("If-None-Match"), etag)
    since = headers.get("If-Modified-Since")
    if not since or modified is None:
        return False
    try:
        return modified <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") in (wanted, "*") for tag in header.split(","))


def _keep(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in ("Link", "Last-Modified")}


def _token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() in ("token", "bearer") else value


def _handler_class(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes; with Nagle on, each response then waits
        # for the client's delayed ACK (~40 ms). Measured: 5x faster collection without it.
        disable_nagle_algorithm = True

        def version_string(self) -> str:
            return "GitHub.com"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the request log is kept in memory for tests instead."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            path, prefix = split.path, ""
            if path.startswith(ENTERPRISE_PREFIX + "/") or path == ENTERPRISE_PREFIX:
                prefix = ENTERPRISE_PREFIX
                path = path[len(prefix) :] or "/"
            elif path == ENTERPRISE_GRAPHQL:
                prefix, path = ENTERPRISE_PREFIX, "/graphql"
            host = self.headers.get("Host") or server.url.removeprefix("http://")
            base_url = f"http://{host}{prefix}"
            if path.startswith(CONTROL_PREFIX):
                self._send(server.control(self.command, path, body), base_url)
                return
            query = dict(parse_qsl(split.query, keep_blank_values=True))
            logged_path = path
            path = _resolve_repository_id(server.scenario, path)
            request = Request(
                method=self.command,
                path=path,
                query=query,
                headers=self.headers,
                body=body,
                base_url=base_url,
                scenario=server.scenario,
                limits=server.limits,
            )
            response = server.answer(request, _token(self.headers))
            status = response.status if response else 0
            server.record(
                LoggedRequest(self.command, logged_path, query, status, dict(self.headers))
            )
            if response is None:
                self._reset()
                return
            self._send(response, base_url)

        def _reset(self) -> None:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True

        def _send(self, response: Response, base_url: str) -> None:
            payload = b""
            if response.body is not None and response.status != 304:
                payload = response.text().replace(GITHUB_API, base_url).encode()
            self.send_response(response.status)
            if payload:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
            self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
            self.send_header("X-GitHub-Request-Id", uuid.uuid4().hex[:20].upper())
            for name, value in response.headers.items():
                self.send_header(name, value.replace(GITHUB_API, base_url))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_HEAD = do_DELETE = do_PATCH = do_PUT = _serve

    return Handler


def _resolve_repository_id(scenario: Scenario, path: str) -> str:
    """`/repositories/{id}/rest` -> `/repos/{owner}/{repo}/rest`, as GitHub resolves it."""
    if not path.startswith("/repositories/"):
        return path
    head, _, rest = path[len("/repositories/") :].partition("/")
    if not head.isdigit():
        return path
    found = scenario.repo_by_id(int(head))
    if found is None:
        return path
    return f"/repos/{found[0]}/{found[1]}" + (f"/{rest}" if rest else "")
