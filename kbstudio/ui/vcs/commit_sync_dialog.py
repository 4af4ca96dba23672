"""Sync with saved changes not committed yet: commit them with a message, then sync (as Obsidian Git does)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from kbstudio.vcs.commit import FileStatus, suggest_message

VERBS = {"sync": ("Commit and sync", "sync"), "pull": ("Commit and pull", "pull")}


class CommitAndSyncDialog(QDialog):
    """Lists the saved changes a sync found uncommitted and asks for a commit message."""

    commitRequested = Signal(str, str)   # operation (sync or pull), the commit message

    def __init__(self, operation: str, paths: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operation = operation if operation in VERBS else "sync"
        action, verb = VERBS[self.operation]
        self.setWindowTitle(action)
        count = len(paths)
        intro = QLabel(f"You have {count} saved change{'s' if count != 1 else ''} not committed yet. "
                       f"To {verb}, KB Studio commits {'them' if count != 1 else 'it'} first, with this "
                       "message:")
        intro.setWordWrap(True)
        self.files = QListWidget()
        self.files.addItems(paths)
        self.files.setMaximumHeight(140)
        self.message = QLineEdit(suggest_message([FileStatus(path, "M") for path in paths]) if paths else "")
        self.message.setPlaceholderText("What changed, in a few words")
        self.message.selectAll()
        note = QLabel("Unsaved edits in open tabs are not included: save them first.")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.commit_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)           # Enter commits; it never cancels
        self.commit_button.setDefault(True)
        self.resize(640, 380)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.files)
        layout.addWidget(self.message)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._commit)
        self.buttons.rejected.connect(self.reject)
        self.message.textChanged.connect(lambda text: self.commit_button.setEnabled(bool(text.strip())))
        self.message.returnPressed.connect(self._commit)
        self.message.setFocus()

    def _commit(self) -> None:
        message = self.message.text().strip()
        if not message:
            return
        self.commitRequested.emit(self.operation, message)
        self.accept()
