"""The Slack stand-in for nudge tests: the stand-in tests' fixture (ada, bob, C0PAYMENTS1)."""

from tests.app.sandbox.slack.conftest import slack

__all__ = ["slack"]
