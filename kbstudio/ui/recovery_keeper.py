"""Writes the unsaved text of open tabs to the recovery folder every few seconds, and offers it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from kbstudio.recovery import RecoveredText, RecoveryStore
from kbstudio.textformat import TextFormat
from kbstudio.ui.changes_hub import KBChanges
from kbstudio.ui.status_line import StatusLine

if TYPE_CHECKING:
    from kbstudio.ui.document_tabs import DocumentTabs

RECOVERY_INTERVAL_MS = 3000


class RecoveryKeeper(QObject):
    """Keeps a recovery copy of every tab with unsaved edits; forgets it once saved or dropped."""

    def __init__(self, hub: KBChanges, store: RecoveryStore, tabs: DocumentTabs, status: StatusLine,
                 dialog_parent: QWidget, interval_ms: int = RECOVERY_INTERVAL_MS) -> None:
        super().__init__(dialog_parent)
        self.hub = hub
        self.store = store
        self.tabs = tabs
        self.status = status
        self.dialog_parent = dialog_parent
        self._written: dict[str, str] = {}   # rel_path -> text last written
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.write_now)
        self.timer.start()

    def write_now(self) -> int:
        """Write the tabs whose unsaved text changed since the last write; return how many."""
        written = 0
        for tab in self.tabs.editor_tabs():
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

    # Offering the text back -----------------------------------------------------------------------

    def offer(self) -> None:
        """Offer back what an earlier run left unsaved (once the KB's documents are read)."""
        left_over = self.left_over()
        if not left_over:
            return
        if self.ask_to_restore(left_over):
            self.restore(left_over)
        else:
            for entry in left_over:
                self.forget(entry.rel_path)

    def ask_to_restore(self, entries: list[RecoveredText]) -> bool:
        """Ask whether to bring back text left unsaved when KB Studio last stopped."""
        names = "\n".join(f"  {entry.rel_path}" for entry in entries[:10])
        more = f"\n  and {len(entries) - 10} more" if len(entries) > 10 else ""
        answer = QMessageBox.question(
            self.dialog_parent, "Recover unsaved changes",
            f"KB Studio stopped without saving changes to {len(entries)} document(s):\n"
            f"{names}{more}\n\nRestore them? They open as unsaved edits for you to review and save.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard)
        return answer == QMessageBox.StandardButton.Yes

    def restore(self, entries: list[RecoveredText]) -> None:
        """Open each recovered text as unsaved edits of its document."""
        kb = self.hub.kb
        if kb is None:
            return
        for entry in entries:
            path = kb.root / entry.rel_path
            if not path.resolve().is_relative_to(kb.root):
                self.status.error(f"Not restored: {entry.rel_path} is outside the knowledge base")
                continue
            if not path.exists():
                # The file went away (deleted or renamed meanwhile): bring it back rather than lose text.
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    saved = kb.save(path, TextFormat.to_editor(entry.text), None,
                                    entry.text_format or TextFormat())
                except OSError as error:
                    self.status.error(f"Could not restore {entry.rel_path}: {error}")
                    continue
                self.hub.publish(saved.change)
            tab = self.tabs.open_document(entry.rel_path, edit=True)
            if tab is not None and tab.text != TextFormat.to_editor(entry.text):
                tab.restore_text(entry.text, entry.base_hash, entry.text_format)
        self.status.show(f"Restored unsaved changes to {len(entries)} document(s)", 8000)
