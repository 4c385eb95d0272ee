"""Workers that share a token share its budget: kept in the database, spent before each
request, refreshed from GitHub's headers, waited for before it is gone, paused on a refusal."""

from __future__ import annotations

import threading
import time

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import GithubBudget
from app.core.settings import Settings
from collectors import github_budget
from collectors.github_budget import SharedBudget, identity
from collectors.github_client import make_github
from tests.world.github_api import GithubApi


class Clock:
    """A clock that moves only when someone sleeps: waits are measured, not slept."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now, self.slept = start, 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def _workers(engine: Engine, clock: Clock, n: int = 2) -> list[SharedBudget]:
    return [
        SharedBudget(
            engine,
            "api.github.com token:t",
            reserve=2,
            max_wait=None,
            sleep=clock.sleep,
            clock=clock,
        )
        for _ in range(n)
    ]


def _headers(remaining: int, reset: float, limit: int = 5000) -> dict[str, str]:
    return {
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Reset": str(int(reset)),
    }


def test_two_workers_spend_one_budget_and_wait_for_the_reset(engine: Engine) -> None:
    clock = Clock()
    one, two = _workers(engine, clock)
    reset = clock.now + 100
    one.observe("core", _headers(10, reset))
    for n in range(8):  # 10 left, 2 kept in reserve: 8 between them
        (one if n % 2 else two).spend("core")
    assert clock.slept == 0
    two.spend("core")  # the ninth waits for the window to reset
    assert reset <= clock.now < reset + 6
    assert one.waited == 0 and two.waited > 0


def test_github_count_wins_downwards_only_and_late_answers_change_nothing(
    engine: Engine,
) -> None:
    clock = Clock()
    (worker,) = _workers(engine, clock, 1)
    reset = clock.now + 100
    worker.observe("core", _headers(100, reset))
    worker.spend("core")
    worker.spend("core")
    worker.observe("core", _headers(99, reset))  # GitHub had seen one of our two yet
    worker.observe("core", _headers(4000, reset - 3600))  # from the window before
    with Session(engine) as session:
        row = session.exec(select(GithubBudget)).one()
    assert (row.remaining, row.reset_epoch, row.key) == (
        98,
        int(reset),
        "api.github.com token:t core",
    )


def test_a_refusal_pauses_every_worker_on_the_token(engine: Engine) -> None:
    clock = Clock()
    one, two = _workers(engine, clock)
    one.observe("core", _headers(1000, clock.now + 3600))
    one.refused("core", 403, {**_headers(1000, clock.now + 3600), "Retry-After": "30"})
    two.spend("core")
    assert 30 <= clock.slept < 31
    two.spend("graphql")  # another resource has its own budget
    assert clock.slept < 31


def test_identity_names_the_installation_or_a_hash_of_the_token(settings: Settings) -> None:
    token = settings.model_copy(update={"github_token": "ghp_secret"})
    assert identity(token).startswith("api.github.com token:")
    assert "ghp_secret" not in identity(token)
    app = settings.model_copy(update={"github_app_id": 1, "github_app_installation_id": 77})
    assert identity(app) == "api.github.com app:77"


def test_collectors_sharing_a_token_wait_instead_of_being_refused(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    """Through PyGithub over HTTP: two threads, 8 requests, a budget of 6 that resets within
    two seconds. Without the shared budget the stand-in answers 403 once 6 are spent."""
    github_api.write_repo("acme", "app")
    github_api.server.set_rate_limit(limit=6, remaining=6, reset_in=1)
    config = settings.model_copy(
        update={"github_api_url": github_api.url, "github_token": "t", "github_budget_reserve": 1}
    )
    errors: list[BaseException] = []

    def collect() -> None:
        try:
            gh = make_github(config)
            with github_budget.sharing(engine, config):
                for _ in range(4):
                    gh.get_repo("acme/app").full_name  # noqa: B018
        except BaseException as error:  # reported below
            errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=collect) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    statuses = [r.status for r in github_api.server.requests if r.path == "/repos/acme/app"]
    assert len(statuses) == 8 and set(statuses) == {200}
    assert time.monotonic() - started >= 0.5  # someone waited for the reset
