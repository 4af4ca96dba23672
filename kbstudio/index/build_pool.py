"""Worker processes for full builds: each reads, parses and indexes whole documents into segments.

The parent hands out batches of file paths; each worker parses its documents once
(``document_fields``), adds them to a segment of its own (``FastSegmentWriter``) and, when asked,
sends the parsed fields and their tokens back, so that a scan of the documents answering searches
during the build (``kbstudio.index.scan``) gets them without parsing or splitting them again. A
checkpoint closes every worker's segment while the others go on: the segments and the manifest
entries of their documents come back to the parent, which adds them to the index
(``fastbuild.add_segments``), so a build interrupted later resumes from there
(``kbstudio.index.full_build``).

Workers are started with ``start_method`` (``multiprocessing``'s name: "spawn" is safe from any
thread, which the app needs: forking a process whose other threads run Qt corrupted PySide6's
reference counts; "fork" starts about 0.4 s sooner and suits the command line). As Python's
documentation says for "spawn", each worker imports the parent's main script again: a script
that starts the app must keep its work under ``if __name__ == "__main__":`` (``python -m
kbstudio`` and the ``kbstudio`` command do). A worker whose parent is gone stops within a second;
``cancel`` stops them all within one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kbstudio.index.scan_table import Tokens

BATCH = 64          # documents per job: about 0.3 s of a worker's time (5 ms a document)
MAX_PENDING = 2     # jobs queued per worker: enough to keep it busy, few to wait for on cancel
POLL = 0.05         # seconds between looks at cancellation while waiting for workers
CANCEL_WAIT = 0.5   # seconds a cancelled worker gets to stop before it is terminated

Entry = tuple[int, int, str]            # a manifest entry: mtime_ns, size, content hash
# Takes a document's path, fields and tokens (``scan_table.encode_tokens``).
FieldSink = Callable[[str, dict[str, Any], "Tokens | None"], None]


class WorkerFailed(RuntimeError):
    """A worker process raised or died; the message holds its traceback or exit code."""


@dataclass
class Checkpoint:
    """Segments every worker closed, and the manifest entries of their documents."""

    segments: list[Any] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)


class BuildPool:
    """``procs`` worker processes indexing documents into the index in ``folder`` (see the module doc).

    Used by one thread. ``cancelled`` is checked every ``POLL`` seconds while waiting; when it
    says so, the waiting method raises ``cancel_error()`` (after ``cancel``).
    """

    def __init__(self, folder: Path, kb_root: Path, procs: int, cancelled: Callable[[], bool],
                 cancel_error: Callable[[], BaseException], start_method: str | None = None) -> None:
        context: Any = multiprocessing.get_context(start_method)   # typeshed's BaseContext lacks Process
        self._cancelled = cancelled
        self._cancel_error = cancel_error
        self._results: Any = context.Queue()
        self._jobs: list[Any] = [context.Queue() for _ in range(procs)]
        self._pending = [0] * procs        # jobs sent to each worker and not yet done
        self._sinks: list[list[FieldSink | None]] = [[] for _ in range(procs)]   # each pending job's
        self._closing = [0] * procs        # segments asked of each worker and not yet received
        self._ready = Checkpoint()         # closed segments of the checkpoint under way
        self.done = 0                      # documents indexed so far (in open or closed segments)
        self._workers = [
            context.Process(target=work, name=f"kbstudio-index-{number}", daemon=True,
                            args=(str(folder), str(kb_root), jobs, self._results, number, os.getpid()))
            for number, jobs in enumerate(self._jobs)]
        for worker in self._workers:
            worker.start()

    @property
    def checkpointing(self) -> bool:
        """Return True while a checkpoint waits for segments."""
        return any(self._closing)

    def submit(self, paths: Sequence[Path], sink: FieldSink | None = None) -> None:
        """Give a batch of documents to the least busy worker; their fields go to ``sink`` if given.

        Waits while every worker has ``MAX_PENDING`` jobs; messages that arrive meanwhile are
        handled (fields to the sinks named with their jobs).
        """
        while min(self._pending) >= MAX_PENDING:
            self._receive(POLL)
        number = self._pending.index(min(self._pending))
        self._pending[number] += 1
        self._sinks[number].append(sink)
        self._jobs[number].put(("docs", [str(p) for p in paths], sink is not None))

    def request_checkpoint(self) -> None:
        """Ask every worker to close its segment after the jobs it has (see ``checkpoint``)."""
        if any(self._closing):
            return
        for number, jobs in enumerate(self._jobs):
            jobs.put(("segment",))
            self._closing[number] += 1

    def checkpoint(self) -> Checkpoint | None:
        """Return the closed segments once every worker has answered ``request_checkpoint``."""
        if any(self._closing):
            return None
        ready, self._ready = self._ready, Checkpoint()
        return ready if ready.segments or ready.entries else None

    def finish(self) -> Checkpoint:
        """Wait for every job, close every segment and stop the workers; return what is left."""
        for number, jobs in enumerate(self._jobs):
            jobs.put(("stop",))
            self._closing[number] += 1
        while any(self._closing):
            self._receive(POLL)
        for worker in self._workers:
            worker.join(CANCEL_WAIT * 10)
        ready, self._ready = self._ready, Checkpoint()
        return ready

    def cancel(self) -> None:
        """Stop every worker at once: what they had not closed is lost (the index does not list it)."""
        for jobs in self._jobs:
            with contextlib.suppress(Exception):
                jobs.put(("cancel",))
        deadline = time.monotonic() + CANCEL_WAIT
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
                worker.join(CANCEL_WAIT)
        for channel in (*self._jobs, self._results):
            with contextlib.suppress(Exception):
                channel.cancel_join_thread()
                channel.close()

    def _receive(self, timeout: float) -> None:
        """Handle one message (waiting up to ``timeout``), then any others already there."""
        wait = timeout
        while True:
            if self._cancelled():
                self.cancel()
                raise self._cancel_error()
            try:
                message = self._results.get(timeout=wait) if wait > 0 else self._results.get_nowait()
            except queue.Empty:
                self._check_alive()
                return
            self._handle(message)
            wait = 0.0

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind, number = message[0], message[1]
        if kind == "done":
            _, _, count, documents = message
            self._pending[number] -= 1
            self.done += count
            sink = self._sinks[number].pop(0)
            if sink is not None and documents:
                for fields, tokens in documents:
                    sink(fields["path"], fields, tokens)
        elif kind == "segment":
            _, _, segment, entries = message
            if segment is not None:
                self._ready.segments.append(segment)
            self._ready.entries.update(entries)
            self._closing[number] -= 1
        else:   # "error"
            self.cancel()
            raise WorkerFailed(f"index worker {number} failed:\n{message[2]}")

    def _check_alive(self) -> None:
        for number, worker in enumerate(self._workers):
            if not worker.is_alive() and (self._pending[number] or self._closing[number]):
                self.cancel()
                raise WorkerFailed(f"index worker {number} stopped unexpectedly "
                                   f"(exit code {worker.exitcode})")


def work(folder: str, kb_root: str, jobs: Any, results: Any, number: int, parent: int) -> None:
    """A worker's loop (runs in its own process): jobs in, documents indexed, messages out."""
    from whoosh.filedb.filestore import FileStorage

    from kbstudio.index.analysis import SupportAnalyzer
    from kbstudio.index.doc_fields import document_fields
    from kbstudio.index.fastbuild import FastSegmentWriter
    from kbstudio.index.scan_table import encode_tokens

    analyzer = SupportAnalyzer(stem=True)   # the scan's, so that its table takes the tokens as they are

    root = Path(kb_root)
    index = FileStorage(folder).open_index()
    writer: FastSegmentWriter | None = None
    entries: dict[str, Entry] = {}
    try:
        while True:
            try:
                job = jobs.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:   # the parent is gone: nobody will commit this
                    break
                continue
            if job[0] == "docs":
                sent: list[tuple[dict[str, Any], Tokens]] | None = [] if job[2] else None
                for name in job[1]:
                    built = document_fields(root, Path(name))
                    if built is None:   # gone since it was listed
                        continue
                    fields, entry = built
                    if writer is None:
                        writer = FastSegmentWriter(index, _lk=False)
                    writer.add_document(**fields)
                    entries[fields["path"]] = entry
                    if sent is not None:
                        sent.append((fields, encode_tokens(analyzer, fields)))
                results.put(("done", number, len(job[1]), sent))
            elif job[0] in ("segment", "stop"):
                segment = writer._finalize_segment() if writer is not None else None
                results.put(("segment", number, segment, entries))
                writer, entries = None, {}
                if job[0] == "stop":
                    return
            else:   # "cancel"
                break
    except BaseException:
        results.put(("error", number, traceback.format_exc()))
    with contextlib.suppress(Exception):
        if writer is not None:
            writer.cancel()
    results.cancel_join_thread()
