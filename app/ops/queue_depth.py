"""How many jobs wait, run or failed, per queue: the queue depth /metrics reports.

On PostgreSQL the queue is Procrastinate's job table, shared by every worker, and one grouped
query over it answers (finished jobs are deleted, so it stays small). On SQLite the queue lives
in the memory of the process that runs it (`gemba serve --schedule`, `gemba worker`), so only
this process's queues can be seen; another process's in-memory queue has no depth to read.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.ops.queue import GIT_QUEUE, GITHUB_QUEUE, IN_PROCESS, NOTIFY_QUEUE

QUEUES = (GIT_QUEUE, GITHUB_QUEUE, NOTIFY_QUEUE)
STATUSES = ("todo", "doing", "failed")  # waiting (or scheduled for a retry), running, given up

_DEPTH = text(
    "SELECT queue_name, status::text AS status, count(*) AS jobs FROM procrastinate_jobs "
    "WHERE status IN ('todo', 'doing', 'failed') GROUP BY queue_name, status"
)


def depth(conn: Connection) -> dict[tuple[str, str], int]:
    """Jobs per (queue, status), every known queue and status present (0 when none)."""
    found: Counter[tuple[str, str]] = Counter(dict.fromkeys(_keys(QUEUES), 0))
    if conn.dialect.name == "postgresql":
        for queue, status, jobs in conn.execute(_DEPTH).all():
            found[(str(queue), str(status))] += int(jobs)
        return dict(found)
    for connector in list(IN_PROCESS):
        for job in list(connector.jobs.values()):  # one C-level copy: safe beside the worker
            if job["status"] in STATUSES:
                found[(str(job["queue_name"]), str(job["status"]))] += 1
    return dict(found)


def _keys(queues: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(queue, status) for queue in queues for status in STATUSES]
