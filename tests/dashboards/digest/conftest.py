"""Fixtures for the digest tests: an SMTP server with STARTTLS and AUTH, settings that use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.settings import Settings
from tests.dashboards.digest.smtp_server import SmtpServer, mail_fields, make_certificate


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = SmtpServer(*certificate)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp: SmtpServer, certificate: tuple[Path, Path]) -> Settings:
    """The test database's settings, sending through the test SMTP server."""
    return settings.model_copy(update=mail_fields(smtp, certificate[0]))
