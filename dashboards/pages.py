"""Page builders: who may see what, the signals for a period, figures and talking points.

Each builder returns a dataclass that `app/web.py` renders as HTML and, unchanged, as JSON, so
the two cannot drift. Nothing here knows the web framework: access problems are raised as
`PageNotFoundError`, which the HTTP layer turns into a 404 that does not say whether the
person exists.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from app import access
from app.access import Viewer
from app.models import (
    CATEGORIES,
    FlagAuthor,
    FrictionFlag,
    Identity,
    OneOnOneNote,
    Person,
    Repository,
    Team,
    TeamMember,
)
from app.models.base import as_utc
from app.people import logins_of
from app.settings import Settings
from dashboards import figures
from dashboards import page_signals as sig
from dashboards.figures import Series
from dashboards.item_flags import ItemFlag
from dashboards.periods import (
    DEFAULTS_LABEL,
    GROUP_PERIODS,
    PERIOD_LABELS,
    Period,
    iso_week,
    resolve_period,
    weeks_between,
)
from dashboards.repositories import known_repositories
from dashboards.talking_points import (
    FlagItem,
    PersonSignals,
    RiskFile,
    TalkingPoint,
    talking_points,
)

KNOWLEDGE_RISK_SHARE = 0.8  # one author made at least this share of a file's recent changes


class PageNotFoundError(LookupError):
    """No such page, or not one this viewer may open (deliberately indistinguishable)."""


@dataclass
class Link:
    label: str
    url: str
    current: bool = False
    key: str = ""


@dataclass
class Chart:
    """One chart with its screen-reader summary and its data, or an empty state."""

    key: str
    title: str
    summary: str
    figure: dict[str, Any] | None
    columns: list[str]
    rows: list[dict[str, Any]]
    csv_url: str
    json_url: str
    empty: str | None = None


@dataclass
class NoteItem:
    id: int
    body: str
    author: str
    created_at: datetime
    shared: bool
    done: bool


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
    kind: str = "person"
    # Flags beside the PRs, files and CI rows above, keyed by `dashboards.item_flags` keys;
    # filled by the HTTP layer, which alone may ask `app.flags` who sees which flag.
    item_flags: dict[str, list[ItemFlag]] = field(default_factory=dict)


@dataclass
class TeamPage:
    name: str
    team_id: int
    members: list[Link]
    repositories: list[Link]
    repository: str | None
    period: Period
    periods: list[Link]
    charts: list[Chart]
    waiting: list[sig.WaitingPull]
    knowledge_risk: list[sig.FileSignal]
    kind: str = "team"
    flaky_jobs: list[sig.FlakyJob] = field(default_factory=list)
    item_flags: dict[str, list[ItemFlag]] = field(default_factory=dict)


@dataclass
class RepoPage:
    name: str
    html_url: str | None
    period: Period
    periods: list[Link]
    charts: list[Chart]
    knowledge_risk: list[sig.FileSignal]
    kind: str = "repo"
    waiting: list[sig.WaitingPull] = field(default_factory=list)
    workflows: list[sig.WorkflowHealth] = field(default_factory=list)
    item_flags: dict[str, list[ItemFlag]] = field(default_factory=dict)


@dataclass
class HomePage:
    viewer: str
    people: list[dict[str, Any]]
    teams: list[Link]
    repositories: list[Link]
    team: str | None
    repository: str | None
    period: str | None  # None: every link opens its page on that page's own default
    periods: list[Link]
    kind: str = "home"
    defaults_label: str = DEFAULTS_LABEL


# --- helpers shared by the builders -------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """The page as JSON-ready data: the same fields the template sees."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _url(path: str, **query: str | None) -> str:
    params = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode(params)}" if params else path


def _period_links(
    path: str, current: str | None, keys: Sequence[str], **query: str | None
) -> list[Link]:
    return [
        Link(PERIOD_LABELS[k], _url(path, period=k, **query), current=k == current, key=k)
        for k in keys
    ]


def _chart(
    key: str,
    title: str,
    data_path: str,
    query: dict[str, str | None],
    built: tuple[dict[str, Any], str] | None,
    rows: list[dict[str, Any]],
    empty: str,
) -> Chart:
    """A chart with its data links; an empty state (naming the command) when there is no data."""
    base = f"{data_path}/{key}"
    columns = list(rows[0]) if rows else []
    if built is None or not rows:
        return Chart(
            key,
            title,
            empty,
            None,
            columns,
            rows,
            _url(base + ".csv", **query),
            _url(base + ".json", **query),
            empty,
        )
    figure, summary = built
    return Chart(
        key,
        title,
        summary,
        figure,
        columns,
        rows,
        _url(base + ".csv", **query),
        _url(base + ".json", **query),
    )


