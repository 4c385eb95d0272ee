"""Rate-limit budgets and injected faults: the parts of GitHub that say "not now".

Kept apart from the HTTP plumbing so tests (and the control endpoint) can script them:
a fault fires on the next matching requests, a budget runs out like GitHub's primary limit.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = (
    "5xx",
    "reset",
    "secondary_rate_limit",
    "primary_rate_limit",
    "graphql_rate_limited",
)
DOCS_PRIMARY = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
)
DOCS_SECONDARY = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


def reset_time(seconds: float, now: float | None = None) -> int:
    """The epoch second at least `seconds` from now (GitHub's X-RateLimit-Reset is whole seconds;
    rounding up keeps a short test window from ending before a client reads it)."""
    return math.ceil((time.time() if now is None else now) + seconds)


@dataclass
class Budget:
    """One resource's primary rate limit (core, graphql, search ...)."""

    limit: int = 5000
    used: int = 0
    window: int = 3600
    reset_at: int = 0

    def __post_init__(self) -> None:
        if not self.reset_at:
            self.reset_at = reset_time(self.window)

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def refresh(self, now: float) -> None:
        """A new window starts once the reset time has passed, as on GitHub."""
        if now >= self.reset_at:
            self.used = 0
            self.reset_at = reset_time(self.window, now)

    def headers(self, resource: str) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Resource": resource,
        }

    def as_json(self) -> dict[str, int]:
        return {
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "reset": self.reset_at,
        }


@dataclass
class Fault:
    """A scripted failure for requests whose `METHOD path?query` matches `path`.

    kind: "5xx" (answer `status`, default 502), "reset" (drop the connection),
    "secondary_rate_limit" (403 + Retry-After: `retry_after`), "primary_rate_limit"
    (`status` 403 or 429, X-RateLimit-Remaining: 0, reset `reset_in` seconds from now),
    "graphql_rate_limited" (like primary, but GraphQL's form: 200 + errors[type RATE_LIMITED]).
    times: how many matching requests fail; -1 for every one.
    """

    path: str = ".*"
    kind: str = "5xx"
    status: int | None = None
    times: int = 1
    retry_after: int = 1
    reset_in: int = 1
    method: str | None = None
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.times == 0 or self.times < -1:
            raise ValueError("fault times must be a positive count, or -1 for every request")
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        try:
            self._pattern = re.compile(self.path)
        except re.error as error:
            raise ValueError(f"fault path is not a valid regex: {error}") from error

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        known = {"path", "kind", "status", "times", "retry_after", "reset_in", "method"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def matches(self, method: str, target: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return self._pattern.search(target) is not None


class Limits:
    """Thread-safe budgets per resource plus the queue of pending faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.budgets: dict[str, Budget] = {
            "core": Budget(),
            "graphql": Budget(),
            "search": Budget(limit=30, window=60),
            "code_search": Budget(limit=10, window=60),
        }
        self.faults: list[Fault] = []

    def set_budget(
        self,
        resource: str = "core",
        *,
        limit: int = 5000,
        remaining: int | None = None,
        reset_in: int = 3600,
    ) -> None:
        """Start a fresh window: `remaining` of `limit` left, resetting in `reset_in` seconds."""
        with self._lock:
            used = limit - (limit if remaining is None else remaining)
            self.budgets[resource] = Budget(
                limit=limit,
                used=used,
                window=max(reset_in, 1),
                reset_at=reset_time(reset_in),
            )

    def budget(self, resource: str) -> Budget:
        with self._lock:
            budget = self.budgets.setdefault(resource, Budget())
            budget.refresh(time.time())
            return budget

    def spend(self, resource: str, points: int = 1) -> None:
        with self._lock:
            self.budgets.setdefault(resource, Budget()).used += points

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def take_fault(self, method: str, target: str) -> Fault | None:
        """The first pending fault for this request, consuming one of its `times`."""
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, target):
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            self.faults.remove(fault)
                    return fault
        return None


def primary_limit_body(login: str = "sandbox-user") -> dict[str, str]:
    return {
        "message": f"API rate limit exceeded for user ID 1 ({login}).",
        "documentation_url": DOCS_PRIMARY,
    }


def graphql_rate_limited_body() -> dict[str, list[dict[str, str]]]:
    """GraphQL's primary limit: HTTP 200 with a RATE_LIMITED error, not a 403."""
    return {
        "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]
    }


def secondary_limit_body() -> dict[str, str]:
    return {
        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
        "you try again. If you reach out to GitHub Support for help, please include the "
        "request ID 0000:0000:0000000:0000000:00000000.",
        "documentation_url": DOCS_SECONDARY,
    }
