"""GitHub Actions: workflows, runs with every attempt, jobs of every attempt, check runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from app.core.models.base import JsonField, UtcField


class Workflow(SQLModel, table=True):
    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    repository_id: int = Field(foreign_key="repository.id", index=True)
    name: str = Field(max_length=300)
    path: str = Field(default="", max_length=500)
    state: str | None = Field(default=None, max_length=50)


class WorkflowRun(SQLModel, table=True):
    """A run as of its latest attempt."""

    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    repository_id: int = Field(foreign_key="repository.id", index=True)
    workflow_id: int | None = Field(default=None, index=True, sa_type=BigInteger)
    name: str = Field(default="", max_length=300)
    head_sha: str = Field(max_length=40, index=True)
    head_branch: str | None = Field(default=None, max_length=300, index=True)
    event: str | None = Field(default=None, max_length=50)
    actor_login: str | None = Field(default=None, max_length=100, index=True)
    triggering_actor_login: str | None = Field(default=None, max_length=100)
    status: str | None = Field(default=None, max_length=30)
    conclusion: str | None = Field(default=None, max_length=30)
    run_attempt: int = 1
    run_number: int | None = None
    created_at: datetime = UtcField(nullable=False, index=True)
    run_started_at: datetime | None = UtcField()
    updated_at: datetime | None = UtcField()
    html_url: str | None = Field(default=None, max_length=500)
    pull_numbers: list[int] = JsonField(default_factory=list)


class RunAttempt(SQLModel, table=True):
    run_id: int = Field(
        foreign_key="workflowrun.id", primary_key=True, ondelete="CASCADE", sa_type=BigInteger
    )
    attempt: int = Field(primary_key=True)
    status: str | None = Field(default=None, max_length=30)
    conclusion: str | None = Field(default=None, max_length=30)
    run_started_at: datetime | None = UtcField()
    updated_at: datetime | None = UtcField()
    triggering_actor_login: str | None = Field(default=None, max_length=100)


class Job(SQLModel, table=True):
    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    run_id: int = Field(
        foreign_key="workflowrun.id", index=True, ondelete="CASCADE", sa_type=BigInteger
    )
    run_attempt: int = 1
    name: str = Field(max_length=300)
    status: str | None = Field(default=None, max_length=30)
    conclusion: str | None = Field(default=None, max_length=30)
    created_at: datetime | None = UtcField()
    started_at: datetime | None = UtcField()
    completed_at: datetime | None = UtcField()
    runner_name: str | None = Field(default=None, max_length=200)
    labels: list[str] = JsonField(default_factory=list)
    steps: list[dict[str, Any]] = JsonField(default_factory=list)
    html_url: str | None = Field(default=None, max_length=500)


class CheckRun(SQLModel, table=True):
    """Checks from apps other than Actions (external CI), per commit."""

    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    repository_id: int = Field(foreign_key="repository.id", index=True)
    head_sha: str = Field(max_length=40, index=True)
    name: str = Field(max_length=300)
    app_slug: str | None = Field(default=None, max_length=100)
    status: str | None = Field(default=None, max_length=30)
    conclusion: str | None = Field(default=None, max_length=30)
    started_at: datetime | None = UtcField()
    completed_at: datetime | None = UtcField()
    html_url: str | None = Field(default=None, max_length=500)
