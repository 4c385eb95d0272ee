"""Load test for friction flags: the real server, many clients, retries, exactly-once storage.

Starts `uvicorn app.http.main:create_app` on a free port with a fresh SQLite database, then runs N
concurrent clients (default 50) for S seconds (default 60). Each client posts flags with an
Idempotency-Key and retries the same key on timeouts, transport errors, 5xx and 429; one
request in 20 is sent twice on purpose, as a client would after losing a response. At the end
it checks in the database that every acknowledged flag is stored exactly once and nothing else
is, and prints requests per second and latency percentiles.

Two modes:
- closed loop (default): each client sends its next request as soon as the last one is
  answered, so the figure is the saturation throughput, and by Little's law the mean latency
  is clients / throughput;
- open loop (`--rate N`): the clients together offer N requests per second on a fixed
  schedule (each N/clients per second), and latency counts from the scheduled send time, so a
  server that falls behind shows it in the percentiles instead of slowing the clients down.

The clients speak HTTP/1.1 keep-alive over plain asyncio streams (`RawClient`), not httpx:
the load generator shares this machine's cores with the server, and httpx cost more CPU per
request than the server itself, so the server is what the figures measure. The script
prints the CPU both sides used per request.

    .venv/bin/python benchmarks/flags_load.py                 # 50 clients, 60 s, closed loop
    .venv/bin/python benchmarks/flags_load.py --seconds 10 --clients 20
    .venv/bin/python benchmarks/flags_load.py --rate 500       # open loop at 500 requests/s

Exit status 1 when a check fails (a duplicate, a lost flag, a 5xx).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvloop
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.db import make_engine, upgrade  # noqa: E402
from app.core.models import FrictionFlag, Repository  # noqa: E402
from app.core.people import import_people, person_for_login  # noqa: E402
from app.core.tokens import create_token  # noqa: E402

CATEGORIES = ["review_wait", "flaky_build", "slow_build", "tooling", "docs", "process"]
MAX_ATTEMPTS = 8
TIMEOUT = 5.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # summary -> public flag id
    gave_up: int = 0
    replays_checked: int = 0
    replay_mismatch: int = 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (Linux /proc), to tell cost from
    waiting; with `--workers N` the requests are served by the children."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(db_path: Path, clients: int) -> list[str]:
    """A migrated database with one team per 10 people, a token per client, and the collected
    repository the flags name (a flag on an unknown repository is refused)."""
    url = f"sqlite:///{db_path}"
    upgrade(url)
    engine = make_engine(url)
    logins = [f"dev{n:03d}" for n in range(clients)]
    teams = [
        {"name": f"team{t}", "manager": logins[t * 10], "members": logins[t * 10 + 1 : t * 10 + 10]}
        for t in range((clients + 9) // 10)
    ]
    secrets = []
    with Session(engine) as session:
        import_people(session, {"people": [{"login": x} for x in logins], "teams": teams})
        session.add(Repository(name="acme/pay"))
        for login in logins:
            person = person_for_login(session, login)
            assert person is not None
            secrets.append(create_token(session, person, label="load test")[1])
        session.commit()
    engine.dispose()
    return secrets


def start_server(db_path: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GEMBA_DATABASE_URL": f"sqlite:///{db_path}",
        "GEMBA_DATA_DIR": str(db_path.parent / "data"),
        "GEMBA_FLAGS_PER_MINUTE": "1000000",
        "GEMBA_FLAGS_BURST": "1000000",
    }
    command = [
        sys.executable, "-m", "uvicorn", "app.http.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


class RawClient:
    """One HTTP/1.1 keep-alive connection that posts JSON; enough HTTP for this server
    (Content-Length bodies), with a fresh connection after any error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(
        self, path: str, body: dict[str, object], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        payload = json.dumps(body).encode()
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        try:
            async with asyncio.timeout(TIMEOUT):
                if self.streams is None:
                    self.streams = await asyncio.open_connection(self.host, self.port)
                reader, writer = self.streams
                writer.write(request)
                lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                status = int(lines[0].split(" ", 2)[1])
                fields = dict(line.split(": ", 1) for line in lines[1:] if line)
                fields = {name.lower(): value for name, value in fields.items()}
                content = await reader.readexactly(int(fields["content-length"]))
        except BaseException:
            self.close()
            raise
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, fields, content

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def post_with_retries(
    client: RawClient,
    secret: str,
    body: dict[str, object],
    key: str,
    tally: Tally,
    started: float | None = None,
) -> dict[str, object] | None:
    """Post until acknowledged; `started` is the scheduled send time in open-loop mode."""
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}
    for attempt in range(MAX_ATTEMPTS):
        sent = time.perf_counter() if started is None or attempt else started
        try:
            status, fields, content = await client.post("/api/v1/friction", body, headers)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, KeyError):
            tally.errors += 1
            await asyncio.sleep(0.05 * (attempt + 1))
            continue
        tally.latencies.append(time.perf_counter() - sent)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status in (200, 201):
            return json.loads(content)  # type: ignore[no-any-return]
        if status == 429:
            await asyncio.sleep(float(fields.get("retry-after", "1")))
        elif status >= 500:
            await asyncio.sleep(0.05 * (attempt + 1))
        else:
            raise SystemExit(f"unexpected {status}: {content[:300]!r}")
    tally.gave_up += 1
    return None


Pace = Callable[[], Awaitable[float | None]]


