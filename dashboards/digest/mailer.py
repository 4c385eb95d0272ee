"""Sends one email through the configured SMTP server with the standard library.

Implicit TLS (`GEMBA_SMTP_SSL`) or STARTTLS (`GEMBA_SMTP_STARTTLS`), certificate checked against
the system CAs or `GEMBA_SMTP_CA_FILE`, login when a user is set. Failures raise `SendError`
so the caller can keep a record and retry.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from app.core.settings import Settings, reveal

TIMEOUT_SECONDS = 30


class SendError(Exception):
    """The server refused or could not be reached; the message was not accepted."""


def tls_context(settings: Settings) -> ssl.SSLContext:
    cafile = str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    return ssl.create_default_context(cafile=cafile)


def _connect(settings: Settings) -> smtplib.SMTP:
    if settings.smtp_ssl:
        return smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=TIMEOUT_SECONDS,
            context=tls_context(settings),
        )
    return smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)


def send(message: EmailMessage, settings: Settings) -> None:
    """Deliver `message` to the SMTP server (From filled from settings when absent)."""
    if not message["From"]:
        message["From"] = settings.smtp_from
    if not message["To"]:
        raise SendError("message has no recipient")
    try:
        with _connect(settings) as smtp:
            if settings.smtp_starttls and not settings.smtp_ssl:
                smtp.starttls(context=tls_context(settings))
            if settings.smtp_user:
                smtp.login(settings.smtp_user, reveal(settings.smtp_password))
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise SendError(f"{type(error).__name__}: {error}") from error
    if refused:
        raise SendError(f"recipients refused: {', '.join(sorted(refused))}")
