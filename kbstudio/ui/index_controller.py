"""The KB's search index in the app: open, build or sync it in the background, search, update.

A damaged index found on opening, by the background check of every index file, or by a search
is rebuilt in the background. Whenever the index cannot answer (its first build, that rebuild, a
build that was cancelled or failed) searches are answered by scanning the documents
(``kbstudio.index.scan``): a build hands the scan each document it parses, and from the first
such search on, a worker reads the others (once each, from the last backwards, so that it meets
the build half way). Searches meanwhile answer from the documents read so far and are rerun at
most every ``SCAN_RERUN_MS`` (every ``SCAN_TICK_MS`` while they found nothing), when the documents
read have grown by ``RERUN_GROWTH`` since the search on screen, and once all are read. Cancel
stops the build and that reading within a second; searches then answer from what was read.
``noteChanged`` tells the search panel which answers.
Change records name the documents to index again; whenever the answers may differ (an update, a
build, the scan reading on) the controller publishes a record with ``index`` set.
A cancelled or failed build starts again from a click on the status-bar label, and View > Rebuild
search index builds the index anew whenever asked.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QWidget

from kbstudio.changes import KBChange
from kbstudio.index.indexer import IndexCancelled, IndexChanges
from kbstudio.index.search import SearchOptions, SearchResponse
from kbstudio.index.service import SearchService
from kbstudio.index.store import IndexLockedError, IndexUnwritableError
from kbstudio.kb import KnowledgeBase
from kbstudio.names import spellings
from kbstudio.ui.changes_hub import KBChanges
from kbstudio.ui.tasks import EXPECTED_ERRORS, TaskFailure, TaskHandle, TaskRunner, alive

# Index failures the machine causes, each with a message saying what to do (another index folder,
# wait for the other writer): logged and shown in the status bar. Anything else is a bug: the
# error dialog too. Damage never gets here: the service rebuilds a damaged index itself.
INDEX_EXPECTED: tuple[type[BaseException], ...] = (*EXPECTED_ERRORS, IndexUnwritableError, IndexLockedError)
SCAN_RERUN_MS = 3000   # while the scan reads the documents, results shown are rerun at most this often
SCAN_TICK_MS = 1000    # ... and an empty answer this often: the first results come sooner
# ... and only once the documents read have grown this much since the search on screen ran: on a
# 25,000-document KB about 15 reruns instead of one every 1-2 s, each of which reordered the list.
RERUN_GROWTH = 1.25
# The scan's reader runs at this niceness (Linux) once the scan holds READER_HEAD documents (a
# first answer for any common word): the index build, in worker processes, keeps most of the
# processor, and the reader has it to itself once no build runs.
READER_NICENESS = 10
READER_HEAD = 1000

# Why the documents are scanned, as the search panel says it ("" while the index answers).
WHILE_BUILT = "while the index is built"
WHILE_REBUILT = "while the damaged index is rebuilt"
CANCELLED = "indexing was cancelled"
UNAVAILABLE = "the index is unavailable"


def _give_way() -> None:
    """Lower the calling thread's priority to READER_NICENESS (Linux threads only; else nothing)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):   # already lower, or not allowed: fine either way
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), READER_NICENESS)


