"""Run a command and measure it: wall time, CPU time and peak resident memory of its whole process tree.

The peak is the largest sum, over the command and every process it started (worker processes
included), of their resident set sizes, sampled every 20 ms from /proc (Linux). Pages that forked
workers share with their parent are counted in each, so the figure errs high.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measured:
    """What one run of a command cost."""

    seconds: float       # wall clock
    cpu: float           # user + system time of the command and its children
    peak_mb: float       # largest resident memory of the process tree at once
    returncode: int


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_rss_mb(pid: int) -> float:
    """Return the resident memory of ``pid`` and all its descendants, in MB."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, ()))
        try:
            total += int((Path("/proc") / str(current) / "statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total / 1_048_576


def measure(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` (its output thrown away) and return what it cost."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    peak = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # The command's own usage with its workers'; its largest single process, in case sampling missed it.
    return Measured(seconds, usage.ru_utime + usage.ru_stime, max(peak, usage.ru_maxrss / 1024),
                    process.returncode)
