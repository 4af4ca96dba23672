"""KB files that are no documents but change what the app shows, followed on disk (the synonyms file).

A change record naming such a file is published once for each change of its content, however it
came: a save in the app, a pull, or another program (an editor, ``git checkout``). Every way in ends
in ``check()``, which compares the file's bytes with those last reported, so a save that the watcher
also sees is reported once, and a file touched without a change not at all. The records of the app's
own changes reach ``kb_changed``, which takes the files they name as seen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from kbstudio.changes import KBChange
from kbstudio.reader import content_hash
from kbstudio.ui.changes_hub import KBChanges

SETTLE_MS = 150   # an editor's or git's write of one file is several events: check once they settle


def _file_hash(path: Path) -> str | None:
    try:
        return content_hash(path.read_bytes())
    except OSError:   # missing, or a folder where the file should be: no file to use
        return None


class KbFileWatcher(QObject):
    """Watches a few KB-relative files (and the folders they appear in) of the open KB."""

    def __init__(self, rel_paths: Sequence[str], hub: KBChanges, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rel_paths = tuple(rel_paths)
        self.hub = hub
        self.root: Path | None = None
        self._seen: dict[str, str | None] = {}
        self.watcher = QFileSystemWatcher(self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.check)
        self.watcher.fileChanged.connect(lambda _: self.timer.start())
        self.watcher.directoryChanged.connect(lambda _: self.timer.start())
        hub.kbChanged.connect(self.kb_changed)

    def open_kb(self, root: Path) -> None:
        """Follow the files of the KB at ``root``, as they are now."""
        self.root = Path(root)
        self._seen = {rel: _file_hash(self.root / rel) for rel in self.rel_paths}
        self._rewatch()

    def kb_changed(self, change: KBChange) -> None:
        """Take in a change record (a save, a pull): every view heard of the followed files it names,
        so they are taken as they are now without another record."""
        named = [rel for rel in self.rel_paths if rel in change.files]
        if self.root is not None and named:
            for rel in named:
                self._seen[rel] = _file_hash(self.root / rel)
            self._rewatch()

    def check(self, rel_paths: Sequence[str] | None = None) -> list[str]:
        """Publish a record of the followed files (of ``rel_paths``) whose content changed; return them."""
        if self.root is None:
            return []
        wanted = self.rel_paths if rel_paths is None else [rel for rel in rel_paths if rel in self.rel_paths]
        found = []
        for rel in wanted:
            digest = _file_hash(self.root / rel)
            if digest != self._seen.get(rel):
                self._seen[rel] = digest
                found.append(rel)
        self._rewatch()   # a file replaced by rename (a safe save, git) drops its watch
        if found:
            self.hub.publish(KBChange.of(changed=found))
        return found

    def _rewatch(self) -> None:
        """Watch each file that exists, and the nearest folder that exists above each one."""
        assert self.root is not None
        wanted: set[str] = set()
        for rel in self.rel_paths:
            path = self.root / rel
            if path.is_file():
                wanted.add(str(path))
            folder = path.parent
            while not folder.is_dir() and folder != self.root and self.root in folder.parents:
                folder = folder.parent
            if folder.is_dir():
                wanted.add(str(folder))
        # Files are watched afresh each time: a watch may be gone while the path is still listed.
        current = set(self.watcher.files()) | set(self.watcher.directories())
        for stale in current - (wanted - set(self.watcher.files())):
            self.watcher.removePath(stale)
        current = set(self.watcher.files()) | set(self.watcher.directories())
        for watched in sorted(wanted - current):
            with contextlib.suppress(RuntimeError):
                self.watcher.addPath(watched)

    def stop(self) -> None:
        """Stop following (no KB)."""
        self.root = None
        self.timer.stop()
        paths = self.watcher.files() + self.watcher.directories()
        if paths:
            self.watcher.removePaths(paths)
