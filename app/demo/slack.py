"""The demo's Slack: a stand-in workspace with every demo person, where due nudges are sent.

What went out is written to a JSON file the demo prints, since the stand-in stops with it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.models import Person, Team
from app.core.settings import Settings, parse_hours
from app.nudges.hours import next_working_time
from app.nudges.send import NudgeReport, send_nudges
from app.nudges.slack import web_client
from app.sandbox.slack.server import SlackSandbox
from app.sandbox.slack.view import render
from app.sandbox.slack.workspace import Workspace


def _workspace(engine: Engine) -> Workspace:
    """Every demo person as a member (found by email) and a channel for each team."""
    workspace = Workspace()
    with Session(engine) as db:
        for person in db.exec(select(Person).where(col(Person.email).is_not(None))):
            workspace.add_user(f"U{person.id:08d}", person.email or "", person.login)
        for team in db.exec(select(Team)):
            team.slack_channel = team.slack_channel or f"C{team.id:08d}"
            workspace.add_channel(team.slack_channel)
            db.add(team)
        db.commit()
    return workspace


def send_demo_nudges(engine: Engine, settings: Settings, folder: Path) -> tuple[Path, NudgeReport]:
    """Send what is due at the next working hour to a stand-in; the file of what went out (its
    `.html` twin draws them as Slack would)."""
    with SlackSandbox(_workspace(engine)) as slack:
        now = next_working_time(
            datetime.now(UTC),
            settings.default_timezone,
            frozenset(settings.workdays),
            parse_hours(settings.nudges_working_hours),
        )
        client = web_client(slack.workspace.token, slack.url)
        report = send_nudges(engine, client, now, settings)
        messages = [
            {k: m[k] for k in ("channel", "ts", "text", "blocks", "edits")}
            for m in slack.workspace.messages
        ]
    path = folder / "slack-messages.json"
    path.write_text(json.dumps(messages, indent=2, ensure_ascii=False), encoding="utf-8")
    # beside it, the same messages drawn as Slack shows them (the stand-in's view)
    path.with_suffix(".html").write_text(render(messages), encoding="utf-8")
    return path, report
