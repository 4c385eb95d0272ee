"""Git ingest benchmark: `gemba collect git` against a raw `git log --numstat -M`, same run.

For each history asked for (default: a flask-sized one, 5,000 commits and 2,000 files, and
one of 100,000 commits and 20,000 files), builds (or reuses) a synthetic history with
`git fast-import` (skewed hot files, renames, merges), then measures and prints, `--repeat`
times in turn: a raw `git log --numstat -M` and a first `gemba collect git` as its own
process into a SQLite file that does not exist yet (the whole process: start-up, schema,
collect), both wall times, their ratio, and CPU seconds; then the median ratio and rows per
second. A separate, untimed run samples memory (PSS of the collect process with its
workers, and of its git processes: the sampling costs CPU, so it stays out of the timed
runs). Last, a collect with nothing new: the collect call, and the whole CLI process
(median of 5).

    .venv/bin/python benchmarks/git_ingest.py                      # both histories
    .venv/bin/python benchmarks/git_ingest.py --history 5000:2000  # only the flask-sized one

Targets (issues 2 and 18): first collect of the flask-sized history <= 1.5x one raw
`git log`; of the 100,000-commit one <= 1.0x; nothing new, whole CLI process < 0.5 s; peak
memory < 300 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYCACHE = Path("/tmp/gemba-bench-pycache")  # bytecode of the timed processes, outside the tree
sys.path.insert(0, str(ROOT))

from app.core.db import make_engine  # noqa: E402
from collectors.git.store import collect_git  # noqa: E402
from tests.world.git import synthetic_history  # noqa: E402


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) // 1024 // 1024} GB"
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} cores, {memory} RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {git}, load average {load}"
    )


def build(repo: Path, commits: int, files: int) -> float:
    marker = repo / ".git" / f"gemba-bench-{commits}-{files}"
    if marker.exists():
        return 0.0
    shutil.rmtree(repo, ignore_errors=True)
    started = time.perf_counter()
    synthetic_history(repo, commits=commits, files=files, rename_every=500, merge_every=50)
    marker.touch()
    return time.perf_counter() - started


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def raw_git_log(repo: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one plain `git log --numstat -M`."""
    cpu = children_cpu()
    started = time.perf_counter()
    subprocess.run(
        ["git", "log", "--numstat", "-M"], cwd=repo, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started, children_cpu() - cpu


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float:
    """CPU seconds of the process itself (all its threads), from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return []
    found = [int(child) for child in children]
    return found + [grandchild for child in found for grandchild in _descendants(child)]


def _pss_kb(pid: int) -> tuple[int, bool]:
    """Proportional set size (shared pages counted once overall) and whether it is git."""
    try:
        is_git = Path(f"/proc/{pid}/comm").read_text().strip() == "git"
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]), is_git
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0, False


def _tree_pss_kb(pid: int) -> tuple[int, int]:
    """PSS of the collect process with its Python workers, and of its git processes."""
    python = git = 0
    for member in [pid, *_descendants(pid)]:
        pss, is_git = _pss_kb(member)
        if is_git:
            git += pss
        else:
            python += pss
    return python, git


def cli_collect(
    repo: Path, url: str, *, pss: bool = False
) -> tuple[float, int, str, float, float, tuple[int, int]]:
    """`gemba collect git` in its own process: wall s, peak RSS kB, output, CPU s of the
    Python process alone and of the process with its children, and (with `pss`, which costs
    CPU: not for timed runs) peak PSS kB of the process with its workers and of its gits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env["GEMBA_DATABASE_URL"] = url
    # An installed `gemba` loads its modules from bytecode; with PYTHONDONTWRITEBYTECODE set
    # (some shells and sandboxes set it) every run would compile the project's sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    command = [sys.executable, "-m", "app", "collect", "git", str(repo), "--name", "bench"]
    cpu = children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    peak, own, tree, gits = 0, 0.0, 0, 0
    while process.poll() is None:
        peak = max(peak, _hwm_kb(process.pid))
        own = max(own, _own_cpu(process.pid))
        if pss:
            python_pss, git_pss = _tree_pss_kb(process.pid)
            tree, gits = max(tree, python_pss), max(gits, git_pss)
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    total_cpu = children_cpu() - cpu
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"collect failed ({process.returncode}): {output}")
    return elapsed, peak, output.strip(), own, total_cpu, (tree, gits)


