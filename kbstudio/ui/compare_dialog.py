"""Compare the file on disk with the unsaved text, then keep one of them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.vcs.diff_view import DiffView
from kbstudio.vcs.diff import FileDiff, diff_texts


class CompareDialog(QDialog):
    """The file on disk (theirs) against the editor's text (mine), with the two choices."""

    def __init__(self, tab: DocumentTab, theirs: str, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tab = tab
        self.setWindowTitle(f"Compare: {tab.rel_path}")
        self.resize(1000, 640)
        self.view = DiffView(mode="side_by_side")
        self.view.set_message("Comparing...")
        note = QLabel("Left: the file on disk, changed by another program. Right: your unsaved text.")
        note.setWordWrap(True)
        self.keep_button = QPushButton("Keep mine (overwrite theirs)")
        self.take_button = QPushButton("Take theirs (drop my edits)")
        close = QPushButton("Decide later")
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.take_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.keep_button.clicked.connect(lambda: self._choose(tab.keep_mine))
        self.take_button.clicked.connect(lambda: self._choose(tab.reload_from_disk))
        close.clicked.connect(self.reject)
        mine = tab.text
        # difflib takes seconds on long, very different texts: never on the GUI thread.
        runner.run("compare", lambda p, c: diff_texts(theirs, mine, "on disk", "yours"),
                   on_success=self._show_diff)

    def _show_diff(self, diff: FileDiff) -> None:
        if self.isVisible():
            self.view.set_diff(diff)

    def _choose(self, action: Callable[[], object]) -> None:
        action()
        self.accept()
