"""The top talking point for each report's next 1:1, by the person page's rules.

The rules and their wording are `dashboards.talking_points`' own; only their input differs
from the page: the signals come from the rows the digest already loaded for the whole team (the
digest week against the eight before it, or the weeks since the person's first PR or review
when that is later), so a digest for a team of any size costs a handful of queries instead of
a page build per person. The team the review load is compared with is the manager's reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from app.core.models import Person
from app.core.models.base import as_utc
from app.core.settings import Settings
from dashboards.digest.data import TalkingPoint
from dashboards.digest.signals import CiSection, FileSection, ReviewSection
from dashboards.digest.week import Week
from dashboards.signals.reviews.flow import PullFlow, phase_stats
from dashboards.talking_points import (
    CiHit,
    FlagItem,
    History,
    PersonSignals,
    PullWait,
    RiskFile,
    talking_points,
)


@dataclass(frozen=True)
class Sections:
    """What the manager's digest computed for the whole scope; None where not collected."""

    weeks: list[Week]
    reviews: ReviewSection | None
    ci: CiSection | None
    files: FileSection | None
    team_logins: Mapping[int, set[str]] = field(default_factory=dict)  # person id -> logins


def _within(moment: object, week: Week) -> bool:
    return moment is not None and week.utc_start <= moment < week.utc_end  # type: ignore[operator]


def _alive(flow: PullFlow, week: Week) -> bool:
    """Open at some point of the week: created before its end, not closed before its start."""
    closed = flow.merged_at or flow.closed_at
    return flow.created_at < week.utc_end and (closed is None or closed >= week.utc_start)


def _history(section: ReviewSection | None, logins: set[str], weeks: list[Week]) -> History | None:
    """The weeks before the digest week the usual covers: up to eight, from the person's first
    PR or review among the rows loaded; None when they have none."""
    if section is None:
        return None
    moments: list[datetime] = [
        f.created_at for f in section.flows if (f.author_login or "").lower() in logins
    ]
    moments += [g.submitted_at for g in section.given if g.reviewer_login.lower() in logins]
    if not moments:
        return None
    start = weeks[0].utc_start
    first = max(min(moments), weeks[-1].utc_start)
    return History(period_days=7.0, days=max(0.0, (start - first).total_seconds() / 86400))


def _covered_weeks(history: History | None, available: int) -> int:
    """How many of the weeks before the digest week the usual averages over (at least one)."""
    days = history.days if history is not None else 7.0 * available
    return max(1, min(available, math.ceil(days / 7 - 1e-9)))


def _given_by(section: ReviewSection, logins: set[str], week: Week) -> int:
    """Reviews these logins gave in the week on PRs that are not their own."""
    return sum(
        1
        for g in section.given
        if g.reviewer_login.lower() in logins
        and (g.author_login or "").lower() not in logins
        and _within(g.submitted_at, week)
    )


def _review_signals(
    signals: PersonSignals,
    section: ReviewSection,
    logins: set[str],
    weeks: list[Week],
    team: Mapping[int, set[str]],
) -> None:
    week = weeks[0]
    mine = [f for f in section.flows if (f.author_login or "").lower() in logins]
    merged_before = [f for f in mine if any(_within(f.merged_at, w) for w in weeks[1:])]
    team_merged = [f for f in section.flows if _within(f.merged_at, week)]
    signals.pulls = [
        PullWait.from_flow(f, section.unreviewed)
        for f in sorted(mine, key=lambda f: f.created_at, reverse=True)
        if _alive(f, week) or (f.repository, f.number) in section.unreviewed
    ]
    signals.own_usual_pickup_hours = phase_stats(merged_before, "pickup").median_hours
    signals.team_median_pickup_hours = phase_stats(team_merged, "pickup").median_hours
    signals.reviews_given = _given_by(section, logins, week)
    earlier = sum(_given_by(section, logins, w) for w in weeks[1:])
    covered = signals.history.days / 7 if signals.history is not None else len(weeks) - 1
    signals.own_usual_reviews_given = round(earlier / max(covered, 1.0), 2)
    signals.team_reviews_given = [
        _given_by(section, {x.lower() for x in member}, week) for member in team.values()
    ]


def _hours(person: object, attr: str) -> float:
    value = getattr(person, attr) if person is not None else None
    return round(value.total_seconds() / 3600, 2) if value is not None else 0.0


def _ci_signals(signals: PersonSignals, section: CiSection, login: str) -> None:
    this_week = section.per_week[0]
    mine = this_week.get(login)
    if mine is not None:
        signals.ci_hits = [
            CiHit(
                repo=pull.repo,
                run_id=None,
                workflow=", ".join(pull.workflows),
                job=None,
                url=pull.run_urls[0] if pull.run_urls else None,
                pull_number=pull.number,
                workflows=tuple(pull.workflows),
            )
            for pull in mine.flaked_pulls
        ]
        signals.ci_wait_hours = _hours(mine, "waited_on_ci")
    covered = section.per_week[1 : 1 + _covered_weeks(signals.history, len(section.per_week) - 1)]
    before = [_hours(w.get(login), "waited_on_ci") for w in covered]
    signals.own_usual_ci_wait_hours = round(sum(before) / len(before), 2) if before else None
    flaked = [len(w[login].flaked_pulls) if login in w else 0 for w in covered]
    signals.own_usual_ci_hits = round(sum(flaked) / len(flaked), 2) if flaked else None
    team = [_hours(p, "waited_on_ci") for p in this_week.values()]
    signals.team_median_ci_wait_hours = round(median(team), 2) if team else None


def _risk_signals(
    signals: PersonSignals, section: FileSection, emails: set[str], settings: Settings
) -> None:
    touched = set().union(*(section.touched.get(e, set()) for e in emails))
    signals.risk_files = [
        RiskFile(
            repo=repo,
            path=risk.path,
            url=settings.base_url.rstrip("/") + f"/repos/{repo}",
            main_author=risk.main_author,
            idle_days=risk.idle_days,
        )
        for repo, risk in section.risks
        if (repo, risk.path) in touched
    ]


def top_point(
    person: Person,
    flags: list[FlagItem],
    logins: set[str],
    emails: set[str],
    sections: Sections,
    settings: Settings,
) -> TalkingPoint | None:
    """The person's most unusual talking point this week, or None when nothing stands out."""
    assert person.id is not None
    signals = PersonSignals(
        login=person.login, display_name=person.name or person.login, period_days=7.0
    )
    lowered = {login.lower() for login in logins}
    signals.history = _history(sections.reviews, lowered, sections.weeks)
    if sections.reviews is not None:
        _review_signals(signals, sections.reviews, lowered, sections.weeks, sections.team_logins)
    if sections.ci is not None:
        _ci_signals(signals, sections.ci, person.login)
    if sections.files is not None:
        _risk_signals(signals, sections.files, {e.lower() for e in emails}, settings)
    start = sections.weeks[0].utc_start
    signals.flags = [
        f for f in flags if f.status != "answered" or (as_utc(f.created_at) or start) >= start
    ]
    points = talking_points(signals, reader_is_person=False, limit=1)  # read by the manager
    if not points:
        return None
    link = next((e.url for e in points[0].evidence if e.url), None)
    base = settings.base_url.rstrip("/")
    return TalkingPoint(
        login=person.login,
        name=person.name or person.login,
        text=points[0].text,
        evidence_url=base + link if link and link.startswith("/") else link,
        page_url=f"{base}/people/{person.login}",
        items=tuple(dict.fromkeys(ref for e in points[0].evidence for ref in e.items)),
    )
