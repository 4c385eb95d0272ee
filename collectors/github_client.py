"""The one place PyGithub is constructed, with base URL, auth, paging, retry and throttle."""

from __future__ import annotations

from github import Auth, Github, GithubRetry

from app.settings import Settings


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
        total=settings.github_retries, backoff_factor=0.5 if settings.github_retries else 0
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
