"""The 422 answer for bad input, safe for any text the client sent.

FastAPI's default handler echoes each bad value back as UTF-8. A JSON string may carry a lone
surrogate escape (`"\\ud800"`), which pydantic rightly refuses, but which cannot be encoded as
UTF-8: the default handler then fails and the client gets a 500 instead of the field detail.
Here the body is written with ASCII escapes, so every value the client sent comes back intact.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII characters escaped, so any Python string can be sent."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


async def validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    detail = jsonable_encoder(error.errors())
    return AsciiJSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": detail}
    )


def register(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
