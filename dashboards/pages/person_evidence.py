"""A person's evidence for one period: the signals behind their talking points, for the 1:1
page and the manager's home.

Most of it (their pull requests' flow, CI, review load and the files they changed, each beside
their usual and their team's median) is the same whoever looks, and at organisation size it
takes longer to read than the page may. The person page keeps that part, its readings, per
data version, the people and teams it was read for and their identities, and for at most
`KEPT_FOR` (so "waiting now" is never older than that; the page says when it was read). Their
flags and agreement exceptions are read on every view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.core.identities import directory
from app.core.models import Identity, Person, Team
from app.core.models.base import as_utc
from app.core.settings import Settings
from dashboards.pages.agreements import person_exceptions
from dashboards.pages.baseline import cached_baseline
from dashboards.pages.builds import person_ci
from dashboards.pages.comparisons import ReviewLoad, review_load, usual_history
from dashboards.pages.hotspots import people_hotspots
from dashboards.pages.people import team_member_ids, teams_of_person
from dashboards.pages.reviews import person_reviews
from dashboards.periods import Period, timezone_of
from dashboards.reports.own_flags import person_flags
from dashboards.talking_points import FlagItem, History, PersonSignals, RiskFile

KEPT_FOR = timedelta(minutes=10)  # how long one view's readings serve the next views at most


@dataclass
class PersonEvidence:
    """A person's signals for one period: what the 1:1 page shows and the digest quotes."""

    teams: list[Team]
    reviews: Any
    ci: Any
    spots: Any
    flags: list[FlagItem]
    risk: list[RiskFile]
    signals: PersonSignals
    as_of: datetime  # when the readings were taken (flags and exceptions: on this call)
    emails: frozenset[str]  # the person's commit emails, every spelling


@dataclass(frozen=True)
class _Readings:
    """The viewer-free part of the evidence, as read at `as_of` over `period`."""

    as_of: datetime
    period: Period
    logins: set[str]
    emails: frozenset[str]
    reviews: Any
    history: History | None
    ci: Any
    spots: Any
    load: ReviewLoad


def person_evidence(
    session: Session, person: Person, chosen: Period, now: datetime, settings: Settings
) -> PersonEvidence:
    """Gather the signals behind a person's talking points, all read now (no access check,
    no view log: callers decide who may see the result)."""
    assert person.id is not None
    teams = teams_of_person(session, person.id)
    readings = _read(session, person.id, _colleagues(session, teams), chosen, now, settings)
    return _evidence(session, person, teams, readings, now, settings)


def kept_person_evidence(
    session: Session, person: Person, chosen: Period, now: datetime, settings: Settings
) -> PersonEvidence:
    """`person_evidence` with its readings kept for the views of the next few minutes on the
    same data (see the module's docstring); flags and agreement exceptions read now."""
    assert person.id is not None
    teams = teams_of_person(session, person.id)
    colleagues = _colleagues(session, teams)
    key = (
        "person-evidence",
        person.id,
        chosen.key,
        chosen.held_at,
        int(now.timestamp() // KEPT_FOR.total_seconds()),
        tuple(t.id for t in teams),
        tuple(colleagues),
        timezone_of(session, person.id, settings.default_timezone),
        _identities(session, {person.id, *colleagues}),
    )
    readings = cached_baseline(
        session, key, lambda: _read(session, person.id or 0, colleagues, chosen, now, settings)
    )
    return _evidence(session, person, teams, readings, now, settings)


def _colleagues(session: Session, teams: list[Team]) -> list[int]:
    """Everyone in the person's teams (the person included): their team's median."""
    ids = {pid for t in teams if t.id is not None for pid in team_member_ids(session, t.id)}
    return sorted(ids)


def _identities(session: Session, person_ids: set[int]) -> tuple[object, ...]:
    """These people's own logins and emails and every identity mapped to them: who the
    readings' logins and emails were for (their spellings in the data move the data version)."""
    own = session.exec(
        select(Person.id, Person.login, Person.email)
        .where(col(Person.id).in_(person_ids))
        .order_by(col(Person.id))
    ).all()
    mapped = session.exec(
        select(Identity.person_id, Identity.kind, Identity.value)
        .where(col(Identity.person_id).in_(person_ids))
        .order_by(col(Identity.id))
    ).all()
    return (tuple(own), tuple(mapped))


def _read(
    session: Session,
    person_id: int,
    colleague_ids: list[int],
    chosen: Period,
    now: datetime,
    settings: Settings,
) -> _Readings:
    people = directory(session)
    logins = people.logins_of(person_id)
    team_logins = people.logins_of(*colleague_ids) if colleague_ids else set(logins)
    emails = people.emails_of(person_id)
    reviews = person_reviews(
        session,
        logins=logins,
        team_logins=team_logins,
        period=chosen,
        now=now,
        settings=settings,
        timezone=timezone_of(session, person_id, settings.default_timezone),
    )
    history = usual_history(session, logins, chosen)
    ci = person_ci(
        session,
        logins=logins,
        team_logins=team_logins,
        period=chosen,
        now=now,
        usual_days=history.days if history else None,
    )
    spots = people_hotspots(session, emails=emails, period=chosen, now=now)
    load = review_load(
        session,
        person_id,
        {pid: people.logins_of(pid) for pid in colleague_ids},
        chosen,
        settings,
        given=reviews.reviews_given if reviews else None,
        usual=reviews.usual_reviews_given if reviews else None,
    )
    return _Readings(now, chosen, logins, frozenset(emails), reviews, history, ci, spots, load)


def _evidence(
    session: Session,
    person: Person,
    teams: list[Team],
    readings: _Readings,
    now: datetime,
    settings: Settings,
) -> PersonEvidence:
    """The readings with the person's flags and agreement exceptions, read now."""
    assert person.id is not None
    chosen, reviews, ci, spots, load = (
        readings.period,
        readings.reviews,
        readings.ci,
        readings.spots,
        readings.load,
    )
    flags = person_flags(session, person.id)
    risk = [
        RiskFile(f.repo, f.path, f.url, f.top_author or "someone", f.idle_days or 0)
        for f in (spots.knowledge_risk if spots else [])
    ]
    signals = PersonSignals(
        login=person.login,
        display_name=person.name or person.login,
        pulls=reviews.pulls if reviews else [],
        own_usual_pickup_hours=reviews.usual.pickup if reviews else None,
        team_median_pickup_hours=reviews.team.pickup if reviews else None,
        ci_hits=ci.hits if ci else [],
        ci_wait_hours=ci.waits.on_ci if ci else None,
        own_usual_ci_wait_hours=ci.usual.on_ci if ci else None,
        team_median_ci_wait_hours=ci.team.on_ci if ci else None,
        reviews_given=load.given,
        own_usual_reviews_given=load.usual,
        reviews_window=load.window,
        own_usual_ci_hits=ci.usual_hits if ci else None,
        team_reviews_given=load.team,
        history=readings.history,
        period_days=chosen.days,
        risk_files=risk,
        flags=[f for f in flags if f.status != "answered" or as_utc(f.created_at) >= chosen.start],
        agreement_exceptions=person_exceptions(
            session, teams, readings.logins, chosen, now, settings
        ),
    )
    return PersonEvidence(
        teams, reviews, ci, spots, flags, risk, signals, readings.as_of, readings.emails
    )
