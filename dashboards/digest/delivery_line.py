"""The digest's delivery line: each team's four keys for the week, with the team page's delivery
section one click away (not dashboards/digest/delivery.py, which sends the emails)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.core.models import Team
from dashboards.reports.delivery import delivery_answer
from dashboards.signals.stats import percentile
from dashboards.talking_points.units import duration


@dataclass(frozen=True)
class DeliveryLine:
    """One team's week from merge to production."""

    team: str
    deployments: int
    deployment_days: int
    lead_time_median_hours: float | None
    failed_deployments: int
    change_failure_rate: float | None
    restore_median_hours: float | None
    url: str

    @property
    def text(self) -> str:
        """ "5 deployments on 4 days; lead time median 1.2 days; 1 of 5 deployments caused a
        failure (20 %); restored in 3 hours (median)"."""
        plural = "s" if self.deployments != 1 else ""
        days = "s" if self.deployment_days != 1 else ""
        parts = [f"{self.deployments} deployment{plural} on {self.deployment_days} day{days}"]
        if self.lead_time_median_hours is not None:
            parts.append(f"lead time median {duration(self.lead_time_median_hours)}")
        if self.change_failure_rate is not None:
            parts.append(
                f"{self.failed_deployments} of {self.deployments} deployments caused a failure "
                f"({100 * self.change_failure_rate:.0f} %)"
            )
        if self.restore_median_hours is not None:
            parts.append(f"restored in {duration(self.restore_median_hours)} (median)")
        return "; ".join(parts)


def delivery_lines(
    session: Session,
    team_ids: Iterable[int],
    start: datetime,
    end: datetime,
    urls: dict[str, str],
) -> list[DeliveryLine]:
    """The teams whose repositories have delivery collected, in name order; a team without any
    gets no line (the email does not report a zero it never measured)."""
    teams = session.exec(select(Team).where(Team.id.in_(list(team_ids))).order_by(Team.name))  # type: ignore[union-attr]
    lines = []
    for team in teams:
        answer = delivery_answer(session, team=team.name, since=start, until=end, tz=team.timezone)
        if not answer.sources:
            continue
        lead = sorted(t for item in answer.lead_times if (t := item.total_hours) is not None)
        lines.append(
            DeliveryLine(
                team=team.name,
                deployments=len(answer.deployments),
                deployment_days=sum(w.deployment_days for w in answer.frequency),
                lead_time_median_hours=percentile(lead, 0.5),
                failed_deployments=len(answer.failure_rate.failed_deployment_ids),
                change_failure_rate=answer.failure_rate.rate,
                restore_median_hours=answer.restore.get("median_hours"),
                url=urls.get(team.name, ""),
            )
        )
    return lines
