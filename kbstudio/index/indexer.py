"""Build and update a KB's index: full builds swapped in atomically (``full_build``), incremental syncs."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbstudio.index import full_build
from kbstudio.index.damage import IndexDamagedError, log_damage, reading, record_files
from kbstudio.index.doc_fields import document_fields as document_fields  # read by the scan too
from kbstudio.index.doc_fields import fields_of, read_file, stat_key
from kbstudio.index.fastbuild import FastSegmentWriter, MergingWriter, merge_small, small_segments
from kbstudio.index.full_build import Cancelled as Cancelled  # these four are the callers' too
from kbstudio.index.full_build import DocumentSink
from kbstudio.index.full_build import IndexCancelled as IndexCancelled
from kbstudio.index.full_build import Progress as Progress
from kbstudio.index.full_build import never as never
from kbstudio.index.store import IndexMissingError, IndexStore, LiveIndex, Manifest
from kbstudio.kb import KnowledgeBase, is_document_path
from kbstudio.names import shown_name as shown_name  # the one place names are shown and judged
from kbstudio.names import skipped_name as skipped_name
from kbstudio.reader import content_hash

PARALLEL_FROM = 400
MERGE_FROM = 200
MAX_SEGMENTS = 12  # compact() merges the small segments of saves once there are more than this
log = logging.getLogger(__name__)


@dataclass
class IndexChanges:
    """What an index operation changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rebuilt: bool = False
    reason: str = ""
    seconds: float = 0.0
    documents: int = 0
    damage: str = ""     # what was damaged, when that is why the index was rebuilt
    skipped: list[str] = field(default_factory=list)   # files not indexed, with why (see skipped_name)
    resumed: int = 0         # documents a full build took over from one that was interrupted
    not_resumed: str = ""    # why a full build could not take over an interrupted one ("" if none)

    @property
    def changed(self) -> bool:
        """Return True when any document was added, updated or removed."""
        return bool(self.added or self.updated or self.removed or self.rebuilt)


def damage_reason(error: IndexDamagedError) -> str:
    """Return the rebuild reason for a damaged index."""
    return f"index was damaged ({error})"


