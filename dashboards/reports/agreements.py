"""A team's agreement exceptions as `gemba agreements check` and the API both give them.

Loads what the rules need (the team's PRs alive in the window, every open PR for the queues,
the team's CI attempts in the 7 days before each point the CI rules are read at), runs
`dashboards.signals.agreements`, and marks the exceptions the team called expected. One
function serves `check`, the backtest (the same call with a target changed) and the pages, so
the numbers cannot drift apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.core.agreements import CACHE_KEY, RULES, agreements_of, expected_of
from app.core.identities import directory
from app.core.models import Team, TeamMember
from app.core.settings import Settings
from dashboards.item_flags import FlagsBeside, PageItems, beside, pull_key, workflow_key
from dashboards.queries import bulk
from dashboards.queries.ci import rule_attempts
from dashboards.queries.reviews import PullRow, pull_rows
from dashboards.signals import agreements as rules
from dashboards.signals.agreements import AgreementException, Targets
from dashboards.signals.reviews.flow import PullFlow, flows_from
from dashboards.signals.reviews.rules import FlowRules, WorkCalendar, flow_rules

PULL_RULES = {
    "first_review_hours",
    "review_hours",
    "pr_size_lines",
    "open_days",
    "merge_without_review",
}


@dataclass(frozen=True)
class TeamExceptions:
    team: str
    since: datetime
    until: datetime
    targets: Targets
    exceptions: list[AgreementException]

    @property
    def counts(self) -> Counter[str]:
        """Per rule, without the expected ones."""
        return rules.counted(self.exceptions)


def _members(session: Session, team: Team) -> dict[str, str]:
    """Every login spelling of the team's members -> that member's own login (one lookup)."""
    ids = list(session.exec(select(TeamMember.person_id).where(TeamMember.team_id == team.id)))
    people = directory(session)
    return {login.lower(): people.own_login(login) or login for login in people.logins_of(*ids)}


def team_exceptions(
    session: Session,
    team: Team,
    settings: Settings,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    overrides: Mapping[str, Any] | None = None,
    only: set[str] | None = None,
) -> TeamExceptions:
    """The exceptions of `team`'s agreements dated in [since, until), as of `now`.

    `overrides` tries other targets (a backtest) without storing them; `only` keeps just
    those rules (a backtest of one target counts that target alone). Without either, the
    answer is kept for the session (a page that asks for each of a manager's reports counts
    the team once); setting a target or marking an exception expected drops what was kept.
    """
    assert team.id is not None
    if overrides or only is not None:
        return _counted(session, team, settings, since, until, now, overrides, only)
    kept: dict[tuple[object, ...], TeamExceptions] = session.info.setdefault(CACHE_KEY, {})
    key = (team.id, since, until, now)
    if key not in kept:
        kept[key] = _counted(session, team, settings, since, until, now, None, None)
    return kept[key]


@bulk.collector_paused()  # tens of thousands of rows held while the rules run
def _counted(
    session: Session,
    team: Team,
    settings: Settings,
    since: datetime,
    until: datetime,
    now: datetime,
    overrides: Mapping[str, Any] | None,
    only: set[str] | None,
) -> TeamExceptions:
    assert team.id is not None
    targets = Targets.from_stored(agreements_of(session, team.id))
    if overrides:
        targets = targets.with_limits(overrides)
    if only is not None:
        targets = targets.only(only)
    members = _members(session, team)
    logins = set(members)
    flow_kwargs = flow_rules(settings, team.timezone)
    calendar: WorkCalendar = flow_kwargs["calendar"]
    found: list[AgreementException] = []
    if PULL_RULES & set(targets.limits):
        team_rows = pull_rows(session, authors=logins, since=since, until=until)
        found += rules.pull_exceptions(_flows(team_rows, flow_kwargs), targets, calendar, now)
    if any(RULES[name].now_only for name in targets.limits):
        open_rows = pull_rows(session, open_only=True)
        found += rules.queue_exceptions(_flows(open_rows, flow_kwargs), members, targets, now)
    span = rules.ci_span(since, until, now)
    if {"ci_p90_minutes", "flaky_percent"} & set(targets.limits) and span:
        attempts = rule_attempts(session, since=span[0], until=span[1], logins=logins)
        found += rules.ci_exceptions(attempts, targets, since, until, now)
    expected = {key: row.reason for key, row in expected_of(session, team.id).items()}
    dated = rules.in_window(found, since, until, now)
    return TeamExceptions(team.name, since, until, targets, rules.mark_expected(dated, expected))


def _flows(rows: list[PullRow], flow_kwargs: FlowRules) -> list[PullFlow]:
    """The rules count their own spans (working hours or not), so the flows skip theirs."""
    return flows_from(rows, **flow_kwargs, working_phases=False)


class ExceptionOut(BaseModel):
    """One exception: an item past the team's line. The value's unit is in its name."""

    rule: str
    limit: float | bool
    value_hours: float | None = None
    value_lines: int | None = None
    value_days: float | None = None
    value_count: int | None = None
    value_minutes: float | None = None
    value_percent: float | None = None
    item: str
    repo: str | None
    pull_number: int | None
    title: str | None
    workflow: str | None
    person: str | None = Field(description="Only when the viewer may see that person")
    at: datetime = Field(description="When the item passed the line")
    ongoing: bool
    url: str | None
    expected: bool
    expected_reason: str | None
    flags: FlagsBeside = Field(
        default_factory=FlagsBeside,
        description="Friction flags tied to this PR or workflow that the viewer may see",
    )


class ExceptionsOut(BaseModel):
    team: str
    since: datetime
    until: datetime
    agreements: dict[str, Any]
    counts: dict[str, int] = Field(description="Exceptions per rule, expected ones left out")
    exceptions: list[ExceptionOut]


def exception_out(found: AgreementException, *, show_person: bool) -> ExceptionOut:
    value: dict[str, Any] = {}
    if found.unit and found.value is not None:
        number = int(found.value) if found.unit in ("lines", "count") else found.value
        value[f"value_{found.unit}"] = number
    return ExceptionOut(
        rule=found.rule,
        limit=found.limit,
        item=found.item,
        repo=found.repo,
        pull_number=found.pull_number,
        title=found.title,
        workflow=found.workflow,
        person=found.person if show_person else None,
        at=found.at,
        ongoing=found.ongoing,
        url=found.url,
        expected=found.expected,
        expected_reason=found.expected_reason,
        **value,
    )


def flag_items(found: list[AgreementException]) -> PageItems:
    """The PRs and workflows the exceptions are about, for one flag lookup."""
    items = PageItems()
    for e in found:
        if e.repo and e.pull_number is not None:
            items.pulls.add((e.repo, e.pull_number))
        elif e.repo and e.workflow:
            items.workflows.add((e.repo, e.workflow))
    return items


def with_flags(out: ExceptionOut, keyed: dict[str, Any]) -> ExceptionOut:
    if out.repo and out.pull_number is not None:
        out.flags = beside(keyed, pull_key(out.repo, out.pull_number))
    elif out.repo and out.workflow:
        out.flags = beside(keyed, workflow_key(out.repo, out.workflow))
    return out
