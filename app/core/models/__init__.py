"""Every table, by name: `from app.core.models import Commit`.

The modules load on first use, so a command that touches two tables (`gemba collect git`)
does not pay for defining all of them. `metadata` loads them all: Alembic and the tests
that build a schema get every table.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.models.agreements import AgreementChange, ExpectedException, TeamAgreement
    from app.core.models.base import metadata
    from app.core.models.ci import CheckRun, Job, RunAttempt, Workflow, WorkflowRun
    from app.core.models.flags import (
        CATEGORIES,
        FlagAnswer,
        FlagAuthor,
        FrictionFlag,
        IdempotencyKey,
    )
    from app.core.models.git import Commit, FileChange, RepoFile, Repository
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
    from app.core.models.sync import CollectJob, DigestDelivery, SyncCursor

HOMES = {
    "agreements": ("AgreementChange", "ExpectedException", "TeamAgreement"),
    "ci": ("CheckRun", "Job", "RunAttempt", "Workflow", "WorkflowRun"),
    "flags": ("CATEGORIES", "FlagAnswer", "FlagAuthor", "FrictionFlag", "IdempotencyKey"),
    "git": ("Commit", "FileChange", "RepoFile", "Repository"),
    "people": (
        "ApiToken",
        "Identity",
        "OneOnOne",
        "OneOnOneNote",
        "PageView",
        "Person",
        "Team",
        "TeamMember",
    ),
    "reviews": ("PullRequest", "PullRequestEvent", "Review", "ReviewComment"),
    "sessions": ("SignInLinkUse", "WebSession"),
    "sync": ("CollectJob", "DigestDelivery", "SyncCursor"),
}
_MODULE_OF = {name: module for module, names in HOMES.items() for name in names}

__all__ = [  # the names of HOMES and metadata (a test holds the two equal)
    "CATEGORIES",
    "AgreementChange",
    "ApiToken",
    "CheckRun",
    "CollectJob",
    "Commit",
    "DigestDelivery",
    "ExpectedException",
    "FileChange",
    "FlagAnswer",
    "FlagAuthor",
    "FrictionFlag",
    "IdempotencyKey",
    "Identity",
    "Job",
    "OneOnOne",
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


def __getattr__(name: str) -> Any:
    if name == "metadata":
        for module in HOMES:
            importlib.import_module(f"app.core.models.{module}")
        value = importlib.import_module("app.core.models.base").metadata
    elif name in _MODULE_OF:
        value = getattr(importlib.import_module(f"app.core.models.{_MODULE_OF[name]}"), name)
    else:
        raise AttributeError(f"module 'app.core.models' has no attribute {name!r}")
    globals()[name] = value
    return value
