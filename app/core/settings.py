"""Every setting Gemba Walk reads, from `GEMBA_*` environment variables or `.env`.

One validated class so that a typo or a placeholder secret fails at start, not at 3 a.m.
"""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "gemba.db"
DEV_SECRET_KEY = "dev-only-change-me"
WORKWEEK_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DELIVERY_SOURCES: tuple[Literal["deployments", "workflow_runs", "releases", "merges"], ...] = (
    "deployments",
    "workflow_runs",
    "releases",
    "merges",
)  # the source ladder, in order (app.core.delivery)


class Settings(BaseSettings):
    """Configuration for the service, the collectors and the digest."""

    model_config = SettingsConfigDict(
        env_prefix="GEMBA_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_FILE}",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    data_dir: Path = Field(default=Path(".gemba"), description="Clones, previews and demo data")
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public URL of the web app, used in emails"
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY), description="Signs sign-in links and CSRF tokens"
    )
    signin_link_minutes: int = Field(
        default=15, ge=1, le=7 * 24 * 60, description="How long a sign-in link stays valid"
    )
    session_days: int = Field(
        default=30, ge=1, le=365, description="How long a browser stays signed in"
    )
    metrics_public: bool = Field(
        default=False,
        description="/metrics answers without a token from any address (default: only from "
        "the same machine; elsewhere it needs an admin token)",
    )
    environment: str = Field(default="development", description="development or production")

    github_token: SecretStr | None = Field(default=None, description="Personal access token")
    github_api_url: str = Field(
        default="https://api.github.com", description="REST base URL (GitHub Enterprise works)"
    )
    github_app_id: int | None = Field(default=None, description="GitHub App id (app auth)")
    github_app_private_key_path: Path | None = Field(default=None)
    github_app_installation_id: int | None = Field(default=None)
    github_per_page: int = Field(default=100, ge=1, le=100)
    github_retries: int = Field(default=5, ge=0)
    github_seconds_between_requests: float = Field(default=0.25, ge=0)
    github_max_wait_seconds: float = Field(
        default=3600, ge=0, description="Longest wait for a rate-limit reset before giving up"
    )
    github_budget_reserve: int = Field(
        default=50,
        ge=0,
        description="Requests of the token's rate limit that workers leave unspent (the shared "
        "budget waits for the reset at this many)",
    )
    ci_rerun_lookback_days: float = Field(
        default=3,
        ge=0,
        description="Each CI sync re-lists runs created this many days back, to see reruns",
    )
    painmap_max_boxes: int = Field(
        default=2000,
        ge=4,
        le=50_000,
        description="Most boxes a pain map draws; the smallest files fold into 'other files'",
    )

    bot_logins: list[str] = Field(
        default_factory=lambda: ["dependabot", "renovate", "github-actions"],
        description="Extra accounts treated as bots besides GitHub's account type",
    )
    git_batch_commits: int = Field(
        default=5000, ge=1, description="Commits written per transaction by `collect git`"
    )
    workweek: str = Field(default="mon,tue,wed,thu,fri", description="Working days")
    default_timezone: str = Field(default="UTC", description="Time zone of teams that name none")
    team_only_mode: bool = Field(
        default=False, description="Individual pages are visible only to the person themself"
    )
    flags_per_minute: float = Field(
        default=30, gt=0, description="Friction flags one token may post per minute (per process)"
    )
    flags_burst: int = Field(default=10, ge=1, description="Flags a token may post in a burst")

    smtp_host: str = Field(default="localhost")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_from: str = Field(default="Gemba Walk <gemba@localhost>")
    smtp_ca_file: Path | None = Field(
        default=None, description="CA bundle to trust for a private mail server's certificate"
    )
    digest_hour: int = Field(default=8, ge=0, le=23, description="Local hour of Monday sends")

    slack_bot_token: SecretStr | None = Field(
        default=None, description="Slack bot token (xoxb-...) nudges are sent with"
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Verifies that POST /slack/interactions comes from Slack"
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base (a stand-in in tests)"
    )
    nudges_working_hours: str = Field(
        default="09:00-17:00",
        description="When nudges may reach people (HH:MM-HH:MM, on GEMBA_WORKWEEK days, in the "
        "team's time zone); anything due outside waits for the next working hour",
    )
    nudges_daily_dm_cap: int = Field(
        default=3, ge=0, le=50, description="Most Slack DMs one person gets a day from nudges"
    )

    repos: str = Field(
        default="",
        description="What `gemba sync` collects: OWNER/REPO or OWNER/* (every repository of an "
        "organisation), separated by commas or spaces",
    )
    include: str = Field(default="", description="Glob patterns a repository must match")
    exclude: str = Field(default="", description="Glob patterns that drop a repository")
    clone_url_template: str = Field(
        default="",
        description="How to clone {full_name} (default: the clone URL GitHub reports)",
    )
    sync_interval_minutes: int = Field(
        default=60,
        ge=1,
        description="How often the schedule (`gemba worker`, `gemba serve --schedule`) queues "
        "every configured repository",
    )
    worker_heartbeat_seconds: int = Field(
        default=10,
        ge=1,
        description="How often a worker tells the queue it is alive; the jobs of a worker "
        "silent for three heartbeats go back to the queue",
    )
    delivery_environments: str = Field(
        default=r"^(production|prod)$",
        description="Regular expression (case-insensitive) of the deployment environments that "
        "count as production",
    )
    delivery_workflows: str = Field(
        default="deploy|release",
        description="Regular expression (case-insensitive) on a workflow's name or file: its "
        "successful default-branch runs are deployments when a repository has no GitHub "
        "Deployments",
    )
    delivery_incident_labels: str = Field(
        default="incident", description="Issue labels that mark an incident (commas or spaces)"
    )
    delivery_sources: str = Field(
        default="",
        description="A forced deployment source per repository, OWNER/REPO=SOURCE pairs (source: "
        "deployments, workflow_runs, releases or merges); others follow the source ladder",
    )
    log_format: str = Field(default="text", pattern="^(text|json)$", description="text or json")
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")

    server: str | None = Field(
        default=None,
        description="Gemba Walk URL that `gemba flag` and `gemba flags list` post to "
        "(a developer's machine without the database); unset: they use the local database",
    )
    token: SecretStr | None = Field(
        default=None, description="The developer's API token for GEMBA_SERVER"
    )

    @field_validator("server")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"server must be an http:// or https:// URL, not {value!r}")
        return value.rstrip("/")

    @field_validator("github_api_url")
    @classmethod
    def _github_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or value[-3:] == "://":
            raise ValueError(
                f"GEMBA_GITHUB_API_URL must be an http:// or https:// URL, not {value!r}"
            )
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return known_timezone(value, "GEMBA_DEFAULT_TIMEZONE")

    @field_validator("workweek")
    @classmethod
    def _known_days(cls, value: str) -> str:
        days = [d.strip().lower() for d in value.split(",") if d.strip()]
        unknown = [d for d in days if d not in WORKWEEK_DAYS]
        if unknown or not days:
            raise ValueError(f"workweek must list days among {', '.join(WORKWEEK_DAYS)}")
        return ",".join(days)

    @field_validator("nudges_working_hours")
    @classmethod
    def _working_hours(cls, value: str) -> str:
        parse_hours(value)
        return value.strip()

    @field_validator("delivery_environments", "delivery_workflows")
    @classmethod
    def _regular_expression(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a regular expression: {value!r} ({error})") from None
        return value

    @field_validator("delivery_sources")
    @classmethod
    def _known_sources(cls, value: str) -> str:
        for pair in _split(value):
            repo, _, source = pair.partition("=")
            if "/" not in repo or source not in DELIVERY_SOURCES:
                raise ValueError(
                    f"delivery_sources entry {pair!r} is not OWNER/REPO=SOURCE with SOURCE one "
                    f"of {', '.join(DELIVERY_SOURCES)}"
                )
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("secret_key must be at least 16 characters")
        return value

    def model_post_init(self, __context: object) -> None:
        if self.environment == "production" and reveal(self.secret_key) == DEV_SECRET_KEY:
            raise ValueError("set GEMBA_SECRET_KEY to a real secret in production")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def repo_entries(self) -> list[str]:
        return _split(self.repos)

    @property
    def include_patterns(self) -> list[str]:
        return _split(self.include)

    @property
    def exclude_patterns(self) -> list[str]:
        return _split(self.exclude)

    @property
    def incident_labels(self) -> list[str]:
        return _split(self.delivery_incident_labels)

    @property
    def forced_delivery_sources(self) -> dict[str, str]:
        """OWNER/REPO -> the deployment source GEMBA_DELIVERY_SOURCES forces for it."""
        pairs = (pair.partition("=") for pair in _split(self.delivery_sources))
        return {repo: source for repo, _, source in pairs}

    @property
    def workdays(self) -> set[int]:
        """Working days as Python weekday numbers (Monday is 0)."""
        return {WORKWEEK_DAYS.index(d) for d in self.workweek.split(",")}


def parse_hours(value: str) -> tuple[time, time]:
    """`09:00-17:00` as (start, end); the end must come after the start on the same day."""
    start, dash, end = value.strip().partition("-")
    try:
        hours = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        hours = None
    if not dash or hours is None or hours[0] >= hours[1]:
        raise ValueError(f"working hours {value!r} are not HH:MM-HH:MM with the start first")
    return hours


def known_timezone(value: str, setting: str) -> str:
    """`value` if it names an IANA time zone; a typo must not silently become UTC."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise ValueError(
            f"{setting} must name an IANA time zone such as Europe/Berlin, not {value!r}"
        ) from None
    return value


def reveal(value: SecretStr | str | None) -> str:
    """A secret setting's text ("" when unset); also takes a plain string, as a settings copy
    made with `model_copy(update=...)` keeps whatever it was given."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value or ""


def _split(value: str) -> list[str]:
    """A comma- or space-separated list, as people write it in an environment variable."""
    return [item for item in value.replace(",", " ").split() if item]


@lru_cache
def get_settings() -> Settings:
    return Settings()