def _weekly_rows(weekly: sig.Weekly) -> list[dict[str, Any]]:
    return [
        {"week": week, **{name: values[i] for name, values in weekly.series.items()}}
        for i, week in enumerate(weekly.weeks)
    ]


def _weekly_chart_input(weekly: sig.Weekly) -> tuple[list[str], list[Series]]:
    return weekly.weeks, [Series(name, values) for name, values in weekly.series.items()]


def _has_values(weekly: sig.Weekly | None) -> bool:
    return weekly is not None and any(
        v for values in weekly.series.values() for v in values if v is not None
    )


def _team_member_ids(session: Session, team_id: int) -> list[int]:
    return list(session.exec(select(TeamMember.person_id).where(TeamMember.team_id == team_id)))


def _logins_for(session: Session, person_ids: Sequence[int]) -> set[str]:
    """Logins of many people in two queries: their own and the login identities mapped to them.

    (`app.people.logins_of` also finds case variants seen in PRs, at two table scans a person:
    right for the person whose page it is, too slow for a whole team.)
    """
    if not person_ids:
        return set()
    own = session.exec(select(Person.login).where(col(Person.id).in_(person_ids)))
    claimed = session.exec(
        select(Identity.value).where(
            Identity.kind == "login", col(Identity.person_id).in_(person_ids)
        )
    )
    return set(own) | set(claimed)


def _emails_for(session: Session, person_ids: Sequence[int]) -> set[str]:
    """Emails of many people in two queries (see `_logins_for`)."""
    if not person_ids:
        return set()
    own = session.exec(select(Person.email).where(col(Person.id).in_(person_ids)))
    claimed = session.exec(
        select(Identity.value).where(
            Identity.kind == "email", col(Identity.person_id).in_(person_ids)
        )
    )
    return {e for e in own if e} | set(claimed)


def _teams_of_person(session: Session, person_id: int) -> list[Team]:
    return list(
        session.exec(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)  # type: ignore[arg-type]
            .where(TeamMember.person_id == person_id)
            .order_by(Team.name)
        )
    )


# --- person ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartVoice:
    """Chart titles on a person page: "your" to the person, "their" to anyone else. Series
    names stay "Their usual" for everyone: they are the columns of the CSV and JSON data."""

    is_self: bool

    @property
    def their(self) -> str:
        return "your" if self.is_self else "their"

    @property
    def they(self) -> str:
        return "you" if self.is_self else "they"


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


def person_evidence(
    session: Session, person: Person, chosen: Period, now: datetime, settings: Settings
) -> PersonEvidence:
    """Gather the signals behind a person's talking points (no access check, no view log:
    callers decide who may see the result)."""
    assert person.id is not None
    teams = _teams_of_person(session, person.id)
    team_ids = [t.id for t in teams if t.id is not None]
    colleague_ids = sorted({pid for tid in team_ids for pid in _team_member_ids(session, tid)})
    logins = logins_of(session, person.id)
    team_logins = _logins_for(session, colleague_ids) if colleague_ids else set(logins)
    emails = _emails_for(session, [person.id])

    reviews = sig.person_reviews(
        session,
        logins=logins,
        team_logins=team_logins,
        period=chosen,
        now=now,
        settings=settings,
    )
    ci = sig.person_ci(session, logins=logins, team_logins=team_logins, period=chosen, now=now)
    spots = sig.people_hotspots(session, emails=emails, period=chosen, now=now)
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
        reviews_given=reviews.reviews_given if reviews else None,
        own_usual_reviews_given=reviews.usual_reviews_given if reviews else None,
        risk_files=risk,
        flags=[f for f in flags if f.status != "answered" or as_utc(f.created_at) >= chosen.start],
    )
    return PersonEvidence(teams, reviews, ci, spots, flags, risk, signals)


