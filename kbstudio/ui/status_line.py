"""The status bar: the open KB, how many documents it has, the role; messages and errors.

It refreshes its count from the change record alone (``kb_changed``) and is where every part of
the window shows a line (``show``) or a failure (``error``: logged first, a bug also in the error
dialog; see ``kbstudio.ui.tasks.TaskFailure.report``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from kbstudio.changes import KBChange
from kbstudio.ui.tasks import TaskFailure

MESSAGE_MS = 6000   # how long a line stays
ERROR_MS = 10000    # ... and a failure, which takes longer to read


class StatusLine(QObject):
    """The window's status bar and its labels; ``documents`` is the app's one set of documents."""

    def __init__(self, bar: QStatusBar, documents: Mapping[str, object],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.documents = documents
        self.kb_label = QLabel()
        self.count_label = QLabel()
        self.role_label = QLabel()
        bar.addWidget(self.kb_label, 1)
        bar.addPermanentWidget(self.count_label)

    def add(self, *widgets: QWidget) -> None:
        """Show ``widgets`` at the right of the bar, in order (the role always last)."""
        self.bar.removeWidget(self.role_label)   # which hides it
        for widget in (*widgets, self.role_label):
            self.bar.addPermanentWidget(widget)
        self.role_label.show()

    def show(self, text: str, milliseconds: int = MESSAGE_MS) -> None:
        """Show a line for a while."""
        self.bar.showMessage(text, milliseconds)

    def error(self, failure: str | TaskFailure) -> None:
        """Tell the user what went wrong, in plain words; a task's failure is logged first
        (and one that is not a file error, a bug, shown in the error dialog: TaskFailure.report)."""
        message = failure.report() if isinstance(failure, TaskFailure) else failure
        self.bar.showMessage(message, ERROR_MS)

    def set_kb(self, root: Path) -> None:
        """Name the KB being opened; its documents are still being read."""
        self.kb_label.setText(str(root))
        self.count_label.setText("loading...")

    def set_role(self, role: str) -> None:
        """Show the tier the user works at."""
        self.role_label.setText(f"Role: {role}")

    def kb_changed(self, change: KBChange) -> None:
        """Count the documents again when some came or went (or all were read)."""
        if change.documents_listed:
            self.count_label.setText(f"{len(self.documents)} documents")
