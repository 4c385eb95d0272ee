"""`python -m app` is the same as the `gemba` command."""

from app.cli import main

main()
