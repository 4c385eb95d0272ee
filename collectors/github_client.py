"""The one place PyGithub is constructed, with base URL, auth, paging, retry and throttle."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import requests
from github import Auth, Github, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait
from github.Requester import (
    HTTPRequestsConnectionClass,
    HTTPSRequestsConnectionClass,
    Requester,
    RequestsResponse,
)
from urllib3.util.retry import Retry

from app.core.settings import Settings, reveal
from collectors.github_budget import CURRENT, resource_of

REQUESTER_LOGGER = "github.Requester"
RETRY_LOGGER = "github.GithubRetry"


def make_auth(settings: Settings) -> Auth.Auth | None:
    """A token, or a GitHub App installation when app settings are given."""
    if settings.github_app_id and settings.github_app_private_key_path:
        key = settings.github_app_private_key_path.read_text()
        app_auth = Auth.AppAuth(settings.github_app_id, key)
        if settings.github_app_installation_id is None:
            raise ValueError("GEMBA_GITHUB_APP_INSTALLATION_ID is required with an app id")
        return app_auth.get_installation_auth(settings.github_app_installation_id)
    if settings.github_token:
        return Auth.Token(reveal(settings.github_token))
    return None


class RateLimitRetry(GithubRetry):
    """`GithubRetry`, plus GitHub's other answer to an exhausted primary limit: 429.

    GitHub documents 403 *or* 429 for a spent primary rate limit. PyGithub waits out only the
    403; a 429 carries `X-RateLimit-Reset` (and sometimes `Retry-After`, which urllib3 already
    sleeps for), so without this a collect stops at the first 429 instead of waiting.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("status_forcelist", [*range(500, 600), 429])
        super().__init__(**kwargs)

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        budget = CURRENT.get()
        if budget is not None and response is not None and response.status in (403, 429):
            budget.refused(resource_of(urlparse(url or "").path), response.status, response.headers)
        if response is None or response.status != 429 or "Retry-After" in response.headers:
            return super().increment(method, url, response, error, _pool, _stacktrace)
        logging.getLogger(RETRY_LOGGER).info(
            "Request %s %s failed with 429: %s", method, url, response.reason
        )
        reset = response.headers.get("X-RateLimit-Reset", "")
        backoff = max(int(reset) - time.time(), 0.0) + 1 if reset.isdigit() else 60.0
        if self.max_rate_limit_wait is not None and backoff > self.max_rate_limit_wait:
            raise RateLimitExceededExceedsMaxWait(429, None, dict(response.headers), wait=backoff)
        retry = Retry.increment(self, method, url, response, error, _pool, _stacktrace)
        retry.get_backoff_time = lambda: max(backoff, Retry.get_backoff_time(retry))  # type: ignore[method-assign]
        logging.getLogger(RETRY_LOGGER).info("Setting next backoff to %.0fs", backoff)
        return retry


class _Budgeted:
    """PyGithub's connection, asking the shared budget (collectors.github_budget) before each
    request and telling it GitHub's count after; without a budget in force, unchanged."""

    url: str

    def getresponse(self) -> RequestsResponse:
        budget = CURRENT.get()
        if budget is None:
            return super().getresponse()  # type: ignore[misc]
        resource = resource_of(self.url)
        budget.spend(resource)
        response: RequestsResponse = super().getresponse()  # type: ignore[misc]
        budget.observe(resource, response.headers)
        return response


class BudgetedHTTPS(_Budgeted, HTTPSRequestsConnectionClass):
    pass


class BudgetedHTTP(_Budgeted, HTTPRequestsConnectionClass):
    pass


_CONNECTIONS = threading.Lock()


