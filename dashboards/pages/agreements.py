"""Working agreements on the team, person and repository pages.

Every number here comes from `dashboards.reports.agreements.team_exceptions`, the function
`gemba agreements check` and the backtest call, so a page never counts differently from them.
The team page shows each target with this period's exceptions against the previous period's,
and the ledger of exceptions (expected ones marked, with their reason); the person page hands
the person's own exceptions to the talking points; the repository page lists the exceptions
of the CI agreements of the teams whose workflows run there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.agreements import RULES, agreements_of, may_edit
from app.core.models import Team
from app.core.settings import Settings
from dashboards.periods import Period
from dashboards.reports.agreements import team_exceptions
from dashboards.signals.agreements import AgreementException
from dashboards.talking_points.agreements import sentence

CI_RULES = ("ci_p90_minutes", "flaky_percent")
LEDGER_AT_MOST = 100


@dataclass(frozen=True)
class AgreementRow:
    """One target and how often it was passed (expected exceptions left out)."""

    name: str
    summary: str
    unit: str
    limit: float | bool | None  # None: the team has not set it
    this_period: int
    previous_period: int


@dataclass(frozen=True)
class LedgerRow:
    """One exception as the ledger lists it: the item, the sentence, who may call it expected."""

    rule: str
    item: str
    text: str
    at: datetime
    repo: str | None
    pull_number: int | None
    workflow: str | None
    title: str | None
    url: str | None
    person: str | None  # only when the viewer may see them
    ongoing: bool
    expected: bool
    expected_reason: str | None
    may_mark_expected: bool


@dataclass
class TeamAgreements:
    """The agreements panel of the team page (and of its JSON twin)."""

    rows: list[AgreementRow]
    ledger: list[LedgerRow]
    may_edit: bool
    period_label: str
    exclude_labels: list[str] = field(default_factory=list)
    working_hours: bool = False
    backtest_url: str = "/api/v1/agreements/backtest"


def _ledger_row(
    e: AgreementException, viewer: Viewer, *, show_names: bool, manager: bool
) -> LedgerRow:
    own = (e.person or "").lower() == viewer.login.lower()
    mine = own and e.pull_number is not None
    return LedgerRow(
        rule=e.rule,
        item=e.item,
        text=sentence(e),
        at=e.at,
        repo=e.repo,
        pull_number=e.pull_number,
        workflow=e.workflow,
        title=e.title,
        url=e.url,
        person=e.person if show_names or own else None,
        ongoing=e.ongoing,
        expected=e.expected,
        expected_reason=e.expected_reason,
        may_mark_expected=manager or mine,
    )


def team_agreements(
    session: Session,
    viewer: Viewer,
    team: Team,
    period: Period,
    now: datetime,
    settings: Settings,
    *,
    show_names: bool,
) -> TeamAgreements:
    """Targets, this period's exceptions against the previous period's, and the ledger."""
    assert team.id is not None
    stored = agreements_of(session, team.id)
    manager = may_edit(viewer, team)
    found = team_exceptions(session, team, settings, since=period.start, until=period.end, now=now)
    previous: dict[str, int] = {}
    past = {name for name in found.targets.limits if not RULES[name].now_only}
    if past:  # the same rules over the period just before it (queues are only about now)
        before = period.previous()
        earlier = team_exceptions(
            session, team, settings, since=before.start, until=before.end, now=now, only=past
        )
        previous = dict(earlier.counts)
    rows = [
        AgreementRow(
            name=rule.name,
            summary=rule.summary,
            unit=rule.unit,
            limit=stored.get(rule.name),
            this_period=found.counts.get(rule.name, 0),
            previous_period=previous.get(rule.name, 0),
        )
        for rule in RULES.values()
        if rule.name in stored or manager
    ]
    newest_first = sorted(found.exceptions, key=lambda e: (e.at, e.item), reverse=True)
    return TeamAgreements(
        rows=rows,
        ledger=[
            _ledger_row(e, viewer, show_names=show_names, manager=manager)
            for e in newest_first[:LEDGER_AT_MOST]
        ],
        may_edit=manager,
        period_label=period.label,
        exclude_labels=list(stored.get("exclude_labels") or []),
        working_hours=bool(stored.get("working_hours", False)),
    )


def person_exceptions(
    session: Session,
    teams: list[Team],
    logins: set[str],
    period: Period,
    now: datetime,
    settings: Settings,
) -> list[AgreementException]:
    """The exceptions about the person's own PRs and queues, in their teams' agreements."""
    wanted = {login.lower() for login in logins}
    found: dict[tuple[str, str], AgreementException] = {}
    for team in teams:
        if team.id is None or not agreements_of(session, team.id):
            continue
        result = team_exceptions(
            session, team, settings, since=period.start, until=period.end, now=now
        )
        for e in result.exceptions:
            if (e.person or "").lower() in wanted:
                found.setdefault((e.rule, e.item), e)
    return sorted(found.values(), key=lambda e: (e.at, e.rule, e.item))


@dataclass(frozen=True)
class RepoCiException:
    """A CI agreement passed by a workflow of this repository, and whose agreement it was."""

    team: str
    rule: str
    workflow: str | None
    text: str
    at: datetime
    url: str | None
    expected: bool
    expected_reason: str | None


def repo_ci_exceptions(
    session: Session,
    viewer_teams: set[int],
    repository: str,
    period: Period,
    now: datetime,
    settings: Settings,
) -> list[RepoCiException]:
    """The CI agreements (`ci_p90_minutes`, `flaky_percent`) of the visible teams, as passed
    by workflows in `repository`: one `team_exceptions` call per team with a CI target."""
    rows: list[RepoCiException] = []
    teams = session.exec(select(Team).order_by(Team.name))
    for team in teams:
        if team.id is None or team.id not in viewer_teams:
            continue
        stored: dict[str, Any] = agreements_of(session, team.id)
        ci = {name for name in CI_RULES if name in stored}
        if not ci:
            continue
        result = team_exceptions(
            session, team, settings, since=period.start, until=period.end, now=now, only=ci
        )
        rows += [
            RepoCiException(
                team=team.name,
                rule=e.rule,
                workflow=e.workflow,
                text=sentence(replace(e, repo=repository)),
                at=e.at,
                url=e.url,
                expected=e.expected,
                expected_reason=e.expected_reason,
            )
            for e in result.exceptions
            if e.repo == repository
        ]
    return sorted(rows, key=lambda r: (r.at, r.team, r.rule), reverse=True)
