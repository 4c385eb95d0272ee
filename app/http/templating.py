"""The pages' Jinja environment: autoescaped, and no text can reorder the page around it.

Names, paths, commit messages and flag text come from git, GitHub and people, and may carry
Unicode bidirectional controls: U+202E (right-to-left override) makes `exe.txt` read as
`txt.exe` and can flip a whole table row. Every value a template prints is passed through
`strip_bidi_controls` (Jinja's `finalize` hook, so no template can forget it); markup the
app built itself (`Markup`) is left as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

import dashboards
from dashboards.talking_points.units import duration

TEMPLATES_DIR = Path(dashboards.__file__).parent / "templates"

# Embeddings, overrides, isolates and the directional marks (Unicode Bidi Algorithm, UAX #9).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi_controls(value: Any) -> Any:
    """The value with bidirectional control characters removed (text only, not Markup)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.translate(_DROP)
    return value


templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(),
        finalize=strip_bidi_controls,
    )
)
# Waits read as the talking points and the digest say them: hours under 48, then days.
templates.env.filters["duration"] = duration
