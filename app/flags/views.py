"""A flag as its readers get it: stored rows joined to the logins and team names they name.

One place builds `FlagView`s, so what a listing shows and what a replayed `POST` returns cannot
drift apart. Visibility is not decided here (see `app.flags.rules`): callers pass only flags the
viewer may see.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.core.models import FlagAuthor, FrictionFlag, Person, Team
from app.core.models.base import as_utc
from app.flags.schemas import FlagView


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
    """Flags already stored, by id (a replayed idempotency key returns the first flag)."""
    if not flag_ids:
        return {}
    flags = session.exec(select(FrictionFlag).where(col(FrictionFlag.id).in_(flag_ids))).all()
    return {view.id: view for view in flag_views(session, list(flags))}


def flag_views(
    session: Session, flags: list[FrictionFlag], authors: dict[int, int] | None = None
) -> list[FlagView]:
    """Views of `flags` with two lookups (logins, team names) whatever their number."""
    if authors is None:
        authors = flag_authors(session, [f.id for f in flags if f.id is not None])
    person_ids = set(authors.values()) | {f.answered_by_id for f in flags if f.answered_by_id}
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
            id=f.id or 0,
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
        )
        for f in flags
    ]
