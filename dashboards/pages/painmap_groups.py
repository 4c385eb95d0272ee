"""The pain map on the team page (the team's repositories, one top-level box each) and a small
one on the person page (only the files the person changed in the period). Both are drawn like
the repository page's map (`dashboards.pages.painmap`), with the same privacy: flags count
only what the viewer may see (anonymous ones from three up), and nobody is named except as a
file's owner.
"""

from __future__ import annotations

from sqlmodel import Session

from app.core.access import Viewer
from app.core.settings import Settings
from dashboards.item_flags import FlagLookup
from dashboards.pages.charts import Chart, PageCharts
from dashboards.pages.painmap import LABELS, PAGE_BOXES, drawn, no_flags, window
from dashboards.periods import Period
from dashboards.reports import painmap as report
from dashboards.reports.painmap_team import person_answer, team_answer

TEAM_COLOR = "review"  # the team page asks where reviews wait; hover shows every other number
PERSON_COLOR = "hotspot"
PERSON_BOXES = 200  # a small map beside the person's own numbers
TEAM_EMPTY = (
    "No repository with a PR by the team in this period: run `gemba collect github` "
    "and `gemba collect git PATH`."
)


def team_painmap_chart(
    session: Session,
    charts: PageCharts,
    *,
    team: str,
    logins: frozenset[str],
    period: Period,
    viewer: Viewer,
    lookup: FlagLookup | None,
    settings: Settings,
) -> Chart:
    """The team's repositories as one map, coloured by review wait."""
    query = _query(period, viewer, lookup, settings)
    answer = team_answer(
        session, query, team=team, logins=logins, color=TEAM_COLOR, max_boxes=PAGE_BOXES
    )
    title = f"Pain map: {LABELS[TEAM_COLOR].lower()} over the repositories the team works in"
    return drawn(charts, title, answer, TEAM_EMPTY)


def person_painmap_chart(
    session: Session,
    charts: PageCharts,
    *,
    emails: frozenset[str],
    period: Period,
    viewer: Viewer,
    lookup: FlagLookup | None,
    settings: Settings,
    empty: str,
) -> Chart:
    """The files the person changed in the period, as a small map coloured by hotspot
    (`empty`: what the page says when they changed none)."""
    query = _query(period, viewer, lookup, settings)
    answer = person_answer(
        session, query, emails=emails, color=PERSON_COLOR, max_boxes=PERSON_BOXES
    )
    title = f"Pain map: {LABELS[PERSON_COLOR].lower()} over the files worked in"
    return drawn(charts, title, answer, empty, height=360)


def _query(
    period: Period, viewer: Viewer, lookup: FlagLookup | None, settings: Settings
) -> report.MapQuery:
    start, end = window(period)
    return report.MapQuery("", start, end, viewer, lookup or no_flags, settings)