def person_page(
    session: Session,
    viewer: Viewer,
    login: str,
    period: str | None,
    now: datetime,
    settings: Settings,
) -> PersonPage:
    """The 1:1 page: talking points first, then the evidence behind them."""
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
    evidence = person_evidence(session, person, chosen, now, settings)
    teams, reviews, ci, spots = evidence.teams, evidence.reviews, evidence.ci, evidence.spots
    flags, risk, signals = evidence.flags, evidence.risk, evidence.signals
    data_path = f"/data/person/{person.login}"
    query: dict[str, str | None] = {"period": chosen.key}
    voice = ChartVoice(is_self)
    charts = [
        _person_flow_chart(reviews, data_path, query, voice),
        _person_reviews_chart(reviews, data_path, query, voice),
        _person_ci_chart(ci, data_path, query, voice),
        _files_chart(
            spots,
            data_path,
            query,
            title=f"Files {voice.they} changed, and how widely they are known",
        ),
    ]
    path = f"/people/{person.login}"
    notes = _notes(session, person.id, viewer, is_self)
    return PersonPage(
        login=person.login,
        name=person.name or person.login,
        teams=[t.name for t in teams],
        period=chosen,
        periods=_period_links(path, chosen.key, list(PERIOD_LABELS)),
        is_self=is_self,
        talking_points=talking_points(signals, reader_is_person=is_self),
        charts=charts,
        pulls=reviews.pulls if reviews else [],
        ci_hits=ci.hits if ci else [],
        files=risk,
        flags=flags,
        agenda=notes[0],
        private_notes=notes[1],
        empty_message=None
        if signals.has_any_data
        else (
            f"No activity for {person.name or person.login} in this period yet. "
            f"Collect data with `{sig.COLLECT_GIT}`, `{sig.COLLECT_GITHUB}` and "
            f"`{sig.COLLECT_CI}`, or pick a longer period."
        ),
    )


def person_flags(session: Session, person_id: int) -> list[FlagItem]:
    """The person's own named flags with their answers (anonymous flags have no author)."""
    rows = session.exec(
        select(FrictionFlag)
        .join(FlagAuthor, FlagAuthor.flag_id == FrictionFlag.id)  # type: ignore[arg-type]
        .where(FlagAuthor.person_id == person_id)
        .order_by(col(FrictionFlag.created_at).desc())
        .limit(50)
    )
    return [
        FlagItem(
            id=f.id or 0,
            category=f.category,
            summary=f.summary,
            status=f.status,
            created_at=as_utc(f.created_at) or f.created_at,
            answer=f.answer,
            url=f"/api/v1/friction/{f.id}",
        )
        for f in rows
    ]


def _notes(
    session: Session, person_id: int, viewer: Viewer, is_self: bool
) -> tuple[list[NoteItem], list[NoteItem] | None]:
    """The shared agenda, and the viewer's own private notes (never the person's to see)."""
    rows = session.exec(
        select(OneOnOneNote, Person.login)
        .join(Person, Person.id == OneOnOneNote.author_id)  # type: ignore[arg-type]
        .where(OneOnOneNote.person_id == person_id)
        .order_by(col(OneOnOneNote.created_at).desc())
        .limit(100)
    )
    agenda: list[NoteItem] = []
    private: list[NoteItem] = []
    for note, author in rows:
        item = NoteItem(
            note.id or 0,
            note.body,
            author,
            as_utc(note.created_at) or note.created_at,
            note.shared,
            note.done,
        )
        if note.shared:
            agenda.append(item)
        elif note.author_id == viewer.person_id and not is_self:
            private.append(item)
    return agenda, None if is_self else private


def _person_flow_chart(
    reviews: sig.PersonReviews | None,
    data_path: str,
    query: dict[str, str | None],
    voice: ChartVoice,
) -> Chart:
    empty = f"No pull requests yet: run `{sig.COLLECT_GITHUB}` to collect them."
    title = f"Pull request flow against {voice.their} usual"
    if reviews is None:
        return _chart("pr_flow", title, data_path, query, None, [], empty)
    labels = ["Waiting for first review", "In review", "Approved to merge"]
    series = [
        Series(
            name,
            [phases.pickup, phases.review, phases.merge],
        )
        for name, phases in (
            ("This period", reviews.phases),
            ("Their usual", reviews.usual),
            ("Team median", reviews.team),
        )
    ]
    rows = [
        {"phase": label, **{s.name: s.values[i] for s in series}} for i, label in enumerate(labels)
    ]
    has_data = any(v is not None for s in series for v in s.values)
    built = figures.grouped_bars(
        labels, series, x_title="Phase", y_title="Median hours of waiting", unit="hours"
    )
    return _chart(
        "pr_flow",
        title,
        data_path,
        query,
        built if has_data else None,
        rows if has_data else [],
        empty,
    )


