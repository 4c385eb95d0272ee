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

from app.core.access import Viewer, can_view_person, visible_people, visible_teams
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


def visible_person(session: Session, viewer: Viewer, login: str, team_only_mode: bool) -> Person:
    """The person a `person=` filter names: 404 when unknown, 403 when not visible."""
    someone = person_for_login(session, login)
    if someone is None or someone.id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no person {login!r}")
    if not can_view_person(session, viewer, someone.id, team_only_mode=team_only_mode):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this person is not visible to you")
    return someone


def visible_team(session: Session, viewer: Viewer, name: str, *, by_id: bool = False) -> Team:
    """The team a `team=` filter names (or its id, with `by_id`): 404 unknown, 403 not visible."""
    found = session.exec(select(Team).where(Team.name == name)).first()
    if found is None and by_id and name.isdigit():
        found = session.get(Team, int(name))
    if found is None or found.id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no team {name!r}")
    if not viewer.is_admin and found.id not in visible_teams(session, viewer):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this team is not visible to you")
    return found
