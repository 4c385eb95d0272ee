"""Delivery: the successful deployments of each repository's chosen source, the commits and pull
requests each brought, and the failures (incidents, reverts, failed statuses) behind the keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.core.models.base import UtcField


class Deployment(SQLModel, table=True):
    """One successful deployment; `key` names its evidence ("deployment:<GitHub id>",
    "run:<run id>", "release:<tag>" or "merge:<PR number>") so it can be walked back."""

    __table_args__ = (UniqueConstraint("repository_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True)
    key: str = Field(max_length=300)
    source: str = Field(max_length=20)  # deployments, workflow_runs, releases, merges
    environment: str = Field(default="", max_length=300)
    sha: str = Field(max_length=40)
    deployed_at: datetime = UtcField(nullable=False, index=True)
    created_at: datetime = UtcField(nullable=False)
    html_url: str | None = Field(default=None, max_length=500)


class DeployedCommit(SQLModel, table=True):
    """A commit a deployment brought: after the previous deployment's SHA, up to its own."""

    deployment_id: int = Field(foreign_key="deployment.id", primary_key=True, ondelete="CASCADE")
    sha: str = Field(max_length=40, primary_key=True, index=True)


class DeployedPull(SQLModel, table=True):
    """The first successful deployment that contained a pull request's merge commit."""

    pull_request_id: int = Field(
        foreign_key="pullrequest.id", primary_key=True, ondelete="CASCADE", sa_type=BigInteger
    )
    deployment_id: int = Field(foreign_key="deployment.id", index=True, ondelete="CASCADE")
    deployed_at: datetime = UtcField(nullable=False)


class DeliveryFailure(SQLModel, table=True):
    """An incident issue, a merged revert PR or a failed deployment status; `deployment_key`
    is the deployment it names (the one that shipped the reverted PR, the one that failed)."""

    __table_args__ = (UniqueConstraint("repository_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True)
    kind: str = Field(max_length=20)  # incident, revert, failed_status
    ref: str = Field(max_length=300)  # issue:<n>, pull:<n>, deployment:<id>
    number: int | None = None
    title: str = Field(default="", max_length=1000)
    html_url: str | None = Field(default=None, max_length=500)
    started_at: datetime = UtcField(nullable=False)
    restored_at: datetime | None = UtcField()
    deployment_key: str | None = Field(default=None, max_length=300)
    reverted_number: int | None = None
