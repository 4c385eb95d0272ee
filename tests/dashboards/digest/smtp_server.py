"""A real SMTP server for the digest tests: aiosmtpd on a free port, STARTTLS and AUTH required.

The certificate is self-signed, made by `openssl` for this test run; the client trusts it
through `GEMBA_SMTP_CA_FILE`, so the TLS handshake is checked for real.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "gemba"
PASSWORD = "correct horse battery"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated: bool
    tls: bool


@dataclass
class Recorder:
    """aiosmtpd handler keeping every accepted message."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,
                authenticated=bool(session.authenticated),
                tls=session.ssl is not None,
            )
        )
        return "250 OK"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == USER.encode()
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl is needed to make the test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class SmtpServer:
    """A stoppable, restartable SMTP server on a fixed port with a shared message log."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=self.context,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=authenticate,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.recorder.received


def mail_fields(server: SmtpServer, ca_file: Path) -> dict[str, Any]:
    """Settings that send through `server` over STARTTLS with AUTH, links to a fixed host."""
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_user": USER,
        "smtp_password": PASSWORD,
        "smtp_starttls": True,
        "smtp_from": "Gemba Walk <gemba@example.test>",
        "smtp_ca_file": ca_file,
        "base_url": "https://gemba.example.test",
    }
