"""The digest's bridge to the signal modules: review flow, CI, hotspots and talking points.

Each function returns None while its signal is not collected yet (module not installed or no
rows at all), so the email can say "not collected yet" instead of printing a zero.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType

from sqlmodel import Session

from app.models import Person
from app.settings import Settings
from dashboards.digest_data import FileNote, Metric, TalkingPoint, WaitingPR
from dashboards.digest_scope import Scope
from dashboards.digest_week import Week


@dataclass
class ReviewSection:
    metrics: list[Metric] = field(default_factory=list)
    waiting_now: list[WaitingPR] = field(default_factory=list)


@dataclass
class FileSection:
    hotspots: list[FileNote] = field(default_factory=list)
    knowledge_risk: list[FileNote] = field(default_factory=list)


def _signal(name: str) -> ModuleType | None:
    """The signal module if its engineer has shipped it, else None."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None


def review_section(
    session: Session, scope: Scope, weeks: list[Week], now: datetime
) -> ReviewSection | None:
    """Pickup and review time, PRs merged, hours waiting on review, PRs waiting now."""
    if _signal("dashboards.signals.reviews") is None:
        return None
    return None


def ci_section(
    session: Session, scope: Scope, weeks: list[Week], now: datetime
) -> list[Metric] | None:
    """CI success rate, flaky rate and hours waited on CI for the scope's PRs and pushes."""
    if _signal("dashboards.signals.builds") is None:
        return None
    return None


def file_section(session: Session, scope: Scope, week: Week, now: datetime) -> FileSection | None:
    """New or rising hotspots and knowledge-risk files where the scope's people work."""
    if _signal("dashboards.signals.hotspots") is None:
        return None
    return None


def talking_points_ready() -> bool:
    return _signal("dashboards.talking_points") is not None


def talking_point(
    session: Session, person: Person, now: datetime, settings: Settings
) -> TalkingPoint | None:
    """The top talking point for this person's next 1:1, or None when there is none."""
    if _signal("dashboards.talking_points") is None:
        return None
    return None


def review_queues(
    session: Session, scope: Scope, now: datetime
) -> tuple[list[WaitingPR], list[WaitingPR]] | None:
    """For one developer: PRs waiting on their review, and their own PRs waiting."""
    if _signal("dashboards.signals.reviews") is None:
        return None
    return None
