"""The KB's search index in the app: open, build or sync it in the background, search, update.

A damaged index found on opening, by the background check of every index file, or by a search
is rebuilt in the background; meanwhile searches are answered by scanning the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from kbstudio.index.indexer import IndexCancelled, IndexChanges
from kbstudio.index.search import SearchOptions, SearchResponse
from kbstudio.index.service import SearchService
from kbstudio.index.store import IndexLockedError, IndexUnwritableError
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.tasks import EXPECTED_ERRORS, TaskFailure, TaskHandle, TaskRunner, alive

# Index failures the machine causes, each with a message saying what to do (another index folder,
# wait for the other writer): logged and shown in the status bar. Anything else is a bug: the
# error dialog too. Damage never gets here: the service rebuilds a damaged index itself.
INDEX_EXPECTED: tuple[type[BaseException], ...] = (*EXPECTED_ERRORS, IndexUnwritableError, IndexLockedError)


class IndexController(QObject):
    """Owns the SearchService and its two workers; shows its state in status-bar widgets."""

    resultsStale = Signal()        # the index changed: searches shown may be out of date
    opened = Signal()              # the existing index was opened (or found missing)
    errorOccurred = Signal(str)
    _damageFound = Signal()        # a search found the index damaged (emitted off the GUI thread)

    def __init__(self, index_dir: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.index_dir = index_dir
        self.service: SearchService | None = None
        self.kb_work = TaskRunner(self, max_threads=1)       # opening, building, updating the index
        self.search_work = TaskRunner(self, max_threads=1)   # searches never wait behind indexing
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self._task: TaskHandle | None = None
        self._rebuild_failed = False   # a rebuild after damage failed: searches don't retry it
        self._damageFound.connect(self._check_damage, Qt.ConnectionType.QueuedConnection)

    @property
    def is_open(self) -> bool:
        """Return True when searches can run."""
        return self.service is not None and self.service.is_open

    def open(self, kb: KnowledgeBase) -> None:
        """Use ``kb``'s index: open what exists at once, then sync or build it with progress."""
        if self.service is not None:
            self.kb_work.run("close index", lambda p, c, s=self.service: s.close())
        # One process: forking worker processes from a Qt worker thread corrupts PySide6's
        # reference counts (seen as crashes after a full build), so the app builds serially.
        service = SearchService(kb, self.index_dir, procs=1)
        self.service = service
        self._rebuild_failed = False
        self.kb_work.run("opening index", lambda p, c: service.open_existing(),
                         on_success=lambda ready: self._opened(service, ready),
                         on_error=self._open_failed)

    def _open_failed(self, failure: TaskFailure) -> None:
        self.opened.emit()
        self.errorOccurred.emit(failure.report(INDEX_EXPECTED))   # logged; a bug also in the error dialog

    def _opened(self, service: SearchService, ready: bool) -> None:
        if service is not self.service:
            return
        self.opened.emit()
        if ready or service.damage is not None:
            self.resultsStale.emit()   # a damaged index: searches scan the documents meanwhile
        self._start_indexing(service, "indexing..." if not ready else "index ready, checking for changes...")

    def _start_indexing(self, service: SearchService, label: str) -> None:
        """Sync the index in the background (checking every index file), or rebuild a damaged one."""
        if service.damage is not None:
            label = "index damaged, rebuilding (searching the documents meanwhile)..."
        self.label.setText(label)
        self.label.setToolTip(f"index was damaged: {service.damage}" if service.damage else "")
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.cancel_button.setVisible(True)
        self._task = self.kb_work.run(
            "indexing", lambda progress, cancelled: service.ensure(progress, cancelled, verify=True),
            on_success=lambda changes: self._indexed(service, changes),
            on_error=lambda failure: self._failed(service, failure), on_progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _indexed(self, service: SearchService, changes: IndexChanges) -> None:
        self._done()
        if service is not self.service:
            return
        if service.damage is not None:   # a search found the index damaged while it synced
            self._start_indexing(service, "")
            return
        what = "rebuilt" if changes.rebuilt else f"{len(changes.added) + len(changes.updated)} updated"
        if changes.damage:
            what = "rebuilt, it was damaged"
        skipped = f"; {len(changes.skipped)} not indexed" if changes.skipped else ""
        self.label.setText(f"index ready ({what}{skipped})")
        notes = ([f"index was damaged: {changes.damage}"] if changes.damage else []) + changes.skipped
        self.label.setToolTip("\n".join(notes))
        self.resultsStale.emit()

    def _failed(self, service: SearchService, failure: TaskFailure) -> None:
        """Indexing failed (never for damage, which the service rebuilds): search by scanning instead.

        The failure is logged; one that is not INDEX_EXPECTED (a bug) opens the error dialog too.
        """
        cancelled = self._task is not None and self._task.cancelled()
        self._done()
        if isinstance(failure.error, IndexCancelled):   # stopped (Cancel, or the window closing)
            cancelled, message = True, failure.message
        else:
            message = failure.report(INDEX_EXPECTED)
        if service is not self.service:
            return
        state = "indexing cancelled" if cancelled else "index unavailable"
        self._rebuild_failed = service.damage is not None
        if not service.is_open:
            service.use_scan(message)   # searches scan the documents instead of failing
            state += " (searching the documents)"
            self.resultsStale.emit()
        self.label.setText(state)
        self.label.setToolTip(message)
        if not cancelled:
            self.errorOccurred.emit(message)

    def _check_damage(self) -> None:
        """Start rebuilding in the background when a search found the index damaged."""
        service = self.service
        if service is not None and service.damage is not None and self._task is None \
                and not self._rebuild_failed:
            self._start_indexing(service, "")

    def _done(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        if self._task is not None and self._task.cancelled():
            self.label.setText("indexing cancelled")
        self._task = None

    def cancel(self) -> None:
        """Stop a running build or sync."""
        if self._task is not None:
            self._task.cancel()
            self.label.setText("cancelling...")

    def search(self, text: str, options: SearchOptions, on_result: Callable[[SearchResponse], None],
               on_error: Callable[[str], None]) -> None:
        """Search off the GUI thread; an empty query answers at once with no results.

        ``on_error`` gets a line to show in place of the results; a search that raised is also
        logged (and a bug shown in the error dialog).
        """
        service = self.service
        if service is None or not text.strip():
            on_result(SearchResponse(text, 0, 0.0, None, {}, []))
            return
        if not (service.is_open or service.damage is not None or service.scanning):
            on_error("The index is being built; results will appear when it is ready.")
            return

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> SearchResponse:
            response = service.search(text, options)
            if service.damage is not None:
                self._damageFound.emit()   # from the search thread; delivered on the GUI thread
            return response

        def failed(failure: TaskFailure) -> None:
            message = failure.report(INDEX_EXPECTED)
            if alive(on_error):
                on_error(message)

        self.search_work.run("search", work, on_success=on_result, on_error=failed)

    def update_paths(self, rel_paths: Iterable[str]) -> None:
        """Re-index files that changed (a save, a pull)."""
        service = self.service
        paths = list(rel_paths)
        if service is not None and (service.is_open or service.damage is not None) and paths:
            self.kb_work.run("index update", lambda p, c: service.update_paths(paths),
                             on_success=lambda _: self._updated(service), on_error=self._work_failed)

    def _updated(self, service: SearchService) -> None:
        self.resultsStale.emit()
        # Merging the small segments of many saves runs after the save, never inside it.
        self.kb_work.run("index compaction", lambda p, c: service.compact(), on_error=self._work_failed)

    def _work_failed(self, failure: TaskFailure) -> None:
        """An update or compaction failed: logged (a bug also in the error dialog) and shown."""
        self.errorOccurred.emit(failure.report(INDEX_EXPECTED))

    def shutdown(self) -> None:
        """Stop work and close the index (the window is closing)."""
        self.kb_work.cancel_all()
        for runner in (self.kb_work, self.search_work):
            runner.wait()
        if self.service is not None:
            self.service.close()
