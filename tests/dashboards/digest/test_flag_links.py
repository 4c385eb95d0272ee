"""The digest links a flag's page under the configured public URL (GEMBA_BASE_URL): never the
API's JSON, never a port the app does not serve on."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session

from app.core.settings import Settings
from app.flags.lookup import lookup
from dashboards.digest.build import developer_digest, manager_digest, render_parts
from tests import world
from tests.dashboards.digest.org import NOW, W47, WEEK, build_org, flag, person

PUBLIC = "https://gemba.example.com/walk"


def test_a_flag_talking_point_links_its_page_under_the_public_url(
    session: Session, settings: Settings
) -> None:
    """Gus joins Platform with nothing but an open flag: that is his point in Frank's digest,
    and its link opens the flag's page under the public URL."""
    org = build_org(session)
    platform = org.teams["Platform"]
    gus = person(session, "gus")
    world.make_member(session, platform, gus)
    raised = flag(
        session, platform, "Staging is down every Monday", W47 + timedelta(hours=2), author=gus
    )
    session.commit()
    public = settings.model_copy(update={"base_url": PUBLIC + "/"})
    data = manager_digest(session, org.people["frank"], WEEK, public, NOW, flags=lookup)
    assert data is not None
    [link] = [tp.evidence_url for tp in data.talking_points if tp.login == "gus"]
    assert link == f"{PUBLIC}/flags/{raised.public_id}"
    _, html = render_parts(data)
    assert f'href="{link}"' in html
    assert "/api/v1/friction" not in html and ":8000" not in html


def test_the_developer_digest_links_each_answered_flag(
    session: Session, settings: Settings
) -> None:
    org = build_org(session)
    session.commit()
    public = settings.model_copy(update={"base_url": PUBLIC})
    data = developer_digest(session, org.people["bob"], WEEK, public, NOW, flags=lookup)
    [note] = data.flag_answers
    assert note.summary == "Flaky integration job" and note.url is not None
    assert note.url.startswith(f"{PUBLIC}/flags/")
    text, html = render_parts(data)
    assert note.url in text and f'href="{note.url}"' in html


def test_every_link_into_gemba_walk_starts_at_the_public_url(
    session: Session, settings: Settings
) -> None:
    """Each digest, text and HTML: a link is the public URL's or another site's (a PR, a run),
    never the default 127.0.0.1:8000."""
    org = build_org(session)
    session.commit()
    public = settings.model_copy(update={"base_url": PUBLIC + "/"})
    built = [
        manager_digest(session, org.people["alice"], WEEK, public, NOW, flags=lookup),
        developer_digest(session, org.people["bob"], WEEK, public, NOW, flags=lookup),
    ]
    seen = 0
    for data in built:
        assert data is not None
        text, html = render_parts(data)
        links = re.findall(r'href="([^"]+)"', html) + re.findall(r"https?://[^\s<>)\"]+", text)
        assert links
        for link in links:
            assert link.startswith((PUBLIC + "/", "https://github.", "mailto:")), link
            assert "127.0.0.1" not in link and ":8000" not in link, link
            seen += link.startswith(PUBLIC)
    assert seen > 0
