"""The Slack Web API client nudges use: slack_sdk's WebClient with Slack's retry rules.

A 429 waits for its Retry-After and a 5xx is retried a few times inside one send, so a short
outage delays a nudge instead of dropping it; what still fails is left for the next run.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

DEFAULT_API_URL = "https://slack.com/api/"


def web_client(token: str, api_url: str = DEFAULT_API_URL, *, retries: int = 2) -> WebClient:
    """A WebClient for `api_url` that retries rate limits, server errors and dropped connections."""
    base = api_url if api_url.endswith("/") else api_url + "/"
    return WebClient(
        token=token,
        base_url=base,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )
