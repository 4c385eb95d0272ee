"""Empty states that say what is true: "No pull requests since 09:00 today; see the last 2
weeks", and the command that collects the data only when none of that kind was ever collected.

A short period (a 1:1 held this morning) leaves panels empty although the data is there; telling
the reader to run a collector then would send them to fix what is not broken.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.core.models import Commit, PullRequest, Review, WorkflowRun
from dashboards.pages.parts import Link, with_query
from dashboards.periods import PERIOD_LABELS, Period, longer_period

KINDS = {"pulls": PullRequest, "reviews": Review, "ci": WorkflowRun, "git": Commit}


def collected_kinds(session: Session) -> frozenset[str]:
    """Which kinds of data the database holds at all (one cheap query per kind)."""
    return frozenset(
        kind
        for kind, model in KINDS.items()
        if session.exec(select(model.id).limit(1)).first() is not None  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class EmptyStates:
    """The empty-state sentences of one page and period."""

    period: Period
    collected: frozenset[str]
    longer: Link | None  # the next longer period, where the data may be

    @classmethod
    def for_page(cls, session: Session, period: Period, path: str) -> EmptyStates:
        key = longer_period(period)
        longer = (
            Link(f"the last {PERIOD_LABELS[key].lower()}", with_query(path, period=key), key=key)
            if key is not None
            else None
        )
        return cls(period, collected_kinds(session), longer)

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
