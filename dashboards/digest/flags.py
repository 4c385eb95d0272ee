"""Friction flags in a digest: how many were raised and answered, how many still wait.

Counts only, for a manager: an anonymous flag is one in a count and never a line with details,
so a digest cannot point at its author. A developer sees the answers to their own named flags.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.core.models import FlagAuthor, FrictionFlag
from app.core.models.base import as_utc
from dashboards.digest.data import FlagNote, Metric, metric_from_weeks
from dashboards.digest.scope import Scope
from dashboards.digest.week import Week
from dashboards.item_flags import flag_url


def _scoped_flags(session: Session, scope: Scope, since: datetime) -> list[FrictionFlag]:
    """Flags of the scope's teams or raised by its people, touched since `since`, or still open."""
    named = select(FlagAuthor.flag_id).where(col(FlagAuthor.person_id).in_(scope.person_ids))
    return list(
        session.exec(
            select(FrictionFlag).where(
                or_(
                    col(FrictionFlag.team_id).in_(scope.team_ids),
                    col(FrictionFlag.id).in_(named),
                ),
                or_(
                    col(FrictionFlag.created_at) >= since,
                    col(FrictionFlag.answered_at) >= since,
                    col(FrictionFlag.status) != "answered",
                ),
            )
        )
    )


def _within(moment: datetime | None, week: Week) -> bool:
    moment = as_utc(moment)
    return moment is not None and week.start <= moment < week.end


def flag_metrics(
    session: Session, scope: Scope, weeks: list[Week], now: datetime
) -> tuple[list[Metric], int]:
    """New and answered flags per week (vs last week and usual), and how many are open now."""
    flags = _scoped_flags(session, scope, weeks[-1].utc_start)
    new = [float(sum(_within(f.created_at, w) for f in flags)) for w in weeks]
    answered = [float(sum(_within(f.answered_at, w) for f in flags)) for w in weeks]
    open_now = sum(
        1 for f in flags if f.status != "answered" and (as_utc(f.created_at) or now) <= now
    )
    return [
        metric_from_weeks("flags_new", "Friction flags raised", "flags", list(new)),
        metric_from_weeks(
            "flags_answered",
            "Friction flags answered",
            "flags",
            list(answered),
            lower_is_better=False,
        ),
    ], open_now


def flag_answers(session: Session, person_id: int, week: Week, base_url: str) -> list[FlagNote]:
    """Answers a person received this week to flags they raised under their name, each with
    its page under the public URL (`base_url`)."""
    rows = session.exec(
        select(FrictionFlag)
        .join(FlagAuthor, col(FlagAuthor.flag_id) == col(FrictionFlag.id))
        .where(
            FlagAuthor.person_id == person_id,
            col(FrictionFlag.answered_at) >= week.utc_start,
            col(FrictionFlag.answered_at) < week.utc_end,
        )
        .order_by(col(FrictionFlag.answered_at))
    )
    return [
        FlagNote(
            summary=flag.summary,
            category=flag.category,
            status=flag.status,
            answer=flag.answer,
            answered_at=as_utc(flag.answered_at),
            url=base_url.rstrip("/") + flag_url(flag.public_id),
        )
        for flag in rows
    ]
