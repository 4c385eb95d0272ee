"""The link behind each item a point's sentence names: a PR, a run, a file or a flag."""

from __future__ import annotations

from dashboards.item_flags import ItemRef
from dashboards.talking_points.model import CiHit, Evidence, FlagItem, PullWait, RiskFile


def pr_evidence(pull: PullWait) -> Evidence:
    pr = ItemRef("pull", pull.repo, pull.number)
    return Evidence("pr", f"{pull.repo}#{pull.number}", pull.url, (pr,))


def run_label(hit: CiHit) -> str:
    """ "CI / test on PR #54, run 2584784280": no brackets, so a sentence can quote it."""
    name = hit.workflow + (f" / {hit.job}" if hit.job else "")
    where = f" on PR #{hit.pull_number}" if hit.pull_number is not None else ""
    run = f", run {hit.run_id}" if hit.run_id is not None else ""
    return f"{name}{where}{run}"


def run_evidence(hit: CiHit) -> Evidence:
    names = hit.workflows or (hit.workflow,)
    refs = tuple(ItemRef("workflow", hit.repo, name) for name in names)
    return Evidence("run", run_label(hit), hit.url, refs)


def file_evidence(risk: RiskFile) -> Evidence:
    file = ItemRef("path", risk.repo, risk.path)
    return Evidence("file", f"{risk.repo}: {risk.path}", risk.url, (file,))


def flag_evidence(flag: FlagItem) -> Evidence:
    return Evidence("flag", f"flag: {flag.summary}", flag.url)  # its id means nothing to read
