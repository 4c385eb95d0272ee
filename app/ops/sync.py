"""Runs every configured collector: keeps clones fresh, then reads git, pull requests and CI.

One place that `gemba sync`, the tasks the workers run (app/ops/tasks.py) and the demo
all call, so a repository is collected the same way however the work is started.
"""

from __future__ import annotations

import base64
import fnmatch
import logging
import os
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from github import Github, GithubException
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.db import session_scope
from app.core.models import SyncCursor
from app.core.models.base import utcnow
from app.core.settings import Settings
from collectors import github_budget
from collectors.ci import fetch as ci_fetch
from collectors.delivery import sync as delivery_sync
from collectors.git import store as git_store
from collectors.pulls import sync as pulls_sync

log = logging.getLogger("gemba.sync")

Say = Callable[[str], None]
SOURCES = ("git", "pulls", "ci", "delivery")  # delivery last: it reads what pulls and CI stored


class SyncError(RuntimeError):
    """A repository could not be collected; the message says why and what to do."""


@dataclass
class RepoReport:
    """What one repository's collection did, source by source."""

    repository: str
    done: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- which repositories ------------------------------------------------------------------------


def selected(names: Iterable[str], settings: Settings) -> list[str]:
    """Names kept by GEMBA_INCLUDE (when set) and not dropped by GEMBA_EXCLUDE, in order."""
    keep = []
    for name in names:
        if settings.include_patterns and not any(
            fnmatch.fnmatch(name, p) for p in settings.include_patterns
        ):
            continue
        if any(fnmatch.fnmatch(name, p) for p in settings.exclude_patterns):
            continue
        if name not in keep:
            keep.append(name)
    return keep


def _owner_repositories(gh: Github, owner: str) -> list[tuple[str, str | None]]:
    """Every non-archived repository of an organisation (or, failing that, a user)."""
    try:
        try:
            repos = list(gh.get_organization(owner).get_repos())
        except GithubException as error:
            if error.status != 404:
                raise
            repos = list(gh.get_user(owner).get_repos())
    except GithubException as error:
        if error.status == 404:
            raise SyncError(f"no organisation or user named {owner!r} on GitHub") from error
        if error.status == 401:
            raise SyncError("GitHub refused the credentials: check GEMBA_GITHUB_TOKEN") from error
        raise SyncError(
            f"listing {owner}'s repositories: GitHub answered {error.status}"
        ) from error
    return [(r.full_name, r.clone_url) for r in repos if not r.archived]


def discover(settings: Settings, gh: Github) -> list[tuple[str, str | None]]:
    """(OWNER/REPO, clone URL or None) for GEMBA_REPOS, with OWNER/* expanded through the API.

    Archived repositories are skipped in an expansion; a name listed explicitly is kept.
    """
    found: list[tuple[str, str | None]] = []
    for entry in settings.repo_entries:
        owner, _, name = entry.partition("/")
        if not owner or not name:
            raise SyncError(f"GEMBA_REPOS entry {entry!r} is not OWNER/REPO or OWNER/*")
        if name != "*":
            found.append((entry, None))
            continue
        found += _owner_repositories(gh, owner)
    urls = dict(found)
    return [(name, urls[name]) for name in selected((n for n, _ in found), settings)]


# -- clones ------------------------------------------------------------------------------------


def clone_url(settings: Settings, full_name: str, reported: str | None = None) -> str:
    """Where to clone from: GEMBA_CLONE_URL_TEMPLATE, else GitHub's URL, else one derived from
    the API URL (https://HOST/api/v3 -> https://HOST/OWNER/REPO.git for GitHub Enterprise)."""
    if settings.clone_url_template:
        owner, _, name = full_name.partition("/")
        return settings.clone_url_template.format(full_name=full_name, owner=owner, name=name)
    if reported:
        return reported
    api = urlparse(settings.github_api_url)
    host = "github.com" if api.netloc == "api.github.com" else api.netloc
    return f"{api.scheme}://{host}/{full_name}.git"


