"""The one place PyGithub is constructed, with base URL, auth, paging, retry and throttle."""

from __future__ import annotations

import logging
from collections.abc import Callable

from github import Auth, Github, GithubRetry

from app.core.settings import Settings

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
        return Auth.Token(settings.github_token)
    return None


def make_github(settings: Settings) -> Github:
    """A client that pages at `per_page`, retries faults with backoff and honours rate limits.

    PyGithub's `GithubRetry` waits out secondary rate limits (Retry-After) and primary ones
    (until X-RateLimit-Reset); `seconds_between_requests` keeps us polite between calls.
    """
    retry = GithubRetry(
        total=settings.github_retries,
        backoff_factor=0.5 if settings.github_retries else 0,
        max_rate_limit_wait=settings.github_max_wait_seconds,
    )
    return Github(
        auth=make_auth(settings),
        base_url=settings.github_api_url.rstrip("/"),
        per_page=settings.github_per_page,
        retry=retry,
        seconds_between_requests=settings.github_seconds_between_requests or None,
        seconds_between_writes=None,
        timeout=30,
    )


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
