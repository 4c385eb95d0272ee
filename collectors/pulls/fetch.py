"""Fetch side of pull-request collection: PyGithub objects -> frozen records. Network only.

REST, with requests kept low per PR (measured in benchmarks/github_requests.py):
  list  GET /repos/{o}/{r}/pulls?state=all&sort=updated&direction=desc   100 PRs a page, stops
        at the cursor, so an unchanged repository costs one request;
  per changed PR: GET /pulls/{n} (size), /pulls/{n}/reviews, /pulls/{n}/commits (first commit),
        /issues/{n}/timeline (draft, ready, reopen, force-push, review requests), and
        /pulls/{n}/comments only when the PR says it has review comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from github import Consts
from github.Issue import Issue
from github.NamedUser import NamedUser
from github.PaginatedList import PaginatedList
from github.PullRequest import PullRequest
from github.PullRequestComment import PullRequestComment
from github.Repository import Repository
from github.TimelineEvent import TimelineEvent

from collectors.pulls.records import (
    FLOW_EVENTS,
    PullEventRecord,
    PullRequestRecord,
    ReviewCommentRecord,
    ReviewRecord,
    is_bot_account,
    ready_time,
)


@dataclass(frozen=True)
class ListedPull:
    """What the list endpoint tells us: enough to decide whether a PR changed."""

    id: int
    number: int
    updated_at: datetime


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def list_changed_pulls(repo: Repository, *, since: datetime | None) -> Iterator[ListedPull]:
    """PRs updated at or after `since`, newest first; stops paging at the first older one."""
    for pull in repo.get_pulls(state="all", sort="updated", direction="desc"):
        updated = utc(pull.updated_at)
        assert updated is not None
        if since is not None and updated < since:
            return
        yield ListedPull(pull.id, pull.number, updated)


def _login(user: NamedUser | None) -> tuple[str | None, bool]:
    if user is None:  # a deleted account ("ghost")
        return None, False
    # attributes, not raw_data: raw_data on a partial object would cost a request
    return user.login, is_bot_account(user.login, user.type)


def fetch_pull(repo: Repository, number: int) -> PullRequestRecord:
    """One PR with its reviews, review comments, first commit time and flow events."""
    pull = repo.get_pull(number)
    raw = pull.raw_data
    author, author_is_bot = _login(pull.user)
    events = tuple(_events(pull))
    created = utc(pull.created_at)
    assert created is not None
    return PullRequestRecord(
        id=pull.id,
        repository_github_id=(raw.get("base") or {}).get("repo", {}).get("id"),
        number=pull.number,
        title=(pull.title or "")[:1000],
        html_url=pull.html_url,
        author_login=author,
        author_is_bot=author_is_bot,
        state=pull.state,
        draft=bool(raw.get("draft")),
        created_at=created,
        updated_at=utc(pull.updated_at) or created,
        closed_at=utc(pull.closed_at),
        merged_at=utc(pull.merged_at),
        ready_at=ready_time(created, bool(raw.get("draft")), events),
        first_commit_at=_first_commit_at(pull),
        additions=raw.get("additions"),
        deletions=raw.get("deletions"),
        changed_files=raw.get("changed_files"),
        commits=raw.get("commits"),
        head_sha=(raw.get("head") or {}).get("sha"),
        merge_commit_sha=raw.get("merge_commit_sha") if pull.merged_at else None,
        head_ref=(raw.get("head") or {}).get("ref"),
        base_ref=(raw.get("base") or {}).get("ref"),
        labels=tuple(label["name"] for label in raw.get("labels") or []),
        requested_reviewers=tuple(
            [u["login"] for u in raw.get("requested_reviewers") or []]
            + [f"team:{t['slug']}" for t in raw.get("requested_teams") or []]
        ),
        reviews=tuple(_reviews(pull)),
        review_comments=tuple(_review_comments(pull.get_review_comments()))
        if raw.get("review_comments")
        else (),
        events=events,
    )


def _reviews(pull: PullRequest) -> Iterator[ReviewRecord]:
    for review in pull.get_reviews():
        raw = review.raw_data
        login, is_bot = _login(review.user)
        submitted = raw.get("submitted_at")
        yield ReviewRecord(
            id=raw["id"],
            reviewer_login=login,
            reviewer_is_bot=is_bot,
            state=raw.get("state") or "COMMENTED",
            submitted_at=utc(review.submitted_at) if submitted else None,
            commit_sha=raw.get("commit_id"),
        )


def review_comments_of(repo: Repository, number: int) -> list[ReviewCommentRecord]:
    """A PR's review comments without fetching the PR first (one request per 100)."""
    url = f"{repo.url}/pulls/{number}/comments"
    return list(_review_comments(PaginatedList(PullRequestComment, repo.requester, url, None)))


def _review_comments(
    comments: PaginatedList[PullRequestComment],
) -> Iterator[ReviewCommentRecord]:
    for comment in comments:
        login, is_bot = _login(comment.user)
        created = utc(comment.created_at)
        assert created is not None
        yield ReviewCommentRecord(
            id=comment.id,
            review_id=comment.pull_request_review_id,
            author_login=login,
            author_is_bot=is_bot,
            path=comment.path or None,
            created_at=created,
        )


def _first_commit_at(pull: PullRequest) -> datetime | None:
    """Earliest author date among the PR's commits (GitHub lists at most 250)."""
    dates = [utc(commit.commit.author.date) for commit in pull.get_commits()]
    present = [d for d in dates if d is not None]
    return min(present) if present else None


def _timeline(pull: PullRequest) -> PaginatedList[TimelineEvent]:
    """The issue timeline, without first fetching the issue (PyGithub's lazy Issue)."""
    lazy = pull.requester.withLazy(True)
    issue = Issue(lazy, url=pull.issue_url)  # lazy: builds the URL, makes no request
    return PaginatedList(
        TimelineEvent,
        lazy,
        f"{issue.url}/timeline",
        None,
        headers={"Accept": Consts.issueTimelineEventsPreview},
    )


def _events(pull: PullRequest) -> Iterator[PullEventRecord]:
    for event in _timeline(pull):
        raw = event.raw_data
        name = raw.get("event")
        if name not in FLOW_EVENTS or not raw.get("created_at"):
            continue
        actor = raw.get("actor") or {}
        created = utc(event.created_at)
        assert created is not None
        yield PullEventRecord(
            github_id=raw.get("id"),
            event=name,
            actor_login=actor.get("login"),
            created_at=created,
        )
