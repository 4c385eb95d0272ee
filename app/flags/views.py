"""A flag as its readers get it: stored rows joined to the logins and team names they name.

One place builds `FlagView`s, so what a listing shows and what a replayed `POST` returns cannot
drift apart. Visibility is not decided here (see `app.flags.rules`): callers pass only flags the
viewer may see.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from app.core.models import FlagAnswer, FlagAuthor, FrictionFlag, Person, Team
from app.core.models.base import as_utc
from app.flags.schemas import AnswerView, FlagView


def flag_authors(session: Session, flag_ids: list[int]) -> dict[int, int]:
    """Named authors by flag id; anonymous flags have none."""
    if not flag_ids:
        return {}
    rows = session.exec(
        select(FlagAuthor.flag_id, FlagAuthor.person_id).where(
            col(FlagAuthor.flag_id).in_(flag_ids)
        )
    )
    return dict(rows.all())


def stored_views(session: Session, flag_ids: set[int]) -> dict[int, FlagView]:
    """Flags already stored, by row id (a replayed idempotency key returns the first flag)."""
    if not flag_ids:
        return {}
    flags = list(session.exec(select(FrictionFlag).where(col(FrictionFlag.id).in_(flag_ids))))
    return {f.id or 0: view for f, view in zip(flags, flag_views(session, flags), strict=True)}


def _threads(session: Session, flag_ids: list[int]) -> dict[int, list[FlagAnswer]]:
    """Each flag's answers, oldest first (one query)."""
    threads: dict[int, list[FlagAnswer]] = defaultdict(list)
    if flag_ids:
        rows = session.exec(
            select(FlagAnswer)
            .where(col(FlagAnswer.flag_id).in_(flag_ids))
            .order_by(col(FlagAnswer.created_at), col(FlagAnswer.id))
        )
        for row in rows:
            threads[row.flag_id].append(row)
    return threads


def flag_views(
    session: Session, flags: list[FrictionFlag], authors: dict[int, int] | None = None
) -> list[FlagView]:
    """Views of `flags` with three lookups (answers, logins, team names) whatever their number."""
    flag_ids = [f.id for f in flags if f.id is not None]
    if authors is None:
        authors = flag_authors(session, flag_ids)
    threads = _threads(session, flag_ids)
    person_ids = set(authors.values()) | {f.answered_by_id for f in flags if f.answered_by_id}
    person_ids |= {a.author_id for thread in threads.values() for a in thread if a.author_id}
    logins = (
        dict(
            session.exec(
                select(Person.id, Person.login).where(col(Person.id).in_(person_ids))
            ).all()
        )
        if person_ids
        else {}
    )
    team_ids = {f.team_id for f in flags if f.team_id is not None}
    teams = (
        dict(session.exec(select(Team.id, Team.name).where(col(Team.id).in_(team_ids))).all())
        if team_ids
        else {}
    )
    return [
        FlagView(
            id=f.public_id,
            team_id=f.team_id,
            team_name=teams.get(f.team_id) if f.team_id is not None else None,
            category=f.category,
            summary=f.summary,
            details=f.details,
            anonymous=f.anonymous,
            author_login=None if f.anonymous else logins.get(authors.get(f.id or 0, -1)),
            repo=f.repo,
            pull_number=f.pull_number,
            path=f.path,
            workflow=f.workflow,
            run_id=f.run_id,
            created_at=as_utc(f.created_at) or f.created_at,
            status=f.status,
            answer=f.answer,
            answered_by_login=logins.get(f.answered_by_id) if f.answered_by_id else None,
            answered_at=as_utc(f.answered_at),
            answers=[
                AnswerView(
                    author_login=logins.get(a.author_id) if a.author_id else None,
                    body=a.body,
                    created_at=as_utc(a.created_at) or a.created_at,
                )
                for a in threads.get(f.id or 0, [])
            ],
        )
        for f in flags
    ]
