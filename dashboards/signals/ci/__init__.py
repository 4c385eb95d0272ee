"""CI signals: pure functions over attempt and job rows (`dashboards.queries.ci_rows`).

`outcomes` (what one attempt or job says), `health` (weekly health per workflow), `flaky`
(same commit failed then passed) and `lost` (hours of waiting per person, team, workflow).
"""
