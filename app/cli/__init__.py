"""The `gemba` command: each module in this package registers its own commands.

`main` imports only the module that a command line needs (`gemba collect git ...` never loads
PyGithub, Plotly or uvicorn), so a quick command starts in a fraction of the time it takes to
import all of them. Help, and a command we do not know, load every module. The whole command,
for tests and embedding, is `app.cli.everything.cli`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import ModuleType

import typer

MODULES = (
    "db",
    "git",
    "github",
    "ci",
    "people",
    "flags",
    "agreements",
    "digest",
    "serve",
    "demo",
    "ops",
    "nudges",
    "painmap",
    "delivery",
)

COMMAND_MODULES = {
    "db": "db",
    "hotspots": "git",
    "coupling": "git",
    "ownership": "git",
    "knowledge-risk": "git",
    "pulls": "github",
    "reviews": "github",
    "github-sandbox": "github",
    "github-record": "github",
    "ci": "ci",
    "people": "people",
    "token": "people",
    "oneone": "people",
    "flag": "flags",
    "flags": "flags",
    "agreements": "agreements",
    "digest": "digest",
    "serve": "serve",
    "demo": "demo",
    "sync": "ops",
    "worker": "ops",
    "jobs": "ops",
    "nudges": "nudges",
    "painmap": "painmap",
    "delivery": "delivery",
}  # top-level command -> the module that registers it (a test keeps this true)
COLLECT_MODULES = {"git": "git", "github": "github"}  # `gemba collect SOURCE` likewise


def modules_for(args: Sequence[str]) -> tuple[str, ...]:
    """The command modules that the command line `args` (without the program) needs."""
    if len(args) >= 2 and args[0] == "collect" and args[1] in COLLECT_MODULES:
        return (COLLECT_MODULES[args[1]],)
    if args and args[0] in COMMAND_MODULES:
        return (COMMAND_MODULES[args[0]],)
    return MODULES


def build_cli(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The root command with the commands of `modules` registered."""
    root = typer.Typer(
        name="gemba",
        help="Gemba Walk: see where engineering work gets stuck, and talk about it.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    root.callback()(_root)  # a group even with one command: `gemba serve` stays `gemba serve`
    for name in modules:
        _module(name).register(root)
    return root


def _module(name: str) -> ModuleType:
    """The command module `name`: plain imports, so only the modules asked for are loaded and
    import-linter sees every edge."""
    match name:
        case "db":
            from app.cli import db as module
        case "git":
            from app.cli import git as module
        case "github":
            from app.cli import github as module
        case "ci":
            from app.cli import ci as module
        case "people":
            from app.cli import people as module
        case "flags":
            from app.cli import flags as module
        case "agreements":
            from app.cli import agreements as module
        case "digest":
            from app.cli import digest as module
        case "serve":
            from app.cli import serve as module
        case "demo":
            from app.cli import demo as module
        case "ops":
            from app.cli import ops as module
        case "nudges":
            from app.cli import nudges as module
        case "painmap":
            from app.cli import painmap as module
        case "delivery":
            from app.cli import delivery as module
        case _:
            raise ValueError(f"no command module {name!r}")
    return module


def _root() -> None:
    """Gemba Walk: see where engineering work gets stuck, and talk about it."""
    _configure_logging()


def _configure_logging() -> None:
    """Every command logs in the configured format (GEMBA_LOG_FORMAT), before it runs. Settings
    that do not load are left to the command, which says why and exits 1."""
    from app.core.logs import configure_logging
    from app.core.settings import get_settings

    try:
        settings = get_settings()
    except ValueError:
        return
    configure_logging(settings)


def main() -> None:
    """Run the CLI; a database that cannot be reached or a malformed GEMBA_DATABASE_URL ends
    with one line on stderr and exit code 1, not a SQLAlchemy traceback."""
    command = build_cli(modules_for(sys.argv[1:]))
    try:
        command()
    except Exception as error:
        if not _database_error(error):
            raise
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        typer.echo(f"error: database: {reason} (check GEMBA_DATABASE_URL)", err=True)
        raise SystemExit(1) from None


def _database_error(error: Exception) -> bool:
    """A database that cannot be reached or a malformed URL. Only a command that loaded
    SQLAlchemy can raise one, so a command that never did (an unchanged collect) is not made
    to import it here."""
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    return isinstance(error, ArgumentError | NoSuchModuleError | OperationalError)
