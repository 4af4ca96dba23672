"""Run a command and measure it: wall time, CPU time and peak resident memory of its whole process tree.

The peak is the largest sum, over the command and every process it started (worker processes
included), of their resident set sizes, sampled every 20 ms from /proc (Linux; the tree itself is
looked up every 0.25 s). Pages that forked workers share with their parent are counted in each,
so the figure errs high.
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


def descendants(pid: int) -> list[int]:
    """Return ``pid`` and every process below it (a scan of /proc: about 2 ms)."""
    tree = _children()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, ()))
    return found


def rss_mb(pids: list[int]) -> float:
    """Return the summed resident memory of ``pids`` (those still running), in MB."""
    total = 0
    for pid in pids:
        try:
            total += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total / 1_048_576


def tree_rss_mb(pid: int) -> float:
    """Return the resident memory of ``pid`` and all its descendants, in MB."""
    return rss_mb(descendants(pid))


class TreeSampler:
    """Peak resident memory of a process tree, sampled cheaply enough to run beside it.

    The tree is looked up again every ``rescan`` seconds (worker processes start at the beginning
    and live through the work); in between only their statm files are read. Scanning /proc at
    every sample took 10 % of a core on the project's 2-core machine, which the measured command
    then lacked.
    """

    def __init__(self, pid: int, rescan: float = 0.25) -> None:
        self.pid, self.rescan = pid, rescan
        self.peak = 0.0
        self._pids: list[int] = []
        self._scanned = float("-inf")

    def sample(self) -> float:
        """Take one sample; return the peak so far in MB."""
        now = time.monotonic()
        if now - self._scanned >= self.rescan:
            self._pids, self._scanned = descendants(self.pid), now
        self.peak = max(self.peak, rss_mb(self._pids))
        return self.peak


def measure(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` (its output thrown away) and return what it cost."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    sampler = TreeSampler(process.pid)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        sampler.sample()
        time.sleep(0.02)
    peak = sampler.peak
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # The command's own usage with its workers'; its largest single process, in case sampling missed it.
    return Measured(seconds, usage.ru_utime + usage.ru_stime, max(peak, usage.ru_maxrss / 1024),
                    process.returncode)
