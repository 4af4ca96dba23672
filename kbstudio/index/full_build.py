"""Full builds of a KB's index, saved at checkpoints so that an interrupted build resumes.

A build writes a fresh folder (``IndexStore.new_build_folder``) that is swapped in when done, so
the live index, if any, answers meanwhile. At checkpoints (``Checkpoints``: 30 s after the start,
then 60 s after that, then 90 s, ... so that a long build adds few segments) the segments written
so far join the folder's table of contents, their files are recorded (``damage.record_files``) and
the manifest of their documents is saved. A build stopped by Cancel, the app closing, Ctrl+C or a
crash leaves that folder behind; the next build (``start``) opens it, indexes again the documents
changed since (size or modification time differ) or gone, and goes on with the ones it lacks. A
folder it cannot use is replaced, and ``Build.not_resumed`` says why: another schema version,
damage, or a checkpoint cut off half way.

Documents are parsed once: on the caller's thread (``fill_serial``) or in worker processes
(``fill_parallel``, ``kbstudio.index.build_pool``), and handed as they are indexed to a
``DocumentSink`` that wants them: the scan that answers searches during a first build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kbstudio.index.build_pool import BATCH, BuildPool
from kbstudio.index.damage import IndexDamagedError, reading, record_files
from kbstudio.index.doc_fields import Entry, fields_of, read_file, stat_key
from kbstudio.index.fastbuild import FastSegmentWriter, add_segments, clean_up
from kbstudio.index.scan_table import Tokens
from kbstudio.index.store import MANIFEST_FILE, IndexMissingError, IndexStore, Manifest

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
# Seconds to the first checkpoint; the k-th wait is k times this. Each checkpoint adds a segment per
# worker, and searching 12 segments of 25,000 documents took 15-30% longer than 2 (measured on the
# corpus's 25,000-document copy): a 3-minute build stops at 30, 90 and 180 s, 8 segments in all.
CHECKPOINT_SECONDS = 30.0
UNFINISHED = "unfinished"   # the mark of a build folder not swapped in yet; only those are resumed
CANCEL_EVERY = 16   # documents between looks at cancellation on one thread (about 0.1 s)


class IndexCancelled(RuntimeError):
    """The user cancelled a build; the live index is unchanged."""


def never() -> bool:
    """A ``Cancelled`` that never cancels."""
    return False


class DocumentSink(Protocol):
    """Takes each document's index fields as the build parses it (the scan of the documents)."""

    def wants_documents(self) -> bool:
        """Return True while documents should be handed over (asked before each batch)."""

    def add_document(self, rel: str, fields: dict[str, Any], tokens: Tokens | None = None) -> None:
        """Take the fields of the document at KB-relative ``rel`` and, from a worker process, its
        tokens (``scan_table.encode_tokens``); called on the build's thread."""


@dataclass
class Build:
    """A build under way: its folder and index, and the documents saved at its last checkpoint."""

    folder: Path
    index: Any
    manifest: Manifest
    resumed: int = 0          # documents taken over from an interrupted build
    not_resumed: str = ""     # why an interrupted build could not be taken over ("" when none was left)


class Checkpoints:
    """Says when to save: the k-th wait is k x ``CHECKPOINT_SECONDS`` (30, 90, 180, 300 s ...).

    Work lost to an interruption is at most the current wait; a build of n seconds makes about
    sqrt(n / 15) checkpoints (4 for 4 minutes), each a segment per worker.
    """

    def __init__(self) -> None:
        self._step = 1
        self._next = time.monotonic() + CHECKPOINT_SECONDS

    def due(self) -> bool:
        """Return True when a checkpoint is due (and count it as made)."""
        now = time.monotonic()
        if now < self._next:
            return False
        self._step += 1
        self._next = now + CHECKPOINT_SECONDS * self._step
        return True


def start(store: IndexStore, on_disk: dict[str, Path]) -> Build:
    """Return the build to fill: the newest interrupted one when it can go on, else a fresh folder.

    ``on_disk`` maps each document's KB-relative path to its file. Other unfinished folders are
    removed. Called with the store's write lock held.
    """
    not_resumed = ""
    unfinished = [folder for folder in store.unfinished_builds() if (folder / UNFINISHED).exists()]
    if unfinished:
        build, not_resumed = _resume(store, unfinished[0], on_disk)
        if build is not None:
            store.remove_stale_folders(keep=build.folder)
            return build
    store.remove_stale_folders()
    folder, index = store.new_build_folder()
    (folder / UNFINISHED).write_bytes(b"")
    return Build(folder, index, {}, 0, not_resumed)


def finish(store: IndexStore, build: Build) -> None:
    """Make a complete build the live index."""
    build.index.close()
    _save(store, build.folder, build.manifest)   # also when there was nothing to index
    (build.folder / UNFINISHED).unlink()
    store.swap_in(build.folder)


def abandon(store: IndexStore, build: Build) -> None:
    """Leave an interrupted build for the next one to resume, or remove it when it saved nothing."""
    build.index.close()
    if not build.manifest:
        store.remove_stale_folders()


