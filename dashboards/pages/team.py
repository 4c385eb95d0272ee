"""The team page: review flow, what waits now, how reviews are spread, CI, hotspots, flags,
and delivery (from merge to production)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.core import access
from app.core.access import Viewer
from app.core.identities import directory
from app.core.models import CATEGORIES, FrictionFlag, Person, Team
from app.core.models.base import as_utc
from app.core.settings import Settings
from dashboards import figures
from dashboards.item_flags import FlagLookup, ItemFlag
from dashboards.pages.agreements import TeamAgreements, team_agreements
from dashboards.pages.builds import FlakyJob, GroupCi, group_ci
from dashboards.pages.charts import Chart, PageCharts, files_chart, has_values, review_trend_chart
from dashboards.pages.commands import COLLECT_CI, COLLECT_GITHUB, RAISE_FLAG
from dashboards.pages.delivery import DeliverySection, delivery_section
from dashboards.pages.empty import TEAM_CHARTS, EmptyStates
from dashboards.pages.flags import with_item_flags
from dashboards.pages.hotspots import FileSignal, repo_hotspots, team_hotspots
from dashboards.pages.painmap_groups import team_painmap_chart
from dashboards.pages.parts import Link, PageNotFoundError, period_links, with_query
from dashboards.pages.people import team_member_ids
from dashboards.pages.reviews import TeamReviews, WaitingPull, team_reviews
from dashboards.pages.weekly import Weekly
from dashboards.periods import GROUP_PERIODS, Period, iso_week, resolve_period, weeks_between
from dashboards.reports.repositories import known_repositories


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
    waiting: list[WaitingPull]
    knowledge_risk: list[FileSignal]
    kind: str = "team"
    flaky_jobs: list[FlakyJob] = field(default_factory=list)
    item_flags: dict[str, list[ItemFlag]] = field(default_factory=dict)
    agreements: TeamAgreements | None = None  # targets, exceptions, the ledger
    delivery: DeliverySection | None = None  # the four keys; its charts are among `charts`


def team_page(
    session: Session,
    viewer: Viewer,
    name: str,
    period: str | None,
    now: datetime,
    settings: Settings,
    repository: str | None = None,
    *,
    flag_lookup: FlagLookup | None = None,
) -> TeamPage:
    """The team's flow: trends, what waits now, load spread, CI, hotspots, flags (and, from
    `flag_lookup`, the friction flags beside its PRs, files and workflows)."""
    team = session.exec(select(Team).where(Team.name == name)).first()
    if team is None or team.id is None or team.id not in access.visible_teams(session, viewer):
        raise PageNotFoundError(name)
    if repository is not None and repository not in known_repositories(session):
        raise PageNotFoundError(repository)  # as on the home page: not an empty filter
    chosen = resolve_period(session, period, now=now)
    member_ids = team_member_ids(session, team.id)
    members = list(
        session.exec(select(Person).where(col(Person.id).in_(member_ids)).order_by(Person.login))
    )
    people = directory(session)
    team_logins = people.logins_of(*member_ids)
    emails = people.emails_of(*member_ids)
    reviews = team_reviews(
        session,
        team_logins=team_logins,
        repository=repository,
        period=chosen,
        now=now,
        settings=settings,
        timezone=team.timezone,
    )
    ci = group_ci(
        session,
        team_logins=team_logins,
        repository=repository,
        period=chosen,
        now=now,
        timezone=team.timezone,
    )
    spots = (
        repo_hotspots(session, repository=repository, period=chosen, now=now)
        if repository
        else team_hotspots(session, emails=emails, period=chosen, now=now)
    )
    show_names = not settings.team_only_mode and access.manages_team(session, viewer, team.id)
    maker = PageCharts(f"/data/team/{team.name}", {"period": chosen.key, "repository": repository})
    pain = team_painmap_chart(
        session,
        maker,
        team=team.name,
        logins=frozenset(team_logins or ()),
        period=chosen,
        viewer=viewer,
        lookup=flag_lookup,
        settings=settings,
    )
    charts = [
        pain,
        review_trend_chart(maker, reviews.trend if reviews else None),
        _waiting_now_chart(maker, reviews.waiting if reviews else None),
        _load_chart(maker, reviews.load if reviews else None, show_names),
        _ci_health_chart(maker, ci),
        _flaky_jobs_chart(maker, ci),
        _hours_lost_chart(maker, reviews, ci),
        files_chart(maker, spots, title="Hotspots the team works in"),
        _flags_chart(
            maker,
            team_flags_by_week(session, team_id=team.id, period=chosen, timezone=team.timezone),
        ),
    ]
    delivery, shipped = delivery_section(
        session,
        maker,
        chosen,
        timezone=team.timezone or settings.default_timezone,
        team=team.name,
        repo=repository,
    )
    charts += shipped
    path = f"/teams/{team.name}"
    charts = EmptyStates.for_page(session, chosen, path).reworded(charts, TEAM_CHARTS)
    repo_names = known_repositories(session)
    page = TeamPage(
        name=team.name,
        team_id=team.id,
        members=[Link(m.name or m.login, f"/people/{m.login}") for m in members],
        repositories=[
            Link(r, with_query(path, repository=r, period=chosen.key), current=r == repository)
            for r in repo_names
        ],
        repository=repository,
        period=chosen,
        periods=period_links(path, chosen.key, GROUP_PERIODS, repository=repository),
        charts=charts,
        waiting=reviews.waiting if reviews else [],
        knowledge_risk=spots.knowledge_risk if spots else [],
        flaky_jobs=ci.flaky_jobs[:20] if ci else [],
        agreements=team_agreements(
            session, viewer, team, chosen, now, settings, show_names=show_names
        ),
        delivery=delivery,
    )
    return with_item_flags(page, session, viewer, flag_lookup)


def team_flags_by_week(
    session: Session, *, team_id: int, period: Period, timezone: str | None = None
) -> Weekly:
    """Friction flags raised for the team, by category and ISO week in the team's zone."""
    rows = session.exec(
        select(FrictionFlag.category, FrictionFlag.created_at).where(
            FrictionFlag.team_id == team_id,
            FrictionFlag.created_at >= period.start,
            FrictionFlag.created_at <= period.end,
        )
    )
    return _flags_weekly(rows, period, timezone)


