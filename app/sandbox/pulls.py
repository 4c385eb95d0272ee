"""Pull-request endpoints: lists, one PR, reviews, comments, commits, timeline, and PRs as issues.

Scenario files hold PRs as `GET /pulls/{n}` returns them; lists return GitHub's shorter
"pull request simple" form, so a collector that needs `additions` must ask for each PR, as on
GitHub.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.base_objects import no_reactions
from app.sandbox.routing import (
    Request,
    Response,
    Router,
    filter_since,
    not_found,
    paginate,
    parse_time,
    query_choice,
    sort_items,
)

REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
NUMBER = r"(?P<number>\d+)"
DOCS = "https://docs.github.com/rest/pulls/pulls"
# Keys of the full PR object that the list endpoint leaves out (OpenAPI "pull-request-simple").
DETAIL_ONLY = (
    "merged",
    "mergeable",
    "rebaseable",
    "mergeable_state",
    "merged_by",
    "comments",
    "review_comments",
    "maintainer_can_modify",
    "commits",
    "additions",
    "deletions",
    "changed_files",
)
# Timeline items that are not issue events (GET /issues/{n}/events leaves them out).
NOT_EVENTS = (
    "committed",
    "commented",
    "reviewed",
    "line-commented",
    "commit-commented",
    "cross-referenced",
)


def add_routes(router: Router) -> None:
    router.get(f"{REPO}/pulls", list_pulls)
    router.get(f"{REPO}/pulls/comments", list_repo_review_comments)
    router.get(f"{REPO}/pulls/{NUMBER}", get_pull)
    router.get(f"{REPO}/pulls/{NUMBER}/reviews", list_reviews)
    router.get(f"{REPO}/pulls/{NUMBER}/reviews/(?P<review>\\d+)", get_review)
    router.get(f"{REPO}/pulls/{NUMBER}/comments", list_review_comments)
    router.get(f"{REPO}/pulls/{NUMBER}/commits", list_pull_commits)
    router.get(f"{REPO}/pulls/{NUMBER}/files", list_pull_files)
    router.get(f"{REPO}/pulls/{NUMBER}/requested_reviewers", get_requested_reviewers)
    router.get(f"{REPO}/issues", list_issues)
    router.get(f"{REPO}/issues/{NUMBER}", get_issue)
    router.get(f"{REPO}/issues/{NUMBER}/timeline", list_timeline)
    router.get(f"{REPO}/issues/{NUMBER}/events", list_issue_events)


def _pull(request: Request) -> dict[str, Any]:
    pull = request.repo_data().pull(int(request.params["number"]))
    if pull is None:
        raise not_found(f"{DOCS}#get-a-pull-request")
    return pull


def simple_pull(pull: dict[str, Any]) -> dict[str, Any]:
    """The list form of a PR object."""
    return {key: value for key, value in pull.items() if key not in DETAIL_ONLY}


def _time(item: dict[str, Any], key: str) -> str:
    return item.get(key) or ""


def list_pulls(request: Request) -> Response:
    state = query_choice(request, "state", ("open", "closed", "all"), "open")
    sort = query_choice(
        request, "sort", ("created", "updated", "popularity", "long-running"), "created"
    )
    default_direction = "desc" if sort == "created" else "asc"
    direction = query_choice(request, "direction", ("asc", "desc"), default_direction)
    pulls = request.repo_data().list("pulls.json")
    if state != "all":
        pulls = [p for p in pulls if p.get("state") == state]
    if head := request.query.get("head"):
        pulls = [p for p in pulls if _matches_head(p, head)]
    if base := request.query.get("base"):
        pulls = [p for p in pulls if (p.get("base") or {}).get("ref") == base]
    pulls = sort_items(pulls, _pull_sort_key(sort), direction)
    return paginate(request, pulls, transform=simple_pull)


def _matches_head(pull: dict[str, Any], head: str) -> bool:
    """`head=user:ref` matches the head label; a bare ref matches the ref (GitHub Enterprise)."""
    info = pull.get("head") or {}
    return info.get("label") == head if ":" in head else info.get("ref") == head


def _pull_sort_key(sort: str) -> Any:
    if sort == "updated":
        return lambda p: (_time(p, "updated_at"), p.get("number", 0))
    if sort == "popularity":
        return lambda p: (p.get("comments", 0) + p.get("review_comments", 0), p.get("number", 0))
    if sort == "long-running":
        # Age (now - created_at): descending puts the oldest PR first.
        return lambda p: -(t.timestamp() if (t := parse_time(p.get("created_at"))) else 0)
    return lambda p: (_time(p, "created_at"), p.get("number", 0))


def get_pull(request: Request) -> Response:
    return Response(200, _pull(request))


def list_reviews(request: Request) -> Response:
    _pull(request)
    # Scenario order: GitHub lists reviews by submission, which is not id order.
    return paginate(request, request.repo_data().by_key("reviews.json", request.params["number"]))


def get_review(request: Request) -> Response:
    _pull(request)
    reviews = request.repo_data().by_key("reviews.json", request.params["number"])
    wanted = int(request.params["review"])
    review = next((r for r in reviews if r.get("id") == wanted), None)
    if review is None:
        raise not_found(
            "https://docs.github.com/rest/pulls/reviews#get-a-review-for-a-pull-request"
        )
    return Response(200, review)


def _comment_order(request: Request, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GitHub's sort (created|updated, default created) and direction (default asc)."""
    sort = query_choice(request, "sort", ("created", "updated"), "created")
    direction = query_choice(request, "direction", ("asc", "desc"), "asc")
    comments = filter_since(request, comments, "updated_at")
    key = "updated_at" if sort == "updated" else "created_at"
    return sort_items(comments, lambda c: (_time(c, key), c.get("id", 0)), direction)


