"""How GitHub's teams become Gemba Walk's teams, managers and members. Pure: records in, the
wanted people and teams out.

- A team's maintainer is its manager (the first one GitHub lists, when there are several).
- A parent team's manager is the manager of its child teams' managers: they become members of
  the parent team, which is how skip-level visibility already works (docs/people-and-access.md).
- A parent team's own members are the ones GitHub lists for it that are not in a child team.
- The people file stays the source of truth for what it names: a team's `manager` and
  `members` there win over GitHub's, and so do a person's `name` and `email`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.people_file import PeopleFile
from collectors.teams.records import OrgSnapshot, TeamRecord


@dataclass(frozen=True)
class WantedPerson:
    github_id: int
    login: str
    name: str | None  # None: keep what is stored (the profile was not read, or is private)
    email: str | None


@dataclass(frozen=True)
class WantedTeam:
    github_id: int
    name: str
    manager: str | None  # a login
    members: tuple[str, ...]  # logins, sorted case-insensitively


@dataclass(frozen=True)
class Plan:
    people: tuple[WantedPerson, ...]
    teams: tuple[WantedTeam, ...]
    notes: tuple[str, ...]  # what a person may want to set in the people file


def plan_org(snapshot: OrgSnapshot, file: PeopleFile | None = None) -> Plan:
    """The people and teams the organisation describes, with the people file's overrides."""
    named_teams = {t.name.lower(): t for t in (file.teams if file else [])}
    named_people = {p.login.lower(): p for p in (file.people if file else [])}
    notes: list[str] = []
    by_id = {t.github_id: t for t in snapshot.teams}
    managers: dict[int, str | None] = {}
    for team in snapshot.teams:
        entry = named_teams.get(team.name.lower())
        if entry is not None and entry.manager:
            managers[team.github_id] = entry.manager
            continue
        managers[team.github_id] = team.maintainers[0] if team.maintainers else None
        if len(team.maintainers) > 1:
            notes.append(
                f"team {team.name!r} has {len(team.maintainers)} maintainers "
                f"({', '.join(team.maintainers)}): {team.maintainers[0]} is its manager; "
                "set `manager` in the people file to choose another"
            )
        elif not team.maintainers:
            notes.append(f"team {team.name!r} has no maintainer: set `manager` in the people file")
    teams = []
    for team in snapshot.teams:
        entry = named_teams.get(team.name.lower())
        if entry is not None and entry.members:
            members = set(entry.members)
        else:
            members = _own_members(team, snapshot.teams, by_id)
            members |= {
                m
                for child in snapshot.teams
                if child.parent_id == team.github_id
                and (m := managers[child.github_id]) is not None
            }
        manager = managers[team.github_id]
        members = {m for m in members if manager is None or m.lower() != manager.lower()}
        teams.append(
            WantedTeam(team.github_id, team.name, manager, tuple(sorted(members, key=str.lower)))
        )
    people = []
    for user in snapshot.users:
        entry = named_people.get(user.login.lower())
        name = entry.name if entry is not None and entry.name else user.name
        email = entry.email if entry is not None and entry.email else user.email
        people.append(WantedPerson(user.github_id, user.login, name, email))
    return Plan(tuple(people), tuple(teams), tuple(notes))


def _own_members(
    team: TeamRecord, teams: tuple[TeamRecord, ...], by_id: dict[int, TeamRecord]
) -> set[str]:
    """GitHub's members of `team` that are in none of its descendants."""
    below: set[str] = set()
    for other in teams:
        parent = other.parent_id
        seen: set[int] = set()
        while parent is not None and parent not in seen:
            if parent == team.github_id:
                below |= {x.lower() for x in (*other.members, *other.maintainers)}
                break
            seen.add(parent)
            parent = by_id[parent].parent_id if parent in by_id else None
    return {m for m in team.members if m.lower() not in below}
