"""Golden check: every page, JSON twin, chart CSV/JSON, CI answer and digest of the demo, rendered
at two git revisions and compared byte for byte.

A refactor should change no output. This script checks out each revision into a temporary
folder (`git worktree add`), builds the demo organisation there with that revision's code (the
real collectors against the GitHub stand-in, for a fixed day), pins the few timestamps the build
takes from the wall clock, and renders, as every demo person in turn, at one fixed moment:

- every page (home, each person, team and repository, the organisation page and its parts, the
  flags to answer) in the default period and in every other period, as HTML and as its JSON
  twin (`?format=json`);
- the CSV and JSON data of every chart the JSON twin lists;
- `GET /api/v1/ci/health`, `/flaky` and `/lost` (and `/lost?person=` for the viewer themself);
- the weekly digest of every person (HTML and text parts, with the flag lookup the sender uses).

Both builds run with a repeatable wall clock and repeatable random tokens (`_freeze`), so flag
ids, the days demo flags were raised on and the page views a page lists are the same in both.
It then compares the two trees file by file and says how many of each kind it compared and
which differ (with the first differing lines).

    .venv/bin/python benchmarks/golden.py 2b84e56 HEAD [--day 2026-11-18] [--keep DIR]

The rendering half runs inside each worktree (`--render`), importing that revision's modules, so
it works on both sides of the package move (old and new module names are tried in turn).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DAY = "2026-11-18"  # a Wednesday: the render moment is mid-week, far from midnight
RENDER_HOUR = 10  # render at 10:00 UTC on the day the demo history ends
PERIODS = ("since_1on1", "2w", "30d", "90d")
ADMIN = "(admin)"  # the first person again, signed in with an admin token
KINDS = ("page", "json", "chart.csv", "chart.json", "api", "digest")


def _first(new: str, old: str | None = None) -> Any:
    """`new` ("module:attr") in the package layout, `old` in the flat one before it."""
    name = new if (Path.cwd() / "app" / "core").is_dir() or old is None else old
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


# --------------------------------------------------------------------------- render (in a worktree)


def _freeze(start: datetime) -> None:
    """Make this process's wall clock and random tokens repeatable: `datetime.now()` in the
    project's modules counts milliseconds from `start`, `secrets` counts up. Flags' random
    public ids, the days flags were raised on, page views: the same in both builds."""
    import pkgutil
    import secrets

    real = datetime
    tick = iter(range(10**9))

    class Same(type):
        """Real datetimes still count as instances of the clock (`isinstance` checks)."""

        def __instancecheck__(cls, value: object) -> bool:
            return isinstance(value, real)

    class Clock(real, metaclass=Same):
        @classmethod
        def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
            moment = start + timedelta(milliseconds=next(tick))
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    counter = iter(range(10**9))
    secrets.token_bytes = lambda n=32: next(counter).to_bytes(max(n or 32, 8), "big")  # type: ignore[assignment]
    secrets.token_urlsafe = lambda n=32: f"golden{next(counter):012d}"  # type: ignore[assignment]
    secrets.token_hex = lambda n=32: f"{next(counter):0{2 * (n or 32)}x}"  # type: ignore[assignment]
    for package in ("app", "collectors", "dashboards"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if info.name.endswith("__main__"):  # runs the command line when imported
                continue
            try:
                importlib.import_module(info.name)
            except Exception:  # a module that cannot load here is not used by the build either
                continue
    for name, module in list(sys.modules.items()):
        # route annotations name datetime for FastAPI, which must see the real class: the HTTP
        # modules (app.http, or app.api/app.web before the package move) keep it
        ours = name.split(".")[0] in ("app", "collectors", "dashboards")
        routes = any(hasattr(module, attr) for attr in ("APIRouter", "Depends", "Query"))
        ours = ours and not name.startswith("app.http") and not routes
        if ours and getattr(module, "datetime", None) is real:
            module.datetime = Clock  # type: ignore[attr-defined]


def _pin_wall_clock(engine: Any, pin: datetime) -> int:
    """Timestamps the build took from the wall clock (on or after the demo's day) become
    `pin` plus their rank in seconds, so two builds minutes apart store the same values."""
    from sqlalchemy import DateTime, MetaData, select, update

    metadata = MetaData()
    metadata.reflect(engine)
    changed = 0
    day_start = pin.replace(hour=0, minute=0, second=0, microsecond=0).replace(tzinfo=None)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) != 1:
                continue
            key = keys[0]
            for column in table.columns:
                if not isinstance(column.type, DateTime):
                    continue
                rows = connection.execute(
                    select(key, column).where(column >= day_start).order_by(column, key)
                ).all()
                for rank, (row_id, _) in enumerate(rows):
                    value = (pin + timedelta(seconds=rank)).replace(tzinfo=None)
                    connection.execute(update(table).where(key == row_id).values({column: value}))
                    changed += 1
    return changed


def build(folder: Path, day: date) -> tuple[Any, Any]:
    """The demo for `day` in `folder`, collected with this revision's code; (settings, engine)."""
    settings_class = _first("app.core.settings:Settings", "app.settings:Settings")
    demo_cli = importlib.import_module("app.cli.demo")
    build_demo = _first("app.demo.build:build_demo")
    sandbox_server = _first("app.sandbox.server:SandboxServer")
    make_engine = _first("app.cli.common:engine")

    config = settings_class(
        _env_file=None,
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'golden.db'}",
        base_url="http://gemba.test",
        github_seconds_between_requests=0,
    )
    manifest = build_demo(folder / "demo", today=day)
    run = demo_cli.DemoRun(demo_cli.demo_settings(config, folder), manifest)
    run.settings = config
    try:  # a revision that refuses to create a database by accident is asked to make one
        engine = make_engine(config, create=True)
    except TypeError:
        engine = make_engine(config)
    sandbox = sandbox_server(manifest.scenario_dir).start()
    try:
        demo_cli.collect(run, engine, sandbox.url)
        demo_cli.people_flags_tokens(run, engine)
    finally:
        sandbox.stop()
    checked = inspect.signature(demo_cli.check).parameters
    problems = demo_cli.check(manifest if "manifest" in checked else run, engine)
    if problems:
        raise SystemExit("demo build incomplete: " + "; ".join(problems))
    return config, engine


