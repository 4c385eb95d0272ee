"""The whole `gemba` command with every module registered, for tests and embedding.

`gemba` itself (`app.cli.main`) loads only the modules a command line needs; importing this
module loads them all.
"""

from __future__ import annotations

from app.cli import build_cli

cli = build_cli()
