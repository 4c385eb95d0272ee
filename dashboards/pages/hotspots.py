"""Hotspots as the pages show them: files changed, their owners, coupling, knowledge risk.

The one place the pages call `dashboards.signals.hotspots`; it returns None when there is no
file history, and the page shows an empty state naming the command that collects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.core.models import Repository
from dashboards.pages.baseline import cached_baseline, day_window
from dashboards.periods import Period
from dashboards.queries.pages import data_version, files_touched
from dashboards.reports.hotspots import (
    UnknownRepository,
    coupling,
    hotspots,
    knowledge_risk,
    ownership,
)
from dashboards.signals.hotspots import FileOwnership, KnowledgeRisk


@dataclass
class FileSignal:
    repo: str
    path: str
    url: str | None
    churn: int  # lines added + deleted in the window
    commits: int
    loc: int | None
    authors: int
    top_author: str | None
    top_share: float
    idle_days: int | None = None  # knowledge risk: days since the main author's last commit


@dataclass
class CouplingPair:
    repo: str
    first: str
    second: str
    together: int
    strength: float


@dataclass
class Hotspots:
    files: list[FileSignal]
    knowledge_risk: list[FileSignal]
    coupling: list[CouplingPair]


def repo_hotspots(
    session: Session, *, repository: str, period: Period, now: datetime, limit: int = 60
) -> Hotspots | None:
    """A repository's hotspots with ownership, coupling and knowledge risk (a baseline, cached)."""
    start, end = day_window(period)

    def compute() -> Hotspots | None:
        return _repo_hotspots(session, repository=repository, start=start, end=end, limit=limit)

    return cached_baseline(session, ("hotspots", repository, start, end), compute)


def _repo_hotspots(
    session: Session, *, repository: str, start: datetime, end: datetime, limit: int
) -> Hotspots | None:
    try:
        spots = hotspots(session, repo=repository, now=end, since=start, limit=limit)
    except UnknownRepository:
        return None
    if not spots:
        return None
    pairs = coupling(session, repo=repository, now=end, since=start, limit=30)
    _, risky = repo_knowledge(session, repository=repository, now=end)
    base = _repo_link(session, repository)
    files = [
        FileSignal(
            repo=repository,
            path=h.path,
            url=f"{base}/{h.path}" if base else None,
            churn=h.churn,
            commits=h.commits,
            loc=h.loc,
            authors=h.authors,
            top_author=h.main_author,
            top_share=h.main_author_share or 0.0,
        )
        for h in spots
    ]
    return Hotspots(
        files=files,
        knowledge_risk=risky[:30],
        coupling=[
            CouplingPair(repository, c.path, c.coupled_path, c.shared, round(c.degree / 100, 3))
            for c in pairs
        ],
    )


def _repo_link(session: Session, repository: str) -> str | None:
    row = session.exec(select(Repository).where(Repository.name == repository)).first()
    if row is None or not row.html_url:
        return None
    return f"{row.html_url}/blob/{row.default_branch or 'HEAD'}"


def _risk_signal(repository: str, risk: KnowledgeRisk, base: str | None) -> FileSignal:
    return FileSignal(
        repo=repository,
        path=risk.path,
        url=f"{base}/{risk.path}" if base else None,
        churn=0,
        commits=0,
        loc=risk.loc,
        authors=1,
        top_author=risk.main_author,
        top_share=risk.main_author_share or 0.0,
        idle_days=risk.idle_days,
    )


# Ownership and knowledge risk look at a year of history of a whole repository: they change only
# when a collector writes, so they are computed once per repository, day and data version.
_KNOWLEDGE_CACHE: dict[tuple[object, ...], tuple[dict[str, FileOwnership], list[FileSignal]]] = {}
_KNOWLEDGE_CACHE_SIZE = 256


def repo_knowledge(
    session: Session, *, repository: str, now: datetime
) -> tuple[dict[str, FileOwnership], list[FileSignal]]:
    """Ownership by path and the knowledge-risk files of one repository (cached, see above)."""
    key = (str(session.get_bind().url), repository, now.date(), data_version(session))
    cached = _KNOWLEDGE_CACHE.get(key)
    if cached is not None:
        return cached
    base = _repo_link(session, repository)
    owners = {o.path: o for o in ownership(session, repo=repository, now=now)}
    risky = [
        _risk_signal(repository, r, base) for r in knowledge_risk(session, repo=repository, now=now)
    ]
    if len(_KNOWLEDGE_CACHE) >= _KNOWLEDGE_CACHE_SIZE:
        _KNOWLEDGE_CACHE.clear()
    _KNOWLEDGE_CACHE[key] = (owners, risky)
    return owners, risky


def team_hotspots(
    session: Session, *, emails: set[str], period: Period, now: datetime, limit: int = 20
) -> Hotspots | None:
    """`people_hotspots` for a whole team: a baseline over whole days, cached."""
    start, end = day_window(period)

    def compute() -> Hotspots | None:
        window = Period(period.key, period.label, start, end)
        return people_hotspots(session, emails=emails, period=window, now=end, limit=limit)

    return cached_baseline(session, ("team_hotspots", frozenset(emails), start, end), compute)


def people_hotspots(
    session: Session, *, emails: set[str], period: Period, now: datetime, limit: int = 15
) -> Hotspots | None:
    """Files these people changed in the period, and the knowledge-risk files among them."""
    touched = files_touched(session, emails=emails, since=period.start, until=now)
    if not touched:
        return None
    touched.sort(key=lambda t: (-(t.added + t.deleted), t.repo, t.path))
    shown = touched[:limit]
    files: list[FileSignal] = []
    risky: list[FileSignal] = []
    for repository in sorted({t.repo for t in shown}):
        base = _repo_link(session, repository)
        owners, repo_risk = repo_knowledge(session, repository=repository, now=now)
        paths = {t.path for t in touched if t.repo == repository}
        risky += [r for r in repo_risk if r.path in paths]
        for t in shown:
            if t.repo != repository:
                continue
            owner = owners.get(t.path)
            files.append(
                FileSignal(
                    repo=repository,
                    path=t.path,
                    url=f"{base}/{t.path}" if base else None,
                    churn=t.added + t.deleted,
                    commits=t.commits,
                    loc=owner.loc if owner else None,
                    authors=owner.authors if owner else 1,
                    top_author=owner.main_author if owner else None,
                    top_share=(owner.main_author_share or 0.0) if owner else 0.0,
                )
            )
    files.sort(key=lambda f: (-f.churn, f.repo, f.path))
    return Hotspots(files=files, knowledge_risk=risky, coupling=[])
