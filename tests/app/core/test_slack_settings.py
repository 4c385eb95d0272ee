"""The Slack settings: secrets stay hidden, the API base defaults to Slack's, the cap is bounded."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.core.settings import Settings


def test_slack_defaults_and_hidden_secrets(monkeypatch):
    monkeypatch.setenv("GEMBA_SLACK_BOT_TOKEN", "xoxb-123")
    monkeypatch.setenv("GEMBA_SLACK_SIGNING_SECRET", "shh")
    settings = Settings(_env_file=None)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.nudges_daily_dm_cap == 3
    assert settings.slack_bot_token.get_secret_value() == "xoxb-123"
    assert "xoxb-123" not in repr(settings) and "shh" not in repr(settings)


def test_a_negative_dm_cap_is_refused(monkeypatch):
    monkeypatch.setenv("GEMBA_NUDGES_DAILY_DM_CAP", "-1")
    with pytest.raises(ValidationError, match="nudges_daily_dm_cap"):
        Settings(_env_file=None)
