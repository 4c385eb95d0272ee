"""Every table, imported so that `SQLModel.metadata` is complete for Alembic and tests."""

from app.models.base import metadata
from app.models.ci import CheckRun, Job, RunAttempt, Workflow, WorkflowRun
from app.models.flags import CATEGORIES, FlagAuthor, FrictionFlag, IdempotencyKey
from app.models.git import Commit, FileChange, RepoFile, Repository
from app.models.people import (
    ApiToken,
    Identity,
    OneOnOneNote,
    PageView,
    Person,
    Team,
    TeamMember,
)
from app.models.reviews import PullRequest, PullRequestEvent, Review, ReviewComment
from app.models.sync import CollectJob, DigestDelivery, SyncCursor

__all__ = [
    "CATEGORIES",
    "ApiToken",
    "CheckRun",
    "CollectJob",
    "Commit",
    "DigestDelivery",
    "FileChange",
    "FlagAuthor",
    "FrictionFlag",
    "IdempotencyKey",
    "Identity",
    "Job",
    "OneOnOneNote",
    "PageView",
    "Person",
    "PullRequest",
    "PullRequestEvent",
    "RepoFile",
    "Repository",
    "Review",
    "ReviewComment",
    "RunAttempt",
    "SyncCursor",
    "Team",
    "TeamMember",
    "Workflow",
    "WorkflowRun",
    "metadata",
]
