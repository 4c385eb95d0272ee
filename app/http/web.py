"""HTML pages, their JSON twins, chart data as CSV/JSON, and static files (Plotly from the package).

Each handler resolves the viewer, calls one `dashboards.pages` builder (handing it the flag
lookup, `app.flags.lookup.lookup`) and renders the dataclass it returns, unchanged;
`Accept: application/json` returns the same dataclass as JSON, so the page and its twin cannot
drift. Plotly's JavaScript comes from the installed `plotly` package under a
versioned name with a year-long cache, so the app works on a network without a CDN.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import plotly
from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session, select

import dashboards
from app.core import access
from app.core.access import Viewer
from app.core.models import OneOnOneNote, Person
from app.core.people import person_for_login
from app.flags import rules as flag_rules
from app.flags.lookup import lookup
from app.http import flag_pages, static
from app.http.chart_data import chart_response as _chart_data
from app.http.deps import CsrfDep, OptionalViewerDep, SessionDep, SettingsDep, csrf_token
from app.http.error_pages import SignInRequiredError
from app.http.error_pages import wants_json as _wants_json
from app.http.templating import templates
from app.nudges.history import felt, team_felt
from app.nudges.optout import KINDS, switched_off
from dashboards import item_flags
from dashboards.pages import home as page_home
from dashboards.pages import person as page_person
from dashboards.pages import repo as page_repo
from dashboards.pages import team as page_team
from dashboards.pages.parts import to_jsonable
from dashboards.reports.painmap import COLORS

DASHBOARDS = Path(dashboards.__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_NAME = f"plotly-{plotly.__version__}.min.js"
PLOTLY_URL = f"/static/{PLOTLY_NAME}"
STATIC = static.StaticFiles(DASHBOARDS / "static", {PLOTLY_NAME: PLOTLY_JS})
HTTP_422 = 422  # named differently across Starlette versions
NOTE_MAX = 5000


def _figure_json(figure: dict[str, Any] | None) -> Markup:
    """Figure JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(figure, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


templates.env.filters["figure_json"] = _figure_json
templates.env.globals["plotly_url"] = PLOTLY_URL
templates.env.globals["static_url"] = STATIC.url
templates.env.globals["pull_key"] = item_flags.pull_key
templates.env.globals["path_key"] = item_flags.path_key
templates.env.globals["workflow_key"] = item_flags.workflow_key


def _require(request: Request, viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise SignInRequiredError(_wants_json(request))
    return viewer


def _now(request: Request) -> datetime:
    """The wall clock, unless the app was given one (`app.state.clock`, for tests and demos)."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def _render(request: Request, template: str, page: Any, **extra: Any) -> Response:
    if _wants_json(request):
        return JSONResponse(to_jsonable(page))
    json_url = str(request.url.include_query_params(format="json"))
    context = {"page": page, "csrf_token": csrf_token(request), "json_url": json_url, **extra}
    return templates.TemplateResponse(request, template, context)


def _person_page(
    request: Request,
    login: str,
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalViewerDep,
    period: str | None = None,
) -> page_person.PersonPage:
    """The person page for its HTML, its JSON twin and its chart data alike."""
    who = _require(request, viewer)
    return page_person.person_page(
        session, who, login, period, _now(request), settings, flag_lookup=lookup
    )


def _team_page(
    request: Request,
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalViewerDep,
    period: str | None = None,
    repository: str | None = None,
) -> page_team.TeamPage:
    who = _require(request, viewer)
    return page_team.team_page(
        session,
        who,
        name,
        period,
        _now(request),
        settings,
        repository=repository or None,
        flag_lookup=lookup,
    )


PAINMAP_COLORS = "^(" + "|".join(COLORS) + ")$"


def _repo_page(
    request: Request,
    owner: str,
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalViewerDep,
    period: str | None = None,
    color: Annotated[str, Query(pattern=PAINMAP_COLORS)] = "hotspot",
) -> page_repo.RepoPage:
    who = _require(request, viewer)
    return page_repo.repo_page(
        session,
        who,
        f"{owner}/{name}",
        period,
        _now(request),
        settings,
        flag_lookup=lookup,
        color=color,
    )


def _felt(session: Session, viewer: Viewer, page: page_person.PersonPage) -> dict[str, object]:
    """Prompt answers for the person (all) or their manager (named ones); nobody else."""
    person = person_for_login(session, page.login)
    if person is None or person.id is None:
        return {}
    if not page.is_self and person.id not in access.direct_reports(session, viewer.person_id):
        return {}
    found = felt(session, person.id, with_anonymous=page.is_self)
    context: dict[str, object] = {"felt": found}
    context["felt_sentence"] = found.sentence(own=page.is_self) if found else ""
    if page.is_self:
        context |= {"nudges_off": switched_off(session, person.id), "nudge_kinds": KINDS}
    return context


PersonPageDep = Annotated[page_person.PersonPage, Depends(_person_page)]
TeamPageDep = Annotated[page_team.TeamPage, Depends(_team_page)]
RepoPageDep = Annotated[page_repo.RepoPage, Depends(_repo_page)]


def mount(app: FastAPI) -> None:
    """Add the pages, the chart data and /static to the app (sign-in: app.http.auth_web)."""
    _mount_static(app)  # errors: app.http.error_pages

    @app.get("/", include_in_schema=False, response_model=None)
    def home(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        viewer: OptionalViewerDep,
        team: str | None = None,
        repository: str | None = None,
        period: str | None = None,
    ) -> Response:
        who = _require(request, viewer)
        page = page_home.home_page(
            session,
            who,
            _now(request),
            settings,
            team=team or None,
            repository=repository or None,
            period=period or None,
        )
        if page.is_manager:  # only app.flags decides which flags wait for this viewer
            page.flags_to_answer = page_home.FlagsToAnswer(len(flag_rules.to_answer(session, who)))
        return _render(request, "home.html", page)

    @app.get("/people/{login}", include_in_schema=False, response_model=None)
    def person(
        request: Request, page: PersonPageDep, session: SessionDep, viewer: OptionalViewerDep
    ) -> Response:
        who = _require(request, viewer)
        flags = flag_pages.person_flag_context(
            request, session, who, page.is_self, [f.id for f in page.flags]
        )
        return _render(request, "person.html", page, **flags, **_felt(session, who, page))

    @app.get("/teams/{name}", include_in_schema=False, response_model=None)
    def team(request: Request, page: TeamPageDep, session: SessionDep) -> Response:
        felt = team_felt(session, page.team_id, page.period.start, page.period.end)
        return _render(request, "team.html", page, team_felt=felt)

    @app.get("/repos/{owner}/{name}", include_in_schema=False, response_model=None)
    def repo(request: Request, page: RepoPageDep) -> Response:
        return _render(request, "repo.html", page)

    @app.get("/data/person/{login}/{chart}.{fmt}", include_in_schema=False)
    def person_data(chart: str, fmt: str, page: PersonPageDep) -> Response:
        return _chart_data(page, chart, fmt)

    @app.get("/data/team/{name}/{chart}.{fmt}", include_in_schema=False)
    def team_data(chart: str, fmt: str, page: TeamPageDep) -> Response:
        return _chart_data(page, chart, fmt)

    @app.get("/data/repo/{owner}/{name}/{chart}.{fmt}", include_in_schema=False)
    def repo_data(chart: str, fmt: str, page: RepoPageDep) -> Response:
        return _chart_data(page, chart, fmt)

    @app.post("/people/{login}/notes", include_in_schema=False)
    def add_note(
        request: Request,
        login: str,
        session: SessionDep,
        settings: SettingsDep,
        viewer: OptionalViewerDep,
        _csrf: CsrfDep,
        body: Annotated[str, Form()],
        shared: Annotated[bool, Form()] = False,
    ) -> Response:
        """A private note (the manager's own) or an item on the shared agenda."""
        who = _require(request, viewer)
        person = _person_for_notes(session, who, login, settings.team_only_mode)
        text = body.strip()
        if not text or len(text) > NOTE_MAX:
            raise HTTPException(
                HTTP_422,
                detail=[
                    {
                        "loc": ["body", "body"],
                        "msg": f"a note needs 1 to {NOTE_MAX} characters",
                    }
                ],
            )
        is_self = who.person_id == person.id
        if not shared and is_self:
            raise HTTPException(
                HTTP_422,
                detail=[{"loc": ["body", "shared"], "msg": "your own items go on the agenda"}],
            )
        assert person.id is not None
        session.add(
            OneOnOneNote(person_id=person.id, author_id=who.person_id, shared=shared, body=text)
        )
        session.flush()
        return RedirectResponse(f"/people/{person.login}#notes", status.HTTP_303_SEE_OTHER)

    @app.post("/people/{login}/notes/{note_id}/done", include_in_schema=False)
    def finish_note(
        request: Request,
        login: str,
        note_id: Annotated[int, PathParam(ge=1, le=2**63 - 1)],
        session: SessionDep,
        settings: SettingsDep,
        viewer: OptionalViewerDep,
        _csrf: CsrfDep,
    ) -> Response:
        """Tick an agenda item (either side) or one's own private note."""
        who = _require(request, viewer)
        person = _person_for_notes(session, who, login, settings.team_only_mode)
        note = session.get(OneOnOneNote, note_id)
        if note is None or note.person_id != person.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such note")
        if not note.shared and note.author_id != who.person_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such note")
        note.done = True
        session.add(note)
        session.flush()
        return RedirectResponse(f"/people/{person.login}#notes", status.HTTP_303_SEE_OTHER)


def _person_for_notes(session: Any, viewer: Viewer, login: str, team_only: bool) -> Person:
    person = session.exec(select(Person).where(Person.login == login)).first()
    if person is None or not access.can_view_person(
        session, viewer, person.id, team_only_mode=team_only
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no page you may open")
    return person  # type: ignore[no-any-return]


def _mount_static(app: FastAPI) -> None:
    static.mount(app, STATIC)  # compressed, with ETags; versioned names cached for a year
