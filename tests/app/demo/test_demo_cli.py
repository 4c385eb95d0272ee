"""`gemba demo --no-serve`: the real collectors fill the database from the generated org.

Runs the command as a user would (a subprocess with its own data folder): it builds the
organisation, serves it through the GitHub stand-in, collects git, pull requests and CI,
imports people, posts flags, opens every page as the manager, and compares row counts with
what was generated. (Reuse of a built folder: test_demo_generation.py; incremental collection
on a second pass: test_sync.py.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app.core.db import make_engine
from app.core.models import Team
from app.core.settings import Settings
from app.demo.build import Manifest, read_manifest
from dashboards.reports.agreements import team_exceptions


def _demo(data_dir: Path, database_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env["GEMBA_DATA_DIR"] = str(data_dir)
    if database_url:  # PostgreSQL; on SQLite the demo uses its own file, as `make demo` does
        env["GEMBA_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "app", "demo", "--no-serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_demo_collects_everything_it_generated_and_serves_every_page(
    tmp_path: Path, db_url: str
) -> None:
    postgres = db_url.startswith("postgresql")
    result = _demo(tmp_path, db_url if postgres else None)
    assert result.returncode == 0, result.stderr
    assert "demo organisation built" in result.stderr
    assert "demo check passed" in result.stdout  # counts match, pages show the patterns
    assert re.search(r"Gemba Walk demo: http://127\.0\.0\.1:\d+/", result.stdout)
    links = re.findall(
        r"sign in as (\w+) .*: (http://127\.0\.0\.1:\d+/signin/link\?code=\S+)", result.stdout
    )
    assert [login for login, _ in links] == ["rosa", "amara", "dara"]  # rosa: the director
    assert "gw_" not in result.stdout  # no API token in a link or on the screen
    if not postgres:
        demo_db = tmp_path / "demo" / "gemba-demo.db"
        assert f"export GEMBA_DATABASE_URL=sqlite:///{demo_db}" in result.stdout
    assert (tmp_path / "demo" / "gemba-demo.db").exists() != postgres
    slack = re.search(r"Slack nudges sent to the demo's Slack stand-in: (\S+)", result.stdout)
    assert slack, result.stderr
    messages = json.loads(Path(slack.group(1)).read_text())
    assert any("has waited for a first review" in m["text"] for m in messages)
    manifest = read_manifest(tmp_path / "demo")
    assert manifest is not None
    demo_url = db_url if postgres else f"sqlite:///{tmp_path / 'demo' / 'gemba-demo.db'}"
    _agreements_show_exceptions_and_a_backtest(demo_url, manifest)


def _agreements_show_exceptions_and_a_backtest(url: str, manifest: Manifest) -> None:
    """Both demo teams set agreements in the people file: the last 30 days hold exceptions,
    the waiting PR among Payments' first reviews, and a backtest of the same target counts
    what the check found (a stricter one at least as many)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    window = {"since": now - timedelta(days=30), "until": now, "now": now}
    rule = "first_review_hours"
    settings = Settings(database_url=url)
    try:
        with Session(engine) as session:
            teams = {t.name: t for t in session.exec(select(Team))}
            payments = team_exceptions(session, teams["Payments"], settings, **window)
            platform = team_exceptions(session, teams["Platform"], settings, **window)
            tried = {
                hours: team_exceptions(
                    session,
                    teams["Payments"],
                    settings,
                    **window,
                    overrides={rule: hours},
                    only={rule},
                ).counts[rule]
                for hours in (24, 4)
            }
    finally:
        engine.dispose()
    waiting = manifest.patterns["waiting_pull"]
    waited = {e.item for e in payments.exceptions if e.rule == rule}
    assert f"{waiting['repo']}#{waiting['number']}" in waited
    assert payments.targets.limits[rule] == 24 and tried[24] == payments.counts[rule]
    assert tried[4] >= tried[24] >= 1
    assert sum(platform.counts.values()) >= 1, platform.exceptions
