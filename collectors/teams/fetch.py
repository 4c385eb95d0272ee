"""Read an organisation's teams, their maintainers and members and the members' public names
and emails through PyGithub. Network only: the mapping is `plan`, the writing `store`."""

from __future__ import annotations

from collections.abc import Collection

from github import Github

from collectors.teams.records import OrgSnapshot, TeamRecord, UserRecord


def fetch_org(
    gh: Github, org: str, *, known_ids: Collection[int] = (), full: bool = False
) -> OrgSnapshot:
    """Every team of `org` with its parent, maintainers and members (bots left out).

    Profiles (`GET /users/{login}`) are read for members whose GitHub id is not in
    `known_ids`, or for everyone with `full`: that is what makes a re-run cheap."""
    organisation = gh.get_organization(org)
    teams: list[TeamRecord] = []
    users: dict[int, UserRecord] = {}
    for team in organisation.get_teams():
        roles: dict[str, list[str]] = {"maintainer": [], "member": []}
        for role, logins in roles.items():
            for user in team.get_members(role=role):
                if user.type == "Bot":
                    continue
                logins.append(user.login)
                if user.id not in users:
                    users[user.id] = _user(user, read=full or user.id not in known_ids)
        teams.append(
            TeamRecord(
                github_id=team.id,
                slug=team.slug,
                name=team.name,
                parent_id=team.parent.id if team.parent is not None else None,
                maintainers=tuple(roles["maintainer"]),
                members=tuple(roles["member"]),
            )
        )
    return OrgSnapshot(org, tuple(teams), tuple(users.values()))


def _user(user: object, *, read: bool) -> UserRecord:
    login = user.login  # type: ignore[attr-defined]
    github_id = user.id  # type: ignore[attr-defined]
    if not read:
        return UserRecord(github_id, login)
    return UserRecord(github_id, login, user.name or None, user.email or None, True)  # type: ignore[attr-defined]