def _person_reviews_chart(
    reviews: sig.PersonReviews | None,
    data_path: str,
    query: dict[str, str | None],
    voice: ChartVoice,
) -> Chart:
    title = f"Reviews {voice.they} carried for others"
    empty = f"No reviews yet: run `{sig.COLLECT_GITHUB}` to collect them."
    if reviews is None or not _has_values(reviews.reviews_weekly):
        return _chart("reviews_given", title, data_path, query, None, [], empty)
    labels, series = _weekly_chart_input(reviews.reviews_weekly)
    built = figures.grouped_bars(
        labels, series, x_title="ISO week", y_title="Reviews given (count)", unit="reviews"
    )
    return _chart(
        "reviews_given", title, data_path, query, built, _weekly_rows(reviews.reviews_weekly), empty
    )


def _person_ci_chart(
    ci: sig.PersonCi | None, data_path: str, query: dict[str, str | None], voice: ChartVoice
) -> Chart:
    title = f"Waiting on CI for {voice.their} pull requests"
    empty = f"No CI runs yet: run `{sig.COLLECT_CI}` to collect them."
    if ci is None:
        return _chart("ci_waiting", title, data_path, query, None, [], empty)
    labels = ["Waiting on CI", "Waiting on flaky builds"]
    series = [
        Series(name, [waits.on_ci, waits.on_flaky])
        for name, waits in (
            ("This period", ci.waits),
            ("Their usual", ci.usual),
            ("Team median", ci.team),
        )
    ]
    rows = [
        {"wait": label, **{s.name: s.values[i] for s in series}} for i, label in enumerate(labels)
    ]
    if not any(v for s in series for v in s.values):
        return _chart("ci_waiting", title, data_path, query, None, [], empty)
    built = figures.grouped_bars(
        labels,
        series,
        x_title=f"What {voice.they} waited for",
        y_title="Hours of waiting",
        unit="hours",
    )
    return _chart("ci_waiting", title, data_path, query, built, rows, empty)


def _files_chart(
    spots: sig.Hotspots | None,
    data_path: str,
    query: dict[str, str | None],
    *,
    title: str,
    limit: int = 15,
) -> Chart:
    empty = f"No file history yet: run `{sig.COLLECT_GIT}` on the repositories."
    if spots is None or not spots.files:
        return _chart("files", title, data_path, query, None, [], empty)
    files = spots.files[:limit]
    colours = [
        figures.OKABE_ITO[5] if f.top_share >= KNOWLEDGE_RISK_SHARE else figures.OKABE_ITO[0]
        for f in files
    ]
    built = figures.horizontal_bars(
        [f"{f.repo}: {f.path}" for f in files],
        [float(f.churn) for f in files],
        x_title="Lines changed",
        unit="lines",
        name="Lines changed",
        colours=colours,
        hover=[
            f"{f.authors} author(s); {f.top_share:.0%} by {f.top_author or 'one author'}"
            for f in files
        ],
    )
    built = (built[0], built[1] + " Vermillion bars are files mostly known by one person.")
    rows = [
        {
            "repo": f.repo,
            "path": f.path,
            "lines_changed": f.churn,
            "commits": f.commits,
            "authors": f.authors,
            "top_author_share": round(f.top_share, 3),
        }
        for f in spots.files
    ]
    return _chart("files", title, data_path, query, built, rows, empty)


# --- team -----------------------------------------------------------------------------------


