"""The pages in Debian's chromium through Playwright, against the real app served by uvicorn.

Skipped with a reason where /usr/bin/chromium is absent (`.ci/run` installs it).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session

from app.core.db import make_engine
from app.core.settings import Settings
from app.http.main import create_app
from tests.dashboards.world import World, build_world, delivery_story, flaky_again

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
A4_PRINTABLE_PX = 688  # 210 mm less 2 x 14 mm margins, at 96 px per inch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """The real app on a free port, over a SQLite database holding the test world."""
    from app.core.db import upgrade

    path = tmp_path_factory.mktemp("browser") / "gemba.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session, now)
        flaky_again(session, world, now)  # a flaky-builds point, with its run, on Alice's page
        delivery_story(session, world, now)  # deploys, a revert and an incident on the team page
    engine.dispose()
    settings = Settings(_env_file=None, database_url=url, data_dir=path.parent)  # type: ignore[call-arg]
    with serving(settings, now) as base:
        yield base, world


@contextmanager
def serving(settings: Settings, now: datetime) -> Iterator[str]:
    """The real app under uvicorn on a free port, its clock pinned to `now`: its base URL."""
    app = create_app(settings)
    app.state.clock = lambda: now
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield instance
        instance.close()


def new_page(browser: object) -> tuple[object, list[str]]:
    """A fresh browser page that collects console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def sign_in(page: object, base: str, token: str, path: str = "/") -> None:
    """Sign in as a person does: open a page, land on the sign-in form, paste the token."""
    page.goto(base + path)  # type: ignore[attr-defined]
    page.fill("input[name=token]", token)  # type: ignore[attr-defined]
    page.click("form[action='/signin'] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def open_as(browser: object, base: str, token: str) -> tuple[object, list[str]]:
    """A browser page signed in through the sign-in form, collecting console errors."""
    page, errors = new_page(browser)
    sign_in(page, base, token)
    return page, errors


def charts_render(page: object) -> tuple[int, int]:
    """(plots on the page, plots that drew an SVG)."""
    plots = page.locator("div.plot")  # type: ignore[attr-defined]
    count = plots.count()
    drawn = page.locator("div.plot svg.main-svg").evaluate_all(  # type: ignore[attr-defined]
        "svgs => new Set(svgs.map(s => s.closest('div.plot'))).size"
    )
    return count, drawn


@pytest.mark.parametrize("login", ["maya", "alice"])
def test_every_page_draws_its_charts_without_console_errors(
    served: tuple[str, World], browser: object, login: str
) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens[login])
    paths = ["/", "/people/alice?period=30d", "/teams/platform", "/repos/acme/shop"]
    for path in paths:
        response = page.goto(base + path)  # type: ignore[attr-defined]
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
        count, drawn = charts_render(page)
        if path != "/":
            assert count > 0, path
        assert drawn == count, f"{path}: {drawn} of {count} charts drew an SVG"
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def test_talking_point_evidence_opens_the_right_pr_and_run(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens["maya"])
    opened: list[str] = []

    def answer(route: object) -> None:
        opened.append(route.request.url)  # type: ignore[attr-defined]
        route.fulfill(status=200, content_type="text/html", body="<title>GitHub</title>")  # type: ignore[attr-defined]

    page.route("https://github.com/**", answer)  # type: ignore[attr-defined]
    page.goto(base + "/people/alice?period=30d")  # type: ignore[attr-defined]
    pr_link = page.locator("li[data-rule=long_pickup] a[data-kind=pr]").first  # type: ignore[attr-defined]
    assert pr_link.get_attribute("href") == world.slow_pull.html_url
    pr_link.click()
    page.wait_for_url(world.slow_pull.html_url or "")  # type: ignore[attr-defined]
    page.go_back()  # type: ignore[attr-defined]
    run_link = page.locator("li[data-rule=flaky_builds] a[data-kind=run]").first  # type: ignore[attr-defined]
    href = run_link.get_attribute("href") or ""
    assert re.search(rf"/actions/runs/{world.flaky_run.id}\b", href)
    run_link.click()
    page.wait_for_url(href)  # type: ignore[attr-defined]
    assert opened == [world.slow_pull.html_url, href]
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def test_a_person_cannot_open_a_colleagues_page(served: tuple[str, World], browser: object) -> None:
    base, world = served
    page, _ = open_as(browser, base, world.tokens["alice"])
    response = page.goto(base + "/people/bob")  # type: ignore[attr-defined]
    assert response.status == 404
    assert "No page here that you may open" in page.content()  # type: ignore[attr-defined]
    assert page.locator("li.talking-point").count() == 0  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def test_print_view_fits_a4(served: tuple[str, World], browser: object) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens["maya"])
    page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})  # type: ignore[attr-defined]
    page.goto(base + "/people/alice?period=30d")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= A4_PRINTABLE_PX
    assert page.locator("form").evaluate_all(  # type: ignore[attr-defined]
        "forms => forms.every(f => getComputedStyle(f).display === 'none')"
    )
    pdf = page.pdf(format="A4", print_background=False)  # type: ignore[attr-defined]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6
    assert b"/MediaBox [0 0 594.95996 841.91998]" in pdf or b"595" in pdf
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def test_signing_in_returns_to_the_page_asked_for_and_signing_out_ends_it(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    page, errors = new_page(browser)
    sign_in(page, base, world.tokens["maya"], "/people/alice?period=30d")
    assert page.url == base + "/people/alice?period=30d"  # type: ignore[attr-defined]
    cookie = next(c for c in page.context.cookies() if c["name"] == "gemba_session")  # type: ignore[attr-defined]
    assert cookie["value"] != world.tokens["maya"] and cookie["httpOnly"]
    page.click("form.signout button")  # type: ignore[attr-defined]
    page.wait_for_url(base + "/signin")  # type: ignore[attr-defined]
    page.context.add_cookies([{**cookie, "expires": -1}])  # type: ignore[attr-defined]
    response = page.goto(base + "/people/alice")  # type: ignore[attr-defined]
    assert "/signin?next=" in page.url and response.status == 200  # type: ignore[attr-defined]
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def test_errors_are_pages_with_the_site_header(served: tuple[str, World], browser: object) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens["maya"])
    for path, status, text in [
        ("/people/alice?period=7y", 422, "period"),
        ("/no/such/page", 404, "There is no page at this address."),
    ]:
        response = page.goto(base + path)  # type: ignore[attr-defined]
        assert response.status == status, path
        assert page.locator("header.top a.brand").count() == 1, path  # type: ignore[attr-defined]
        assert text in page.locator("main").inner_text(), path  # type: ignore[attr-defined]
    assert [e for e in errors if "422" not in e and "404" not in e] == []
    page.context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("path", "drawn"), [("/docs", ".swagger-ui .opblock"), ("/redoc", "h1")])
def test_api_docs_work_offline(
    served: tuple[str, World], browser: object, path: str, drawn: str
) -> None:
    """Every request beyond the app is refused, as on a network without internet."""
    base, _ = served
    page, errors = new_page(browser)
    outside: list[str] = []

    def offline(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(base) or url.startswith(("data:", "blob:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", offline)  # type: ignore[attr-defined]
    page.goto(base + path)  # type: ignore[attr-defined]
    page.wait_for_selector(drawn, timeout=20000)  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert outside == [] and errors == []
    page.context.close()  # type: ignore[attr-defined]
