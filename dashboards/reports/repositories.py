"""The one answer every front door gives for a repository name that was never collected.

A typo in `--repo` or `?repo=` must not look like a quiet repository (an empty list and exit 0):
the CLI exits 1 and the API answers 404, both with the same sentence naming the known ones.
"""

from __future__ import annotations

import difflib

from sqlmodel import Session, select

from app.core.models import Repository

MAX_SHOWN = 10  # an organisation synced with OWNER/* can have hundreds


class UnknownRepositoryError(LookupError):
    """No repository has been collected under this name; `str()` says which ones were."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(unknown_repository_message(name, known))


def unknown_repository_message(name: str, known: list[str]) -> str:
    """`no repository named 'acme/shpo', known: acme/shop, ...`: close names first."""
    if not known:
        return f"no repository named {name!r}; none collected yet"
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    ordered = close + [k for k in known if k not in close]
    listed = ", ".join(ordered[:MAX_SHOWN])
    if len(ordered) > MAX_SHOWN:
        listed += f" and {len(ordered) - MAX_SHOWN} more"
    return f"no repository named {name!r}, known: {listed}"


def known_repositories(session: Session) -> list[str]:
    return sorted(session.exec(select(Repository.name)))


def require_repository(session: Session, name: str) -> int:
    """The id of the repository collected under `name`; UnknownRepositoryError otherwise."""
    found = session.exec(select(Repository.id).where(Repository.name == name)).first()
    if found is None:
        raise UnknownRepositoryError(name, known_repositories(session))
    return found