def _resume(store: IndexStore, folder: Path, on_disk: dict[str, Path]) -> tuple[Build | None, str]:
    """Open an interrupted build and drop its documents that changed since; else say why not."""
    if not (folder / MANIFEST_FILE).exists():
        return None, ""   # stopped before its first checkpoint: nothing to take over
    try:
        live = store.open_folder(folder)
    except IndexMissingError as why:
        return None, f"the build stopped before was made by another version ({why})"
    except IndexDamagedError as damage:
        return None, f"the build stopped before is damaged ({damage})"
    try:
        live.check_files(full=True)
        with reading(folder):
            count = live.index.doc_count()
    except IndexDamagedError as damage:
        live.close()
        return None, f"the build stopped before is damaged ({damage})"
    if count != len(live.manifest):
        live.close()
        return None, "the build stopped before was cut off while saving a checkpoint"
    stale = [rel for rel, entry in live.manifest.items()
             if rel not in on_disk or stat_key(on_disk[rel]) != entry[:2]]
    manifest = {rel: entry for rel, entry in live.manifest.items() if rel not in stale}
    if stale:
        with reading(folder):
            writer = FastSegmentWriter(live.index)
            try:
                with writer.searcher() as searcher:
                    for rel in stale:
                        for docnum in searcher.document_numbers(path=rel):
                            writer.delete_document(docnum)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=False)
        _save(store, folder, manifest)
    return Build(folder, live.index, manifest, resumed=len(manifest)), ""


def _save(store: IndexStore, folder: Path, manifest: Manifest) -> None:
    """Record the index files and save the manifest: a checkpoint (after the table of contents)."""
    record_files(folder)
    store.write_manifest(folder, manifest)


def fill_serial(store: IndexStore, build: Build, root: Path, paths: list[Path], total: int,
                progress: Progress | None, cancelled: Cancelled, sink: DocumentSink | None) -> None:
    """Index ``paths`` on this thread into ``build``, one segment per checkpoint.

    ``total`` counts the documents of the whole build (those taken over included), for progress.
    Raises IndexCancelled when ``cancelled`` says so.
    """
    clock = Checkpoints()
    writer: FastSegmentWriter | None = None
    written: dict[str, Entry] = {}
    wanted = False
    for number, path in enumerate(paths):
        if number % CANCEL_EVERY == 0:
            if cancelled():
                if writer is not None:
                    writer.cancel()
                raise IndexCancelled("indexing cancelled")
            wanted = sink is not None and sink.wants_documents()
            if progress and number % (CANCEL_EVERY * 4) == 0:
                progress(len(build.manifest) + len(written), total)
        key = stat_key(path)
        if key is None:   # gone since it was listed
            continue
        data, error = read_file(root, path)
        fields, digest = fields_of(root, path, data, error, key[0] // 1_000_000_000)
        if writer is None:
            writer = FastSegmentWriter(build.index)
        writer.add_document(**fields)
        written[fields["path"]] = (key[0], key[1], digest)
        if wanted and sink is not None:
            sink.add_document(fields["path"], fields)
        if clock.due():
            _commit_serial(store, build, writer, written)
            writer, written = None, {}
    if writer is not None:
        _commit_serial(store, build, writer, written)
    if progress:
        progress(len(build.manifest), total)


def _commit_serial(store: IndexStore, build: Build, writer: FastSegmentWriter,
                   written: dict[str, Entry]) -> None:
    try:
        writer.commit(merge=False)
    except BaseException:
        writer.cancel()
        raise
    build.manifest.update(written)
    _save(store, build.folder, build.manifest)


def fill_parallel(store: IndexStore, build: Build, root: Path, paths: list[Path], total: int,
                  procs: int, start_method: str | None, progress: Progress | None,
                  cancelled: Cancelled, sink: DocumentSink | None) -> None:
    """Index ``paths`` into ``build`` in ``procs`` worker processes (see ``build_pool``).

    Workers each close a segment at every checkpoint. Raises IndexCancelled within about a
    second of ``cancelled`` saying so (the workers are stopped), or ``build_pool.WorkerFailed``.
    """
    clock = Checkpoints()
    before = len(build.manifest)   # taken over; pool.done counts the rest, checkpointed or not
    pool = BuildPool(build.folder, root, procs, cancelled, lambda: IndexCancelled("indexing cancelled"),
                     start_method)
    try:
        for start_at in range(0, len(paths), BATCH):
            wanted = sink is not None and sink.wants_documents()
            pool.submit(paths[start_at:start_at + BATCH], sink.add_document if wanted and sink else None)
            if progress:
                progress(before + pool.done, total)
            ready = pool.checkpoint()
            if ready is not None:
                _commit_parallel(store, build, ready.segments, ready.entries)
            if not pool.checkpointing and clock.due():
                pool.request_checkpoint()
        last = pool.finish()
    except BaseException:
        pool.cancel()
        raise
    _commit_parallel(store, build, last.segments, last.entries)
    with reading(build.folder):
        clean_up(build.index)   # the files of segments that interrupted workers left
    record_files(build.folder)
    if progress:
        progress(len(build.manifest), total)


def _commit_parallel(store: IndexStore, build: Build, segments: list[Any], entries: dict[str, Entry]) -> None:
    if segments:
        add_segments(build.index, segments)
    build.manifest.update(entries)
    _save(store, build.folder, build.manifest)