def _flags_weekly(rows: Any, period: Period, timezone: str | None) -> Weekly:
    counts: Counter[tuple[str, str]] = Counter()
    for category, created_at in rows:
        counts[(category, iso_week(as_utc(created_at) or created_at, timezone))] += 1
    weeks = weeks_between(period.start, period.end, timezone)
    used = [c for c in CATEGORIES if any(cat == c for cat, _ in counts)]
    return Weekly(
        weeks=weeks,
        series={c.replace("_", " "): [float(counts[(c, w)]) for w in weeks] for c in used},
    )


def _waiting_now_chart(charts: PageCharts, waiting: list[WaitingPull] | None) -> Chart:
    title = "Pull requests waiting now"
    empty = (
        "Nothing is waiting for a review right now."
        if waiting is not None
        else f"No pull requests yet: run `{COLLECT_GITHUB}` to collect them."
    )
    if not waiting:
        return charts.empty("waiting_now", title, empty)
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
    return charts.drawn("waiting_now", title, built, rows, empty)


def _load_chart(charts: PageCharts, load: dict[str, int] | None, show_names: bool) -> Chart:
    title = "Reviewer load: how reviews are spread (by name, not a ranking)"
    empty = f"No reviews yet: run `{COLLECT_GITHUB}` to collect them."
    if not load:
        return charts.empty("reviewer_load", title, empty)
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
    return charts.drawn("reviewer_load", title, built, rows, empty)


def _ci_health_chart(charts: PageCharts, ci: GroupCi | None) -> Chart:
    return charts.weekly(
        "ci_health",
        "CI health: runs, failures and flaky runs per week",
        ci.weekly if ci else None,
        empty=f"No CI runs yet: run `{COLLECT_CI}` to collect them.",
        draw=figures.grouped_bars,
        y_title="Workflow runs (count)",
        unit="runs",
    )


def _flaky_jobs_chart(charts: PageCharts, ci: GroupCi | None) -> Chart:
    title = "Top flaky jobs"
    empty = (
        "No flaky jobs in this period."
        if ci is not None
        else f"No CI runs yet: run `{COLLECT_CI}` to collect them."
    )
    if ci is None or not ci.flaky_jobs:
        return charts.empty("flaky_jobs", title, empty)
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
    return charts.drawn("flaky_jobs", title, built, rows, empty)


def _hours_lost_chart(charts: PageCharts, reviews: TeamReviews | None, ci: GroupCi | None) -> Chart:
    return charts.weekly(
        "hours_lost",
        "Hours lost to waiting, per week",
        _on_shared_weeks(
            [reviews.waiting_hours if reviews else None, ci.wait_hours if ci else None]
        ),
        empty=f"No waiting measured yet: run `{COLLECT_GITHUB}` and `{COLLECT_CI}`.",
        draw=figures.stacked_bars,
        y_title="Hours of waiting",
        unit="hours",
    )


def _on_shared_weeks(parts: list[Weekly | None]) -> Weekly | None:
    """The series of every part that has values, over the weeks of all of them (None in a
    week a part does not cover); None when no part has a value."""
    present = [w for w in parts if w is not None and has_values(w)]
    if not present:
        return None
    weeks = sorted({week for w in present for week in w.weeks})
    merged = Weekly(weeks=weeks, series={})
    for weekly in present:
        for name, values in weekly.series.items():
            by_week = dict(zip(weekly.weeks, values, strict=True))
            merged.series[name] = [by_week.get(week) for week in weeks]
    return merged


def _flags_chart(charts: PageCharts, weekly: Weekly) -> Chart:
    return charts.weekly(
        "flags",
        "Friction flags by category",
        weekly,
        empty=f"No friction flags in this period. Anyone can raise one with `{RAISE_FLAG}`.",
        draw=figures.stacked_bars,
        y_title="Flags raised (count)",
        unit="flags",
    )
