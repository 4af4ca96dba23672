"""The one signal that carries every change of the open KB, sent once its documents took it in.

After Anki's ``CollectionOp`` / ``operation_did_execute`` (ankitects/anki ``qt/aqt/operations``): core
operations return a ``KBChange``; whoever ran one gives it to ``KBChanges.publish``; the hub brings
the app's one ``DocumentSet`` up to date (reading the files the record names) and then emits
``kbChanged`` with the record. The library, search results, open tabs, Health, the status bar and
the dashboard each connect to that signal once and refresh from the record alone.

Records are emitted in the order they were published: one that names many files is read on the
loading worker, and those published meanwhile wait for it.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kbstudio.changes import KBChange
from kbstudio.docset import DocumentSet, read_changed
from kbstudio.kb import KnowledgeBase
from kbstudio.model import DocumentInfo
from kbstudio.ui.tasks import TaskFailure, TaskRunner

if TYPE_CHECKING:
    from kbstudio.ui.status_line import StatusLine

# Changed files read on the GUI thread (about half a millisecond each, measured on the demo KB);
# a pull of more is read on the loading worker so the window never stalls.
READ_IN_PLACE_LIMIT = 20


class KBChanges(QObject):
    """The open KB, its documents, and the one ``kbChanged`` signal every view refreshes from."""

    kbChanged = Signal(object)   # KBChange

    def __init__(self, documents: DocumentSet, runner: TaskRunner, status: StatusLine,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kb: KnowledgeBase | None = None
        self.documents = documents
        self.runner = runner      # the loading worker: reads the files of a big record
        self.status = status      # where a failed read is reported
        self.loaded = False       # the open KB's documents were read
        self._queue: deque[KBChange] = deque()
        self._emitting = False    # a record is being emitted: one published by a view waits its turn
        self._reading = False     # a big record's files are read on the worker: the rest waits
        self._early: list[KBChange] = []   # records published while the documents were being read

    @property
    def reading(self) -> bool:
        """Return True while a big record's files are read (and records wait)."""
        return self._reading

    def open_kb(self, kb: KnowledgeBase) -> None:
        """Follow ``kb`` from now on: no documents until ``load`` brings them."""
        self.kb = kb
        self.loaded = False
        self.documents.replace(())
        self._queue.clear()
        self._early = []

    def load(self, kb: KnowledgeBase, documents: list[DocumentInfo]) -> None:
        """Take in every document of ``kb`` as read, and tell every view (``reloaded``)."""
        if kb is not self.kb:
            return
        self.documents.replace(documents)
        self.loaded = True
        early, self._early = self._early, []
        for change in early:   # the read may have seen a file before a save made meanwhile
            self.documents.apply(read_changed(kb, change))
        self.publish(KBChange(reloaded=True))

    def publish(self, change: KBChange) -> None:
        """Bring the documents up to date with ``change``, then emit ``kbChanged(change)``.

        A record that names no document is emitted at once (after those waiting); one that names
        up to READ_IN_PLACE_LIMIT documents is read here, a bigger one on the loading worker.
        """
        if change:
            self._queue.append(change)
            self._drain()

    def _drain(self) -> None:
        if self._emitting or self._reading:
            return
        self._emitting = True
        try:
            while self._queue and not self._reading:
                change = self._queue.popleft()
                kb = self.kb
                if kb is not None and change.documents:
                    if not self.loaded:
                        self._early.append(change)
                    elif len(change.documents) > READ_IN_PLACE_LIMIT:
                        self._read_on_worker(kb, change)
                        break
                    else:
                        self.documents.apply(read_changed(kb, change))
                self.kbChanged.emit(change)
        finally:
            self._emitting = False

    def _read_on_worker(self, kb: KnowledgeBase, change: KBChange) -> None:
        self._reading = True
        self.runner.run("reading changed files", lambda p, c: read_changed(kb, change),
                        on_success=lambda found: self._read(kb, change, found), on_error=self._read_failed)

    def _read(self, kb: KnowledgeBase, change: KBChange, found: dict[str, list[DocumentInfo]]) -> None:
        self._reading = False
        if kb is self.kb:
            self.documents.apply(found)
            self._emitting = True
            try:
                self.kbChanged.emit(change)
            finally:
                self._emitting = False
        self._drain()

    def _read_failed(self, failure: TaskFailure) -> None:
        """Reading a record's files failed: report it (a bug also in the error dialog); go on."""
        self._reading = False
        self.status.error(failure)
        self._drain()