class IndexLabel(QLabel):
    """The status bar's index state; a click on it builds the index again when that is offered."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actionable = False

    def set_actionable(self, actionable: bool) -> None:
        """Say whether a click does something (the pointing hand shows it)."""
        self.actionable = actionable
        self.setCursor(Qt.CursorShape.PointingHandCursor if actionable else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.actionable and event.button() == Qt.MouseButton.LeftButton \
                and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class IndexController(QObject):
    """Owns the SearchService and its workers; shows its state in status-bar widgets."""

    resultsStale = Signal()        # the index changed: searches shown may be out of date
    opened = Signal()              # the existing index was opened (or found missing)
    errorOccurred = Signal(str)
    # What answers searches ("" for the index, else the scan and why), and whether the scan is still
    # reading the documents (its answers come from those read so far).
    noteChanged = Signal(str, bool)
    _damageFound = Signal()        # a search found the index damaged (emitted off the GUI thread)

    def __init__(self, index_dir: str | None, hub: KBChanges, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.index_dir = index_dir
        self.hub = hub
        self.service: SearchService | None = None
        self.kb_work = TaskRunner(self, max_threads=1)       # opening, building, updating the index
        self.search_work = TaskRunner(self, max_threads=1)   # searches never wait behind indexing
        self.scan_work = TaskRunner(self, max_threads=1)     # reading the documents for the scan
        self.label = IndexLabel()
        self.label.clicked.connect(self.build)
        self.rebuild_action = QAction("Rebuild search &index", self)
        self.rebuild_action.setToolTip("Build the search index again from every document (with progress "
                                       "and Cancel); searches go on meanwhile")
        self.rebuild_action.setEnabled(False)
        self.rebuild_action.triggered.connect(self.rebuild)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self._task: TaskHandle | None = None
        self._task_kind = ""            # what the running task does: "build", "rebuild" or "sync"
        self._rebuild_failed = False   # a rebuild after damage failed: searches don't retry it
        self._damageFound.connect(self._check_damage, Qt.ConnectionType.QueuedConnection)
        self._why_scan = ""             # why searches scan the documents (see noteChanged)
        self._reader: TaskHandle | None = None        # the scan's reading of every document
        self._reader_for: SearchService | None = None  # ... for this service
        self._read_all = False          # the scan has read every document since scanning began
        self._reading_stopped = False   # Cancel stopped the reading: searches answer from what was read
        self._why_detail = ""           # the failure behind UNAVAILABLE, said whole in the note
        self._answered_read = 0         # documents the scan had read when the search on screen ran
        self._searching = 0             # searches started and not answered yet
        self._rerun = QTimer(self)
        self._rerun.setInterval(SCAN_TICK_MS)
        self._rerun_at = 0.0            # when the last rerun was asked for (time.monotonic())
        self._answered_empty = False    # the scan's answer on screen has no results
        self._rerun.timeout.connect(self._rerun_if_grown)
        self.resultsStale.connect(self._stale)
        self.errorOccurred.connect(hub.status.error)
        hub.kbChanged.connect(self.kb_changed)

    def _stale(self) -> None:
        self.hub.publish(KBChange(index=True))

    def kb_changed(self, change: KBChange) -> None:
        """Index again the documents a change record names (those gone in each spelling they may have)."""
        if change.documents:
            self.update_paths([*change.present, *(form for rel in change.gone for form in spellings(rel))])

    @property
    def is_open(self) -> bool:
        """Return True when searches can run."""
        return self.service is not None and self.service.is_open

    def open(self, kb: KnowledgeBase) -> None:
        """Use ``kb``'s index: open what exists at once, then sync or build it with progress."""
        old = self.service
        if old is not None:
            self.kb_work.run("close index", lambda p, c: old.close())
        # Worker processes are spawned, never forked: forking while Qt's threads run corrupted
        # PySide6's reference counts (seen as crashes after a full build). Searches during a build
        # answer from the documents read so far; the scan never makes a search wait for all.
        service = SearchService(kb, self.index_dir, start_method="spawn", scan_in_background=True)
        self.service = service
        self._rebuild_failed = False
        self._scan_for("")
        self.label.set_actionable(False)
        self.rebuild_action.setEnabled(False)
        self.kb_work.run("opening index", lambda p, c: service.open_existing(),
                         on_success=lambda ready: self._opened(service, ready),
                         on_error=self._open_failed)

    def _open_failed(self, failure: TaskFailure) -> None:
        self.opened.emit()
        message = failure.report(INDEX_EXPECTED)
        self.errorOccurred.emit(message)   # logged; a bug also in the error dialog
        service = self.service
        if service is not None and not service.is_open and self._task is None:
            service.use_scan(message)   # searches scan the documents; a click on the label tries again
            self._scan_for(UNAVAILABLE, message)
            self.label.setText("index unavailable (searching the documents) · click to build the index")
            self.label.setToolTip(message)
            self.label.set_actionable(True)
            self.rebuild_action.setEnabled(True)
            self.resultsStale.emit()

    def _opened(self, service: SearchService, ready: bool) -> None:
        if service is not self.service:
            return
        self.opened.emit()
        self._start_indexing(service, "sync" if ready else "build")
        # A search typed while the index opened runs now: on the index, or (a first build, a
        # damaged index) on the scan of the documents meanwhile.
        self.resultsStale.emit()

    def build(self) -> None:
        """Build the index again after a cancelled or failed build (or check an open one again)."""
        service = self.service
        if service is not None and self._task is None:
            self._rebuild_failed = False
            self._start_indexing(service, "sync" if service.is_open else "build")

    def rebuild(self) -> None:
        """Build the index anew from every document; an open index answers until the new one is in."""
        service = self.service
        if service is not None and self._task is None:
            self._rebuild_failed = False
            self._start_indexing(service, "rebuild" if service.is_open else "build")

    def _start_indexing(self, service: SearchService, kind: str) -> None:
        """Sync the index in the background (checking every index file), build it, or rebuild it.

        ``kind`` is "sync" (an open index), "build" (none that can answer: the documents are
        scanned meanwhile) or "rebuild" (asked for). A damaged index is always rebuilt.
        """
        self._reading_stopped = False
        if service.damage is not None:
            label = "index damaged, rebuilding (searching the documents meanwhile)..."
            self._scan_for(WHILE_REBUILT)
        elif kind == "build":
            label = "building the index (searching the documents meanwhile)..."
            service.use_scan("the index is being built")
            self._scan_for(WHILE_BUILT)
            self._rerun.start()
        else:
            label = "rebuilding the index..." if kind == "rebuild" else "index ready, checking for changes..."
        self.label.setText(label)
        self.label.setToolTip(f"index was damaged: {service.damage}" if service.damage else "")
        self.label.set_actionable(False)
        self.rebuild_action.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.cancel_button.setVisible(True)
        self._task_kind = kind
        self._task = self.kb_work.run(
            "indexing",
            lambda progress, cancelled: service.ensure(progress, cancelled, rebuild=kind == "rebuild",
                                                       verify=True),
            on_success=lambda changes: self._indexed(service, changes),
            on_error=lambda failure: self._failed(service, failure), on_progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _indexed(self, service: SearchService, changes: IndexChanges) -> None:
        kind = self._task_kind
        self._done()
        if service is not self.service:
            return
        if service.damage is not None:   # a search found the index damaged while it synced
            self._start_indexing(service, "build")
            return
        what = f"{len(changes.added) + len(changes.updated)} updated"
        if changes.damage:
            what = "rebuilt, it was damaged"
        elif changes.rebuilt:
            what = "built" if kind == "build" else "rebuilt"   # "built": there was no index before
        skipped = f"; {len(changes.skipped)} not indexed" if changes.skipped else ""
        self.label.setText(f"index ready ({what}{skipped})")
        notes = ([f"index was damaged: {changes.damage}"] if changes.damage else []) + changes.skipped
        if changes.resumed:
            notes.insert(0, f"Went on with the build that was stopped: {changes.resumed:,} of the "
                            f"{changes.documents:,} documents were indexed before.")
        elif changes.not_resumed:
            notes.insert(0, f"Built from the start: {changes.not_resumed}.")
        self.label.setToolTip("\n".join(notes))
        if service.is_open:
            self._scan_for("")
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
            self._scan_for(CANCELLED, "") if cancelled else self._scan_for(UNAVAILABLE, message)
            state += " (searching the documents) · click to build the index"
            self.resultsStale.emit()
        else:
            state += " · click to check the index again"
        self.label.setText(state)
        self.label.setToolTip(f"{message}\nClick to start again (View > Rebuild search index builds it anew)")
        self.label.set_actionable(True)
        if not cancelled:
            self.errorOccurred.emit(message)

    def _check_damage(self) -> None:
        """Start rebuilding in the background when a search found the index damaged; the search on
        screen runs again, so that the scan reads the documents (it answered from none)."""
        service = self.service
        if service is not None and service.damage is not None and self._task is None \
                and not self._rebuild_failed:
            self._start_indexing(service, "build")
            self.resultsStale.emit()

    def _done(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        if self._task is not None and self._task.cancelled():
            self.label.setText("indexing cancelled")
        self._task = None
        self._task_kind = ""
        self.rebuild_action.setEnabled(True)

    def cancel(self) -> None:
        """Stop a running build or sync, and the scan's reading of the documents with it."""
        if self._task is not None:
            self._task.cancel()
            self.label.setText("cancelling...")
        service = self.service
        if service is not None and not service.is_open:
            service.stop_reading()   # the documents read so far are all there are from now on
            self._reading_stopped = True
        if self._reader is not None:
            self._reader.cancel()
            self._documents_read(self._reader_for, stopped=True)

    def search(self, text: str, options: SearchOptions, on_result: Callable[[SearchResponse], None],
               on_error: Callable[[str], None]) -> None:
        """Search off the GUI thread; an empty query answers at once with no results.

        ``on_error`` gets a line to show in place of the results; a search that raised is also
        logged (and a bug shown in the error dialog).
        """
        service = self.service
        if service is None:
            on_error("Open a knowledge base to search it.")
            return
        if not text.strip():
            on_result(SearchResponse(text, 0, 0.0, None, {}, []))
            return
        if not (service.is_open or service.damage is not None or service.scanning):
            on_error("Opening the search index...")   # a moment: then the index, or a scan, answers
            return
        if not service.is_open:
            self._read_documents(service)

        def work(progress: Callable[[int, int], None],
                 cancelled: Callable[[], bool]) -> tuple[SearchResponse, bool, int]:
            read = service.scan_loaded[0]
            response = service.search(text, options)
            if service.damage is not None:
                self._damageFound.emit()   # from the search thread; delivered on the GUI thread
            return response, not service.is_open, read

        def answered(result: tuple[SearchResponse, bool, int]) -> None:
            response, scanned, read = result
            self._searching -= 1
            self._answered_read = read if scanned else 0
            self._answered_empty = scanned and not response.results
            self.noteChanged.emit(self.scan_note() if scanned else "", scanned and self._partial(service))
            if alive(on_result):
                on_result(response)

        def failed(failure: TaskFailure) -> None:
            self._searching -= 1
            message = failure.report(INDEX_EXPECTED)
            if alive(on_error):
                on_error(message)

        self._searching += 1
        self.search_work.run("search", work, on_success=answered, on_error=failed)

    def scan_note(self) -> str:
        """Return what the search panel says while the scan answers: the documents, and why."""
        service = self.service
        why = self._why_scan or "the index cannot answer"
        if why == UNAVAILABLE and self._why_detail:
            why += f" ({self._why_detail})"
        read, total = service.scan_loaded if service is not None else (0, 0)
        if self._reading_stopped and service is not None and read < total:
            return f"Searching the {read:,} of {total:,} documents read before {why}"
        what = "Searching the documents"
        if service is not None and self._partial(service):
            what += " read so far"
        return f"{what} {why}" if why.startswith("while") else f"{what}: {why}"

    def _reading(self, service: SearchService) -> bool:
        """Return True while the scan of ``service`` is reading the documents."""
        return self._reader is not None and self._reader_for is service

    def _partial(self, service: SearchService) -> bool:
        """Return True while the scan's answers come from some of the documents only."""
        read, total = service.scan_loaded
        return self._reading(service) or (not self._read_all and read < total)

    def _scan_for(self, why: str, detail: str = "") -> None:
        """Note why searches scan the documents from now on ("": they don't); the scan reads anew.

        ``detail`` is the failure behind UNAVAILABLE, said whole in the search panel's note (the
        status bar cuts a long line off).
        """
        self._why_scan = why
        self._why_detail = detail
        self._read_all = False
        if not why:
            self._rerun.stop()
        service = self.service
        self.noteChanged.emit(self.scan_note() if why else "",
                              bool(why) and service is not None and self._partial(service))

    def _read_documents(self, service: SearchService) -> None:
        """Have the scan read the documents on its own worker, once, unless Cancel stopped that.

        Searches meanwhile answer from the documents read so far (see ``kbstudio.index.scan``).
        After Cancel a search reads only when nothing was read at all: it could not answer else.
        """
        if self._reader is not None and self._reader_for is service:
            return
        if self._read_all or (self._reading_stopped and service.scan_loaded[0] > 0):
            return

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> None:
            head = [True]

            def held(done: int, total: int) -> None:
                if head and done >= READER_HEAD:
                    head.clear()
                    _give_way()

            if not service.is_open:
                service.read_documents(cancelled, held)

        self._reader_for = service
        self._reader = self.scan_work.run("reading the documents", work,
                                          on_success=lambda _: self._documents_read(service),
                                          on_error=lambda failure: self._documents_read(service, failure))
        self._rerun.start()

    def _documents_read(self, service: SearchService | None, failure: TaskFailure | None = None,
                        stopped: bool = False) -> None:
        if self._reader_for is service:
            self._reader = self._reader_for = None
            if self._task is None or stopped:
                self._rerun.stop()
        if failure is not None:
            self.errorOccurred.emit(failure.report(INDEX_EXPECTED))
            return
        if service is not None and service is self.service and not service.is_open and self._why_scan:
            read, total = service.scan_loaded
            self._read_all = not stopped and read >= total
            self.noteChanged.emit(self.scan_note(), self._partial(service))
            if not stopped:
                self.resultsStale.emit()   # the search on screen, from every document

    def _rerun_if_grown(self) -> None:
        """Rerun the search on screen when the scan has read notably more since it ran (see
        RERUN_GROWTH), at most every SCAN_RERUN_MS (every tick while it found nothing)."""
        service = self.service
        if service is None or service.is_open or not self._why_scan:
            self._rerun.stop()
            return
        read, total = service.scan_loaded
        if self._searching:   # the answer on its way says how many were read when it ran
            return
        now = time.monotonic()
        if not self._answered_empty and now - self._rerun_at < SCAN_RERUN_MS / 1000:
            return
        if read >= total > self._answered_read or read >= max(1, self._answered_read) * RERUN_GROWTH:
            self._rerun_at = now
            self.resultsStale.emit()

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
        self._rerun.stop()
        self.kb_work.cancel_all()
        self.scan_work.cancel_all()
        for runner in (self.kb_work, self.search_work):
            runner.wait()
        service, self.service = self.service, None   # a late signal finds no service to work on
        if service is not None:
            service.close()   # also stops the scan reading the documents
        self.scan_work.wait()
