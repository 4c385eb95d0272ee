"""The lean flaky rate the agreements read equals the full report's, link included."""

from __future__ import annotations

import random

from dashboards.signals.ci.flaky import flaky_from_rows, workflow_flaky_rate
from tests.dashboards.signals.test_builds import attempt, minutes

CONCLUSIONS = ["success", "failure", "timed_out", "cancelled", "skipped", None]


def test_the_lean_rate_and_link_are_the_reports_on_mixed_rows() -> None:
    rng = random.Random(7)
    for trial in range(40):
        rows = []
        for run_id in range(1, rng.randint(1, 30)):
            sha = rng.choice("abcdef") * 40
            for n in range(1, rng.randint(1, 3) + 1):
                rows.append(
                    attempt(
                        run_id,
                        n,
                        conclusion=rng.choice(CONCLUSIONS),
                        head_sha=sha,
                        workflow_id=rng.choice([1, 2]),
                        start=attempt(0).created_at + minutes(rng.randint(0, 5000)),
                        html_url=None if rng.random() < 0.2 else f"https://x/{run_id}/{n}",
                    )
                )
        report = flaky_from_rows(rows, [])
        urls = [u for g in report.workflows for u in g.run_urls]
        expected = (report.flaky_rate, urls[0] if urls else None)
        assert workflow_flaky_rate(rows) == expected, trial


def test_a_failure_then_a_success_on_one_sha_is_flaky_and_links_the_failure() -> None:
    rows = [attempt(1, 1, conclusion="failure"), attempt(1, 2), attempt(2, head_sha="b" * 40)]
    assert workflow_flaky_rate(rows) == (0.5, rows[0].html_url)
    assert workflow_flaky_rate([attempt(1, conclusion="cancelled")]) == (None, None)
