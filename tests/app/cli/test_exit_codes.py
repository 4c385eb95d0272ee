"""docs/operate.md's exit-code table names every code the commands use, and the codes mean
what it says."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli.everything import cli
from collectors.git.lease import Lease
from tests.app.cli.test_ops import run  # noqa: F401 (a fixture)
from tests.paths import ROOT
from tests.world.git import linear_history

# `fail(message, 3)`, `fail(message, code=3)`, `typer.Exit(1)`, `SystemExit(1)`
USED = re.compile(r"(?:fail\(.*?,\s*(?:code=)?|Exit\(|SystemExit\()(\d+)\)")


def _documented() -> set[int]:
    text = (ROOT / "docs" / "operate.md").read_text()
    blocks = text[text.index("## 11. Exit codes") :].split("\n\n")
    table = next(block for block in blocks if block.startswith("| code |"))
    return {int(code) for code in re.findall(r"^\|\s*(\d+)\s*\|", table, re.MULTILINE)}


def test_the_table_lists_every_exit_code_the_commands_use() -> None:
    used = {0, 1, 2}  # success, `common.fail`'s default, and Typer's usage errors
    for module in (ROOT / "app" / "cli").glob("*.py"):
        used |= {int(code) for code in USED.findall(module.read_text())}
    assert used >= {3, 130}  # the scan finds the codes it should
    assert _documented() == used


def test_2_for_usage_and_3_for_a_repository_being_collected(
    run: CliRunner,  # noqa: F811 (test_ops' fixture: `gemba` on the test database)
    engine: Engine,
    tmp_path: Path,
) -> None:
    assert run.invoke(cli, ["collect", "git"]).exit_code == 2  # no PATH
    assert run.invoke(cli, ["collect", "gti"]).exit_code == 2
    repo = linear_history(tmp_path / "api", commits=3, files=3)
    held = Lease(engine, "acme/api")
    held.claim()  # another run is collecting acme/api
    try:
        busy = run.invoke(cli, ["collect", "git", str(repo), "--name", "acme/api"])
    finally:
        held.release()
    assert busy.exit_code == 3, busy.output
    assert "another `gemba collect git` is running for 'acme/api'" in busy.stderr
    done = run.invoke(cli, ["collect", "git", str(repo), "--name", "acme/api"])
    assert done.exit_code == 0, done.output
