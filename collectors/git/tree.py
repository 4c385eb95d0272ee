"""The files at HEAD with their line counts, read with one `git cat-file --batch`."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import git

from collectors.git.log import decode_path

BINARY_SNIFF = 8000  # git's own heuristic: a NUL byte in the first 8000 bytes


@dataclass(frozen=True)
class HeadFileRecord:
    path: str
    loc: int
    is_binary: bool
    size_bytes: int = 0  # the blob's size: what sizes a binary file, which has no lines


def _line_count(content: bytes) -> int:
    """Lines as git counts them: a last line without a newline still counts."""
    lines = content.count(b"\n")
    return lines + 1 if content and not content.endswith(b"\n") else lines


def head_files(repo: git.Repo, head: str) -> Iterator[HeadFileRecord]:
    """Every file in `head`'s tree with its line count and size (one `cat-file --batch`)."""
    listing = repo.git.ls_tree("-r", "-z", head, stdout_as_string=False)
    entries: list[tuple[str, str]] = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, raw_path = item.split(b"\t", 1)
        _mode, kind, sha = meta.split()
        if kind == b"blob":
            entries.append((decode_path(raw_path), sha.decode("ascii")))
    if not entries:
        return
    process = repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
    popen = process.proc
    assert popen is not None and popen.stdin is not None and popen.stdout is not None
    stdin, stdout = popen.stdin, popen.stdout
    unique = list(dict.fromkeys(sha for _, sha in entries))

    def feed() -> None:
        stdin.write("".join(f"{sha}\n" for sha in unique).encode("ascii"))
        stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    counts: dict[str, tuple[int, bool, int]] = {}
    for sha in unique:
        header = stdout.readline().split()
        size = int(header[2])
        content = stdout.read(size)
        stdout.read(1)
        binary = b"\0" in content[:BINARY_SNIFF]
        counts[sha] = (0 if binary else _line_count(content), binary, size)
    writer.join()
    popen.wait()
    for path, sha in entries:
        loc, binary, size = counts[sha]
        yield HeadFileRecord(path, loc, binary, size)