async def one_client(
    port: int, secret: str, until: float, tally: Tally, rng: random.Random, pace: Pace
) -> None:
    """Posts flags until `until`; `pace` waits for the next scheduled send (open loop) and
    returns its time, or returns None at once (closed loop)."""
    client = RawClient("127.0.0.1", port)
    try:
        while time.monotonic() < until:
            started = await pace()
            key = str(uuid.uuid4())
            body: dict[str, object] = {
                "summary": f"load {key}",
                "category": rng.choice(CATEGORIES),
                "anonymous": rng.random() < 0.3,
                "repo": "acme/pay",
                "pull_number": rng.randint(1, 500),
            }
            flag = await post_with_retries(client, secret, body, key, tally, started)
            if flag is None:
                continue
            tally.acknowledged[str(body["summary"])] = str(flag["id"])
            if rng.random() < 0.05:  # the response was "lost": send it again (in its slot)
                again = await post_with_retries(client, secret, body, key, tally, await pace())
                tally.replays_checked += 1
                if again is None or again["id"] != flag["id"]:
                    tally.replay_mismatch += 1
    finally:
        client.close()


def pacer(rate_per_client: float | None, offset: float) -> Pace:
    """Closed loop when `rate_per_client` is None; else a fixed schedule from `offset` on.

    A client that falls behind its schedule sends at once and keeps the schedule, so the
    latency of a late request includes the time it waited to be sent.
    """
    interval = 1 / rate_per_client if rate_per_client else 0.0
    due = time.perf_counter() + offset

    async def closed() -> float | None:
        return None

    async def scheduled() -> float | None:
        nonlocal due
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        sent, due = due, due + interval
        return sent

    return scheduled if rate_per_client else closed


def verify(db_path: Path, tally: Tally) -> list[str]:
    engine = make_engine(f"sqlite:///{db_path}")
    with Session(engine) as session:
        rows = session.exec(select(FrictionFlag.public_id, FrictionFlag.summary)).all()
    engine.dispose()
    problems = []
    by_summary: dict[str, list[str]] = {}
    for flag_id, summary in rows:
        by_summary.setdefault(summary, []).append(flag_id)
    duplicates = {s: ids for s, ids in by_summary.items() if len(ids) > 1}
    if duplicates:
        problems.append(f"{len(duplicates)} flags stored more than once")
    lost = [s for s, fid in tally.acknowledged.items() if by_summary.get(s) != [fid]]
    if lost:
        problems.append(f"{len(lost)} acknowledged flags missing or with another id")
    unacknowledged = set(by_summary) - set(tally.acknowledged)
    if len(unacknowledged) > tally.gave_up:
        problems.append(f"{len(unacknowledged)} stored flags were never acknowledged")
    if tally.replay_mismatch:
        problems.append(f"{tally.replay_mismatch} replays returned another flag")
    server_errors = sum(n for code, n in tally.statuses.items() if code >= 500)
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    return problems


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] if len(values) > 1 else 0.0


async def load(
    port: int, secrets: list[str], seconds: float, tally: Tally, rate: float | None
) -> float:
    until = time.monotonic() + seconds
    per_client = rate / len(secrets) if rate else None
    started = time.perf_counter()
    await asyncio.gather(
        *(
            one_client(
                port,
                secret,
                until,
                tally,
                random.Random(n),
                pacer(per_client, n / rate if rate else 0.0),
            )
            for n, secret in enumerate(secrets)
        )
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--rate", type=float, help="open loop: requests per second offered by all clients"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="gemba-flags-load-"))
    db_path = workdir / "gemba.db"
    try:
        secrets = prepare(db_path, args.clients)
        port = free_port()
        server = start_server(db_path, port, args.workers)
        tally = Tally()
        cpu_before = cpu_seconds(server.pid)
        own_before = time.process_time()
        try:
            elapsed = uvloop.run(load(port, secrets, args.seconds, tally, args.rate))
            server_cpu = cpu_seconds(server.pid) - cpu_before
            client_cpu = time.process_time() - own_before
        finally:
            server.terminate()
            server.wait(10)
        problems = verify(db_path, tally)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    requests = len(tally.latencies)
    ms = sorted(x * 1000 for x in tally.latencies)
    mode = f"open loop at {args.rate:g}/s offered" if args.rate else "closed loop"
    print(f"clients {args.clients}, {mode}, {elapsed:.1f} s, server workers {args.workers}, SQLite")
    print(f"requests {requests} ({requests / elapsed:.0f}/s), flags acknowledged "
          f"{len(tally.acknowledged)} ({len(tally.acknowledged) / elapsed:.0f}/s)")  # fmt: skip
    print(
        f"latency ms: p50 {percentile(ms, 0.5):.1f}  p90 {percentile(ms, 0.9):.1f}  "
        f"p99 {percentile(ms, 0.99):.1f}  max {ms[-1] if ms else 0:.1f}"
    )
    load1 = os.getloadavg()[0]
    print(
        f"server CPU {server_cpu:.1f} s = {server_cpu / max(requests, 1) * 1000:.2f} ms per request"
        f" (so about {requests / max(server_cpu, 1e-9):.0f} requests per CPU-second);"
        f" load generator CPU {client_cpu / max(requests, 1) * 1000:.2f} ms per request;"
        f" load average {load1:.1f} on {os.cpu_count()} cores"
    )
    print(f"statuses {dict(sorted(tally.statuses.items()))}, transport errors {tally.errors}, "
          f"gave up {tally.gave_up}, replays checked {tally.replays_checked}")  # fmt: skip
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    print("every acknowledged flag is stored exactly once; no 5xx")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
