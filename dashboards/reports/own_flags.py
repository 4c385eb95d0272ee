"""A person's own named flags with their answers, as the 1:1 rules, the person page, the home
page and the digest read them: one query for one person or many."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.core.models import FlagAuthor, FrictionFlag
from app.core.models.base import as_utc
from dashboards.item_flags import flag_url
from dashboards.talking_points import FlagItem

PERSON_FLAGS_LIMIT = 50  # the newest this many per person: what the person page lists


def own_flags(session: Session, person_ids: Iterable[int]) -> dict[int, list[FlagItem]]:
    """Each person's named flags, newest first (anonymous flags have no author, so none of
    them is here); links are the flag pages' paths (the digest makes them absolute)."""
    found: dict[int, list[FlagItem]] = defaultdict(list)
    rows = session.exec(
        select(FrictionFlag, FlagAuthor.person_id)
        .join(FlagAuthor, col(FlagAuthor.flag_id) == col(FrictionFlag.id))
        .where(col(FlagAuthor.person_id).in_(list(person_ids)))
        .order_by(col(FrictionFlag.created_at).desc())
    )
    for flag, person_id in rows:
        if len(found[person_id]) < PERSON_FLAGS_LIMIT:
            found[person_id].append(
                FlagItem(
                    id=flag.public_id,
                    category=flag.category,
                    summary=flag.summary,
                    status=flag.status,
                    created_at=as_utc(flag.created_at) or flag.created_at,
                    answer=flag.answer,
                    url=flag_url(flag.public_id),
                )
            )
    return found


def person_flags(session: Session, person_id: int) -> list[FlagItem]:
    """One person's own named flags with their answers, newest first."""
    return own_flags(session, [person_id]).get(person_id, [])