def team_page(
    session: Session,
    viewer: Viewer,
    name: str,
    period: str | None,
    now: datetime,
    settings: Settings,
    repository: str | None = None,
) -> TeamPage:
    """The team's flow: trends, what waits now, load spread, CI, hotspots, flags."""
    team = session.exec(select(Team).where(Team.name == name)).first()
    if team is None or team.id is None or team.id not in access.visible_teams(session, viewer):
        raise PageNotFoundError(name)
    if repository is not None and repository not in known_repositories(session):
        raise PageNotFoundError(repository)  # as on the home page: not an empty filter
    chosen = resolve_period(session, period, now=now)
    member_ids = _team_member_ids(session, team.id)
    members = list(
        session.exec(select(Person).where(col(Person.id).in_(member_ids)).order_by(Person.login))
    )
    team_logins = _logins_for(session, member_ids)
    emails = _emails_for(session, member_ids)
    reviews = sig.team_reviews(
        session,
        team_logins=team_logins,
        repository=repository,
        period=chosen,
        now=now,
        settings=settings,
    )
    ci = sig.group_ci(
        session, team_logins=team_logins, repository=repository, period=chosen, now=now
    )
    spots = (
        sig.repo_hotspots(session, repository=repository, period=chosen, now=now)
        if repository
        else sig.team_hotspots(session, emails=emails, period=chosen, now=now)
    )
    show_names = not settings.team_only_mode and access.manages_team(session, viewer, team.id)
    data_path = f"/data/team/{team.name}"
    query: dict[str, str | None] = {"period": chosen.key, "repository": repository}
    charts = [
        _review_trend_chart(reviews.trend if reviews else None, data_path, query),
        _waiting_now_chart(reviews.waiting if reviews else None, data_path, query),
        _load_chart(reviews.load if reviews else None, show_names, data_path, query),
        _ci_health_chart(ci, data_path, query),
        _flaky_jobs_chart(ci, data_path, query),
        _hours_lost_chart(reviews, ci, data_path, query),
        _files_chart(spots, data_path, query, title="Hotspots the team works in"),
        _flags_chart(team_flags_by_week(session, team_id=team.id, period=chosen), data_path, query),
    ]
    path = f"/teams/{team.name}"
    repo_names = known_repositories(session)
    return TeamPage(
        name=team.name,
        team_id=team.id,
        members=[Link(m.name or m.login, f"/people/{m.login}") for m in members],
        repositories=[
            Link(r, _url(path, repository=r, period=chosen.key), current=r == repository)
            for r in repo_names
        ],
        repository=repository,
        period=chosen,
        periods=_period_links(path, chosen.key, GROUP_PERIODS, repository=repository),
        charts=charts,
        waiting=reviews.waiting if reviews else [],
        knowledge_risk=spots.knowledge_risk if spots else [],
        flaky_jobs=ci.flaky_jobs[:20] if ci else [],
    )


def team_flags_by_week(session: Session, *, team_id: int, period: Period) -> sig.Weekly:
    """Friction flags raised for the team, by category and ISO week (counts only)."""
    rows = session.exec(
        select(FrictionFlag.category, FrictionFlag.created_at).where(
            FrictionFlag.team_id == team_id,
            FrictionFlag.created_at >= period.start,
            FrictionFlag.created_at <= period.end,
        )
    )
    return _flags_weekly(rows, period)


def _flags_weekly(rows: Any, period: Period) -> sig.Weekly:
    counts: Counter[tuple[str, str]] = Counter()
    for category, created_at in rows:
        counts[(category, iso_week(as_utc(created_at) or created_at))] += 1
    weeks = weeks_between(period.start, period.end)
    used = [c for c in CATEGORIES if any(cat == c for cat, _ in counts)]
    return sig.Weekly(
        weeks=weeks,
        series={c.replace("_", " "): [float(counts[(c, w)]) for w in weeks] for c in used},
    )


def _review_trend_chart(
    trend: sig.Weekly | None, data_path: str, query: dict[str, str | None]
) -> Chart:
    title = "Review flow: weekly median of each phase"
    empty = f"No pull requests yet: run `{sig.COLLECT_GITHUB}` to collect them."
    if not _has_values(trend):
        return _chart("review_flow", title, data_path, query, None, [], empty)
    assert trend is not None
    labels, series = _weekly_chart_input(trend)
    built = figures.lines(
        labels, series, x_title="ISO week", y_title="Median hours of waiting", unit="hours"
    )
    return _chart("review_flow", title, data_path, query, built, _weekly_rows(trend), empty)


def _waiting_now_chart(
    waiting: list[sig.WaitingPull] | None, data_path: str, query: dict[str, str | None]
) -> Chart:
    title = "Pull requests waiting now"
    empty = (
        "Nothing is waiting for a review right now."
        if waiting is not None
        else f"No pull requests yet: run `{sig.COLLECT_GITHUB}` to collect them."
    )
    if not waiting:
        return _chart("waiting_now", title, data_path, query, None, [], empty)
    shown = sorted(waiting, key=lambda w: -w.waited_hours)[:20]
    built = figures.horizontal_bars(
        [f"{w.repo}#{w.number}" for w in shown],
        [w.waited_hours for w in shown],
        x_title="Hours of waiting so far",
        unit="hours",
        name="Waiting now",
        colours=[figures.OKABE_ITO[1]] * len(shown),
        hover=[f"{w.title[:60]} — waiting for {w.waiting_for}" for w in shown],
    )
    rows = [
        {
            "repo": w.repo,
            "number": w.number,
            "title": w.title,
            "url": w.url,
            "waiting_for": w.waiting_for,
            "hours_waiting": round(w.waited_hours, 2),
        }
        for w in waiting
    ]
    return _chart("waiting_now", title, data_path, query, built, rows, empty)


