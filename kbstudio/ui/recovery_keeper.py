"""Writes the unsaved text of open tabs to the recovery folder every few seconds."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from kbstudio.recovery import RecoveredText, RecoveryStore
from kbstudio.ui.document_tab import DocumentTab

RECOVERY_INTERVAL_MS = 3000


class RecoveryKeeper(QObject):
    """Keeps a recovery copy of every tab with unsaved edits; forgets it once saved or dropped."""

    def __init__(self, store: RecoveryStore, open_tabs: Callable[[], list[DocumentTab]],
                 parent: QObject | None = None, interval_ms: int = RECOVERY_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.store = store
        self.open_tabs = open_tabs
        self._written: dict[str, str] = {}   # rel_path -> text last written
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.write_now)
        self.timer.start()

    def write_now(self) -> int:
        """Write the tabs whose unsaved text changed since the last write; return how many."""
        written = 0
        for tab in self.open_tabs():
            text = tab.recoverable_text()   # with form fields still being typed in
            if not tab.dirty:
                if tab.rel_path in self._written:
                    self.forget(tab.rel_path)
                continue
            if self._written.get(tab.rel_path) == text:
                continue
            try:
                self.store.save(tab.rel_path, text, tab.loaded_hash, tab.text_format)
            except OSError:
                continue  # a full or read-only state folder must not disturb typing
            self._written[tab.rel_path] = text
            written += 1
        return written

    def forget(self, rel_path: str) -> None:
        """Drop the recovery copy of ``rel_path``."""
        self._written.pop(rel_path, None)
        try:
            self.store.discard(rel_path)
        except OSError:
            pass

    def left_over(self) -> list[RecoveredText]:
        """Return recovery copies from an earlier run that ended without saving."""
        return [entry for entry in self.store.entries() if entry.rel_path not in self._written]

    def stop(self) -> None:
        """Stop writing (the KB is being closed)."""
        self.timer.stop()
