"""GitHub App installation auth as docs/operate.md configures it, over real HTTP.

PyGithub signs a JWT with the app's private key, exchanges it for an installation token at
`POST /app/installations/{id}/access_tokens`, then calls the API with that token; `gemba sync`
hands the same token to git for HTTPS clones (in a header, never in the URL).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.settings import Settings
from app.ops import sync
from app.sandbox.objects import make_repository
from collectors.github_client import make_github

APP_ID = 12345
INSTALLATION = 77
TOKEN = "ghs_installation_token"


class _GitHubApps(BaseHTTPRequestHandler):
    """Just the two endpoints the flow needs; records every request's auth header."""

    public_key: bytes = b""
    seen: list[tuple[str, str, str]] = []

    def log_message(self, *_args: object) -> None:
        pass

    def _send(self, status: int, body: object) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        auth = self.headers.get("Authorization", "")
        self.seen.append(("POST", self.path, auth))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != f"/app/installations/{INSTALLATION}/access_tokens":
            self._send(404, {"message": "Not Found"})
            return
        claims = jwt.decode(auth.removeprefix("Bearer "), self.public_key, algorithms=["RS256"])
        assert str(claims["iss"]) == str(APP_ID)
        body = {"token": TOKEN, "expires_at": "2099-01-01T00:00:00Z", "permissions": {}}
        self._send(201, body)

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        self.seen.append(("GET", self.path, auth))
        if auth != f"token {TOKEN}":
            self._send(401, {"message": "Bad credentials"})
            return
        self._send(200, make_repository("acme", "api"))


@pytest.fixture
def github_apps(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "app.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    _GitHubApps.public_key = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _GitHubApps.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHubApps)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pem
    server.shutdown()
    server.server_close()


def test_an_app_installation_token_is_minted_used_and_handed_to_git(
    github_apps: tuple[str, Path], tmp_path: Path
) -> None:
    url, pem = github_apps
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        github_api_url=url,
        github_app_id=APP_ID,
        github_app_private_key_path=pem,
        github_app_installation_id=INSTALLATION,
        github_retries=0,
        github_seconds_between_requests=0,
    )
    gh = make_github(config)
    assert gh.get_repo("acme/api").full_name == "acme/api"
    assert sync.token_of(gh) == TOKEN
    methods = [(method, path) for method, path, _ in _GitHubApps.seen]
    assert methods[0] == ("POST", f"/app/installations/{INSTALLATION}/access_tokens")
    assert ("GET", "/repos/acme/api") in methods
    env = sync._git_env(TOKEN, "https://github.example.com/acme/api.git")
    header = env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: Basic ")
    assert base64.b64decode(header).decode() == f"x-access-token:{TOKEN}"
    assert TOKEN not in sync.clone_url(config, "acme/api")
    assert "GIT_CONFIG_COUNT" not in sync._git_env(TOKEN, "git@github.example.com:acme/api.git")
