"""Every table, by name: `from app.core.models import Commit`.

Importing the package defines every table (a tenth of a second, a fraction of SQLModel's own
import), so `metadata` is complete for Alembic and for the tests that build a schema, and
import-linter sees each module that uses a table.
"""

from __future__ import annotations

from app.core.models.agreements import AgreementChange, ExpectedException, TeamAgreement
from app.core.models.base import metadata
from app.core.models.ci import CheckRun, Job, RunAttempt, Workflow, WorkflowRun
from app.core.models.delivery import DeliveryFailure, DeployedCommit, DeployedPull, Deployment
from app.core.models.flags import (
    CATEGORIES,
    FlagAnswer,
    FlagAuthor,
    FrictionFlag,
    IdempotencyKey,
)
from app.core.models.git import Commit, FileChange, RepoFile, Repository
from app.core.models.nudges import NudgeDelivery, NudgeOptOut, PromptAnswer
from app.core.models.people import (
    ApiToken,
    Identity,
    OneOnOne,
    OneOnOneNote,
    PageView,
    Person,
    Team,
    TeamMember,
)
from app.core.models.reviews import PullRequest, PullRequestEvent, Review, ReviewComment
from app.core.models.sessions import SignInLinkUse, WebSession
from app.core.models.sync import DigestDelivery, GithubBudget, SyncCursor

__all__ = [  # every table class and metadata (tests/app/core/test_migrations.py checks)
    "CATEGORIES",
    "AgreementChange",
    "ApiToken",
    "CheckRun",
    "Commit",
    "DeliveryFailure",
    "DeployedCommit",
    "DeployedPull",
    "Deployment",
    "DigestDelivery",
    "ExpectedException",
    "FileChange",
    "FlagAnswer",
    "FlagAuthor",
    "FrictionFlag",
    "GithubBudget",
    "IdempotencyKey",
    "Identity",
    "Job",
    "NudgeDelivery",
    "NudgeOptOut",
    "OneOnOne",
    "OneOnOneNote",
    "PageView",
    "Person",
    "PromptAnswer",
    "PullRequest",
    "PullRequestEvent",
    "RepoFile",
    "Repository",
    "Review",
    "ReviewComment",
    "RunAttempt",
    "SignInLinkUse",
    "SyncCursor",
    "Team",
    "TeamAgreement",
    "TeamMember",
    "WebSession",
    "Workflow",
    "WorkflowRun",
    "metadata",
]