class Indexer:
    """Writes one KB's index; every write holds the KB's index lock."""

    def __init__(self, kb: KnowledgeBase, store: IndexStore, lock_timeout: float = 10.0,
                 procs: int | None = None, start_method: str | None = None) -> None:
        """``procs`` worker processes build big KBs (default: up to 2), started by ``start_method``
        (``multiprocessing``'s name; None for its default: see ``kbstudio.index.build_pool``)."""
        self.kb = kb
        self.store = store
        self.lock_timeout = lock_timeout
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self.start_method = start_method

    def rebuild(self, progress: Progress | None = None, cancelled: Cancelled = never,
                reason: str = "full build", damage: IndexDamagedError | None = None,
                sink: DocumentSink | None = None) -> IndexChanges:
        """Index every document into a new folder, then swap it in atomically.

        A build that was interrupted goes on where its last checkpoint left it (see
        ``kbstudio.index.full_build``; ``resumed`` and ``not_resumed`` say what happened), and
        each document parsed is handed to ``sink`` while it wants them. ``damage`` is the damage
        that made the rebuild necessary (its reason replaces ``reason``). Raises IndexCancelled,
        IndexLockedError, IndexUnwritableError or ``build_pool.WorkerFailed``; the live index is
        then unchanged.
        """
        started = time.perf_counter()
        if damage is not None:
            reason = damage_reason(damage)
        paths, skipped = self._indexable(self.kb.iter_paths())
        on_disk = {path.relative_to(self.kb.root).as_posix(): path for path in paths}
        with self.store.write_lock(self.lock_timeout):
            build = full_build.start(self.store, on_disk)
            try:
                todo = [path for rel, path in on_disk.items() if rel not in build.manifest]
                if self.procs > 1 and len(todo) >= PARALLEL_FROM:
                    full_build.fill_parallel(self.store, build, self.kb.root, todo, len(paths), self.procs,
                                             self.start_method, progress, cancelled, sink)
                else:
                    full_build.fill_serial(self.store, build, self.kb.root, todo, len(paths), progress,
                                           cancelled, sink)
            except BaseException:
                full_build.abandon(self.store, build)   # what it saved stays, for the next build
                raise
            full_build.finish(self.store, build)
        rel_paths = sorted(build.manifest)
        return IndexChanges(added=rel_paths, rebuilt=True, reason=reason,
                            seconds=time.perf_counter() - started, documents=len(rel_paths),
                            damage=str(damage) if damage is not None else "", skipped=skipped,
                            resumed=build.resumed, not_resumed=build.not_resumed)

    def rebuild_damaged(self, damage: IndexDamagedError, progress: Progress | None = None,
                        cancelled: Cancelled = never, sink: DocumentSink | None = None) -> IndexChanges:
        """Log ``damage`` and rebuild the index (see ``rebuild``)."""
        log_damage(log, "search index of %s is damaged (%s); rebuilding", self.kb.root, damage,
                   error=damage)
        return self.rebuild(progress, cancelled, damage=damage, sink=sink)

    def _indexable(self, paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
        """Split document paths into those that can be indexed and messages for the others."""
        good: list[Path] = []
        skipped: list[str] = []
        for path in paths:
            problem = skipped_name(path.relative_to(self.kb.root).as_posix())
            if problem is None:
                good.append(path)
            else:
                skipped.append(problem)
        return good, skipped

    def open_or_rebuild(self, progress: Progress | None = None,
                        cancelled: Cancelled = never) -> tuple[LiveIndex, IndexChanges | None]:
        """Open the live index, building it first when it is missing, old or damaged."""
        try:
            return self.store.open(), None
        except IndexMissingError as why:
            changes = self.rebuild(progress, cancelled, reason=str(why))
        except IndexDamagedError as damage:
            changes = self.rebuild_damaged(damage, progress, cancelled)
        return self.store.open(), changes

    def sync(self, progress: Progress | None = None, cancelled: Cancelled = never,
             verify: bool = False, sink: DocumentSink | None = None) -> IndexChanges:
        """Bring the index up to date with the files: only changed files are read.

        A missing, outdated or damaged index is rebuilt instead (its documents go to ``sink``);
        ``verify`` also compares every index file with its recorded checksum first (reads the
        whole index).
        """
        started = time.perf_counter()
        try:
            live = self.store.open()
            if verify:
                try:
                    live.check_files(full=True)
                except BaseException:
                    live.close()
                    raise
        except IndexMissingError as why:
            return self.rebuild(progress, cancelled, reason=str(why), sink=sink)
        except IndexDamagedError as damage:
            return self.rebuild_damaged(damage, progress, cancelled, sink=sink)
        try:
            root = self.kb.root
            paths, skipped = self._indexable(self.kb.iter_paths())
            on_disk = {p.relative_to(root).as_posix(): p for p in paths}
            suspects = [rel for rel, path in on_disk.items()
                        if live.manifest.get(rel, (None, None))[:2] != stat_key(path)]
            gone = [rel for rel in live.manifest if rel not in on_disk]
            changes = self._apply_or_rebuild(live, suspects, gone, on_disk, progress, cancelled)
        finally:
            live.close()
        changes.seconds = time.perf_counter() - started
        changes.skipped = skipped
        return changes

    def update_paths(self, rel_paths: Iterable[str]) -> IndexChanges:
        """Re-index the given files (saved, pulled, deleted); used after saves and pulls."""
        started = time.perf_counter()
        try:
            live = self.store.open()
        except IndexMissingError as why:
            return self.rebuild(reason=str(why))
        except IndexDamagedError as damage:
            return self.rebuild_damaged(damage)
        try:
            wanted = sorted({self.kb.disk_rel(rel) for rel in rel_paths})  # as stored, any form given
            wanted = [rel for rel in wanted if skipped_name(rel) is None]
            # a file moved into a hidden folder or _templates/ by a pull is no document: dropped, not added
            on_disk = {rel: self.kb.root / rel for rel in wanted
                       if is_document_path(rel) and (self.kb.root / rel).is_file()}
            gone = [rel for rel in wanted if rel not in on_disk and rel in live.manifest]
            changes = self._apply_or_rebuild(live, list(on_disk), gone, on_disk, None, never)
        finally:
            live.close()
        changes.seconds = time.perf_counter() - started
        return changes

    def needs_compacting(self) -> bool:
        """Return True when saves have left more segments than searches should walk, small ones
        among them (see ``fastbuild.merge_small``).

        Raises IndexDamagedError for a damaged index.
        """
        try:
            live = self.store.open()
        except IndexMissingError:
            return False
        try:
            with reading(live.folder):
                segments = live.index._segments()
                return len(segments) > MAX_SEGMENTS and len(small_segments(segments)) > 1
        finally:
            live.close()

    def compact(self) -> bool:
        """Merge the small segments that saves wrote; return True when something was merged.

        Raises IndexDamagedError when merging finds the index damaged (the live index is then
        unchanged: rebuild it), IndexLockedError or IndexUnwritableError.
        """
        if not self.needs_compacting():
            return False
        with self.store.write_lock(self.lock_timeout):
            live = self.store.open()
            try:
                with reading(live.folder):
                    writer = MergingWriter(live.index, timeout=self.lock_timeout, compound=False)
                    try:
                        writer.commit(mergetype=merge_small)
                    except BaseException:
                        with contextlib.suppress(Exception):
                            writer.cancel()   # releases Whoosh's own lock; may fail after a commit error
                        raise
                record_files(live.folder)
            finally:
                live.close()
        return True

    def _apply_or_rebuild(self, live: LiveIndex, suspects: list[str], gone: list[str],
                          on_disk: dict[str, Path], progress: Progress | None,
                          cancelled: Cancelled) -> IndexChanges:
        """Apply an update; a damaged index found on the way is rebuilt instead of failing.

        Only recognised damage (``kbstudio.index.damage``) leads to a rebuild; other exceptions
        (bugs, IndexCancelled, IndexLockedError, IndexUnwritableError) propagate.
        """
        try:
            with reading(live.folder):
                return self._apply(live, suspects, gone, on_disk, progress, cancelled)
        except IndexDamagedError as damage:
            live.close()
            return self.rebuild_damaged(damage, progress, cancelled)

    def _apply(self, live: LiveIndex, suspects: list[str], gone: list[str],
               on_disk: dict[str, Path], progress: Progress | None,
               cancelled: Cancelled) -> IndexChanges:
        changes = IndexChanges()
        manifest = dict(live.manifest)
        # Read the suspects first: only files whose content changed are re-indexed.
        documents: list[dict[str, Any]] = []
        for number, rel in enumerate(suspects, 1):
            if number % 50 == 0:
                if cancelled():
                    raise IndexCancelled("indexing cancelled")
                if progress:
                    progress(number, len(suspects))
            fields = self._changed_fields(rel, on_disk[rel], manifest, changes)
            if fields is not None:
                documents.append(fields)
        gone = [rel for rel in gone if rel in manifest]
        changed: dict[str, tuple[int, int, str] | None] = {rel: None for rel in gone}
        changed.update({rel: manifest[rel] for rel in suspects
                        if rel in manifest and manifest[rel] != live.manifest.get(rel)})
        if not documents and not gone:
            if changed:
                self.store.record_changes(live.folder, manifest, changed)
            changes.documents = len(manifest)
            return changes
        # Small updates write one new segment without merging, so a save stays fast; compact()
        # merges those small segments later, as separate background work.
        small = len(documents) + len(gone) < MERGE_FROM
        with self.store.write_lock(self.lock_timeout):
            writer = (FastSegmentWriter(live.index, timeout=self.lock_timeout) if small
                      else MergingWriter(live.index, timeout=self.lock_timeout, compound=False))
            try:
                stale = [fields["path"] for fields in documents] + gone
                with writer.searcher() as searcher:  # one searcher for every deletion
                    for rel in stale:
                        for docnum in searcher.document_numbers(path=rel):
                            writer.delete_document(docnum)
                for fields in documents:
                    writer.add_document(**fields)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=not small)
            record_files(live.folder)
            for rel in gone:
                manifest.pop(rel, None)
                changes.removed.append(rel)
            self.store.record_changes(live.folder, manifest, changed)
        changes.documents = len(manifest)
        return changes

    def _changed_fields(self, rel: str, path: Path, manifest: Manifest,
                        changes: IndexChanges) -> dict[str, Any] | None:
        """Return the fields of a file whose content changed (updating the manifest), else None."""
        key = stat_key(path)
        if key is None:
            return None
        data, error = read_file(self.kb.root, path)
        old = manifest.get(rel)
        if old is not None and data is not None and content_hash(data) == old[2]:
            manifest[rel] = (key[0], key[1], old[2])  # touched, not changed
            return None
        fields, digest = fields_of(self.kb.root, path, data, error, key[0] // 1_000_000_000)
        manifest[rel] = (key[0], key[1], digest)
        (changes.updated if old is not None else changes.added).append(rel)
        return fields
