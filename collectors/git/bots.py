"""Which commit authors are bots: GitHub's "[bot]" suffix, a known bot identity, or a listed login.

Many bots sign commits with a plain name and email (`ImgBotApp <ImgBotHelp@gmail.com>`,
`Renovate Bot <bot@renovateapp.com>`), with no "[bot]" anywhere, so a short list of the common
ones is built in (docs/metrics.md lists it); `GEMBA_BOT_LOGINS` adds more.
"""

from __future__ import annotations

import functools

KNOWN_BOTS = frozenset(
    {
        # names (and logins) the common bots commit under
        "dependabot",
        "dependabot-preview",
        "renovate",
        "renovate bot",
        "renovate-bot",
        "github-actions",
        "github actions",
        "pre-commit-ci",
        "imgbotapp",
        "imgbot",
        "greenkeeper",
        "greenkeeperio-bot",
        "snyk-bot",
        "pyup-bot",
        "pyup.io bot",
        "semantic-release-bot",
        "allcontributors",
        "all-contributors",
        "mergify",
        "weblate",
        "deepsource-autofix",
        "codecov-commenter",
        # emails they commit with, when the name alone says nothing
        "imgbothelp@gmail.com",
        "support@dependabot.com",
        "bot@renovateapp.com",
        "renovate@whitesourcesoftware.com",
        "action@github.com",
        "github-bot@pyup.io",
        "support@greenkeeper.io",
        "snyk-bot@snyk.io",
        "semantic-release-bot@martynus.net",
        "noreply@weblate.org",
    }
)


@functools.lru_cache(maxsize=4096)
def is_bot(name: str, email: str, bot_logins: tuple[str, ...] = ()) -> bool:
    """A "[bot]" suffix, or the name, the email, or the email's login is a known or listed bot.

    The email's login is its part before "@", and after a "+" too (GitHub's no-reply form
    `ID+login@users.noreply.github.com`). Cached: a history has few distinct authors, and
    this runs once per commit.
    """
    name, email = name.strip().lower(), email.strip().lower()
    if "[bot]" in name or "[bot]" in email:
        return True
    local = email.split("@", 1)[0]
    candidates = {name, email, local, local.split("+", 1)[-1]}
    if not candidates.isdisjoint(KNOWN_BOTS):
        return True
    return any(login.strip().lower() in candidates for login in bot_logins)
