"""Which people a viewer may see one by one, for routes that list per-person rows.

The signals return everyone; the routes drop what this viewer may not see and count it as
hidden (app.core.access holds the rules). Shared so CI and review routes hide the same people.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from fastapi import HTTPException, status
from sqlmodel import Session, select

from app.core.access import (
    Viewer,
    can_view_person,
    record_view,
    visible_people,
    visible_teams,
)
from app.core.models import Person, Team
from app.core.people import person_for_login, resolve_login


class LoginVisibility:
    """Which GitHub logins' individual numbers this viewer may see (answers cached)."""

    def __init__(self, session: Session, viewer: Viewer, team_only_mode: bool) -> None:
        self.session = session
        self.viewer = viewer
        self.everyone = viewer.is_admin and not team_only_mode
        self.people = visible_people(session, viewer, team_only_mode=team_only_mode)
        self._cache: dict[str, bool] = {}

    @cached_property
    def teams(self) -> set[int]:
        """Ids of the teams whose aggregates this viewer may see."""
        return visible_teams(self.session, self.viewer)

    def login(self, login: str | None) -> bool:
        if self.everyone:
            return True
        if login is None:
            return False
        if login not in self._cache:
            self._cache[login] = resolve_login(self.session, login) in self.people
        return self._cache[login]

    def split(self, items: Iterable[Any], attribute: str) -> tuple[list[Any], int]:
        """The items whose `attribute` login may be seen, and how many were held back."""
        shown, hidden = [], 0
        for item in items:
            if self.login(getattr(item, attribute)):
                shown.append(item)
            else:
                hidden += 1
        return shown, hidden


def _not_found(kind: str, name: str) -> HTTPException:
    """One answer for "no such" and "not yours to see", so a filter never tells who exists."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no {kind} {name!r}")


def visible_person(
    session: Session, viewer: Viewer, login: str, team_only_mode: bool, *, what: str
) -> Person:
    """The person a `person=` filter names, or 404 (unknown and not visible look the same).

    A look at someone else's numbers is logged for them as `what`, as a page view is.
    """
    someone = person_for_login(session, login)
    if someone is None or someone.id is None:
        raise _not_found("person", login)
    if not can_view_person(session, viewer, someone.id, team_only_mode=team_only_mode):
        raise _not_found("person", login)
    record_view(session, viewer, someone.id, what)
    return someone


def visible_team(session: Session, viewer: Viewer, name: str, *, by_id: bool = False) -> Team:
    """The team a `team=` filter names (or its id, with `by_id`), or 404 (unknown or hidden)."""
    found = session.exec(select(Team).where(Team.name == name)).first()
    if found is None and by_id and name.isdigit():
        found = session.get(Team, int(name))
    if found is None or found.id is None:
        raise _not_found("team", name)
    if not viewer.is_admin and found.id not in visible_teams(session, viewer):
        raise _not_found("team", name)
    return found
