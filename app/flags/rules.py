"""Who sees a friction flag, and who may answer it.

Who sees a flag (`visible_flags`): its named author; the managers above the author or the
flag's team; admins. An anonymous flag is shown one by one only in teams of at least
`ANONYMITY_THRESHOLD` members (to the team and its managers); below that, managers see counts
per category, never the flag itself. How flags are stored so that anonymity is structural is
`app.flags.store`'s job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.core.access import Viewer, all_reports, managed_teams, team_sizes, teams_of
from app.core.models import FlagAnswer, FlagAuthor, FrictionFlag, Team
from app.core.models.base import utcnow
from app.flags.follow import follow_hash
from app.flags.schemas import FlagView, TeamFlags
from app.flags.views import flag_authors, flag_views

ANONYMITY_THRESHOLD = 3
# Newest first by the time shown (an anonymous flag's is its day), then by the random public
# id: never by the row id, whose order would place an anonymous flag among its neighbours.
NEWEST_FIRST = (col(FrictionFlag.created_at).desc(), col(FrictionFlag.public_id))


class FlagError(ValueError):
    """A flag that does not exist for this viewer, or an action they may not take."""


@dataclass(frozen=True)
class _Scope:
    viewer: Viewer
    reports: set[int]
    managed: set[int]
    own_teams: set[int]
    sizes: dict[int, int]

    def may_see(self, flag: FrictionFlag, author_id: int | None) -> bool:
        if flag.anonymous:
            if flag.team_id is None:
                return self.viewer.is_admin
            big_enough = self.sizes.get(flag.team_id, 0) >= ANONYMITY_THRESHOLD
            return big_enough and flag.team_id in (self.managed | self.own_teams)
        if self.viewer.is_admin or author_id == self.viewer.person_id:
            return True
        return author_id in self.reports or flag.team_id in self.managed

    def may_answer(self, flag: FrictionFlag, author_id: int | None) -> bool:
        """Managers of the flag's team or of its named author, and admins."""
        if self.viewer.is_admin:
            return True
        if author_id is not None and author_id in self.reports:
            return True
        return flag.team_id is not None and flag.team_id in self.managed


def _scope(session: Session, viewer: Viewer) -> _Scope:
    return _Scope(
        viewer=viewer,
        reports=all_reports(session, viewer.person_id),
        managed=managed_teams(session, viewer),
        own_teams=teams_of(session, viewer.person_id),
        sizes=team_sizes(session),
    )