def list_review_comments(request: Request) -> Response:
    _pull(request)
    comments = request.repo_data().by_key("review_comments.json", request.params["number"])
    return paginate(request, _comment_order(request, comments))


def list_repo_review_comments(request: Request) -> Response:
    data = request.repo_data()
    comments = [c for items in data.mapping("review_comments.json").values() for c in items]
    return paginate(request, _comment_order(request, comments))


def list_pull_commits(request: Request) -> Response:
    """At most 250 commits, as GitHub documents for this endpoint."""
    _pull(request)
    commits = request.repo_data().by_key("pull_commits.json", request.params["number"])
    return paginate(request, commits, max_items=250)


def list_pull_files(request: Request) -> Response:
    _pull(request)
    files = request.repo_data().by_key("pull_files.json", request.params["number"])
    return paginate(request, files, max_items=3000)


def get_requested_reviewers(request: Request) -> Response:
    pull = _pull(request)
    return Response(
        200,
        {
            "users": pull.get("requested_reviewers") or [],
            "teams": pull.get("requested_teams") or [],
        },
    )


def issue_from_pull(pull: dict[str, Any]) -> dict[str, Any]:
    """A PR as `GET /issues` shows it: issue fields plus a `pull_request` key."""
    url = pull.get("url", "")
    issue_url = pull.get("issue_url") or url.replace("/pulls/", "/issues/")
    repository_url = issue_url.rsplit("/issues/", 1)[0]
    return {
        "url": issue_url,
        "repository_url": repository_url,
        "labels_url": f"{issue_url}/labels{{/name}}",
        "comments_url": f"{issue_url}/comments",
        "events_url": f"{issue_url}/events",
        "html_url": pull.get("html_url"),
        "id": pull.get("id"),
        "node_id": pull.get("node_id"),
        "number": pull.get("number"),
        "title": pull.get("title"),
        "user": pull.get("user"),
        "labels": pull.get("labels", []),
        "state": pull.get("state"),
        "locked": pull.get("locked", False),
        "assignee": pull.get("assignee"),
        "assignees": pull.get("assignees", []),
        "milestone": pull.get("milestone"),
        "comments": pull.get("comments", 0),
        "created_at": pull.get("created_at"),
        "updated_at": pull.get("updated_at"),
        "closed_at": pull.get("closed_at"),
        "author_association": pull.get("author_association", "NONE"),
        "active_lock_reason": pull.get("active_lock_reason"),
        "draft": pull.get("draft", False),
        "pull_request": {
            "url": url,
            "html_url": pull.get("html_url"),
            "diff_url": pull.get("diff_url"),
            "patch_url": pull.get("patch_url"),
            "merged_at": pull.get("merged_at"),
        },
        "body": pull.get("body"),
        "closed_by": None,
        "pinned_comment": None,  # GitHub's newer issue field; null unless a comment is pinned
        "reactions": no_reactions(issue_url),
        "timeline_url": f"{issue_url}/timeline",
        "performed_via_github_app": None,
        "state_reason": None,
    }


def _issues(request: Request) -> list[dict[str, Any]]:
    data = request.repo_data()
    pulls = [issue_from_pull(p) for p in data.list("pulls.json")]
    return [*data.list("issues.json"), *pulls]


def list_issues(request: Request) -> Response:
    state = query_choice(request, "state", ("open", "closed", "all"), "open")
    sort = query_choice(request, "sort", ("created", "updated", "comments"), "created")
    direction = query_choice(request, "direction", ("asc", "desc"), "desc")
    issues = filter_since(request, _issues(request), "updated_at")
    if state != "all":
        issues = [i for i in issues if i.get("state") == state]
    if wanted := _labels(request.query.get("labels")):
        issues = [i for i in issues if wanted <= _labels_of(i)]
    if sort == "comments":
        key: Any = lambda i: (i.get("comments", 0), i.get("number", 0))  # noqa: E731
    else:
        field = "updated_at" if sort == "updated" else "created_at"
        key = lambda i: (_time(i, field), i.get("number", 0))  # noqa: E731
    return paginate(request, sort_items(issues, key, direction))


def _labels(raw: str | None) -> set[str]:
    """`?labels=a,b`: GitHub keeps issues carrying every one of them (case-insensitive)."""
    return {name.strip().lower() for name in (raw or "").split(",") if name.strip()}


def _labels_of(issue: dict[str, Any]) -> set[str]:
    return {str(label.get("name", "")).lower() for label in issue.get("labels", [])}


def get_issue(request: Request) -> Response:
    number = int(request.params["number"])
    issue = next((i for i in _issues(request) if i.get("number") == number), None)
    if issue is None:
        raise not_found("https://docs.github.com/rest/issues/issues#get-an-issue")
    return Response(200, issue)


def _timeline(request: Request) -> list[dict[str, Any]]:
    number = int(request.params["number"])
    data = request.repo_data()
    if data.pull(number) is None and not any(
        i.get("number") == number for i in data.list("issues.json")
    ):
        raise not_found("https://docs.github.com/rest/issues/timeline")
    return data.by_key("timelines.json", number)


def list_timeline(request: Request) -> Response:
    return paginate(request, _timeline(request))


def list_issue_events(request: Request) -> Response:
    events = [e for e in _timeline(request) if e.get("event") not in NOT_EVENTS]
    return paginate(request, events)
