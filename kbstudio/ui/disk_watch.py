"""Changes other programs make to the open KB's documents, found on disk and published as records.

Three things make ``DiskWatcher`` look: a folder of the KB changed (a file came, went or was
replaced: what an editor's safe save, ``git checkout`` or a file manager does), a file open in a
tab changed (an editor writing in place), and the app becoming active again (whatever was done in
another program meanwhile; Qt's folder watch does not see a file written in place). It then
compares the documents' stamps on disk with those it holds (``kbstudio.disk_state``) on its own
worker, so a scan never waits behind a content check, and publishes what differs through the hub.
The app's own changes reach it as records too, and are stamped again, so they are never taken for
another program's; while the app itself writes on a worker (a pull, a review step, a restore: see
``wait_for``) or reads a big record's files, it waits, and looks once that work has published its
record.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from kbstudio.changes import KBChange
from kbstudio.disk_state import Stamp, compare, in_folders, restamp, snapshot
from kbstudio.kb import KnowledgeBase
from kbstudio.loop.logfiles import FLAGS, folder_rel
from kbstudio.names import shown_name
from kbstudio.ui.changes_hub import KBChanges
from kbstudio.ui.tasks import TaskFailure, TaskRunner

SETTLE_MS = 300          # an editor's or git's write is several events: look once they settle
RETRY_MS = 100           # a file replaced by delete-then-write is looked for again this often ...
RETRY_ATTEMPTS = 20      # ... this many times
# Folder watches are inotify watches on Linux (a per-user limit, often 8192); a KB with more folders
# is watched at its top folders only and looked at again whenever the app is activated.
MAX_FOLDER_WATCHES = 4000


# Files that are no documents yet are looked at like them: the knowledge loop's flag logs, which
# Health's flag-open rule reads (a flag recorded by ``kbstudio flag`` or pulled sets ``health``
# through ``KBChange.of``).
WATCHED_FILES: tuple[str, ...] = (folder_rel(FLAGS),)


def _extra_folders(kb: KnowledgeBase) -> list[Path]:
    return [kb.root / folder for folder in WATCHED_FILES if (kb.root / folder).is_dir()]


class DiskWatcher(QObject):
    """Watches the open KB's folders and the files open in tabs; publishes what others changed."""

    def __init__(self, hub: KBChanges, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.kb: KnowledgeBase | None = None
        self.stamps: dict[str, Stamp] | None = None   # None until the first look at the KB
        self.runner = TaskRunner(self, max_threads=1)
        self.watcher = QFileSystemWatcher(self)
        self._files: set[str] = set()     # files of open tabs, watched as files
        self._scanning = False
        self._again = False               # something happened while a scan ran: look once more
        self._touched: set[str] = set()   # documents the app changed while a scan ran
        self._writing: set[int] = set()   # ids of the app's own writers busy right now
        self._waiting: set[str] = set()   # files that changed while the app wrote; looked at after
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.scan)
        self.watcher.directoryChanged.connect(lambda _: self.timer.start())
        self.watcher.fileChanged.connect(self.file_changed)
        hub.kbChanged.connect(self.kb_changed)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._application_state)

    def wait_for(self, writer: TaskRunner) -> None:
        """Look at nothing while ``writer`` (the git worker) runs: what it writes comes as its own record."""
        key = id(writer)
        writer.busyChanged.connect(lambda busy: self._writer_busy(key, busy))

    def _writer_busy(self, key: int, busy: bool) -> None:
        if busy:
            self._writing.add(key)
        else:
            self._writing.discard(key)
            self._resume()

    def _paused(self) -> bool:
        return bool(self._writing) or self.hub.reading

    def _resume(self) -> None:
        """Look at what changed while the app wrote (its record is published by now)."""
        if self._paused():
            return
        waiting, self._waiting = sorted(self._waiting), set()
        for path in waiting:
            self.file_changed(path)
        if self._again:
            self.timer.start()

    def open_kb(self, kb: KnowledgeBase) -> None:
        """Follow ``kb``: its documents are stamped (the baseline) and its folders watched once the
        app has read them (the ``reloaded`` record), so opening a big KB does not wait for it."""
        self.kb = kb
        self.stamps = None
        self._touched.clear()
        paths = self.watcher.files() + self.watcher.directories()
        if paths:
            self.watcher.removePaths(paths)
        self._files.clear()

    def watch(self, path: Path) -> None:
        """Watch a file opened in a tab (one that does not exist yet is watched after its first save)."""
        if path.exists() and str(path) not in self.watcher.files():
            self.watcher.addPath(str(path))
            self._files.add(str(path))

    def forget(self, path: Path) -> None:
        """Stop watching a closed tab's file."""
        self._files.discard(str(path))
        if str(path) in self.watcher.files():
            self.watcher.removePath(str(path))

    # Looking --------------------------------------------------------------------------------

    def file_changed(self, path: str) -> None:
        """A watched file changed: publish it at once when its stamp differs from the one held."""
        kb = self.kb
        if kb is None or not Path(path).is_relative_to(kb.root):
            return
        if self._paused():
            self._waiting.add(path)
            return
        if not Path(path).exists():
            # Replaced by delete-then-write (git checkout): the new file is not there yet and the
            # watch is gone. Look again shortly, or the tab would stop following the file.
            self._retry(path, RETRY_ATTEMPTS)
            return
        if path in self._files:
            self.watcher.addPath(path)   # editors that replace files drop the watch
        rel = kb.rel_path(Path(path))
        if self.stamps is None:
            return
        before = dict(self.stamps)
        restamp(kb, self.stamps, [rel], WATCHED_FILES)
        change = compare({rel: before[rel]} if rel in before else {},
                         {rel: self.stamps[rel]} if rel in self.stamps else {})
        if not change and rel not in self.stamps:   # a KB file that is no document (synonyms)
            change = KBChange.of(changed=[rel])
        self._found(change)

    def _retry(self, path: str, attempts: int) -> None:
        def again() -> None:
            if Path(path).exists():
                self.file_changed(path)
            elif attempts > 1:
                self._retry(path, attempts - 1)
            else:
                self.timer.start()   # gone for good: the folder scan names it removed

        QTimer.singleShot(RETRY_MS, again)

    def _application_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.timer.start()

    def scan(self) -> None:
        """Stamp every document on the worker; publish what differs from the stamps held."""
        kb = self.kb
        if kb is None:
            return
        if self._scanning or self._paused():
            self._again = True
            return
        self._scanning, self._again = True, False
        self._touched.clear()
        self.runner.run("looking for changes on disk",
                        lambda p, c: (snapshot(kb, WATCHED_FILES), [*kb.iter_folders(), *_extra_folders(kb)]),
                        on_success=lambda found: self._scanned(kb, *found),
                        on_error=lambda failure: self._failed(kb, failure))

    def _scanned(self, kb: KnowledgeBase, stamps: dict[str, Stamp], folders: list[Path]) -> None:
        self._scanning = False
        if kb is not self.kb:
            return
        if self.stamps is not None and self._paused():   # the app began writing meanwhile: look after
            self._again = True
            return
        # The app changed these after the worker stamped them.
        restamp(kb, stamps, self._touched, WATCHED_FILES)
        self._touched.clear()
        known, self.stamps = self.stamps, stamps
        self._watch_folders(folders)
        if known is not None:
            self._found(compare(known, stamps))
        if self._again:
            self.scan()

    def _found(self, change: KBChange) -> None:
        """Publish a change another program made, and say so in the status bar."""
        if not change:
            return
        names = [shown_name(rel) for rel in sorted(change.paths)]   # never a raw newline or RLO
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        self.hub.status.show(f"Changed outside KB Studio: {', '.join(names[:3])}{more}", 8000)
        self.hub.publish(change)

    def _failed(self, kb: KnowledgeBase, failure: TaskFailure) -> None:
        self._scanning = False
        if kb is self.kb:
            self.hub.status.error(failure)

    def _watch_folders(self, folders: list[Path]) -> None:
        wanted = {str(folder) for folder in folders[:MAX_FOLDER_WATCHES]}
        current = set(self.watcher.directories())
        stale = sorted(current - wanted)
        if stale:
            self.watcher.removePaths(stale)
        new = sorted(wanted - current)
        if new:
            self.watcher.addPaths(new)

    def kb_changed(self, change: KBChange) -> None:
        """Stamp the documents a record names again, so the next look takes none of them for new."""
        if change.reloaded and self.kb is not None:
            self.scan()   # the baseline: the documents as the app has just read them
        if not self.hub.reading:
            self._resume()
        own = change.documents | {rel for rel in change.files if in_folders(rel, WATCHED_FILES)}
        if self.kb is None or self.stamps is None or not own:
            return
        restamp(self.kb, self.stamps, own, WATCHED_FILES)
        if self._scanning:
            self._touched |= own
        if change.documents_listed:
            self.timer.start()   # a new folder may hold documents now: watch it

    def shutdown(self) -> None:
        """Stop looking (the window is closing)."""
        self.kb = None
        self.timer.stop()
        self.runner.cancel_all()
        self.runner.wait()