def visible_flags(
    session: Session,
    viewer: Viewer,
    *,
    repo: str | None = None,
    pull_number: int | None = None,
    path: str | None = None,
    workflow: str | None = None,
    run_id: int | None = None,
    status: str | None = None,
    limit: int = 500,
) -> list[FlagView]:
    """Flags this viewer may see, newest first, optionally only those tied to one item."""
    query = select(FrictionFlag)
    for column, value in (
        (FrictionFlag.repo, repo),
        (FrictionFlag.pull_number, pull_number),
        (FrictionFlag.path, path),
        (FrictionFlag.workflow, workflow),
        (FrictionFlag.run_id, run_id),
        (FrictionFlag.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    flags = list(session.exec(query.order_by(*NEWEST_FIRST)))
    authors = flag_authors(session, [f.id for f in flags if f.id is not None])
    scope = _scope(session, viewer)
    shown = [f for f in flags if scope.may_see(f, authors.get(f.id or 0))][:limit]
    return flag_views(session, shown, authors)


def flags_for_item(
    session: Session,
    viewer: Viewer,
    *,
    repo: str | None = None,
    pull_number: int | None = None,
    path: str | None = None,
    workflow: str | None = None,
    run_id: int | None = None,
) -> list[FlagView]:
    """Flags to show beside a PR, file, workflow or run, for this viewer."""
    if not any(v is not None for v in (repo, pull_number, path, workflow, run_id)):
        return []
    return visible_flags(
        session,
        viewer,
        repo=repo,
        pull_number=pull_number,
        path=path,
        workflow=workflow,
        run_id=run_id,
    )


def flags_for_items(
    session: Session,
    viewer: Viewer,
    *,
    pulls: Iterable[tuple[str, int]] = (),
    paths: Iterable[tuple[str, str]] = (),
    workflows: Iterable[tuple[str, str]] = (),
) -> list[FlagView]:
    """Flags to show beside many PRs, files and workflows of a page, for this viewer.

    One query for all of a page's items (not one a row), then the same visibility rule as
    every other listing; a page showing no flagged item costs that one query only.
    """
    wanted = {
        "pull": set(pulls),
        "path": set(paths),
        "workflow": set(workflows),
    }
    repos = {repo for items in wanted.values() for repo, _ in items}
    if not repos:
        return []
    query = select(FrictionFlag).where(
        col(FrictionFlag.repo).in_(sorted(repos)),
        or_(
            col(FrictionFlag.pull_number).in_(sorted({n for _, n in wanted["pull"]})),
            col(FrictionFlag.path).in_(sorted({p for _, p in wanted["path"]})),
            col(FrictionFlag.workflow).in_(sorted({w for _, w in wanted["workflow"]})),
        ),
    )
    flags = [
        f
        for f in session.exec(query.order_by(*NEWEST_FIRST))
        if (f.repo, f.pull_number) in wanted["pull"]
        or (f.repo, f.path) in wanted["path"]
        or (f.repo, f.workflow) in wanted["workflow"]
    ]
    if not flags:
        return []
    authors = flag_authors(session, [f.id for f in flags if f.id is not None])
    scope = _scope(session, viewer)
    shown = [f for f in flags if scope.may_see(f, authors.get(f.id or 0))]
    return flag_views(session, shown, authors)


def list_own(session: Session, viewer: Viewer) -> list[FlagView]:
    """Flags the viewer raised under their name (anonymous ones have no author to find)."""
    flags = list(
        session.exec(
            select(FrictionFlag)
            .join(FlagAuthor, col(FlagAuthor.flag_id) == col(FrictionFlag.id))
            .where(FlagAuthor.person_id == viewer.person_id)
            .order_by(*NEWEST_FIRST)
        )
    )
    return flag_views(session, flags, {f.id or 0: viewer.person_id for f in flags})


def followed(session: Session, keys: Iterable[str]) -> list[FlagView]:
    """The anonymous flags these follow keys belong to, newest first: what their author sees.

    Holding the key is the proof of authorship; nothing about the holder is looked up or kept.
    """
    hashes = sorted({follow_hash(key) for key in keys})
    if not hashes:
        return []
    flags = session.exec(
        select(FrictionFlag)
        .where(col(FrictionFlag.follow_hash).in_(hashes), col(FrictionFlag.anonymous))
        .order_by(*NEWEST_FIRST)
    )
    return flag_views(session, list(flags), {})


def to_answer(session: Session, viewer: Viewer) -> list[FlagView]:
    """Flags this viewer may answer that are not answered yet, the longest waiting first."""
    flags = list(
        session.exec(
            select(FrictionFlag)
            .where(col(FrictionFlag.status) != "answered")
            .order_by(col(FrictionFlag.created_at), col(FrictionFlag.public_id))
        )
    )
    authors = flag_authors(session, [f.id for f in flags if f.id is not None])
    scope = _scope(session, viewer)
    shown = [
        f
        for f in flags
        if authors.get(f.id or 0) != viewer.person_id
        and scope.may_see(f, authors.get(f.id or 0))
        and scope.may_answer(f, authors.get(f.id or 0))
    ]
    return flag_views(session, shown, authors)


def list_for_manager(session: Session, viewer: Viewer) -> list[TeamFlags]:
    """Per managed team: the flags the viewer may see, and anonymous counts below the threshold.

    Named flags of reports who are in no managed team come under a pseudo-team with id 0.
    """
    scope = _scope(session, viewer)
    flags = list(session.exec(select(FrictionFlag).order_by(*NEWEST_FIRST)))
    authors = flag_authors(session, [f.id for f in flags if f.id is not None])
    names = {t.id: t.name for t in session.exec(select(Team)) if t.id is not None}
    result: dict[int, TeamFlags] = {
        tid: TeamFlags(team_id=tid, team_name=names[tid], members=scope.sizes.get(tid, 0))
        for tid in sorted(scope.managed)
        if tid in names
    }
    hidden: dict[int, Counter[str]] = {}
    shown: list[tuple[int, FrictionFlag]] = []
    for flag in flags:
        author = authors.get(flag.id or 0)
        if author == viewer.person_id and not viewer.is_admin:
            continue  # your own flags are under "mine", not under the team you manage
        if scope.may_see(flag, author):
            team_id = flag.team_id if flag.team_id in result else 0
            if team_id == 0 and 0 not in result:
                result[0] = TeamFlags(team_id=0, team_name="(no team)", members=0)
            shown.append((team_id, flag))
        elif flag.anonymous and flag.team_id in result:
            hidden.setdefault(flag.team_id, Counter())[flag.category] += 1
    views = flag_views(session, [flag for _, flag in shown], authors)
    for (team_id, _), view in zip(shown, views, strict=True):
        result[team_id].flags.append(view)
    for team_id, counts in hidden.items():
        result[team_id].anonymous_counts = dict(sorted(counts.items()))
    return list(result.values())


def get_flag(
    session: Session, viewer: Viewer, public_id: str, follow_keys: Iterable[str] = ()
) -> FlagView:
    """One flag by its public id, if the viewer may see it (or holds its follow key)."""
    flag = _visible_flag(session, viewer, public_id, follow_keys)
    return flag_views(session, [flag])[0]


def answerable(session: Session, viewer: Viewer, public_ids: Iterable[str]) -> set[str]:
    """Which of these flags the viewer may acknowledge and answer (for a page's buttons)."""
    wanted = sorted(set(public_ids))
    if not wanted:
        return set()
    flags = list(session.exec(select(FrictionFlag).where(col(FrictionFlag.public_id).in_(wanted))))
    authors = flag_authors(session, [f.id for f in flags if f.id is not None])
    scope = _scope(session, viewer)
    return {
        f.public_id
        for f in flags
        if scope.may_see(f, authors.get(f.id or 0)) and scope.may_answer(f, authors.get(f.id or 0))
    }


def may_answer(session: Session, viewer: Viewer, public_id: str) -> bool:
    """Whether the viewer may acknowledge and answer this flag."""
    return public_id in answerable(session, viewer, [public_id])


def _visible_flag(
    session: Session, viewer: Viewer, public_id: str, follow_keys: Iterable[str] = ()
) -> FrictionFlag:
    flag = session.exec(select(FrictionFlag).where(FrictionFlag.public_id == public_id)).first()
    if flag is None or flag.id is None:
        raise FlagError("no such flag")
    if flag.follow_hash is not None and flag.follow_hash in {follow_hash(k) for k in follow_keys}:
        return flag  # its anonymous author, proven by the key alone
    author = flag_authors(session, [flag.id]).get(flag.id)
    if not _scope(session, viewer).may_see(flag, author):
        raise FlagError("no such flag")  # the same answer, so existence does not leak
    return flag


def _answerable(session: Session, viewer: Viewer, public_id: str, verb: str) -> FrictionFlag:
    flag = _visible_flag(session, viewer, public_id)
    author = flag_authors(session, [flag.id or 0]).get(flag.id or 0)
    if not _scope(session, viewer).may_answer(flag, author):
        raise PermissionError(f"only a manager of the author or of the team can {verb}")
    return flag


def acknowledge(session: Session, viewer: Viewer, public_id: str) -> FlagView:
    """Say "seen, we are on it"; an answered flag stays answered."""
    flag = _answerable(session, viewer, public_id, "acknowledge")
    if flag.status == "open":
        flag.status = "acknowledged"
        session.add(flag)
        session.flush()
    return flag_views(session, [flag])[0]


def answer(session: Session, viewer: Viewer, public_id: str, note: str) -> FlagView:
    """Add an answer to the flag's thread (a second answer never replaces the first); the
    author sees it, and the team too for an anonymous flag."""
    flag = _answerable(session, viewer, public_id, "answer")
    now = utcnow()
    session.add(
        FlagAnswer(flag_id=flag.id or 0, author_id=viewer.person_id, body=note, created_at=now)
    )
    flag.status = "answered"
    flag.answer = note
    flag.answered_by_id = viewer.person_id
    flag.answered_at = now
    session.add(flag)
    session.flush()
    return flag_views(session, [flag])[0]
