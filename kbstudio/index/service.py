"""One KB's search service: open (building or syncing as needed), search, update after saves.

A damaged index (see ``kbstudio.index.damage``) found on opening or while searching is never a
failed search: the service notes the damage (``damage``), answers from a plain scan of the
documents (``kbstudio.index.scan``) and the next ``ensure`` rebuilds the index. The app runs
that rebuild in the background; the command line runs it at once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from kbstudio.freed_memory import return_freed_memory
from kbstudio.index.damage import IndexDamagedError, log_damage, reading
from kbstudio.index.indexer import Cancelled, IndexChanges, Indexer, Progress, never
from kbstudio.index.scan import ScanSearcher
from kbstudio.index.search import FACET_FIELDS, KBSearcher, SearchOptions, SearchResponse
from kbstudio.index.store import (
    IndexMissingError,
    IndexStore,
    IndexUnwritableError,
    LiveIndex,
    index_base_dir,
)
from kbstudio.index.synonyms import SynonymFile
from kbstudio.kb import KnowledgeBase

log = logging.getLogger(__name__)
T = TypeVar("T")


class EmptyIndexSearcher:
    """The searcher of an index that holds no documents (an empty KB): every search finds nothing."""

    def __init__(self, live: LiveIndex) -> None:
        self.live = live

    @property
    def doc_count(self) -> int:
        """Return 0: the index holds no documents."""
        return 0

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResponse:
        """Return a response with no results."""
        return SearchResponse(text, 0, 0.0, None, {name: {} for name in FACET_FIELDS}, [])

    def refresh(self) -> None:
        """Nothing to refresh: the service reopens the index once documents arrive."""

    def close(self) -> None:
        """Release the index."""
        self.live.close()


Searcher = KBSearcher | EmptyIndexSearcher


class SearchService:
    """Keeps a KB's index and a searcher over it (or a scan of the documents while it can't)."""

    def __init__(self, kb: KnowledgeBase, index_dir: str | Path | None = None,
                 lock_timeout: float = 10.0, procs: int | None = None,
                 start_method: str | None = None, scan_in_background: bool = False) -> None:
        """``procs`` and ``start_method``: the build's worker processes (see ``Indexer``).

        ``scan_in_background``: a search the scan answers never waits for the documents to be
        read; it answers from those read so far, and ``read_documents`` reads the others (the
        app does it on a worker), while a build hands over each document it parses. Else (the
        command line) the first such search reads every document first.
        """
        self.kb = kb
        self.store = IndexStore(kb.root, index_base_dir(index_dir))
        self.indexer = Indexer(kb, self.store, lock_timeout=lock_timeout, procs=procs,
                               start_method=start_method)
        self.scan_in_background = scan_in_background
        self.synonyms = SynonymFile(kb.root)   # re-read by each query when the file changed
        self._searcher: Searcher | None = None
        # Why searches are answered by scanning the documents (damaged index, unwritable folder).
        self._scan_reason: str | None = None
        self._scan: ScanSearcher | None = None
        self._damage: IndexDamagedError | None = None
        self._damaged_folder: Path | None = None
        # The app searches on one thread while indexing runs on another: swapping or refreshing
        # the searcher waits for a running search instead of closing it underneath.
        self._lock = threading.RLock()
        self._closed = False   # close() was called: no scan reads the documents any more

    @property
    def is_open(self) -> bool:
        """Return True when a searcher over the index is ready."""
        return self._searcher is not None

    @property
    def damage(self) -> str | None:
        """Return what was found damaged when the index needs a rebuild (``ensure`` does it)."""
        return str(self._damage) if self._damage is not None else None

    @property
    def scanning(self) -> str | None:
        """Return why searches are answered by scanning the documents, or None when they aren't."""
        return self._scan_reason if self._searcher is None else None

    def open_existing(self) -> bool:
        """Open the index as it is, without reading any document; False when there is none.

        A damaged index also gives False, with ``damage`` set: searches then scan the documents
        until ``ensure`` has rebuilt it.
        """
        try:
            searcher = self._open_searcher()
        except (IndexMissingError, IndexUnwritableError):   # none yet, or the folder setting names a file
            return False
        except IndexDamagedError as error:
            self._note_damage(error, self.store.current_folder())
            return False
        self._replace(searcher)
        return True

    def ensure(self, progress: Progress | None = None, cancelled: Cancelled = never,
               rebuild: bool = False, verify: bool = False) -> IndexChanges:
        """Build (when missing, outdated, damaged or asked to) or sync the index, then open it.

        ``verify`` compares every index file with its recorded checksum first. Raises
        IndexCancelled, IndexLockedError or IndexUnwritableError (the previous state stays), or
        IndexDamagedError when even a fresh build cannot be opened.
        """
        damage = self._damage
        # While the scan answers, the documents a build parses go to it too (see ScanSearcher).
        sink = self._scanner() if self._searcher is None else None
        if sink is not None:
            sink.allow_adding()
        if damage is not None:
            changes = self.indexer.rebuild(progress, cancelled, damage=damage, sink=sink)
        elif rebuild:
            changes = self.indexer.rebuild(progress, cancelled, reason="rebuild requested", sink=sink)
        else:
            changes = self.indexer.sync(progress, cancelled, verify=verify, sink=sink)
        try:
            searcher = self._open_searcher()
        except IndexDamagedError as error:
            changes = self.indexer.rebuild_damaged(error, progress, cancelled, sink=sink)
            searcher = self._open_searcher()
        with self._lock:
            if self._damage is not None and self._damage is not damage \
                    and self._damaged_folder == searcher.live.folder:
                # A search found this very index damaged while the sync ran: keep scanning,
                # the caller's next ensure() rebuilds it.
                searcher.close()
                return changes
            self._damage = self._damaged_folder = None
            self._replace(searcher)
        return changes

    def use_scan(self, reason: str) -> None:
        """Answer searches by scanning the documents while no searcher is open (see ``scanning``)."""
        with self._lock:
            self._scan_reason = reason

    def update_paths(self, rel_paths: Iterable[str]) -> IndexChanges:
        """Re-index changed files (after a save or a pull) and refresh the searcher.

        While the index is known to be damaged this rebuilds it instead (see ``ensure``).
        """
        if self._damage is not None:
            return self.ensure()
        changes = self.indexer.update_paths(rel_paths)
        self._after_write(changes.rebuilt)
        return changes

    def compact(self) -> bool:
        """Merge the small segments left by saves (background housekeeping); True when it did.

        A damaged index found while merging is rebuilt.
        """
        try:
            if not self.indexer.compact():
                return False
        except IndexDamagedError as error:
            self._note_damage(error, self.store.current_folder())
            self.ensure()
            return True
        self._after_write(False)
        return True

    def _after_write(self, rebuilt: bool) -> None:
        """Show the searcher what an update wrote: a new searcher after a rebuild, else a refresh.

        Damage found on the way is noted (``damage``), not raised.
        """
        with self._lock:
            searcher = self._searcher
            if not rebuilt and isinstance(searcher, KBSearcher):
                with contextlib.suppress(IndexDamagedError):
                    self._read(searcher, lambda s: s.refresh())
                return
            try:
                self._replace(self._open_searcher())
            except IndexDamagedError as error:
                self._note_damage(error, self.store.current_folder())

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResponse:
        """Search; builds the index first when there is none yet.

        Never fails for a damaged index: the damage is noted (``damage``) and the answer comes
        from scanning the documents, as it does while ``scanning`` says why.
        """
        if self._searcher is None and self._damage is None and self._scan_reason is None:
            if not self.open_existing() and self._damage is None:
                self.ensure()
        with self._lock:
            searcher = self._searcher
            if searcher is not None:
                try:
                    return self._read(searcher, lambda s: s.search(text, options))
                except IndexDamagedError:
                    pass   # noted: answered by the scan below
        return self._scanner().search(text, options)

    def _read(self, searcher: Searcher, work: Callable[[Searcher], T], retry: bool = True) -> T:
        """Return ``work(searcher)``; recognised damage is noted and raised as IndexDamagedError.

        An index replaced meanwhile (rebuilt by another process, which removed the folder this
        searcher reads) is not damage: the new one is opened and ``work`` runs again on it.
        Called with the lock held.
        """
        folder = searcher.live.folder
        try:
            with reading(folder):
                return work(searcher)
        except IndexDamagedError as error:
            current = self.store.current_folder()
            if retry and current is not None and current != folder:
                log.info("search index of %s was replaced while in use; reopening", self.kb.root)
                try:
                    fresh = self._open_searcher()
                except (IndexMissingError, IndexDamagedError) as why:
                    damage = why if isinstance(why, IndexDamagedError) else IndexDamagedError(str(why))
                    self._note_damage(damage, current)
                    raise damage from why
                self._replace(fresh)
                return self._read(fresh, work, retry=False)
            self._note_damage(error, folder)
            raise

    def _note_damage(self, error: IndexDamagedError, folder: Path | None) -> None:
        """Remember the damage, log it, and stop using the damaged searcher."""
        log_damage(log, "search index of %s is damaged (%s); searching the documents until it is rebuilt",
                   self.kb.root, error, error=error)
        with self._lock:
            self._damage = error
            self._damaged_folder = folder
            self._scan_reason = f"index was damaged ({error})"
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def _scanner(self) -> ScanSearcher:
        with self._lock:
            if self._scan is None:
                self._scan = ScanSearcher(self.kb, background=self.scan_in_background)
            return self._scan

    @property
    def scan_loaded(self) -> tuple[int, int]:
        """Return (documents the scan has read, documents to read); (0, 0) when no scan is in use."""
        scan = self._scan
        return scan.loaded if scan is not None else (0, 0)

    def stop_reading(self) -> None:
        """Have the scan take no more documents, read or handed over by a build (Cancel): when this
        returns, ``scan_loaded`` stays as it is until ``read_documents`` or the next build."""
        scan = self._scan
        if scan is not None:
            scan.stop_adding()

    def read_documents(self, cancelled: Cancelled = never, progress: Progress | None = None) -> None:
        """Have the scan read the documents it has not got yet (on the caller's thread), unless the
        index answers; ``cancelled`` stops it within a document, ``progress(held, total)`` is
        called every hundredth of the documents."""
        if self._searcher is None and not self._closed:
            self._scanner().load(progress, cancelled)

    def _open_searcher(self) -> Searcher:
        """Open the live index and a searcher over it; raises IndexMissingError or IndexDamagedError."""
        live = self.store.open()
        try:
            with reading(live.folder):
                if live.index.is_empty():
                    return EmptyIndexSearcher(live)
                started = time.perf_counter()
                searcher = KBSearcher(live, synonyms=self.synonyms.table)
                log.debug("searcher opened in %.1f ms", (time.perf_counter() - started) * 1000)
                return searcher
        except BaseException:
            live.close()
            raise

    @property
    def doc_count(self) -> int:
        """Return the number of indexed documents (0 before the index is open)."""
        return self._searcher.doc_count if self._searcher else 0

    def _replace(self, searcher: Searcher) -> None:
        with self._lock:
            if self._searcher is not None and self._searcher is not searcher:
                self._searcher.close()
            self._searcher = searcher
            self._scan_reason = None
            scan, self._scan = self._scan, None
        if scan is not None:   # the scan's table of a big KB is most of the process's memory
            scan.close()
            del scan
            return_freed_memory()

    def close(self) -> None:
        """Release the searcher (and the scan: ``read_documents`` reads nothing from now on)."""
        with self._lock:
            self._closed = True
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            if self._scan is not None:
                self._scan.close()
                self._scan = None
