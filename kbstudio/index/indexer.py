"""Build and update a KB's index: full builds swapped in atomically, incremental syncs."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.writing import IndexWriter

from kbstudio.index.analysis import count_tokens
from kbstudio.index.damage import IndexDamagedError, log_damage, reading, record_files
from kbstudio.index.fastbuild import FastSegmentWriter, PathWriter, collect_manifest, serial_writer
from kbstudio.index.store import IndexMissingError, IndexStore, LiveIndex, Manifest
from kbstudio.index.text import index_text
from kbstudio.kb import KnowledgeBase, is_document_path
from kbstudio.names import id_search_key, nfc, title_key
from kbstudio.names import shown_name as shown_name  # the one place names are shown and judged
from kbstudio.names import skipped_name as skipped_name
from kbstudio.reader import (
    UnreadableError,
    content_hash,
    parse_document,
    read_bytes,
    unreadable_document,
)

Progress = Callable[[int, int], None]
PARALLEL_FROM = 400
MERGE_FROM = 200
MAX_SEGMENTS = 12  # compact() merges the small segments of saves once there are more than this
Cancelled = Callable[[], bool]
log = logging.getLogger(__name__)


class IndexCancelled(RuntimeError):
    """The user cancelled a build; the live index is unchanged."""


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

    @property
    def changed(self) -> bool:
        """Return True when any document was added, updated or removed."""
        return bool(self.added or self.updated or self.removed or self.rebuilt)


def never() -> bool:
    return False


def damage_reason(error: IndexDamagedError) -> str:
    """Return the rebuild reason for a damaged index."""
    return f"index was damaged ({error})"


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _fields(root: Path, path: Path, data: bytes | None, error: UnreadableError | None,
            mtime: int) -> tuple[dict[str, Any], str]:
    rel = path.relative_to(root).as_posix()
    if error is not None or data is None:
        document = unreadable_document(path, rel, error or UnreadableError("unreadable", "unreadable"))
    else:
        document = parse_document(path, rel, data)
    parts = index_text(document)
    return {
        "path": rel,
        "doc_id": document.id or "",
        "id_key": id_search_key(document.id) if document.id else "",
        "title_key": title_key(parts.title),
        "title": parts.title,
        "issue": parts.issue + "\n" + parts.headings,
        "body": parts.body,
        "code": parts.code,
        "spell": " ".join((parts.title, parts.headings, " ".join(document.tags))),
        "tier": document.tier or "untiered",
        "kind": document.kind,
        "status": document.status,
        "tags": nfc(",".join(t.replace(",", " ") for t in document.tags)),
        "products": nfc(",".join(p.replace(",", " ") for p in document.products)),
        "mtime": mtime,
        "len_title": count_tokens(parts.title),
        "len_issue": count_tokens(parts.issue) + count_tokens(parts.headings),
        "len_body": count_tokens(parts.body),
        "len_code": count_tokens(parts.code),
        "problems": len(document.problems),
    }, document.content_hash


def document_fields(root: Path, path: Path) -> tuple[dict[str, Any], tuple[int, int, str]] | None:
    """Return the index fields and manifest entry of the file at ``path``, None when it's gone.

    ``root`` is the KB's resolved root and ``path`` a file found below it.
    """
    key = _stat_key(path)
    if key is None:
        return None
    data, error = _read(root, path)
    fields, digest = _fields(root, path, data, error, key[0] // 1_000_000_000)
    return fields, (key[0], key[1], digest)


def _read(root: Path, path: Path) -> tuple[bytes | None, UnreadableError | None]:
    try:
        return read_bytes(path, root, walked=True), None
    except UnreadableError as error:
        return None, error


class Indexer:
    """Writes one KB's index; every write holds the KB's index lock."""

    def __init__(self, kb: KnowledgeBase, store: IndexStore, lock_timeout: float = 10.0,
                 procs: int | None = None) -> None:
        self.kb = kb
        self.store = store
        self.lock_timeout = lock_timeout
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)

    def rebuild(self, progress: Progress | None = None, cancelled: Cancelled = never,
                reason: str = "full build", damage: IndexDamagedError | None = None) -> IndexChanges:
        """Index every document into a new folder, then swap it in atomically.

        ``damage`` is the damage that made the rebuild necessary (its reason replaces ``reason``).
        Raises IndexCancelled, IndexLockedError or IndexUnwritableError; the live index is then
        unchanged.
        """
        started = time.perf_counter()
        if damage is not None:
            reason = damage_reason(damage)
        paths, skipped = self._indexable(self.kb.iter_paths())
        with self.store.write_lock(self.lock_timeout):
            folder, index = self.store.new_build_folder()
            try:
                if self.procs > 1 and len(paths) >= PARALLEL_FROM:
                    manifest = self._build_parallel(index, folder, paths, progress, cancelled)
                else:
                    manifest = self._build_serial(index, paths, progress, cancelled)
            except BaseException:
                index.close()
                self.store.remove_stale_folders()
                raise
            index.close()
            record_files(folder)
            self.store.write_manifest(folder, manifest)
            self.store.swap_in(folder)
        rel_paths = sorted(manifest)
        return IndexChanges(added=rel_paths, rebuilt=True, reason=reason,
                            seconds=time.perf_counter() - started, documents=len(rel_paths),
                            damage=str(damage) if damage is not None else "", skipped=skipped)

    def rebuild_damaged(self, damage: IndexDamagedError, progress: Progress | None = None,
                        cancelled: Cancelled = never) -> IndexChanges:
        """Log ``damage`` and rebuild the index (see ``rebuild``)."""
        log_damage(log, "search index of %s is damaged (%s); rebuilding", self.kb.root, damage,
                   error=damage)
        return self.rebuild(progress, cancelled, damage=damage)

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

    def _build_serial(self, index: Any, paths: list[Path], progress: Progress | None,
                      cancelled: Cancelled) -> Manifest:
        manifest: Manifest = {}
        writer = serial_writer(index)
        try:
            self._add_all(writer, paths, manifest, progress, cancelled)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return manifest

    def _build_parallel(self, index: Any, folder: Path, paths: list[Path],
                        progress: Progress | None, cancelled: Cancelled) -> Manifest:
        writer = PathWriter(index, self.kb.root, folder, self.procs)
        try:
            for number, path in enumerate(paths, 1):
                writer.add_path(path)
                if number % 64 == 0:
                    if cancelled():
                        raise IndexCancelled("indexing cancelled")
                    if progress:
                        progress(max(0, number - writer.queued() - 64 * self.procs * 4), len(paths))
        except BaseException:
            writer.cancel()
            collect_manifest(folder)
            raise
        writer.commit()
        if progress:
            progress(len(paths), len(paths))
        return collect_manifest(folder)

    def _add_all(self, writer: IndexWriter, paths: list[Path], manifest: Manifest,
                 progress: Progress | None, cancelled: Cancelled) -> None:
        total = len(paths)
        for number, path in enumerate(paths, 1):
            if number % 50 == 0:
                if cancelled():
                    raise IndexCancelled("indexing cancelled")
                if progress:
                    progress(number, total)
            key = _stat_key(path)
            if key is None:
                continue
            data, error = _read(self.kb.root, path)
            fields, digest = _fields(self.kb.root, path, data, error, key[0] // 1_000_000_000)
            writer.add_document(**fields)
            manifest[fields["path"]] = (key[0], key[1], digest)
        if progress:
            progress(total, total)

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
             verify: bool = False) -> IndexChanges:
        """Bring the index up to date with the files: only changed files are read.

        A missing, outdated or damaged index is rebuilt instead; ``verify`` also compares every
        index file with its recorded checksum first (reads the whole index).
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
            return self.rebuild(progress, cancelled, reason=str(why))
        except IndexDamagedError as damage:
            return self.rebuild_damaged(damage, progress, cancelled)
        try:
            root = self.kb.root
            paths, skipped = self._indexable(self.kb.iter_paths())
            on_disk = {p.relative_to(root).as_posix(): p for p in paths}
            suspects = [rel for rel, path in on_disk.items()
                        if live.manifest.get(rel, (None, None))[:2] != _stat_key(path)]
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
        """Return True when saves have left more small segments than searches should walk.

        Raises IndexDamagedError for a damaged index.
        """
        try:
            live = self.store.open()
        except IndexMissingError:
            return False
        try:
            with reading(live.folder):
                return len(live.index._segments()) > MAX_SEGMENTS
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
                    writer = live.index.writer(timeout=self.lock_timeout, compound=False)
                    try:
                        writer.commit(merge=True)
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
                      else live.index.writer(timeout=self.lock_timeout, compound=False))
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
        key = _stat_key(path)
        if key is None:
            return None
        data, error = _read(self.kb.root, path)
        old = manifest.get(rel)
        if old is not None and data is not None and content_hash(data) == old[2]:
            manifest[rel] = (key[0], key[1], old[2])  # touched, not changed
            return None
        fields, digest = _fields(self.kb.root, path, data, error, key[0] // 1_000_000_000)
        manifest[rel] = (key[0], key[1], digest)
        (changes.updated if old is not None else changes.added).append(rel)
        return fields
