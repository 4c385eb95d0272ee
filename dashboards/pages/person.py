"""The person page (the 1:1 page): talking points first, then the evidence behind them,
the shared agenda, the viewer's private notes and (for the person) who looked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, select

from app.core import access
from app.core.access import Viewer
from app.core.models import Person
from app.core.settings import Settings
from dashboards import figures
from dashboards.figures import Series
from dashboards.item_flags import FlagLookup, ItemFlag
from dashboards.pages.builds import PersonCi
from dashboards.pages.charts import Chart, PageCharts, files_chart, series_rows
from dashboards.pages.commands import COLLECT_CI, COLLECT_GIT, COLLECT_GITHUB
from dashboards.pages.delivery import deployed_at_of
from dashboards.pages.empty import EmptyStates
from dashboards.pages.flags import with_item_flags
from dashboards.pages.one_on_one import (
    LookedAt,
    NoteItem,
    OneOnOneState,
    notes,
    one_on_one_state,
    who_looked,
)
from dashboards.pages.painmap_groups import person_painmap_chart
from dashboards.pages.parts import Link, PageNotFoundError, period_links
from dashboards.pages.person_evidence import kept_person_evidence
from dashboards.pages.reviews import PersonReviews
from dashboards.periods import PERIOD_LABELS, Period, resolve_period
from dashboards.reports.delivery import DeployedAt
from dashboards.talking_points import (
    FlagItem,
    RiskFile,
    TalkingPoint,
    talking_points,
)

T = TypeVar("T")


@dataclass
class PersonPage:
    login: str
    name: str
    teams: list[str]
    period: Period
    periods: list[Link]
    is_self: bool
    talking_points: list[TalkingPoint]
    charts: list[Chart]
    pulls: list[Any]
    ci_hits: list[Any]
    files: list[RiskFile]
    flags: list[FlagItem]
    agenda: list[NoteItem]
    private_notes: list[NoteItem] | None  # None: the viewer may not keep private notes here
    empty_message: str | None
    one_on_one: OneOnOneState
    who_looked: list[LookedAt] | None  # the person's own page only
    longer_period: Link | None  # where an empty panel's data may be ("see the last 2 weeks")
    as_of: datetime  # when the evidence was read (`person_evidence.KEPT_FOR`); flags: now
    kind: str = "person"
    # Flags beside the PRs, files and CI rows above, keyed by `dashboards.item_flags` keys;
    # found by the builder through the flag lookup it is given (`dashboards.pages.flags`).
    item_flags: dict[str, list[ItemFlag]] = field(default_factory=dict)
    # When each PR above first reached production, by `pull_key` (none: not deployed yet).
    deployed_at: dict[str, DeployedAt] = field(default_factory=dict)


@dataclass(frozen=True)
class ChartVoice:
    """Chart titles and legends on a person page: "your" to the person, "their" to anyone else,
    so a "your usual" title never sits above a "Their usual" legend. Without history enough
    for a usual (`History.enough`) the charts compare with the team's median only."""

    is_self: bool
    usual_known: bool = True

    @property
    def their(self) -> str:
        return "your" if self.is_self else "their"

    @property
    def they(self) -> str:
        return "you" if self.is_self else "they"


def person_page(
    session: Session,
    viewer: Viewer,
    login: str,
    period: str | None,
    now: datetime,
    settings: Settings,
    *,
    flag_lookup: FlagLookup | None = None,
) -> PersonPage:
    """The 1:1 page: talking points first, then the evidence behind them, with the flags the
    viewer may see (from `flag_lookup`) beside its PRs, files, CI rows and evidence."""
    person = session.exec(select(Person).where(Person.login == login)).first()
    if person is None or person.id is None:
        raise PageNotFoundError(login)
    if not access.can_view_person(
        session, viewer, person.id, team_only_mode=settings.team_only_mode
    ):
        raise PageNotFoundError(login)
    is_self = viewer.person_id == person.id
    access.record_view(session, viewer, person.id, "person_page")  # not logged for oneself
    chosen = resolve_period(session, period, now=now, person_id=person.id)
    evidence = kept_person_evidence(session, person, chosen, now, settings)
    teams, reviews, ci, spots = evidence.teams, evidence.reviews, evidence.ci, evidence.spots
    flags, risk, signals = evidence.flags, evidence.risk, evidence.signals
    maker = PageCharts(f"/data/person/{person.login}", {"period": chosen.key})
    voice = ChartVoice(is_self, signals.history is not None and signals.history.enough)
    path = f"/people/{person.login}"
    empty = EmptyStates.for_page(session, chosen, path)
    charts = [
        _person_flow_chart(maker, reviews, voice, empty),
        _person_reviews_chart(maker, reviews, voice, empty),
        _person_ci_chart(maker, ci, voice, empty),
        files_chart(
            maker,
            spots,
            title=f"Files {voice.they} changed, and how widely they are known",
            empty=empty.message("git", "file changes", COLLECT_GIT),
        ),
        person_painmap_chart(
            session,
            maker,
            emails=evidence.emails,
            period=chosen,
            viewer=viewer,
            lookup=flag_lookup,
            settings=settings,
            empty=empty.message("git", "file changes", COLLECT_GIT),
        ),
    ]
    state = one_on_one_state(
        session, viewer, person.id, now, team_only_mode=settings.team_only_mode
    )
    agenda, private_notes = notes(session, person.id, viewer, is_self, state.last_held_at)
    page = PersonPage(
        login=person.login,
        name=person.name or person.login,
        teams=[t.name for t in teams],
        period=chosen,
        periods=period_links(path, chosen.key, list(PERIOD_LABELS)),
        is_self=is_self,
        talking_points=talking_points(signals, reader_is_person=is_self),
        charts=charts,
        pulls=reviews.pulls if reviews else [],
        ci_hits=ci.hits if ci else [],
        files=risk,
        flags=flags,
        agenda=agenda,
        private_notes=private_notes,
        empty_message=None
        if signals.has_any_data
        else empty.nothing(
            person.name or person.login,
            [("git", COLLECT_GIT), ("pulls", COLLECT_GITHUB), ("ci", COLLECT_CI)],
        ),
        one_on_one=state,
        as_of=evidence.as_of,
        who_looked=who_looked(session, viewer, person.id),
        longer_period=empty.longer,
        deployed_at=deployed_at_of(session, [(p.repo, p.number) for p in reviews.pulls[:20]])
        if reviews
        else {},
    )
    return with_item_flags(page, session, viewer, flag_lookup)


