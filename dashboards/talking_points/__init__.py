"""Turn a person's signals into a few openings for a 1:1, each with its evidence one click away.

Rules compare with the person's own usual (when there is history enough, and saying what it
covers) and with their team: review load against the team's median and share, waits against
the team's median. A rule that finds nothing unusual says nothing: no invented problems.
Points are ranked by how far the signal is from its reference, and the list is kept short.

The sentences are phrased for whoever reads them: "your PRs" only when the reader is the
person; a manager reading a report's page, or the weekly digest, reads the first name once
("Bob's PRs"), then "their". A point links exactly the items its sentence names or counts.

One rule family per module (`waits`, `load`, `builds`, `files`, `flags`, `agreements`), the
words in `wording`, the units in `units` (also the pages' and the digest's number formatting).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from dashboards.item_flags import ItemFlag, open_flags
from dashboards.talking_points.agreements import agreement_exceptions
from dashboards.talking_points.builds import flaky_builds
from dashboards.talking_points.files import knowledge_risk
from dashboards.talking_points.flags import friction_flags
from dashboards.talking_points.load import review_load
from dashboards.talking_points.model import (
    CiHit,
    Evidence,
    FlagItem,
    History,
    PersonSignals,
    PullWait,
    RiskFile,
    TalkingPoint,
)
from dashboards.talking_points.waits import long_pickup, waiting_now
from dashboards.talking_points.wording import Voice

__all__ = [
    "MAX_POINTS",
    "RULES",
    "CiHit",
    "Evidence",
    "FlagItem",
    "History",
    "PersonSignals",
    "PullWait",
    "RiskFile",
    "TalkingPoint",
    "Voice",
    "talking_points",
    "with_flags",
]

MAX_POINTS = 5

RULES: Sequence[Callable[[PersonSignals, Voice], list[TalkingPoint]]] = (
    long_pickup,
    waiting_now,
    flaky_builds,
    review_load,
    knowledge_risk,
    friction_flags,
    agreement_exceptions,
)


def with_flags(
    points: Sequence[TalkingPoint], keyed: dict[str, list[ItemFlag]]
) -> list[TalkingPoint]:
    """The points with, beside each piece of evidence, the open flags tied to what it is about.

    `keyed` holds only the flags the reader may see (`dashboards.item_flags.keyed_flags`)."""
    return [
        replace(
            point,
            evidence=[replace(e, flags=open_flags(keyed, e.items)) for e in point.evidence],
        )
        for point in points
    ]


def talking_points(
    signals: PersonSignals, *, reader_is_person: bool, limit: int = MAX_POINTS
) -> list[TalkingPoint]:
    """Every rule's points, most unusual first, at most `limit`, phrased for the reader."""
    voice = Voice.for_reader(signals.display_name, reader_is_person=reader_is_person)
    points = [point for rule in RULES for point in rule(signals, voice.for_point())]
    return sorted(points, key=lambda p: (-p.weight, p.rule))[:limit]
