"""Work through many files in forked worker processes when that is safe, else in this process.

Reading and parsing a 25,000-document KB is Python work for every file; on a machine with two
cores, two processes halve it. Workers are forked (they start at once and share what this
process has loaded) and only from a process with a single thread: forking a process with other
threads, such as the Qt app's, is unsafe (PySide6's reference counts broke when the index tried
it), so the app reads in its own process and only command-line commands use workers. The index
build has its own workers (Whoosh's); this is for the rest (``list``, ``lint``).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
MAX_WORKERS = 2


def can_fork() -> bool:
    """Return True when worker processes may be forked from here: fork exists and no other thread runs."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def worker_count(wanted: int | None = None) -> int:
    """Return how many processes to read with: ``wanted`` (default: up to two, one per core) when
    forking is possible and safe here, else 1 (this process)."""
    if not can_fork():
        return 1
    return max(1, wanted if wanted is not None else min(MAX_WORKERS, os.cpu_count() or 1))


def map_chunks(work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], workers: int,
               chunk: int = 128) -> Iterator[Result]:
    """Yield the results of ``work`` over consecutive chunks of ``items``, in the order of ``items``.

    With ``workers`` above 1 the chunks are worked on by that many forked processes (``work`` must
    be a module-level function, or a ``functools.partial`` of one, and its results picklable);
    otherwise here, as also when forking is not safe (``can_fork``). Results come back chunk by
    chunk, so the caller keeps only what it keeps.
    """
    chunks = [items[start:start + chunk] for start in range(0, len(items), chunk)]
    if workers <= 1 or len(chunks) <= 1 or not can_fork():
        for part in chunks:
            yield from work(part)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for results in pool.imap(work, chunks):
            yield from results
