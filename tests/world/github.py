"""Builders of GitHub-shaped REST objects for scenarios (they live in the product, for the demo).

Pull-request builders live in app/sandbox/objects.py, Actions builders in
app/sandbox/actions_objects.py, deployment and release builders in app/sandbox/delivery_objects.py.
"""

from app.sandbox.actions_objects import make_check_run, make_job, make_run, make_workflow
from app.sandbox.delivery_objects import (
    make_deployment,
    make_deployment_status,
    make_environment,
    make_release,
    make_tag,
)
from app.sandbox.objects import (
    fake_sha,
    make_commit,
    make_label,
    make_minimal_repository,
    make_public_user,
    make_pull,
    make_repository,
    make_review,
    make_review_comment,
    make_timeline_event,
    make_user,
    stable_id,
    timeline_commit,
    timeline_review,
)

__all__ = [
    "fake_sha",
    "make_check_run",
    "make_commit",
    "make_deployment",
    "make_deployment_status",
    "make_environment",
    "make_job",
    "make_label",
    "make_minimal_repository",
    "make_public_user",
    "make_pull",
    "make_release",
    "make_repository",
    "make_review",
    "make_review_comment",
    "make_run",
    "make_tag",
    "make_timeline_event",
    "make_user",
    "make_workflow",
    "stable_id",
    "timeline_commit",
    "timeline_review",
]