def _git_env(token: str | None, url: str) -> dict[str, str]:
    """Authenticate HTTPS clones with the token through git's config environment, so the
    token never lands in a URL, a remote's config on disk, or a process listing."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    if token and url.startswith("https://"):
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="http.extraHeader",
            GIT_CONFIG_VALUE_0=f"Authorization: Basic {basic}",
        )
    return env


def update_clone(settings: Settings, full_name: str, url: str, token: str | None = None) -> Path:
    """A bare mirror of the repository under DATA_DIR/clones, cloned once, fetched after."""
    path = settings.data_dir / "clones" / f"{full_name}.git"
    env = _git_env(token, url)
    if (path / "HEAD").exists():
        command = ["git", "-C", str(path), "fetch", "--prune", "--quiet", url]
        command.append("+refs/heads/*:refs/heads/*")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        command = ["git", "clone", "--bare", "--quiet", url, str(path)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SyncError(f"git could not fetch {full_name} from {url}: {result.stderr.strip()}")
    return path


# -- collectors --------------------------------------------------------------------------------


def collect_git_path(engine: Engine, settings: Settings, path: Path | str, name: str) -> str:
    """The git collector on a local repository; returns a one-line summary."""
    result = git_store.collect_git(
        engine,
        path,
        name=name,
        bot_logins=settings.bot_logins,
        batch_commits=settings.git_batch_commits,
    )
    mark_synced(engine, "git", name)
    return f"{result.mode}, {result.commits_added} commits added"


def collect_pulls(engine: Engine, gh: Github, full_name: str, say: Say) -> str:
    stats = pulls_sync.collect_pulls(engine, gh, full_name, progress=say)
    return f"{stats.fetched} pull requests stored, {stats.requests} requests"


def collect_ci(engine: Engine, gh: Github, settings: Settings, full_name: str, say: Say) -> str:
    stats = ci_fetch.collect_ci(engine, gh, full_name, settings, progress=say)
    return f"{stats.runs} runs, {stats.jobs} jobs stored, {stats.requests} requests"


def collect_delivery(
    engine: Engine, gh: Github, settings: Settings, full_name: str, say: Say
) -> str:
    """Deployments by the source ladder, their commits and PRs, failures (issue #15)."""
    return str(delivery_sync.collect_delivery(engine, gh, full_name, settings, progress=say))


def token_of(gh: Github) -> str | None:
    """The token PyGithub authenticates with (a PAT, or an app installation's token)."""
    auth = getattr(gh.requester, "auth", None)
    try:
        return getattr(auth, "token", None)
    except Exception:  # an installation token that cannot be minted: clone without it
        log.warning("could not obtain a token for git clones")
        return None


def mark_synced(engine: Engine, source: str, full_name: str) -> None:
    """Stamp the collector's cursor with the time of this successful run, even when it found
    nothing new, so /metrics' lag means "time since we last looked", not "since data changed".
    Only `updated_at` is touched; the position stays the collector's."""
    with session_scope(engine) as session:
        row = session.exec(
            select(SyncCursor).where(
                SyncCursor.source == source, SyncCursor.repository == full_name
            )
        ).first()
        if row is not None:
            row.updated_at = utcnow()
            session.add(row)


def github(settings: Settings) -> Github:
    """The configured PyGithub client (collectors.github_client builds it)."""
    from collectors.github_client import make_github

    return make_github(settings)


def collect_source(
    engine: Engine,
    settings: Settings,
    full_name: str,
    source: str,
    *,
    gh: Github | None = None,
    reported_clone_url: str | None = None,
    say: Say = lambda _m: None,
) -> str:
    """One collector on one GitHub repository; returns its summary and raises when it fails."""
    if source not in SOURCES:
        raise SyncError(f"unknown source {source!r} (known: {', '.join(SOURCES)})")
    gh = gh or github(settings)
    if source == "git":
        url = clone_url(settings, full_name, reported_clone_url)
        path = update_clone(settings, full_name, url, token_of(gh))
        done = collect_git_path(engine, settings, path, full_name)
    else:
        with github_budget.sharing(engine, settings):  # every worker on the token shares it
            if source == "pulls":
                done = collect_pulls(engine, gh, full_name, say)
            elif source == "ci":
                done = collect_ci(engine, gh, settings, full_name, say)
            else:  # deployments, over GraphQL with a token (its own resource) or REST
                done = collect_delivery(engine, gh, settings, full_name, say)
        mark_synced(engine, source, full_name)
    log.info("collected", extra={"repository": full_name, "source": source, "result": done})
    return done


def collect_repository(
    engine: Engine,
    settings: Settings,
    gh: Github,
    full_name: str,
    *,
    reported_clone_url: str | None = None,
    sources: Iterable[str] = SOURCES,
    say: Say = lambda _m: None,
) -> RepoReport:
    """Every source for one GitHub repository; one source failing does not stop the others."""
    report = RepoReport(full_name)
    for source in sources:
        try:
            report.done[source] = collect_source(
                engine,
                settings,
                full_name,
                source,
                gh=gh,
                reported_clone_url=reported_clone_url,
                say=say,
            )
        except Exception as error:  # reported per source; the sync goes on
            report.errors[source] = str(error) or type(error).__name__
            log.warning(
                "collect failed",
                extra={"repository": full_name, "source": source, "error": str(error)},
            )
    return report


def sync_all(engine: Engine, settings: Settings, gh: Github, say: Say) -> list[RepoReport]:
    """`gemba sync`: every configured repository, every source."""
    targets = discover(settings, gh)
    if not targets:
        raise SyncError("nothing to collect: set GEMBA_REPOS (e.g. my-org/* or my-org/api)")
    reports = []
    for full_name, reported in targets:
        say(f"{full_name}: collecting")
        reports.append(
            collect_repository(
                engine, settings, gh, full_name, reported_clone_url=reported, say=say
            )
        )
    return reports
