"""Logging set-up: readable text by default, one JSON object per line with GEMBA_LOG_FORMAT=json.

JSON lines carry the standard fields plus whatever a caller passes in `extra=` (repository,
source, job id...), so a log pipeline can filter on them without parsing messages. Every
`gemba` command configures it before it runs (the CLI's root callback); `gemba serve` also
hands `uvicorn_log_config` to uvicorn, so its start-up lines and access log, in every web
worker process, are in the same format.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from app.core.settings import Settings

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}
# uvicorn's access line is `'%s - "%s %s HTTP/%s" %d'` over these arguments.
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            body.update(zip(_ACCESS_FIELDS, args, strict=True))
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                body[key] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time level logger: message key=value ...` with the extras appended."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD and k[0] != "_"}
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return line


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is logged, not when it was set up."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class LibraryFilter(logging.Filter):
    """Gemba Walk's lines at GEMBA_LOG_LEVEL; from libraries only warnings, errors and the
    queue's failed or retried jobs (Procrastinate's job-start and success lines, a kilobyte
    each, only at DEBUG: `gemba.sync` already logs each collect)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("gemba") or record.levelno >= logging.WARNING:
            return True
        action = str(getattr(record, "action", ""))
        if record.name.startswith("procrastinate") and ("error" in action or "abort" in action):
            return True
        return logging.getLogger("gemba").isEnabledFor(logging.DEBUG)


def formatter(settings: Settings) -> logging.Formatter:
    if settings.log_format == "json":
        return JsonFormatter()
    return TextFormatter(TEXT_FORMAT)


def configure_logging(settings: Settings) -> None:
    """One handler on the root logger in the configured format (idempotent): `gemba.*` at
    GEMBA_LOG_LEVEL, the libraries' (Procrastinate, PyGithub, SQLAlchemy...) warnings too
    (`LibraryFilter`)."""
    handler = StderrHandler()
    handler.setFormatter(formatter(settings))
    handler.addFilter(LibraryFilter())
    handler._gemba = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_gemba", False):
            root.removeHandler(old)
    root.addHandler(handler)
    logging.getLogger("gemba").setLevel(settings.log_level.upper())


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's `log_config`: with JSON logs, its own lines, the access log, `gemba.*` and
    the root logger as JSON in every web worker; with text logs, uvicorn's usual format for
    its lines and ours for the rest."""
    if settings.log_format == "json":
        ours = {"()": "app.core.logs.JsonFormatter"}
        formatters: dict[str, Any] = {"ours": ours, "default": ours, "access": ours}
    else:
        formatters = {
            "ours": {"()": "app.core.logs.TextFormatter", "fmt": TEXT_FORMAT},
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        }

    def stderr(name: str) -> dict[str, Any]:
        return {"formatter": name, "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "filters": {"libraries": {"()": "app.core.logs.LibraryFilter"}},
        "handlers": {
            "default": stderr("default"),
            "access": stderr("access"),
            "ours": stderr("ours") | {"filters": ["libraries"]},
        },
        "root": {"handlers": ["ours"], "level": "WARNING"},
        "loggers": {
            "gemba": {"level": settings.log_level.upper()},
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
