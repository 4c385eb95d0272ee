"""FastAPI dependencies as `Annotated` aliases: the session, the settings, the viewer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.access import Viewer
from app.settings import Settings
from app.tokens import viewer_for_secret

SESSION_COOKIE = "gemba_session"


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit if the handler returns, roll back if it raises."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


def _secret_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def get_optional_viewer(request: Request, session: SessionDep) -> Viewer | None:
    secret = _secret_from(request)
    if not secret:
        return None
    return viewer_for_secret(session, secret)


def get_viewer(viewer: Annotated[Viewer | None, Depends(get_optional_viewer)]) -> Viewer:
    if viewer is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="sign in with a bearer token (gemba token create LOGIN)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return viewer


def get_admin(viewer: Annotated[Viewer, Depends(get_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="admin token required")
    return viewer


OptionalViewerDep = Annotated[Viewer | None, Depends(get_optional_viewer)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
AdminDep = Annotated[Viewer, Depends(get_admin)]
