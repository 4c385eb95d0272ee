"""The stand-in's HTTP server: stdlib ThreadingHTTPServer, GitHub's headers, faults, a request log.

Standard library only, so `gemba github-sandbox` ships in the product without a web framework.
Endpoint modules (`repos`, `pulls`, `graphql`, `actions`) add their routes to one Router.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from app.sandbox import actions, conditional, delivery, graphql, pulls, repos, teams
from app.sandbox.handler import LoggedRequest, handler_class
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
)
from app.sandbox.scenario import Scenario, ScenarioError


def build_router() -> Router:
    """A router with the routes of every endpoint module."""
    router = Router()
    for module in (repos, pulls, graphql, actions, delivery, teams):
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
        self._httpd = ThreadingHTTPServer((host, port), handler_class(self))
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
            etag = conditional.etag(response.text())
            response.headers.setdefault("ETag", etag)
            modified = conditional.last_modified(response.body)
            if modified is not None:
                response.headers.setdefault("Last-Modified", format_datetime(modified, usegmt=True))
            if conditional.not_modified(request.headers, etag, modified):
                kept = conditional.kept_on_304(response.headers)
                response = Response(304, None, {"ETag": etag, **kept})
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
