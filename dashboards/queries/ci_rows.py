"""The typed rows every CI figure is computed from, and who a login belongs to.

`dashboards.queries.ci` fills them from the database; the pure functions in
`dashboards.signals.ci` read them, so tests can build rows by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from app.core.identities import Directory

# Runs that nobody waits for: no developer is behind a scheduled build.
UNATTENDED_EVENTS = frozenset({"schedule", "dynamic"})
FALLBACK_DEFAULT_BRANCHES = frozenset({"main", "master"})


@dataclass(frozen=True)
class AttemptRow:
    """One attempt of one workflow run (attempt 1 is the first try, n > 1 a rerun)."""

    repo: str
    run_id: int
    attempt: int
    workflow_id: int | None
    workflow: str
    head_sha: str
    head_branch: str | None
    event: str | None
    status: str | None
    conclusion: str | None
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime | None
    actor: str | None
    triggering_actor: str | None
    person: str | None
    pull_numbers: tuple[int, ...]
    html_url: str | None
    on_default_branch: bool


class RuleAttempt(NamedTuple):
    """An attempt as the CI agreements read it: the fields of `AttemptRow` that a workflow's
    week needs (what it is grouped by, when it ran, how it ended, its link), nothing about
    whose it is (the query kept only the team's). A tuple, because a 90-day check of a whole
    organisation reads tens of thousands of them."""

    repo: str
    workflow: str
    workflow_id: int | None
    head_sha: str
    run_id: int
    attempt: int
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime | None
    status: str | None
    conclusion: str | None
    html_url: str | None


# What the duration and flaky-rate functions read: either kind of attempt row.
CiAttempt = AttemptRow | RuleAttempt


@dataclass(frozen=True)
class JobRow:
    """One job of one attempt; `name` includes the matrix values, as GitHub shows it."""

    repo: str
    job_id: int
    run_id: int
    attempt: int
    workflow_id: int | None
    workflow: str
    name: str
    head_sha: str
    status: str | None
    conclusion: str | None
    created_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    html_url: str | None


@dataclass(frozen=True)
class People:
    """Login → person login, and person login → team names, for summing time per person/team."""

    person_of_login: dict[str, str]
    teams_of_person: dict[str, tuple[str, ...]]

    def person(self, login: str | None) -> str | None:
        if login is None:
            return None
        return self.person_of_login.get(login.lower(), login)

    def teams(self, person: str | None) -> tuple[str, ...]:
        return self.teams_of_person.get(person, ()) if person else ()

    @classmethod
    def of(cls, directory: Directory) -> People:
        """Every known login mapped to its person's own login, and each person's teams."""
        logins = {
            value: directory.people[pid].login
            for (kind, value), pid in directory.owner.items()
            if kind == "login"
        }
        teams = {
            directory.people[pid].login: names
            for pid, names in directory.teams.items()
            if pid in directory.people
        }
        return cls(logins, teams)
