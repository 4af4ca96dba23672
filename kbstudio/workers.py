"""Work through many files in worker processes, forked where that is safe, else started afresh.

Reading and parsing a 25,000-document KB is Python work for every file; on a machine with two
cores, two processes halve it. Workers are forked when this process has a single thread: they
start at once and share what this process has loaded. Forking a process with other threads, such
as the Qt app's, is unsafe (PySide6's reference counts broke when the index tried it), so there
workers are fresh interpreters (``spawn``) that import only the work's module: that costs about a
second of start-up (measured: importing the lint rules took 0.8 s on the project's machine), so
they are used only for ``SPAWN_MIN_ITEMS`` items or more, and below that the work runs in this
process. The index build has its own workers (Whoosh's); this is for the rest (``list``, ``lint``,
the app's Health check).

A fresh interpreter has its own ``hash()`` of text (``PYTHONHASHSEED``): results that hold such
hashes are only comparable with this process's when forked (``start_method``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
MAX_WORKERS = 2
SPAWN_MIN_ITEMS = 2000   # a fresh interpreter's second of start-up pays off from about here


def can_fork() -> bool:
    """Return True when worker processes may be forked from here: fork exists and no other thread runs."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def start_method() -> str:
    """Return how workers started now would be made: ``fork`` where that is safe, else ``spawn``."""
    return "fork" if can_fork() else "spawn"


def worker_count(wanted: int | None = None, items: int | None = None) -> int:
    """Return how many processes to work with: ``wanted`` (default: up to two, one per core).

    Where forking is unsafe (``can_fork``), workers are started afresh, which pays off only for
    ``items`` of at least ``SPAWN_MIN_ITEMS``; otherwise (and when ``items`` is not given) 1: this
    process.
    """
    count = max(1, wanted if wanted is not None else min(MAX_WORKERS, os.cpu_count() or 1))
    if can_fork():
        return count
    return count if items is not None and items >= SPAWN_MIN_ITEMS else 1


def map_chunks(work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], workers: int,
               chunk: int = 128, method: str | None = None) -> Iterator[Result]:
    """Yield the results of ``work`` over consecutive chunks of ``items``, in the order of ``items``.

    With ``workers`` above 1 the chunks are worked on by that many processes started by ``method``
    (default ``start_method()``; ``fork`` is only used where ``can_fork`` allows, else the work
    runs here): ``work`` must be a module-level function, or a ``functools.partial`` of one, with
    picklable arguments and results. Otherwise the chunks are worked on here. Results come back
    chunk by chunk, so the caller keeps only what it keeps. When a worker process dies (the system
    killed it, or a fresh interpreter could not start: a main script that starts this work
    without ``if __name__ == "__main__"``), the chunks from the first one not yet yielded are
    worked on here, so the caller gets every result rather than a hang.
    """
    chunks = [items[start:start + chunk] for start in range(0, len(items), chunk)]
    method = method or start_method()
    done = 0
    if workers > 1 and len(chunks) > 1 and (method != "fork" or can_fork()):
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
                for results in pool.map(work, chunks):
                    done += 1
                    yield from results
        except BrokenProcessPool:
            logging.getLogger(__name__).warning(
                "a %s worker process ended early; %d of %d chunks are worked on in this process",
                method, len(chunks) - done, len(chunks))
    for part in chunks[done:]:
        yield from work(part)