def make_github(settings: Settings) -> Github:
    """A client that pages at `per_page`, retries faults with backoff and honours rate limits.

    `RateLimitRetry` waits out secondary rate limits (Retry-After) and primary ones (until
    X-RateLimit-Reset, answered as 403 or 429); `seconds_between_requests` keeps us polite.
    Its connections spend the shared budget when one is in force (`github_budget.sharing`):
    PyGithub takes its connection classes when a client is made, so they are put in place for
    that moment only (`Requester.injectConnectionClasses`, PyGithub's own hook).
    """
    retry = RateLimitRetry(
        total=settings.github_retries,
        backoff_factor=0.5 if settings.github_retries else 0,
        max_rate_limit_wait=settings.github_max_wait_seconds,
    )
    with _CONNECTIONS:
        Requester.injectConnectionClasses(BudgetedHTTP, BudgetedHTTPS)
        try:
            return Github(
                auth=make_auth(settings),
                base_url=settings.github_api_url.rstrip("/"),
                per_page=settings.github_per_page,
                retry=retry,
                seconds_between_requests=settings.github_seconds_between_requests or None,
                seconds_between_writes=None,
                timeout=30,
            )
        finally:
            Requester.resetConnectionClasses()


NETWORK_ERRORS = (requests.RequestException,)


def describe_network_error(error: Exception, api_url: str) -> str:
    """One line for a GitHub that cannot be reached or keeps failing, in place of a traceback."""
    reason = error
    while reason.__context__ is not None and not str(reason):
        reason = reason.__context__  # type: ignore[assignment]
    text = str(reason)
    if isinstance(error, requests.exceptions.RetryError):
        cause = text.rsplit("Caused by ResponseError(", 1)[-1].strip("')\" ")
        return (
            f"GitHub at {api_url} kept failing ({cause}); what was stored is kept: "
            "run the same command again to resume"
        )
    if isinstance(error, requests.exceptions.ConnectionError):
        return (
            f"GitHub at {api_url} could not be reached: check GEMBA_GITHUB_API_URL and the network"
        )
    if isinstance(error, requests.exceptions.Timeout):
        return f"GitHub at {api_url} did not answer in time; run the same command again to resume"
    return f"GitHub at {api_url} failed: {text.splitlines()[0] if text else type(error).__name__}"


class _Quiet(logging.Handler):
    """Attach to a PyGithub logger for a `with` block without its DEBUG lines reaching stderr.

    PyGithub puts a StreamHandler on the `github` logger; while we listen at DEBUG we stop
    propagation and pass on only records at WARNING and above.
    """

    logger_names: tuple[str, ...] = ()

    def __enter__(self) -> _Quiet:
        self._saved: list[tuple[logging.Logger, int, bool]] = []
        for name in self.logger_names:
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.level, logger.propagate))
            if logger.getEffectiveLevel() > self.level:
                logger.setLevel(self.level)
            logger.propagate = False
            logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger, level, propagate in reversed(self._saved):
            logger.removeHandler(self)
            logger.setLevel(level)
            logger.propagate = propagate

    def pass_on(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            logging.getLogger("github").handle(record)


class RequestCounter(_Quiet):
    """Counts the HTTP requests PyGithub makes inside a `with` block (retries count once).

    PyGithub logs every request at DEBUG on `github.Requester`; we count those records rather
    than patching PyGithub.
    """

    logger_names = (REQUESTER_LOGGER,)

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and " ==> " in record.msg:
            self.count += 1
        self.pass_on(record)


class VisibleWaits(_Quiet):
    """Shows rate-limit waits and retries (logged by GithubRetry and urllib3) as one line each."""

    logger_names = (RETRY_LOGGER, "urllib3.connectionpool")

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(level=logging.INFO)
        self.say = say

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "failed with 403" in message:
            self.say(f"GitHub rate limit hit: {message}")
        elif "backoff to" in message:
            self.say(f"GitHub rate limit: {message.replace('Setting next backoff to', 'waiting')}")
        elif "Retrying after" in message:
            self.say(f"GitHub secondary rate limit: {message}")
        elif record.name.startswith("urllib3") and "Retrying" in message:
            self.say(f"GitHub request failed, retrying: {message}")
