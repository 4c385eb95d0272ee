"""The Slack stand-in's HTTP server: stdlib only, Slack's token rules, faults and a request log."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app.sandbox.slack.methods import METHODS, SlackError
from app.sandbox.slack.view import render
from app.sandbox.slack.workspace import Workspace


def _arguments(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    """Query, form and JSON arguments merged, the way Slack reads them."""
    args: dict[str, Any] = dict(parse_qsl(urlsplit(handler.path).query))
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else b""
    kind = (handler.headers.get("Content-Type") or "").split(";")[0].strip()
    if body and kind == "application/json":
        try:
            loaded = json.loads(body)
        except ValueError as exc:
            raise SlackError("invalid_json") from exc
        if not isinstance(loaded, dict):
            raise SlackError("json_not_object")
        args |= loaded
    elif body:
        args |= dict(parse_qsl(body.decode("utf-8")))
    return args


class SlackSandbox:
    """Slack's Web API for `workspace` on host:port (0 = a free port); `url` is the base URL."""

    def __init__(self, workspace: Workspace | None = None, host: str = "127.0.0.1", port: int = 0):
        self.workspace = workspace or Workspace()
        self.requests: list[dict[str, Any]] = []
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL for `WebClient(base_url=...)` (ends with a slash, like Slack's)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/"

    @property
    def view_url(self) -> str:
        """The page that shows what the stand-in got, drawn as Slack would."""
        return self.url.removesuffix("api/") + "messages"

    def start(self) -> SlackSandbox:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SlackSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, method: str, token: str, args: dict[str, Any]) -> tuple[int, dict, Any]:
        """(status, headers, body) for one call; faults first, then the token, then the method."""
        self.requests.append({"method": method, "args": args})
        fault = self.workspace.take_fault(method)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            body = {"ok": False, "error": "ratelimited" if fault.status == 429 else "fatal_error"}
            return fault.status, headers, body
        if method not in METHODS:
            return 404, {}, {"ok": False, "error": "unknown_method"}
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if token != self.workspace.token:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        try:
            return 200, {}, METHODS[method](self.workspace, args)
        except SlackError as exc:
            return 200, {}, {"ok": False, "error": exc.code}


def _handler(sandbox: SlackSandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet by default
            return

        def _view(self) -> None:
            with sandbox.workspace.lock:
                messages = list(sandbox.workspace.messages)
            data = render(messages).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self) -> None:
            if urlsplit(self.path).path == "/messages":  # the view, for people
                self._view()
                return
            method = urlsplit(self.path).path.removeprefix("/api/").strip("/")
            auth = self.headers.get("Authorization") or ""
            try:
                args = _arguments(self)
            except SlackError as exc:
                status, headers, body = 200, {}, {"ok": False, "error": exc.code}
            else:
                token = auth.removeprefix("Bearer ").strip() or str(args.pop("token", ""))
                status, headers, body = sandbox.answer(method, token, args)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve
        do_POST = _serve

    return Handler
