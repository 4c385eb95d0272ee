"""Static files: compressed once, revalidated by ETag, cached for a year when versioned."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import plotly
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.http import static
from app.http.main import create_app

PLOTLY = f"/static/plotly-{plotly.__version__}.min.js"
GZIP = {"accept-encoding": "gzip"}
PLAIN = {"accept-encoding": "identity"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_plotly_is_served_gzipped_and_immutable(client: TestClient) -> None:
    plain = client.get(PLOTLY, headers=PLAIN)
    zipped = client.get(PLOTLY, headers=GZIP)
    assert plain.status_code == zipped.status_code == 200
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == plain.content  # httpx decoded it: the same file
    assert zipped.num_bytes_downloaded < len(plain.content) / 2  # 4.8 MB down to about 1.5
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert zipped.headers["content-type"].startswith("text/javascript")


def test_a_second_look_is_a_304_by_etag(client: TestClient) -> None:
    first = client.get("/static/app.css", headers=GZIP)
    assert first.headers["cache-control"] == "no-cache"  # unversioned: revalidate each use
    again = client.get("/static/app.css", headers={**GZIP, "if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other_encoding = client.get(
        "/static/app.css", headers={**PLAIN, "if-none-match": first.headers["etag"]}
    )
    assert other_encoding.status_code == 200  # the gzip tag does not stand for the plain bytes


def test_pages_link_static_files_by_content_hash(client: TestClient, tmp_path: Path) -> None:
    css = Path(static.__file__).parents[2] / "dashboards" / "static" / "app.css"
    files = static.StaticFiles(css.parent, {})
    url = files.url("app.css")
    assert url.startswith("/static/app.css?v=")
    answer = client.get(url, headers=GZIP)
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.text == css.read_text()
    stale = client.get("/static/app.css?v=0000", headers=GZIP)
    assert stale.headers["cache-control"] == "no-cache"


def test_swagger_and_redoc_files_are_compressed_too(client: TestClient) -> None:
    vendor = Path(static.__file__).parents[2] / "dashboards" / "static" / "vendor"
    bundles = sorted(vendor.glob("*/*.js")) if vendor.exists() else []
    for bundle in bundles:
        name = bundle.relative_to(vendor.parent).as_posix()
        answer = client.get(f"/static/{name}", headers=GZIP)
        assert answer.headers["content-encoding"] == "gzip", name
        assert "immutable" in answer.headers["cache-control"], name  # versioned folder


@pytest.mark.parametrize(
    "name", ["../templates/base.html", "..%2f..%2fpyproject.toml", ".hidden", "nope.css"]
)
def test_nothing_outside_the_folder_is_served(client: TestClient, name: str) -> None:
    assert client.get(f"/static/{name}").status_code == 404


def test_a_name_that_climbs_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "secret.css").write_text("x")
    files = static.StaticFiles(tmp_path / "static", {})
    assert files.file_for("../secret.css") is None
    assert files.file_for("a//b.css") is None


def test_files_change_without_a_restart(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body { color: red; }" * 100)
    files = static.StaticFiles(tmp_path, {})
    app = FastAPI()
    static.mount(app, files)
    with TestClient(app) as test_client:
        first = test_client.get("/static/a.css", headers=GZIP)
        (tmp_path / "a.css").write_text("body { color: blue; }" * 100)
        second = test_client.get("/static/a.css", headers=GZIP)
        assert first.headers["etag"] != second.headers["etag"]
        assert "blue" in second.text
        small = tmp_path / "b.js"
        small.write_text("x()")
        answer = test_client.get("/static/b.js", headers=GZIP)
        assert "content-encoding" not in answer.headers  # too small to be worth it
        assert test_client.head("/static/a.css", headers=GZIP).status_code == 200
        assert (
            gzip.decompress(files.asset(tmp_path / "a.css").gzipped or b"")
            == (tmp_path / "a.css").read_bytes()
        )


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("*", True),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str, accepted: bool) -> None:
    assert static.accepts_gzip(header) is accepted