def _save(out: Path, kind: str, name: str, status: int, ctype: str, body: bytes) -> None:
    path = out / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f"{status} {ctype}\n".encode() + body)


def _name(path: str) -> str:
    return quote(path.lstrip("/") or "home", safe="") or "home"


def render(
    out: Path, day: date, periods: tuple[str, ...] = PERIODS, org_pages: bool = True
) -> dict[str, int]:
    """Build the demo and write every rendered answer under `out/<kind>/<viewer>/...`."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session, col, select

    models = _first("app.core.models:Person", "app.models:Person")
    team_model = _first("app.core.models:Team", "app.models:Team")
    repo_model = _first("app.core.models:Repository", "app.models:Repository")
    create_app = _first("app.http.main:create_app", "app.main:create_app")
    create_token = _first("app.core.tokens:create_token", "app.tokens:create_token")
    lookup = _first("app.flags.lookup:lookup", "app.item_flags:lookup")
    digest_for = _first(
        "dashboards.digest.delivery:digest_for", "dashboards.digest_delivery:digest_for"
    )
    render_parts = _first("dashboards.digest.build:render_parts", "dashboards.digest:render_parts")

    import app

    if not Path(app.__file__).resolve().is_relative_to(Path.cwd().resolve()):
        raise SystemExit(f"rendering with {app.__file__}, not the worktree's code")
    folder = Path(tempfile.mkdtemp(prefix="golden-build-"))
    now = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=RENDER_HOUR)
    _freeze(now - timedelta(hours=RENDER_HOUR - 1))
    config, engine = build(folder, day)
    _pin_wall_clock(engine, now - timedelta(hours=RENDER_HOUR - 1))

    with Session(engine) as session:
        people = list(session.exec(select(models).where(col(models.is_bot).is_(False))))
        people.sort(key=lambda p: p.login)
        tokens = {p.login: create_token(session, p, label="golden")[1] for p in people}
        logins = [p.login for p in people]
        tokens[ADMIN] = create_token(session, people[0], is_admin=True, label="golden")[1]
        teams = sorted(session.exec(select(team_model.name)))
        repos = sorted(session.exec(select(repo_model.name)))
        session.commit()

    counts: Counter[str] = Counter()
    app = create_app(config)
    app.state.clock = lambda: now
    pages = ["/", *(f"/people/{x}" for x in logins), *(f"/teams/{t}" for t in teams)]
    pages += [f"/repos/{r}" for r in repos]
    if org_pages:  # the organisation page, its parts and the flags to answer, where they exist
        pages += ["/org", *(f"/org/{t}" for t in teams), "/flags"]
    with TestClient(app) as client:
        for viewer in [*logins, ADMIN]:
            client.headers["Authorization"] = f"Bearer {tokens[viewer]}"
            for page in pages:
                for period in (None, *periods):
                    if period == "since_1on1" and not page.startswith("/people/"):
                        continue
                    query = {} if period is None else {"period": period}
                    _page(client, out, viewer, page, query, counts)
            window = {"since": (now - timedelta(weeks=12)).isoformat(), "until": now.isoformat()}
            for route in ("health", "flaky", "lost"):
                _get(client, out, "api", viewer, f"/api/v1/ci/{route}", window, counts)
            if viewer != ADMIN:
                query = {**window, "person": viewer}
                _get(client, out, "api", viewer, "/api/v1/ci/lost", query, counts)

    with Session(engine) as session:
        for person in session.exec(select(models).where(col(models.is_bot).is_(False))):
            data = digest_for(session, person, None, config, now, flags=lookup)
            if data is None:
                _save(out, "digest", person.login, 204, "none", b"")
            else:
                for part, text in zip(("a", "b"), render_parts(data), strict=True):
                    _save(out, "digest", f"{person.login}.{part}", 200, "text", text.encode())
            counts["digest"] += 1
        session.rollback()
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return dict(counts)


def _get(
    client: Any,
    out: Path,
    kind: str,
    viewer: str,
    path: str,
    query: dict[str, str],
    counts: Counter[str],
) -> Any:
    response = client.get(path, params=query)
    suffix = "".join(f"&{k}={v}" for k, v in sorted(query.items()) if k not in ("since", "until"))
    ctype = response.headers.get("content-type", "")
    name = f"{viewer}/{_name(path)}{quote(suffix, safe='')}"
    _save(out, kind, name, response.status_code, ctype, response.content)
    counts[kind] += 1
    return response


def _page(
    client: Any, out: Path, viewer: str, page: str, query: dict[str, str], counts: Counter[str]
) -> None:
    _get(client, out, "page", viewer, page, query, counts)
    twin = _get(client, out, "json", viewer, page, {**query, "format": "json"}, counts)
    if twin.status_code != 200 or page == "/":
        return
    kind, _, rest = page.lstrip("/").partition("/")
    data_kind = {"people": "person", "teams": "team", "repos": "repo"}.get(kind, kind)
    data = twin.json()
    for chart in data.get("charts", []) if isinstance(data, dict) else []:
        for fmt in ("csv", "json"):
            url = chart.get(f"{fmt}_url") or f"/data/{data_kind}/{rest}/{chart['key']}.{fmt}"
            _get(client, out, f"chart.{fmt}", viewer, url.split("?")[0], query, counts)


# --------------------------------------------------------------------------- compare (in main)


def _worktree(rev: str, into: Path) -> Path:
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    path = into / f"rev-{sha}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), sha],
        check=True,
        capture_output=True,
    )
    return path


def _render_at(worktree: Path, out: Path, day: str, periods: str) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env["PYTHONPATH"] = str(worktree)
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            *("--render", str(out), "--day", day, "--periods", periods),
        ],
        cwd=worktree,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"rendering at {worktree.name} failed:\n{result.stderr[-4000:]}")
    print(f"{worktree.name}: rendered in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(left: Path, right: Path) -> tuple[Counter[str], list[str], list[str]]:
    """(files compared per kind, files that differ, files only on one side)."""
    names = {p.relative_to(left) for p in left.rglob("*") if p.is_file()}
    others = {p.relative_to(right) for p in right.rglob("*") if p.is_file()}
    compared: Counter[str] = Counter()
    differ = []
    for name in sorted(names & others):
        compared[name.parts[0]] += 1
        if (left / name).read_bytes() != (right / name).read_bytes():
            differ.append(str(name))
    return compared, differ, sorted(str(n) for n in names ^ others)


def _show(left: Path, right: Path, name: str, lines: int) -> str:
    a = (left / name).read_text(errors="replace").splitlines()
    b = (right / name).read_text(errors="replace").splitlines()
    diff = list(difflib.unified_diff(a, b, lineterm="", n=0))[2 : 2 + lines]
    return "\n".join(f"    {line[:200]}" for line in diff)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="*", help="two revisions (e.g. 2b84e56 HEAD)")
    parser.add_argument("--day", default=DEFAULT_DAY, help="the day the demo history ends")
    parser.add_argument("--keep", type=Path, help="keep both rendered trees in this folder")
    parser.add_argument("--render", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--show", type=int, default=12, help="diff lines shown per file")
    parser.add_argument("--files", type=int, default=20, help="differing files shown")
    parser.add_argument(
        "--periods",
        default=",".join(PERIODS),
        help="periods rendered besides each page's default (comma-separated; '' for none)",
    )
    args = parser.parse_args()
    day = date.fromisoformat(args.day)
    if args.render:
        chosen = tuple(p for p in args.periods.split(",") if p)
        print(json.dumps(render(args.render, day, chosen)))
        return
    if len(args.revisions) != 2:
        parser.error("give two revisions")
    scratch = Path(tempfile.mkdtemp(prefix="golden-"))
    trees, worktrees = [], []
    try:
        for rev in args.revisions:
            worktree = _worktree(rev, scratch)
            worktrees.append(worktree)
            out = (args.keep or scratch) / f"out-{worktree.name}"
            shutil.rmtree(out, ignore_errors=True)
            _render_at(worktree, out, args.day, args.periods)
            trees.append(out)
        compared, differ, lonely = compare(*trees)
    finally:
        for worktree in worktrees:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                check=False,
            )
    names = " vs ".join(
        f"{r} ({w.name[4:]})" for r, w in zip(args.revisions, worktrees, strict=True)
    )
    print(f"golden check: {names}, demo for {args.day}, rendered at {RENDER_HOUR}:00 UTC")
    print(f"  periods besides each page's default: {args.periods or 'none'}")
    for kind in KINDS:
        changed = sum(d.startswith(kind + "/") for d in differ)
        print(f"  {kind:<11} {compared[kind]:>6} compared, {changed:>4} differ")
    for name in lonely:
        print(f"  only on one side: {name}")
    for name in differ[: args.files]:
        print(f"  differs: {name}")
        print(_show(trees[0], trees[1], name, args.show))
    if len(differ) > args.files:
        print(f"  ... and {len(differ) - args.files} more (--files N shows more)")
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    print("identical" if not differ and not lonely else f"{len(differ)} files differ")
    raise SystemExit(1 if differ or lonely else 0)


if __name__ == "__main__":
    main()
