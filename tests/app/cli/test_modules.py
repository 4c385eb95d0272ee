"""`gemba X` imports only X's module: the map from commands to modules must stay true."""

from __future__ import annotations

import re
import subprocess
import sys

import typer
from typer.testing import CliRunner

from app.cli import COLLECT_MODULES, COMMAND_MODULES, MODULES, build_cli, modules_for
from app.cli.everything import cli as whole_cli
from tests.paths import ROOT as CHECKOUT

ROOT = CHECKOUT


def _commands(root: typer.Typer) -> dict[str, object]:
    return dict(typer.main.get_group(root).commands)


def test_every_command_maps_to_the_module_that_registers_it() -> None:
    for module in MODULES:
        names = set(_commands(build_cli((module,)))) - {"collect"}
        assert names, module
        assert {COMMAND_MODULES[name] for name in names} == {module}, module
    whole = _commands(build_cli())
    assert set(whole) == {*COMMAND_MODULES, "collect"}
    collect = whole["collect"]
    assert set(collect.commands) == set(COLLECT_MODULES)  # type: ignore[attr-defined]


def test_command_lines_pick_their_modules() -> None:
    assert modules_for(["collect", "git", "."]) == ("git",)
    assert modules_for(["collect", "github", "acme/pay"]) == ("github",)
    assert modules_for(["token", "create", "ann"]) == ("people",)
    assert modules_for(["collect", "--help"]) == MODULES
    assert modules_for(["--help"]) == MODULES
    assert modules_for(["no-such-command"]) == MODULES  # so click names the real choices
    assert modules_for([]) == MODULES


def test_the_whole_command_is_still_importable_as_cli() -> None:
    assert set(_commands(whole_cli)) == {*COMMAND_MODULES, "collect"}


def test_collect_git_loads_neither_pygithub_nor_plotly_nor_uvicorn() -> None:
    probe = (
        "import sys; sys.argv = ['gemba', 'collect', 'git', '--help']\n"
        "from app.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('github', 'plotly', 'uvicorn') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_each_command_runs_under_its_own_name_when_loaded_alone() -> None:
    """With one module loaded, Typer would make a lone command the root: `gemba serve` must
    still take `serve` as its name (seen once as "unexpected extra argument")."""
    runner = CliRunner()
    for name, module in COMMAND_MODULES.items():
        result = runner.invoke(build_cli(modules_for([name])), [name, "--help"])
        assert result.exit_code == 0, (name, module, result.output)
        assert f"Usage: gemba {name} " in " ".join(result.output.split()), (name, result.output)


def test_the_project_loads_its_own_code_with_plain_imports_only() -> None:
    """`importlib`, `__import__` and module `__getattr__` hide edges from import-linter
    (`importlib.metadata`, which reads an installed package's version, loads no code)."""
    hidden = re.compile(
        r"\bimportlib\b(?!\.metadata)|__import__\(|^def __getattr__\(", re.MULTILINE
    )
    found = [
        str(path.relative_to(ROOT))
        for package in ("app", "collectors", "dashboards")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts and hidden.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