def history_size(text: str) -> tuple[int, int]:
    commits, _, files = text.partition(":")
    try:
        return int(commits), int(files)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected COMMITS:FILES") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--history",
        type=history_size,
        action="append",
        metavar="COMMITS:FILES",
        help="a history to measure (repeatable; default: 5000:2000 and 100000:20000)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gemba-bench"))
    parser.add_argument("--repeat", type=int, default=3, help="raw/collect pairs to time")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for commits, files in args.history or [(5000, 2000), (100_000, 20_000)]:
        measure(args.workdir, commits, files, args.repeat)


def measure(workdir: Path, commits: int, files: int, repeat: int) -> None:
    repo = workdir / f"repo-{commits}-{files}"
    built = build(repo, commits, files)
    total = int(subprocess.check_output(["git", "rev-list", "--count", "HEAD"], cwd=repo))
    print(f"\nhistory: {total} commits, {files} files (built in {built:.1f} s)")

    raw_git_log(repo)  # warm the page cache so both runs read from memory
    database = workdir / f"bench-{commits}.db"
    url = f"sqlite:///{database}"
    _remove_database(database)
    cli_collect(repo, url)  # untimed: bytecode written, files in the page cache
    ratios, cpu_ratios = [], []
    for run in range(1, repeat + 1):
        busy = machine_busy_seconds()
        raw, raw_cpu = raw_git_log(repo)
        raw_others = machine_busy_seconds() - busy - raw_cpu
        load = os.getloadavg()[0]
        _remove_database(database)  # a first collect: the process creates the file and schema
        busy = machine_busy_seconds()
        elapsed, peak_kb, output, own_cpu, total_cpu, _ = cli_collect(repo, url)
        others = machine_busy_seconds() - busy - total_cpu
        ratios.append(elapsed / raw)
        cpu_ratios.append(total_cpu / raw_cpu)
        after = os.getloadavg()[0]
        print(f"run {run}: raw git log --numstat -M {raw:.2f} s (CPU {raw_cpu:.2f} s); "
              f"gemba collect git (first, whole CLI process) {elapsed:.2f} s (CPU "
              f"{total_cpu:.2f} s); ratio wall {elapsed / raw:.2f}, CPU "
              f"{total_cpu / raw_cpu:.2f}; load average {load:.1f} -> {after:.1f}")  # fmt: skip
        print(
            f"  CPU used meanwhile by everything else on the machine (this script's polling "
            f"included): {raw_others:.1f} s during the git log, {others:.1f} s during the collect"
        )
        print(
            f"  collect CPU {total_cpu:.1f} s: {own_cpu:.1f} s in the collect process, "
            f"{total_cpu - own_cpu:.1f} s in its workers and git processes; "
            f"VmHWM of the collect process {peak_kb / 1024:.0f} MB"
        )
    print(f"  [{output}]")
    print(
        f"ratio collect / raw git log, median of {repeat}: wall {statistics.median(ratios):.2f}, "
        f"CPU {statistics.median(cpu_ratios):.2f}"
    )
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            'SELECT (SELECT count(*) FROM "commit") + (SELECT count(*) FROM filechange)'
        ).scalar_one()
    print(f"rows written: {rows} ({rows / elapsed:,.0f} rows/s in the last run)")
    engine.dispose()

    _remove_database(database)
    _, peak_kb, *_, (tree_kb, git_kb) = cli_collect(repo, url, pss=True)
    print(
        f"memory run (PSS sampled every 50 ms, not timed): collect process with its workers "
        f"{tree_kb / 1024:.0f} MB; its git processes {git_kb / 1024:.0f} MB (each maps the "
        f"pack); VmHWM of the collect process {peak_kb / 1024:.0f} MB"
    )

    engine = make_engine(url)
    started = time.perf_counter()
    result = collect_git(engine, repo, name="bench")
    call = time.perf_counter() - started
    assert result.mode == "unchanged", result
    unchanged = [cli_collect(repo, url) for _ in range(5)]
    again = statistics.median(run[0] for run in unchanged)
    again_cpu = statistics.median(run[4] for run in unchanged)
    print(
        f"incremental, nothing new: collect call {call:.3f} s; whole CLI process "
        f"{again:.2f} s wall, {again_cpu:.2f} s CPU (medians of 5); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    engine.dispose()


def _remove_database(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
