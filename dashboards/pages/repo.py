"""The repository page: hotspots, files that change together, knowledge risk, CI per
workflow, the review flow and delivery (from merge to production)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from app.core import access
from app.core.access import Viewer
from app.core.models import Repository
from app.core.settings import Settings
from dashboards import figures
from dashboards.figures import Series
from dashboards.item_flags import FlagLookup, ItemFlag
from dashboards.pages.agreements import RepoCiException, repo_ci_exceptions
from dashboards.pages.builds import GroupCi, WorkflowHealth, group_ci
from dashboards.pages.charts import Chart, PageCharts, review_trend_chart
from dashboards.pages.commands import COLLECT_CI, COLLECT_GIT
from dashboards.pages.delivery import DeliverySection, delivery_section
from dashboards.pages.empty import REPO_CHARTS, EmptyStates
from dashboards.pages.flags import with_item_flags
from dashboards.pages.hotspots import FileSignal, Hotspots, repo_hotspots
from dashboards.pages.painmap import color_links, painmap_chart
from dashboards.pages.painmap import window as painmap_window
from dashboards.pages.parts import Link, PageNotFoundError, period_links
from dashboards.pages.reviews import WaitingPull, team_reviews
from dashboards.periods import GROUP_PERIODS, Period, resolve_period


@dataclass
class RepoPage:
    name: str
    html_url: str | None
    period: Period
    periods: list[Link]
    charts: list[Chart]
    knowledge_risk: list[FileSignal]
    kind: str = "repo"
    waiting: list[WaitingPull] = field(default_factory=list)
    workflows: list[WorkflowHealth] = field(default_factory=list)
    item_flags: dict[str, list[ItemFlag]] = field(default_factory=dict)
    ci_agreements: list[RepoCiException] = field(default_factory=list)  # teams' CI targets
    painmap_colors: list[Link] = field(default_factory=list)  # the map's colour selector
    painmap_window: tuple[datetime, datetime] | None = None  # the map's since, until (the panel's)
    delivery: DeliverySection | None = None  # the four keys; its charts are among `charts`


def repo_page(
    session: Session,
    viewer: Viewer,
    name: str,
    period: str | None,
    now: datetime,
    settings: Settings,
    *,
    flag_lookup: FlagLookup | None = None,
    color: str = "hotspot",
) -> RepoPage:
    """A repository's hotspots, coupling, knowledge risk, CI per workflow and review flow,
    with the friction flags (from `flag_lookup`) beside its files and workflows."""
    repo = session.exec(select(Repository).where(Repository.name == name)).first()
    if repo is None:
        raise PageNotFoundError(name)
    chosen = resolve_period(session, period, now=now)
    spots = repo_hotspots(session, repository=repo.name, period=chosen, now=now)
    zone = settings.default_timezone  # a repository has no team: the default zone's weeks
    ci = group_ci(
        session, team_logins=None, repository=repo.name, period=chosen, now=now, timezone=zone
    )
    reviews = team_reviews(
        session,
        team_logins=None,
        repository=repo.name,
        period=chosen,
        now=now,
        settings=settings,
        timezone=zone,
    )
    maker = PageCharts(f"/data/repo/{repo.name}", {"period": chosen.key, "color": color})
    pain = painmap_chart(
        session,
        maker,
        repo=repo.name,
        period=chosen,
        color=color,
        viewer=viewer,
        lookup=flag_lookup,
        settings=settings,
    )
    charts = [
        pain,
        _treemap_chart(maker, spots),
        _coupling_chart(maker, spots),
        _risk_chart(maker, spots),
        _workflows_chart(maker, ci),
        review_trend_chart(maker, reviews.trend if reviews else None),
    ]
    delivery, shipped = delivery_section(session, maker, chosen, timezone=zone, repo=repo.name)
    charts += shipped
    states = EmptyStates.for_page(session, chosen, f"/repos/{repo.name}", repository=repo.name)
    charts = states.reworded(charts, REPO_CHARTS)
    page = RepoPage(
        name=repo.name,
        html_url=repo.html_url,
        period=chosen,
        periods=period_links(f"/repos/{repo.name}", chosen.key, GROUP_PERIODS),
        charts=charts,
        painmap_colors=color_links(f"/repos/{repo.name}", {"period": chosen.key}, color),
        painmap_window=painmap_window(chosen),
        knowledge_risk=spots.knowledge_risk if spots else [],
        waiting=reviews.waiting if reviews else [],
        workflows=sorted(ci.workflows, key=lambda w: w.workflow.lower()) if ci else [],
        ci_agreements=repo_ci_exceptions(
            session, access.visible_teams(session, viewer), repo.name, chosen, now, settings
        ),
        delivery=delivery,
    )
    return with_item_flags(page, session, viewer, flag_lookup)


def _treemap_chart(charts: PageCharts, spots: Hotspots | None) -> Chart:
    title = "Hotspots: where change concentrates, coloured by ownership"
    empty = f"No file history yet: run `{COLLECT_GIT}` on this repository."
    if spots is None or not spots.files:
        return charts.empty("hotspots", title, empty)
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
    return charts.drawn("hotspots", title, built, rows, empty)


def _coupling_chart(charts: PageCharts, spots: Hotspots | None) -> Chart:
    title = "Files that change together"
    empty = (
        "No files changed together often enough in this period."
        if spots is not None
        else f"No file history yet: run `{COLLECT_GIT}` on this repository."
    )
    if spots is None or not spots.coupling:
        return charts.empty("coupling", title, empty)
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
        {
            "first": p.first,
            "second": p.second,
            "commits_together": p.together,
            "coupling_share": p.strength,
        }
        for p in spots.coupling
    ]
    return charts.drawn("coupling", title, built, rows, empty)


def _risk_chart(charts: PageCharts, spots: Hotspots | None) -> Chart:
    title = "Knowledge risk: files whose main author has gone quiet"
    empty = (
        "Every file's main author has committed in the last 90 days."
        if spots is not None
        else f"No file history yet: run `{COLLECT_GIT}` on this repository."
    )
    if spots is None or not spots.knowledge_risk:
        return charts.empty("knowledge_risk", title, empty)
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
    return charts.drawn("knowledge_risk", title, built, rows, empty)


def _workflows_chart(charts: PageCharts, ci: GroupCi | None) -> Chart:
    title = "CI per workflow: failure rate and flaky runs"
    empty = f"No CI runs yet: run `{COLLECT_CI}` to collect them."
    if ci is None or not ci.workflows:
        return charts.empty("ci_workflows", title, empty)
    flows = sorted(ci.workflows, key=lambda w: w.workflow.lower())
    runs = sum(w.runs for w in flows)
    calm = (
        f"No failed or flaky runs in this period: {runs} runs across "
        f"{len(flows)} workflow{'s' if len(flows) != 1 else ''}, all green."
    )
    built = figures.bars_on_two_axes(
        [w.workflow for w in flows],
        Series(
            "Failed runs (%)",
            [None if w.failure_rate is None else w.failure_rate * 100 for w in flows],
        ),
        Series("Flaky runs", [float(w.flaky_runs) for w in flows]),
        x_title="Workflow",
        units=("%", "runs"),
        titles=("Failed runs (%)", "Flaky runs (count)"),
    )
    rows = [
        {
            "workflow": w.workflow,
            "runs": w.runs,
            "failed_share": w.failure_rate,
            "flaky_runs": w.flaky_runs,
            "median_minutes": w.median_minutes,
        }
        for w in flows
    ]
    return charts.drawn("ci_workflows", title, built, rows, calm)
