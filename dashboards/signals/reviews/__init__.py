"""Review-flow signals: pure functions over pull-request rows (`dashboards.queries.reviews`).

`rules` (bots, working hours, phases), `flow` (each PR's phases and their medians), `load`
(reviews given per week) and `waiting` (who waits on a reviewer now).
"""