def _load_chart(
    load: dict[str, int] | None, show_names: bool, data_path: str, query: dict[str, str | None]
) -> Chart:
    title = "Reviewer load: how reviews are spread (by name, not a ranking)"
    empty = f"No reviews yet: run `{sig.COLLECT_GITHUB}` to collect them."
    if not load:
        return _chart("reviewer_load", title, data_path, query, None, [], empty)
    names = sorted(load, key=str.lower)
    values = [float(load[n]) for n in names]
    built = figures.spread(
        values,
        names=names if show_names else None,
        x_title="Reviews given (count)",
        unit="reviews",
        name="Reviews given",
    )
    rows = (
        [{"reviewer": n, "reviews": load[n]} for n in names]
        if show_names
        else [{"reviews": int(v)} for v in sorted(values)]
    )
    return _chart("reviewer_load", title, data_path, query, built, rows, empty)


def _ci_health_chart(ci: sig.GroupCi | None, data_path: str, query: dict[str, str | None]) -> Chart:
    title = "CI health: runs, failures and flaky runs per week"
    empty = f"No CI runs yet: run `{sig.COLLECT_CI}` to collect them."
    if ci is None or not _has_values(ci.weekly):
        return _chart("ci_health", title, data_path, query, None, [], empty)
    labels, series = _weekly_chart_input(ci.weekly)
    built = figures.grouped_bars(
        labels, series, x_title="ISO week", y_title="Workflow runs (count)", unit="runs"
    )
    return _chart("ci_health", title, data_path, query, built, _weekly_rows(ci.weekly), empty)


def _flaky_jobs_chart(
    ci: sig.GroupCi | None, data_path: str, query: dict[str, str | None]
) -> Chart:
    title = "Top flaky jobs"
    empty = (
        "No flaky jobs in this period."
        if ci is not None
        else f"No CI runs yet: run `{sig.COLLECT_CI}` to collect them."
    )
    if ci is None or not ci.flaky_jobs:
        return _chart("flaky_jobs", title, data_path, query, None, [], empty)
    jobs = ci.flaky_jobs[:10]
    built = figures.horizontal_bars(
        [f"{j.workflow} / {j.job}" for j in jobs],
        [float(j.flaky_runs) for j in jobs],
        x_title="Flaky runs (failed, then passed on the same commit)",
        unit="runs",
        name="Flaky runs",
        colours=[figures.OKABE_ITO[5]] * len(jobs),
        hover=[j.repo for j in jobs],
    )
    rows = [
        {
            "repo": j.repo,
            "workflow": j.workflow,
            "job": j.job,
            "flaky_runs": j.flaky_runs,
            "url": j.url,
        }
        for j in ci.flaky_jobs
    ]
    return _chart("flaky_jobs", title, data_path, query, built, rows, empty)


def _hours_lost_chart(
    reviews: sig.TeamReviews | None,
    ci: sig.GroupCi | None,
    data_path: str,
    query: dict[str, str | None],
) -> Chart:
    title = "Hours lost to waiting, per week"
    empty = f"No waiting measured yet: run `{sig.COLLECT_GITHUB}` and `{sig.COLLECT_CI}`."
    parts = [w for w in (reviews.waiting_hours if reviews else None, ci.wait_hours if ci else None)]
    present = [w for w in parts if _has_values(w)]
    if not present:
        return _chart("hours_lost", title, data_path, query, None, [], empty)
    weeks = sorted({week for w in present for week in w.weeks})
    merged = sig.Weekly(weeks=weeks, series={})
    for weekly in present:
        for name, values in weekly.series.items():
            by_week = dict(zip(weekly.weeks, values, strict=True))
            merged.series[name] = [by_week.get(week) for week in weeks]
    labels, series = _weekly_chart_input(merged)
    built = figures.stacked_bars(
        labels, series, x_title="ISO week", y_title="Hours of waiting", unit="hours"
    )
    return _chart("hours_lost", title, data_path, query, built, _weekly_rows(merged), empty)


