"""Who works at the demo organisation, in which teams, on which repositories.

Two teams, eleven people and three repositories, and a director over both teams' managers:
small enough to read in a minute, large enough that the patterns (an overloaded reviewer, a
waiting PR, a flaky job, a hotspot whose owner went quiet) stand out from ordinary noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OWNER = "acme"
BOT_LOGIN = "dependabot[bot]"
BOT_NAME = "dependabot[bot]"
BOT_EMAIL = "49699333+dependabot[bot]@users.noreply.github.com"


@dataclass(frozen=True)
class Member:
    login: str
    name: str
    team: str
    noreply: bool = False  # also commits as LOGIN@users.noreply.github.com

    @property
    def email(self) -> str:
        return f"{self.login}@acme.example"

    @property
    def noreply_email(self) -> str:
        return f"{self.login}@users.noreply.github.com"


@dataclass(frozen=True)
class TeamSpec:
    name: str
    manager: str
    timezone: str
    utc_offset_hours: int  # working hours are planned in this offset (no DST games)
    agreements: dict[str, object] = field(default_factory=dict)  # the team's own targets


@dataclass(frozen=True)
class RepoSpec:
    name: str
    team: str
    description: str
    founder: str
    files: dict[str, int]  # path -> lines in the first commit
    jobs: tuple[str, ...]
    pulls_per_week: float
    hotspot: str | None = None
    flaky_job: str | None = None
    extra_authors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def full_name(self) -> str:
        return f"{OWNER}/{self.name}"


TEAMS = (
    TeamSpec(
        "Payments",
        manager="amara",
        timezone="Europe/Berlin",
        utc_offset_hours=1,
        agreements={"first_review_hours": 24, "pr_size_lines": 400, "flaky_percent": 5},
    ),
    TeamSpec(
        "Platform",
        manager="farah",
        timezone="America/New_York",
        utc_offset_hours=-5,
        agreements={
            "first_review_hours": 8,
            "working_hours": True,
            "open_days": 3,
            "ci_p90_minutes": 10,
            "wip_prs_per_person": 2,
        },
    ),
)

MEMBERS = (
    Member("amara", "Amara Okafor", "Payments"),
    Member("bruno", "Bruno Costa", "Payments", noreply=True),
    Member("chen", "Chen Wei", "Payments"),
    Member("dara", "Dara Murphy", "Payments"),
    Member("emeka", "Emeka Obi", "Payments", noreply=True),
    Member("kai", "Kai Lindqvist", "Payments"),
    Member("farah", "Farah Haddad", "Platform"),
    Member("gus", "Gus Moreno", "Platform"),
    Member("hana", "Hana Sato", "Platform", noreply=True),
    Member("ivan", "Ivan Petrov", "Platform"),
    Member("jules", "Jules Martin", "Platform"),
)

# The director the two teams' managers report to: a team of managers, so `/org` has a reader.
DIRECTOR = Member("rosa", "Rosa Alvarez", "Engineering")
LEADERSHIP = "Engineering"

# The reviewer who carries most of the Payments team's reviews (a pattern to find).
BUSY_REVIEWER = "chen"
# The owner of the payments hotspot who has not committed for more than 90 days.
QUIET_OWNER = "kai"
QUIET_AFTER_DAYS = 100
# The pull request left waiting for a first review.
WAITING_AUTHOR = "dara"
WAITING_DAYS = 6
# The hotspot's flaky job: its timing-dependent ledger tests fail, then pass on a rerun, on the
# open PR that touches the hotspot (the waiting one): the pain map shows all three on one box.
HOTSPOT_FLAKY_JOB = "test (3.12)"

REPOS = (
    RepoSpec(
        name="payments-api",
        team="Payments",
        description="Payment intents, ledger and refunds",
        founder=QUIET_OWNER,
        files={
            "payments/ledger.py": 420,
            "payments/api.py": 180,
            "payments/refunds.py": 140,
            "payments/models.py": 160,
            "payments/fees.py": 90,
            "payments/webhooks.py": 120,
            "tests/test_ledger.py": 150,
            "tests/test_api.py": 110,
            "requirements.txt": 12,
            "README.md": 40,
        },
        jobs=("lint", "test (3.11)", "test (3.12)"),
        pulls_per_week=4.0,
        hotspot="payments/ledger.py",
        extra_authors=("gus",),
    ),
    RepoSpec(
        name="checkout-web",
        team="Payments",
        description="The checkout pages customers see",
        founder="bruno",
        files={
            "src/checkout/cart.ts": 210,
            "src/checkout/payment_form.ts": 240,
            "src/checkout/address.ts": 130,
            "src/checkout/api_client.ts": 150,
            "src/styles/checkout.css": 180,
            "e2e/checkout.spec.ts": 160,
            "package.json": 35,
            "README.md": 30,
        },
        jobs=("lint", "unit", "e2e (chromium)"),
        pulls_per_week=3.0,
        flaky_job="e2e (chromium)",
    ),
    RepoSpec(
        name="platform-infra",
        team="Platform",
        description="Terraform modules and deploy tooling",
        founder="gus",
        files={
            "terraform/network.tf": 160,
            "terraform/database.tf": 120,
            "terraform/cluster.tf": 200,
            "deploy/rollout.py": 170,
            "deploy/checks.py": 110,
            "tests/test_rollout.py": 90,
            "requirements.txt": 8,
            "README.md": 45,
        },
        jobs=("lint", "plan"),
        pulls_per_week=3.0,
        extra_authors=("emeka",),
    ),
)


def member(login: str) -> Member:
    for candidate in MEMBERS:
        if candidate.login == login:
            return candidate
    raise KeyError(login)


def team(name: str) -> TeamSpec:
    for candidate in TEAMS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def team_names() -> list[str]:
    return [spec.name for spec in TEAMS]


def team_members(name: str) -> list[Member]:
    """Everyone in a team except its manager."""
    manager = team(name).manager
    return [m for m in MEMBERS if m.team == name and m.login != manager]


def people_document() -> dict[str, object]:
    """The people file in `gemba people import` format."""
    return {
        "teams": [
            {
                "name": spec.name,
                "manager": spec.manager,
                "members": [m.login for m in team_members(spec.name)],
                "timezone": spec.timezone,
                "agreements": dict(spec.agreements),
            }
            for spec in TEAMS
        ]
        + leadership_document()["teams"],  # type: ignore[operator]
        "people": [
            {
                "login": m.login,
                "name": m.name,
                "email": m.email,
                **({"emails": [m.noreply_email]} if m.noreply else {}),
            }
            for m in MEMBERS
        ]
        + leadership_document()["people"],  # type: ignore[operator]
    }


def leadership_document() -> dict[str, list[dict[str, object]]]:
    """The director and their team of managers, in the people file's format (`people_document`
    includes it; the demo imports it again so a demo built before the director has one)."""
    team = {
        "name": LEADERSHIP,
        "manager": DIRECTOR.login,
        "members": [spec.manager for spec in TEAMS],
        "timezone": TEAMS[0].timezone,
    }
    person = {"login": DIRECTOR.login, "name": DIRECTOR.name, "email": DIRECTOR.email}
    return {"teams": [team], "people": [person]}
