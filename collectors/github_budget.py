"""One GitHub token's rate budget, shared by every process that collects with it.

GitHub counts requests per token (or App installation), not per process: four workers that
each believe they have 5,000 requests left spend the same 5,000. So the budget lives in the
database, one `GithubBudget` row per token and API resource (core, graphql):

- before a request, `spend` takes one from `remaining` in a single conditional UPDATE; when
  only the reserve is left (or GitHub asked everyone to pause) it waits for the reset instead
  of sending a request GitHub would refuse;
- after a response, `observe` writes back what GitHub's `X-RateLimit-*` headers say (within one
  window, the lower of the two counts wins, so a stale answer never gives back spent requests);
- a refusal (403/429: `Retry-After`, or a spent limit) pauses every worker on the token, so one
  refusal never becomes a storm of them.

The budget in force is a context variable: `sharing(...)` sets it around a collector, and
`collectors.github_client`'s connection asks it before each request.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import case, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from app.core.models import GithubBudget
from app.core.models.base import utcnow
from app.core.settings import Settings, reveal

log = logging.getLogger("gemba.github.budget")

budget_t = GithubBudget.__table__  # type: ignore[attr-defined]
SECONDARY_PAUSE = 60.0  # GitHub's advice for a secondary limit that names no Retry-After
CURRENT: ContextVar[SharedBudget | None] = ContextVar("gemba_github_budget", default=None)


class BudgetSpent(RuntimeError):
    """The shared budget stays spent longer than GEMBA_GITHUB_MAX_WAIT_SECONDS."""


def identity(settings: Settings) -> str:
    """Who GitHub counts: the API host and the App installation, or a hash of the token."""
    host = urlparse(settings.github_api_url).netloc or settings.github_api_url
    if settings.github_app_id and settings.github_app_installation_id is not None:
        return f"{host} app:{settings.github_app_installation_id}"
    if settings.github_token:
        digest = hashlib.sha256(reveal(settings.github_token).encode()).hexdigest()[:16]
        return f"{host} token:{digest}"
    return f"{host} anonymous"


def resource_of(path: str) -> str:
    """The rate-limit resource a request spends: GraphQL has its own budget."""
    return "graphql" if path.split("?", 1)[0].endswith("/graphql") else "core"


class SharedBudget:
    """The database rows of one token's budget, spent and refreshed request by request."""

    def __init__(
        self,
        engine: Engine,
        who: str,
        *,
        reserve: int,
        max_wait: float | None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine, self.who, self.reserve, self.max_wait = engine, who, reserve, max_wait
        self.sleep, self.clock = sleep, clock
        self.waited = 0.0

    def key(self, resource: str) -> str:
        return f"{self.who} {resource}"

    def spend(self, resource: str) -> None:
        """Take one request from the budget, waiting first while it is spent or paused."""
        waited = 0.0
        while (wait := self._take(resource, self.clock())) > 0:
            if self.max_wait is not None and waited + wait > self.max_wait:
                raise BudgetSpent(
                    f"the GitHub budget of {self.who} ({resource}) is spent for {wait:.0f} s "
                    f"more, longer than GEMBA_GITHUB_MAX_WAIT_SECONDS; a retry resumes"
                )
            if waited == 0:
                log.info(
                    "waiting for the shared GitHub budget",
                    extra={"budget": self.key(resource), "seconds": round(wait, 1)},
                )
            pause = min(wait, 5.0)
            self.sleep(pause)
            waited += pause
        self.waited += waited

    def _take(self, resource: str, now: float) -> float:
        """0 when a request was taken, else the seconds until one may be."""
        key = self.key(resource)
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(budget_t)
                .where(
                    budget_t.c.key == key,
                    budget_t.c.paused_until <= now,
                    (budget_t.c.remaining > self.reserve) | (budget_t.c.reset_epoch <= now),
                )
                .values(remaining=budget_t.c.remaining - 1, updated_at=utcnow())
            ).rowcount
            if taken:
                return 0.0
            row = conn.execute(
                select(budget_t.c.remaining, budget_t.c.reset_epoch, budget_t.c.paused_until).where(
                    budget_t.c.key == key
                )
            ).first()
        if row is None:  # never seen: the first answer tells us the budget
            return 0.0
        wait = max(0.0, float(row.paused_until) - now)
        if row.remaining <= self.reserve:
            wait = max(wait, float(row.reset_epoch) + 1 - now)
        return max(wait, 0.05)  # a race with a reset: look again shortly

    def observe(self, resource: str, headers: Mapping[str, str]) -> None:
        """GitHub's own count from a response's `X-RateLimit-*` headers."""
        try:
            remaining = int(headers["X-RateLimit-Remaining"])
            limit = int(headers.get("X-RateLimit-Limit", "0"))
            reset = int(headers["X-RateLimit-Reset"])
        except (KeyError, ValueError):
            return
        lower = case(
            (
                (budget_t.c.reset_epoch == reset) & (budget_t.c.remaining < remaining),
                budget_t.c.remaining,
            ),
            else_=remaining,
        )
        self._upsert(  # a late answer from an earlier window changes nothing
            resource,
            {"remaining": lower, "quota": limit, "reset_epoch": reset},
            {"remaining": remaining, "quota": limit, "reset_epoch": reset, "paused_until": 0.0},
            budget_t.c.reset_epoch <= reset,
        )

    def refused(self, resource: str, status: int, headers: Mapping[str, str]) -> None:
        """A 403 or 429: everyone on this token waits, for Retry-After or until the reset."""
        self.observe(resource, headers)
        if headers.get("X-RateLimit-Remaining") == "0" and "Retry-After" not in headers:
            return  # a spent primary limit: `remaining` is 0 now, spend() waits for the reset
        try:
            seconds = float(headers.get("Retry-After", SECONDARY_PAUSE))
        except ValueError:
            seconds = SECONDARY_PAUSE
        until = self.clock() + seconds
        later = case((budget_t.c.paused_until > until, budget_t.c.paused_until), else_=until)
        log.warning(
            "GitHub refused a request: every worker on this token pauses",
            extra={"budget": self.key(resource), "status": status, "seconds": seconds},
        )
        self._upsert(
            resource,
            {"paused_until": later},
            {"remaining": 0, "quota": 0, "reset_epoch": 0, "paused_until": until},
        )

    def _upsert(
        self, resource: str, changes: dict[str, object], new: dict[str, object], *only: Any
    ) -> None:
        """Change the row (where `only` holds), or make it when there is none yet."""
        key = self.key(resource)
        for _ in range(2):
            with self.engine.begin() as conn:
                found = conn.execute(select(budget_t.c.id).where(budget_t.c.key == key)).first()
                if found is not None:
                    conn.execute(
                        update(budget_t)
                        .where(budget_t.c.id == found.id, *only)
                        .values(**changes, updated_at=utcnow())
                    )
                    return
                try:
                    with conn.begin_nested():
                        conn.execute(insert(budget_t).values(key=key, updated_at=utcnow(), **new))
                    return
                except IntegrityError:  # another worker made the row first: update it
                    continue


@contextmanager
def sharing(engine: Engine, settings: Settings) -> Iterator[SharedBudget]:
    """Spend the configured token's shared budget for the requests made inside the block."""
    budget = SharedBudget(
        engine,
        identity(settings),
        reserve=settings.github_budget_reserve,
        max_wait=settings.github_max_wait_seconds,
    )
    token = CURRENT.set(budget)
    try:
        yield budget
    finally:
        CURRENT.reset(token)
