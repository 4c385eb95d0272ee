"""Errors as a browser should see them: an HTML page with the site header; the API keeps JSON.

A request is a browser's page request when it is outside the API (`/api`, `/metrics`,
`/healthz`, `/openapi.json`), does not ask for the JSON twin (`Accept: application/json` or
`?format=json`), and accepts `text/html`, as every browser navigation and form post does.
Everything else gets the JSON FastAPI would give, so scripts and the API are unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.http.deps import csrf_token
from app.http.templating import templates
from dashboards.pages.parts import PageNotFoundError
from dashboards.periods import UnknownPeriodError

API_PREFIXES = ("/api/", "/metrics", "/healthz", "/openapi.json")
NOT_YOURS = "No page here that you may open."
HEADINGS = {
    400: "That request could not be used",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not here",
    405: "Not here",
    413: "Too much at once",
    422: "That address has a value the page cannot use",
    429: "Too many at once",
}
SIGN_IN_DETAIL = "sign in with a bearer token (gemba token create LOGIN)"


class SignInRequiredError(Exception):
    """Raised by pages when nobody is signed in: browsers go to the sign-in page."""

    def __init__(self, wants_json: bool) -> None:
        self.wants_json = wants_json


def wants_json(request: Request) -> bool:
    """`Accept: application/json`, or `?format=json` for the page's alternate link."""
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def is_page_request(request: Request) -> bool:
    """True for a browser asking for a page (see the module docstring)."""
    if request.url.path.startswith(API_PREFIXES) or wants_json(request):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request, code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The HTML error page: the site header, what went wrong, and a way back."""
    context = {
        "page": None,
        "status": code,
        "heading": HEADINGS.get(code, "Something went wrong"),
        "message": message,
        "csrf_token": csrf_token(request),
    }
    return templates.TemplateResponse(
        request, "error.html", context, status_code=code, headers=headers
    )


def _messages(errors: Any) -> str:
    """One sentence from FastAPI's list of field errors: "period: unknown period '7y'"."""
    if isinstance(errors, str):
        return errors
    parts = []
    for error in errors if isinstance(errors, list) else []:
        where = [str(part) for part in error.get("loc", []) if part not in ("query", "body")]
        parts.append(f"{'.'.join(where)}: {error.get('msg', '')}" if where else error["msg"])
    return "; ".join(parts) or "The request was not valid."


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if not is_page_request(request):
        return await http_exception_handler(request, error)
    message = error.detail if error.status_code != 404 else "There is no page at this address."
    if isinstance(error.detail, list):
        message = _messages(error.detail)
    return error_page(request, error.status_code, str(message), dict(error.headers or {}))


def _sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequiredError)
    if error.wants_json:
        return JSONResponse(
            {"detail": SIGN_IN_DETAIL},
            status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/signin" if target == "/" else f"/signin?next={quote(target, safe='')}"
    return RedirectResponse(location, status.HTTP_303_SEE_OTHER)


def _not_found(request: Request, error: Exception) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": NOT_YOURS}, status.HTTP_404_NOT_FOUND)
    return error_page(request, 404, NOT_YOURS)


def _bad_period(request: Request, error: Exception) -> Response:
    if is_page_request(request):
        return error_page(request, 422, f"period: {error}")
    return JSONResponse(
        {"detail": [{"loc": ["query", "period"], "msg": str(error)}]},
        status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]


def register(app: FastAPI, api_validation_error: Handler) -> None:
    """Install the handlers; `api_validation_error` answers 422s outside pages (the API's)."""

    async def validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if not is_page_request(request):
            return await api_validation_error(request, error)
        return error_page(request, 422, _messages(error.errors()))

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(SignInRequiredError, _sign_in)
    app.add_exception_handler(PageNotFoundError, _not_found)
    app.add_exception_handler(UnknownPeriodError, _bad_period)
