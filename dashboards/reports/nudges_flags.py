"""`flag_answered` nudges: the author of a named flag hears when a manager answered it.

Anonymous flags have no author row, so they are never nudged; each new answer is a new stretch.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.core.models import FlagAuthor, FrictionFlag, Person
from app.core.models.base import as_utc
from dashboards.reports.nudges_due import DueNudge, team_of

TOLD_WITHIN = timedelta(days=2)


def flag_answered(db: Session, now: datetime, base_url: str) -> list[DueNudge]:
    """Named flags answered by someone other than their author in the last two days."""
    rows = db.exec(
        select(FrictionFlag, Person)
        .join(FlagAuthor, col(FlagAuthor.flag_id) == col(FrictionFlag.id))
        .join(Person, col(Person.id) == col(FlagAuthor.person_id))
        .where(
            col(FrictionFlag.answered_at).is_not(None),
            col(FrictionFlag.answered_at) >= now - TOLD_WITHIN,
            FrictionFlag.answered_by_id != FlagAuthor.person_id,
        )
    )
    due: list[DueNudge] = []
    for flag, author in rows:
        team = team_of(db, author.login)
        answered = as_utc(flag.answered_at)
        if team is None or team.id is None or answered is None or answered > now:
            continue
        url = f"{base_url.rstrip('/')}/flags/{flag.public_id}"
        text = f"Your flag “{flag.summary}” has an answer. Have a look, and reply if it helps."
        due.append(
            DueNudge(
                "flag_answered",
                author.login,
                team.id,
                f"flag:{flag.id}",
                answered.isoformat(),
                text,
                url,
            )
        )
    return due
