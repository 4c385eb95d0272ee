"""ISO week labels become exact local-midnight bounds; bad labels get a clear message."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dashboards.digest.build import iso_week
from dashboards.digest.week import history, resolve_week

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_label_gives_monday_to_monday() -> None:
    start, end = iso_week("2026-W47", NOW)
    assert start == datetime(2026, 11, 16, tzinfo=UTC)
    assert end == datetime(2026, 11, 23, tzinfo=UTC)


def test_no_label_means_the_last_complete_week() -> None:
    assert iso_week(None, NOW) == iso_week("2026-W47", NOW)


def test_bounds_follow_the_team_time_zone_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start, end = iso_week("2026-W13", NOW, berlin)  # summer time starts Sunday 29 March
    assert start.astimezone(UTC) == datetime(2026, 3, 22, 23, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 22, tzinfo=UTC)


def test_week_one_and_week_53() -> None:
    start, _ = iso_week("2020-W53", NOW)
    assert start == datetime(2020, 12, 28, tzinfo=UTC)
    assert iso_week("2026-W01", NOW)[0] == datetime(2025, 12, 29, tzinfo=UTC)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("2026-47", "must look like 2026-W47"),
        ("week 47", "must look like 2026-W47"),
        ("2025-W53", "2025 has ISO weeks 1 to 52"),
        ("2026-W00", "ISO weeks 1 to"),
        ("2027-W10", "has not begun"),
    ],
)
def test_bad_labels_are_refused_with_a_reason(label: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        iso_week(label, NOW)


def test_sending_refuses_a_week_that_has_not_ended() -> None:
    with pytest.raises(ValueError, match="has not ended"):
        resolve_week("2026-W48", NOW, allow_current=False)
    assert resolve_week("2026-W48", NOW).label == "2026-W48"  # previews may show it


def test_history_is_the_week_and_the_eight_before_it() -> None:
    weeks = history(resolve_week("2026-W02", NOW))
    assert [w.label for w in weeks] == [
        "2026-W02", "2026-W01", "2025-W52", "2025-W51", "2025-W50",
        "2025-W49", "2025-W48", "2025-W47", "2025-W46",
    ]  # fmt: skip