def _against_usual(
    measure: Callable[[T], list[float | None]], this: T, usual: T, team: T, voice: ChartVoice
) -> list[Series]:
    """The person's period beside their usual and the team's median, one series each: "Your
    usual" to the person, "Their usual" to anyone else (legend and data column alike)."""
    mine = f"{voice.their.capitalize()} usual"
    compared = (("This period", this), (mine, usual), ("Team median", team))
    return [
        Series(name, [v if known else None for v in measure(values)])
        for (name, values), known in zip(compared, (True, voice.usual_known, True), strict=True)
    ]


def _person_flow_chart(
    charts: PageCharts, reviews: PersonReviews | None, voice: ChartVoice, states: EmptyStates
) -> Chart:
    empty = states.message("pulls", "pull requests", COLLECT_GITHUB)
    title = (
        f"Pull request flow against {voice.their} usual"
        if voice.usual_known
        else "Pull request flow against the team's median"
    )
    if reviews is None:
        return charts.empty("pr_flow", title, empty)
    labels = ["Waiting for first review", "In review", "Approved to merge"]
    series = _against_usual(
        lambda phases: [phases.pickup, phases.review, phases.merge],
        reviews.phases,
        reviews.usual,
        reviews.team,
        voice,
    )
    if not any(v is not None for s in series for v in s.values):
        return charts.empty("pr_flow", title, empty)
    built = figures.grouped_bars(
        labels,
        series,
        x_title="Phase",
        y_title="Median hours of waiting",
        unit="hours",
        keep_empty_labels=False,  # a phase nobody spent time in is not drawn as 0.0 h
    )
    rows = series_rows("phase", labels, series, "hours")
    return charts.drawn("pr_flow", title, built, rows, empty)


def _person_reviews_chart(
    charts: PageCharts, reviews: PersonReviews | None, voice: ChartVoice, states: EmptyStates
) -> Chart:
    return charts.weekly(
        "reviews_given",
        f"Reviews {voice.they} carried for others",
        reviews.reviews_weekly if reviews else None,
        empty=states.message("reviews", "reviews", COLLECT_GITHUB),
        draw=figures.grouped_bars,
        y_title="Reviews given (count)",
        unit="reviews",
    )


def _person_ci_chart(
    charts: PageCharts, ci: PersonCi | None, voice: ChartVoice, states: EmptyStates
) -> Chart:
    title = f"Waiting on CI for {voice.their} pull requests"
    empty = states.message("ci", "CI runs", COLLECT_CI, collected="No waiting on CI")
    if ci is None:
        return charts.empty("ci_waiting", title, empty)
    labels = ["Waiting on CI", "Waiting on flaky builds"]
    series = _against_usual(
        lambda waits: [waits.on_ci, waits.on_flaky], ci.waits, ci.usual, ci.team, voice
    )
    if not any(v for s in series for v in s.values):  # zero hours of waiting: nothing to draw
        return charts.empty("ci_waiting", title, empty)
    built = figures.grouped_bars(
        labels,
        series,
        x_title=f"What {voice.they} waited for",
        y_title="Hours of waiting",
        unit="hours",
        keep_empty_labels=False,
    )
    rows = series_rows("wait", labels, series, "hours")
    return charts.drawn("ci_waiting", title, built, rows, empty)
