"""Empty states that say what is true: "No pull requests since 09:00 today; see the last 2
weeks", and the command that collects the data only when none of that kind was ever collected.

A short period (a 1:1 held this morning) leaves panels empty although the data is there; telling
the reader to run a collector then would send them to fix what is not broken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, select

from app.core.models import Commit, Deployment, PullRequest, Repository, Review, WorkflowRun
from dashboards.pages.charts import Chart
from dashboards.pages.delivery_charts import CHART_KEYS
from dashboards.pages.parts import Link, with_query
from dashboards.periods import PERIOD_LABELS, Period, longer_period

KINDS = {
    "pulls": PullRequest,
    "reviews": Review,
    "ci": WorkflowRun,
    "git": Commit,
    "delivery": Deployment,
}


def collected_kinds(session: Session, repository: str | None = None) -> frozenset[str]:
    """Which kinds of data the database (or one repository) holds at all: one cheap query
    per kind."""
    found = set()
    for kind, model in KINDS.items():
        query: Any = select(model.id)  # type: ignore[attr-defined]
        if repository is not None:
            if model is Review:
                query = query.join(PullRequest, PullRequest.id == Review.pull_request_id)
            owner = PullRequest if model is Review else model
            query = query.join(Repository, Repository.id == owner.repository_id).where(
                Repository.name == repository
            )
        if session.exec(query.limit(1)).first() is not None:
            found.add(kind)
    return frozenset(found)


@dataclass(frozen=True)
class EmptyStates:
    """The empty-state sentences of one page and period."""

    period: Period
    collected: frozenset[str]
    longer: Link | None  # the next longer period, where the data may be

    @classmethod
    def for_page(
        cls, session: Session, period: Period, path: str, *, repository: str | None = None
    ) -> EmptyStates:
        """`repository`: what that repository holds (a repository page), not the database."""
        key = longer_period(period)
        longer = (
            Link(f"the last {PERIOD_LABELS[key].lower()}", with_query(path, period=key), key=key)
            if key is not None
            else None
        )
        return cls(period, collected_kinds(session, repository), longer)

    def reworded(
        self, charts: Sequence[Chart], words: Mapping[str, tuple[str, str]]
    ) -> list[Chart]:
        """The charts, where an empty state names a collector although data of that kind was
        collected, saying instead what is true: `words` maps a chart to (kind, what), and a
        `what` ending in "." is the whole sentence."""
        out = []
        for chart in charts:
            kind, what = words.get(chart.key, ("", ""))
            if (
                chart.figure is None
                and "gemba collect" in (chart.empty or "")
                and kind in self.collected
            ):
                text = (
                    what
                    if what.endswith(".")
                    else f"No {what} {self.period.since}{self.see_longer}."
                )
                chart = replace(chart, summary=text, empty=text)
            out.append(chart)
        return out

    def message(self, kind: str, what: str, command: str, *, collected: str | None = None) -> str:
        """ "No {what} since …; see …" when that kind was collected (`collected` words it
        differently), else how to collect it."""
        if kind not in self.collected:
            return f"No {what} yet: run `{command}` to collect them."
        return f"{collected or f'No {what}'} {self.period.since}{self.see_longer}."

    @property
    def see_longer(self) -> str:
        return f"; see {self.longer.label}" if self.longer is not None else ""

    def nothing(self, name: str, commands: list[tuple[str, str]]) -> str:
        """The whole page has nothing: the same rule, for every kind of data at once."""
        missing = [command for kind, command in commands if kind not in self.collected]
        if len(missing) == len(commands):
            listed = ", ".join(f"`{c}`" for c in missing[:-1]) + f" and `{missing[-1]}`"
            return f"No activity for {name} yet. Collect data with {listed}."
        return f"Nothing for {name} {self.period.since}{self.see_longer}."


DELIVERY_CHARTS = {key: ("delivery", "deployments") for key in CHART_KEYS}
# What each chart of the team and repository pages shows, for `EmptyStates.reworded`.
TEAM_CHARTS = {
    "painmap": ("pulls", "pull requests by the team"),
    "review_flow": ("pulls", "pull requests"),
    "waiting_now": ("pulls", "Nothing is waiting for a review right now."),
    "reviewer_load": ("reviews", "reviews"),
    "ci_health": ("ci", "CI runs"),
    "flaky_jobs": ("ci", "CI runs"),
    "hours_lost": ("pulls", "waiting measured"),
    "files": ("git", "file changes"),
    **DELIVERY_CHARTS,
}
REPO_CHARTS = {
    "hotspots": ("git", "file changes"),
    "coupling": ("git", "file changes"),
    "knowledge_risk": ("git", "file changes"),
    "ci_workflows": ("ci", "CI runs"),
    "review_flow": ("pulls", "pull requests"),
    **DELIVERY_CHARTS,
}