def _flags_chart(weekly: sig.Weekly, data_path: str, query: dict[str, str | None]) -> Chart:
    title = "Friction flags by category"
    empty = f"No friction flags in this period. Anyone can raise one with `{sig.RAISE_FLAG}`."
    if not _has_values(weekly):
        return _chart("flags", title, data_path, query, None, [], empty)
    labels, series = _weekly_chart_input(weekly)
    built = figures.stacked_bars(
        labels, series, x_title="ISO week", y_title="Flags raised (count)", unit="flags"
    )
    return _chart("flags", title, data_path, query, built, _weekly_rows(weekly), empty)


# --- repository -----------------------------------------------------------------------------


def repo_page(
    session: Session,
    viewer: Viewer,
    name: str,
    period: str | None,
    now: datetime,
    settings: Settings,
) -> RepoPage:
    """A repository's hotspots, coupling, knowledge risk, CI per workflow and review flow."""
    repo = session.exec(select(Repository).where(Repository.name == name)).first()
    if repo is None:
        raise PageNotFoundError(name)
    chosen = resolve_period(session, period, now=now)
    spots = sig.repo_hotspots(session, repository=repo.name, period=chosen, now=now)
    ci = sig.group_ci(session, team_logins=None, repository=repo.name, period=chosen, now=now)
    reviews = sig.team_reviews(
        session,
        team_logins=None,
        repository=repo.name,
        period=chosen,
        now=now,
        settings=settings,
    )
    data_path = f"/data/repo/{repo.name}"
    query: dict[str, str | None] = {"period": chosen.key}
    charts = [
        _treemap_chart(spots, data_path, query),
        _coupling_chart(spots, data_path, query),
        _risk_chart(spots, data_path, query),
        _workflows_chart(ci, data_path, query),
        _review_trend_chart(reviews.trend if reviews else None, data_path, query),
    ]
    return RepoPage(
        name=repo.name,
        html_url=repo.html_url,
        period=chosen,
        periods=_period_links(f"/repos/{repo.name}", chosen.key, GROUP_PERIODS),
        charts=charts,
        knowledge_risk=spots.knowledge_risk if spots else [],
        waiting=reviews.waiting if reviews else [],
        workflows=sorted(ci.workflows, key=lambda w: w.workflow.lower()) if ci else [],
    )


def _treemap_chart(
    spots: sig.Hotspots | None, data_path: str, query: dict[str, str | None]
) -> Chart:
    title = "Hotspots: where change concentrates, coloured by ownership"
    empty = f"No file history yet: run `{sig.COLLECT_GIT}` on this repository."
    if spots is None or not spots.files:
        return _chart("hotspots", title, data_path, query, None, [], empty)
    files = spots.files[:60]
    built = figures.treemap(
        [f.path for f in files],
        [float(max(f.churn, 1)) for f in files],
        [f.top_share for f in files],
        colour_title="Share by main author",
        hover=[
            f"{f.churn} lines changed in {f.commits} commits; {f.authors} author(s), "
            f"{f.top_share:.0%} by {f.top_author or 'one author'}"
            for f in files
        ],
    )
    rows = [
        {
            "path": f.path,
            "lines_changed": f.churn,
            "commits": f.commits,
            "loc": f.loc,
            "authors": f.authors,
            "top_author": f.top_author,
            "top_author_share": round(f.top_share, 3),
        }
        for f in spots.files
    ]
    return _chart("hotspots", title, data_path, query, built, rows, empty)


def _coupling_chart(
    spots: sig.Hotspots | None, data_path: str, query: dict[str, str | None]
) -> Chart:
    title = "Files that change together"
    empty = (
        "No files changed together often enough in this period."
        if spots is not None
        else f"No file history yet: run `{sig.COLLECT_GIT}` on this repository."
    )
    if spots is None or not spots.coupling:
        return _chart("coupling", title, data_path, query, None, [], empty)
    pairs = spots.coupling[:15]
    built = figures.horizontal_bars(
        [f"{p.first} ↔ {p.second}" for p in pairs],
        [float(p.together) for p in pairs],
        x_title="Commits changing both files (count)",
        unit="commits",
        name="Changed together",
        colours=[figures.OKABE_ITO[3]] * len(pairs),
        hover=[f"coupling {p.strength:.0%}" for p in pairs],
    )
    rows = [
        {"first": p.first, "second": p.second, "together": p.together, "strength": p.strength}
        for p in spots.coupling
    ]
    return _chart("coupling", title, data_path, query, built, rows, empty)


