"""A running Slack stand-in with two members and a team channel."""

from __future__ import annotations

import pytest

from app.sandbox.slack.server import SlackSandbox
from app.sandbox.slack.workspace import Workspace


@pytest.fixture
def slack():
    """The stand-in on a free port: ada (U0ADA0001), bob (U0BOB0001), channel C0PAYMENTS1."""
    workspace = Workspace()
    workspace.add_user("U0ADA0001", "ada@example.com", "ada")
    workspace.add_user("U0BOB0001", "bob@example.com", "bob")
    workspace.add_channel("C0PAYMENTS1")
    with SlackSandbox(workspace) as sandbox:
        yield sandbox
