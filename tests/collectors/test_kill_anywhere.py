"""kill -9 at random moments in the GitHub collectors, then one more run: no gap, no duplicate.

Each collector runs as the real `gemba collect github` process against the GitHub stand-in,
slowed down so that a kill lands inside a collect, not before or after it. After a few kills at
seeded random moments, one run finishes; what is stored must equal what one clean collect of the
same data stores (compared by every row's natural key), with no key stored twice. The git
collector has the same check in tests/collectors/git/test_store.py.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from tests.paths import ROOT
from tests.world import delivery
from tests.world import reviews as sc
from tests.world.ci import history
from tests.world.github_api import GithubApi

KILLS = 4
SEED = 20261202

# table -> the columns that name a row whatever collect stored it
NATURAL_KEYS = {
    "pulls": {
        "pullrequest": "repository_id, number, state, updated_at",
        "review": "id, pull_request_id, state, submitted_at",
        "reviewcomment": "id, pull_request_id",
        "pullrequestevent": "pull_request_id, event, created_at",
    },
    "ci": {
        "workflowrun": "id, run_attempt, conclusion",
        "runattempt": "run_id, attempt, conclusion",
        "job": "id, run_id, run_attempt, conclusion",
    },
    "delivery": {
        "deployment": "repository_id, key, sha, deployed_at",
        "deployedcommit": "(SELECT key FROM deployment WHERE id = deployment_id), sha",
        "deployedpull": "(SELECT key FROM deployment WHERE id = deployment_id), pull_request_id",
        "deliveryfailure": "repository_id, ref, kind, deployment_key",
    },
}


def _gemba(only: str) -> list[str]:
    return [sys.executable, "-m", "app", "collect", "github", _repo(only), "--only", only]


def _repo(only: str) -> str:
    return {"pulls": sc.FULL_NAME, "delivery": delivery.FULL_NAME}.get(only, "acme/app")


def _env(db_url: str, github_api: GithubApi, slow: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env.update(
        GEMBA_DATABASE_URL=db_url,
        GEMBA_GITHUB_API_URL=github_api.url,
        GEMBA_GITHUB_TOKEN="ghp_test",
        GEMBA_GITHUB_PER_PAGE="2",
        GEMBA_GITHUB_SECONDS_BETWEEN_REQUESTS="0.03" if slow else "0",
    )
    return env


def _same_on_both_backends(value: object) -> object:
    """Times as naive UTC text: SQLite hands raw SQL its text, PostgreSQL a datetime."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    return value


def _rows(engine: Engine, only: str) -> dict[str, Counter[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            table: Counter(
                tuple(_same_on_both_backends(value) for value in row)
                for row in conn.execute(text(f"SELECT {columns} FROM {table}"))
            )
            for table, columns in NATURAL_KEYS[only].items()
        }


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _write(only: str, github_api: GithubApi) -> None:
    if only == "pulls":
        github_api.write_repo(sc.OWNER, sc.REPO, **sc.build())
    elif only == "delivery":
        delivery.write_many(github_api)
    else:
        history().write(github_api)


def _prepare(only: str, env: dict[str, str]) -> None:
    """Delivery links the PRs it shipped: they are collected (once, not killed) first."""
    if only == "delivery":
        done = _run([*_gemba(only)[:-1], "pulls"], env)
        assert done.returncode == 0, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("only", ["pulls", "ci", "delivery"])
def test_kill_9_anywhere_then_one_run_stores_what_a_clean_collect_stores(
    only: str, db_url: str, engine: Engine, github_api: GithubApi, tmp_path: object
) -> None:
    _write(only, github_api)
    clean_url = f"sqlite:///{tmp_path}/clean.db"
    _prepare(only, _env(clean_url, github_api, slow=False))
    clean = _run(_gemba(only), _env(clean_url, github_api, slow=False))
    assert clean.returncode == 0, clean.stderr
    clean_engine = create_engine(clean_url)
    expected = _rows(clean_engine, only)
    clean_engine.dispose()
    assert all(expected.values()), expected  # the scenario stores rows in every table

    rng = random.Random(SEED)
    command, env = _gemba(only), _env(db_url, github_api, slow=True)
    _prepare(only, _env(db_url, github_api, slow=False))
    killed_mid_collect = 0
    for _ in range(KILLS):
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, 2.5))
        if process.poll() is None:
            process.kill()
            killed_mid_collect += 1
        process.wait()
    assert killed_mid_collect >= 1, "every run finished before its kill: slow the stand-in more"

    final = _run(command, env)
    assert final.returncode == 0, final.stderr
    stored = _rows(engine, only)
    for table, rows in stored.items():
        twice = [key for key, count in rows.items() if count > 1]
        assert not twice, f"{table}: stored twice: {twice}"
        assert set(rows) == set(expected[table]), f"{table}: differs from a clean collect"