def _risk_chart(spots: sig.Hotspots | None, data_path: str, query: dict[str, str | None]) -> Chart:
    title = "Knowledge risk: files whose main author has gone quiet"
    empty = (
        "Every file's main author has committed in the last 90 days."
        if spots is not None
        else f"No file history yet: run `{sig.COLLECT_GIT}` on this repository."
    )
    if spots is None or not spots.knowledge_risk:
        return _chart("knowledge_risk", title, data_path, query, None, [], empty)
    files = spots.knowledge_risk[:15]
    built = figures.horizontal_bars(
        [f.path for f in files],
        [float(f.idle_days or 0) for f in files],
        x_title="Days since the main author's last commit",
        unit="days",
        name="Days since the main author's last commit",
        colours=[figures.OKABE_ITO[5]] * len(files),
        hover=[f"{f.top_author}: {f.top_share:.0%} of added lines" for f in files],
    )
    rows = [
        {
            "path": f.path,
            "main_author": f.top_author,
            "main_author_share": round(f.top_share, 3),
            "idle_days": f.idle_days,
            "loc": f.loc,
        }
        for f in spots.knowledge_risk
    ]
    return _chart("knowledge_risk", title, data_path, query, built, rows, empty)


def _workflows_chart(ci: sig.GroupCi | None, data_path: str, query: dict[str, str | None]) -> Chart:
    title = "CI per workflow: failure rate and flaky runs"
    empty = f"No CI runs yet: run `{sig.COLLECT_CI}` to collect them."
    if ci is None or not ci.workflows:
        return _chart("ci_workflows", title, data_path, query, None, [], empty)
    flows = sorted(ci.workflows, key=lambda w: w.workflow.lower())
    labels = [w.workflow for w in flows]
    built = figures.grouped_bars(
        labels,
        [
            Series(
                "Failed runs (%)",
                [None if w.failure_rate is None else w.failure_rate * 100 for w in flows],
            ),
            Series("Flaky runs (count)", [float(w.flaky_runs) for w in flows]),
        ],
        x_title="Workflow",
        y_title="Failed runs (%) / flaky runs (count)",
        unit="",
    )
    rows = [
        {
            "workflow": w.workflow,
            "runs": w.runs,
            "failure_rate": w.failure_rate,
            "flaky_runs": w.flaky_runs,
            "median_minutes": w.median_minutes,
        }
        for w in flows
    ]
    return _chart("ci_workflows", title, data_path, query, built, rows, empty)


# --- home -----------------------------------------------------------------------------------


def home_page(
    session: Session,
    viewer: Viewer,
    now: datetime,
    settings: Settings,
    *,
    team: str | None = None,
    repository: str | None = None,
    period: str | None = None,
) -> HomePage:
    """What the viewer may open, filtered by team; the filters travel in the URL."""
    if period is not None:
        resolve_period(session, period, now=now)  # validates the value
    group_period = period if period in GROUP_PERIODS else None
    people_ids = access.visible_people(session, viewer, team_only_mode=settings.team_only_mode)
    team_ids = access.visible_teams(session, viewer)
    teams = list(session.exec(select(Team).where(col(Team.id).in_(team_ids)).order_by(Team.name)))
    if team is not None:
        chosen = [t for t in teams if t.name == team]
        if not chosen:
            raise PageNotFoundError(team)
        assert chosen[0].id is not None
        people_ids &= set(_team_member_ids(session, chosen[0].id))
    people = list(
        session.exec(select(Person).where(col(Person.id).in_(people_ids)).order_by(Person.login))
    )
    repo_names = known_repositories(session)
    if repository is not None and repository not in repo_names:
        raise PageNotFoundError(repository)
    return HomePage(
        viewer=viewer.login,
        people=[
            {
                "login": p.login,
                "name": p.name or p.login,
                "url": _url(f"/people/{p.login}", period=period),
                "is_you": p.id == viewer.person_id,
            }
            for p in people
            if not p.is_bot
        ],
        teams=[
            Link(
                t.name,
                _url(f"/teams/{t.name}", period=group_period, repository=repository),
                current=t.name == team,
            )
            for t in teams
        ],
        repositories=[
            Link(r, _url(f"/repos/{r}", period=group_period), current=r == repository)
            for r in repo_names
        ],
        team=team,
        repository=repository,
        period=period,
        periods=_period_links("/", period, list(PERIOD_LABELS), team=team, repository=repository),
    )
