"""What the team fetcher yields: frozen records, no ORM objects and no PyGithub objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserRecord:
    """An organisation member; `name` and `email` are None when the profile was not read
    (an incremental sync reads only the profiles of people it has not seen) or not public."""

    github_id: int
    login: str
    name: str | None = None
    email: str | None = None
    profile_read: bool = False


@dataclass(frozen=True)
class TeamRecord:
    """A team as GitHub lists it: maintainers and members by login, in GitHub's order.

    GitHub's member list of a parent team includes the members of its child teams."""

    github_id: int
    slug: str
    name: str
    parent_id: int | None
    maintainers: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class OrgSnapshot:
    org: str
    teams: tuple[TeamRecord, ...]
    users: tuple[UserRecord, ...]
