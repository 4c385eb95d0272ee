"""Small real git repositories for the ops tests, written with `git fast-import` in milliseconds."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

EPOCH = 1_767_000_000  # a fixed start, so the histories are the same every run


def make_repo(path: Path, *, commits: int, files: int = 25, seed: int = 0) -> Path:
    """A linear history of `commits` commits by three authors touching `files` files."""
    rng = random.Random(seed)
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    contents = {f"src/module_{i}.py": [f"line {i}.{j}" for j in range(20)] for i in range(files)}
    parts: list[bytes] = []
    counter = 0
    for n in range(commits):
        author = rng.choice(["Ada <ada@example.com>", "Bo <bo@example.com>", "Cy <cy@example.com>"])
        stamp = EPOCH + n * 3600
        message = f"change {n}".encode()
        parts.append(
            f"commit refs/heads/main\nauthor {author} {stamp} +0000\n"
            f"committer {author} {stamp} +0000\ndata {len(message)}\n".encode()
            + message
            + b"\n"
        )
        touched = list(contents) if n == 0 else rng.sample(sorted(contents), rng.randint(1, 3))
        for name in touched:
            lines = contents[name]
            for _ in range(rng.randint(1, 4)):
                counter += 1
                lines.insert(rng.randint(0, len(lines)), f"added {counter}")
            blob = ("\n".join(lines) + "\n").encode()
            parts.append(f"M 100644 inline {name}\ndata {len(blob)}\n".encode() + blob + b"\n")
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(parts), check=True
    )
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True)
    return path


def git_counts(path: Path) -> dict[str, int]:
    """Independent counts from plain git: commits, file changes, files at HEAD."""

    def run(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(path), *args], check=True, capture_output=True, text=True
        ).stdout

    numstat = run("log", "--no-merges", "--format=", "--numstat", "main")
    return {
        "commits": int(run("rev-list", "--count", "main")),
        "changes": sum(1 for line in numstat.splitlines() if line.strip()),
        "files": len(run("ls-tree", "-r", "--name-only", "main").split()),
    }
