"""One KB's search service: open (building or syncing as needed), search, update after saves."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from kbstudio.index.indexer import Cancelled, IndexChanges, Indexer, Progress, never
from kbstudio.index.search import KBSearcher, SearchOptions, SearchResponse
from kbstudio.index.store import IndexMissingError, IndexStore, index_base_dir
from kbstudio.kb import KnowledgeBase


class SearchService:
    """Keeps a KB's index and a searcher over it."""

    def __init__(self, kb: KnowledgeBase, index_dir: str | Path | None = None,
                 lock_timeout: float = 10.0, procs: int | None = None) -> None:
        self.kb = kb
        self.store = IndexStore(kb.root, index_base_dir(index_dir))
        self.indexer = Indexer(kb, self.store, lock_timeout=lock_timeout, procs=procs)
        self._searcher: KBSearcher | None = None
        # The app searches on one thread while indexing runs on another: swapping or refreshing
        # the searcher waits for a running search instead of closing it underneath.
        self._lock = threading.RLock()

    @property
    def is_open(self) -> bool:
        """Return True when a searcher is ready."""
        return self._searcher is not None

    def open_existing(self) -> bool:
        """Open the index as it is, without reading any document; False when there is none."""
        try:
            self._replace(KBSearcher(self.store.open()))
        except IndexMissingError:
            return False
        except Exception:  # noqa: BLE001 - a damaged segment file: treat as no usable index
            return False
        return True

    def ensure(self, progress: Progress | None = None, cancelled: Cancelled = never,
               rebuild: bool = False) -> IndexChanges:
        """Build (when missing, outdated, damaged or asked to) or sync the index, then open it."""
        if rebuild:
            changes = self.indexer.rebuild(progress, cancelled, reason="rebuild requested")
        else:
            changes = self.indexer.sync(progress, cancelled)
        try:
            searcher = KBSearcher(self.store.open())
        except Exception as error:  # noqa: BLE001 - damaged segment files found on opening
            changes = self.indexer.rebuild(progress, cancelled, reason=f"index is damaged: {error}")
            searcher = KBSearcher(self.store.open())
        self._replace(searcher)
        return changes

    def update_paths(self, rel_paths: Iterable[str]) -> IndexChanges:
        """Re-index changed files (after a save or a pull) and refresh the searcher."""
        changes = self.indexer.update_paths(rel_paths)
        if changes.rebuilt or self._searcher is None:
            self._replace(KBSearcher(self.store.open()))
        else:
            with self._lock:
                self._searcher.refresh()
        return changes

    def compact(self) -> bool:
        """Merge the small segments left by saves (background housekeeping); True when it did."""
        if not self.indexer.compact():
            return False
        if self._searcher is not None:
            with self._lock:
                self._searcher.refresh()
        return True

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResponse:
        """Search; builds the index first when there is none yet."""
        if self._searcher is None and not self.open_existing():
            self.ensure()
        with self._lock:
            assert self._searcher is not None
            return self._searcher.search(text, options)

    @property
    def doc_count(self) -> int:
        """Return the number of indexed documents (0 before the index is open)."""
        return self._searcher.doc_count if self._searcher else 0

    def _replace(self, searcher: KBSearcher) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = searcher

    def close(self) -> None:
        """Release the searcher."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
