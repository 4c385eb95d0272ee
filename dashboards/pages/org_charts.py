"""The organisation page's charts: one bar per team in the page's order (never sorted by a
number), and where teams wait on each other. Each serves its rows as CSV and JSON."""

from __future__ import annotations

from dashboards import figures
from dashboards.figures import Series
from dashboards.pages.charts import Chart, PageCharts, series_rows
from dashboards.pages.commands import COLLECT_CI, COLLECT_GITHUB, RAISE_FLAG
from dashboards.reports.org import PHASES, OrgNumbers

PHASE_NAMES = {"pickup": "First review", "review": "In review", "merge": "Approved to merge"}


def org_charts(data_path: str, period_key: str, numbers: OrgNumbers) -> list[Chart]:
    maker = PageCharts(data_path, {"period": period_key})
    return [
        _phases(maker, numbers),
        _waiting(maker, numbers),
        _hours_lost(maker, numbers),
        _flaky(maker, numbers),
        _exceptions(maker, numbers),
        _flags(maker, numbers),
        _cross_team(maker, numbers),
        _shared(maker, numbers),
    ]


def _teams(numbers: OrgNumbers) -> list[str]:
    return [t.team for t in numbers.teams]


def _bars(
    maker: PageCharts,
    numbers: OrgNumbers,
    key: str,
    title: str,
    series: list[Series],
    *,
    y_title: str,
    unit: str,
    empty: str,
    stacked: bool = False,
) -> Chart:
    labels = _teams(numbers)
    draw = figures.stacked_bars if stacked else figures.grouped_bars
    built = draw(labels, series, x_title="Team", y_title=y_title, unit=unit)
    rows = series_rows("team", labels, series, unit)
    return maker.drawn(key, title, built, rows, empty)


def _phases(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    series = []
    for phase in PHASES:
        values = [next(p for p in t.phases if p.phase == phase) for t in numbers.teams]
        series.append(Series(f"{PHASE_NAMES[phase]}, this period", [v.now_hours for v in values]))
        series.append(Series(f"{PHASE_NAMES[phase]}, usual", [v.usual_hours for v in values]))
    return _bars(
        maker,
        numbers,
        "review_phases",
        "Review flow: each team's median phases against its own usual",
        series,
        y_title="Median hours",
        unit="hours",
        empty=f"No merged pull requests yet: run `{COLLECT_GITHUB}` to collect them.",
    )


def _waiting(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    series = [Series("Waiting on a reviewer now", [float(len(t.waiting)) for t in numbers.teams])]
    return _bars(
        maker,
        numbers,
        "waiting_now",
        "Pull requests waiting on a reviewer now",
        series,
        y_title="Pull requests (count)",
        unit="PRs",
        empty="Nothing waits on a reviewer right now.",
    )


def _hours_lost(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    series = [
        Series("Waiting for a first review", [t.review_wait_hours for t in numbers.teams]),
        Series("Waiting on flaky builds", [t.flaky_wait_hours for t in numbers.teams]),
    ]
    return _bars(
        maker,
        numbers,
        "hours_lost",
        "Hours lost to waiting",
        series,
        y_title="Hours of waiting",
        unit="hours",
        empty=f"No waiting measured yet: run `{COLLECT_GITHUB}` and `{COLLECT_CI}`.",
        stacked=True,
    )


def _flaky(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    rates = [None if t.flaky_rate is None else round(100 * t.flaky_rate, 1) for t in numbers.teams]
    return _bars(
        maker,
        numbers,
        "flaky_rate",
        "Flaky rate: builds that failed, then passed on the same commit",
        [Series("Flaky (%)", rates)],
        y_title="Flaky builds (%)",
        unit="%",
        empty=f"No flaky builds in this period, or no CI runs yet (`{COLLECT_CI}`).",
    )


def _exceptions(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    rules = sorted({rule for t in numbers.teams for rule in t.exceptions})
    series = [
        Series(rule.replace("_", " "), [float(t.exceptions.get(rule, 0)) for t in numbers.teams])
        for rule in rules
    ]
    return _bars(
        maker,
        numbers,
        "agreement_exceptions",
        "Exceptions to each team's own agreements",
        series,
        y_title="Exceptions (count)",
        unit="exceptions",
        empty="No exceptions to the teams' agreements in this period (or no agreements set).",
        stacked=True,
    )


def _flags(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    named = sorted({c for t in numbers.teams for c in t.flags})
    anonymous = sorted({c for t in numbers.teams for c in t.anonymous_flags})
    series = [
        Series(c.replace("_", " "), [float(t.flags.get(c, 0)) for t in numbers.teams])
        for c in named
    ] + [
        Series(
            f"{c.replace('_', ' ')} (anonymous)",
            [float(t.anonymous_flags.get(c, 0)) for t in numbers.teams],
        )
        for c in anonymous
    ]
    return _bars(
        maker,
        numbers,
        "flags",
        "Friction flags by category (anonymous ones counted from 3 up)",
        series,
        y_title="Flags raised (count)",
        unit="flags",
        empty=f"No friction flags in this period. Anyone can raise one with `{RAISE_FLAG}`.",
        stacked=True,
    )


def _cross_team(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    title = "Reviews across teams: median hours a team waited for another team's first review"
    empty = "No team waited on another team's review in this period."
    pairs = [c for c in numbers.cross_team if c.median_pickup_hours is not None]
    built = figures.horizontal_bars(
        [f"{c.author_team} waits on {c.reviewer_team}" for c in pairs],
        [c.median_pickup_hours or 0.0 for c in pairs],
        x_title="Median hours to a first review",
        unit="hours",
        name="Median wait",
        hover=[f"{c.pulls} PRs; {c.waiting_now} waiting now" for c in pairs],
    )
    rows = [
        {
            "author_team": c.author_team,
            "reviewer_team": c.reviewer_team,
            "pulls": c.pulls,
            "median_pickup_hours": c.median_pickup_hours,
            "waiting_now": c.waiting_now,
        }
        for c in numbers.cross_team
    ]
    return maker.drawn("cross_team", title, built if pairs else None, rows, empty)


def _shared(maker: PageCharts, numbers: OrgNumbers) -> Chart:
    title = "Where several teams wait: repositories and folders"
    empty = "No repository had PRs of two or more of these teams waiting for a first review."
    places = numbers.shared[:15]
    built = figures.horizontal_bars(
        [f"{p.repo}: {p.path}" if p.path else p.repo for p in places],
        [p.wait_hours for p in places],
        x_title="Hours PRs waited for a first review",
        unit="hours",
        name="Hours waited",
        hover=[f"{p.pulls} PRs of {', '.join(p.teams)}" for p in places],
    )
    rows = [
        {
            "repo": p.repo,
            "path": p.path or "",
            "teams": "; ".join(p.teams),
            "pulls": p.pulls,
            "wait_hours": p.wait_hours,
        }
        for p in numbers.shared
    ]
    return maker.drawn("shared_places", title, built if places else None, rows, empty)
