"""The start page: what the document area shows whenever no document is open.

The open KB (if any), a way to every kind of start (a folder, a clone, a copy of the demo, a new
document), the recent knowledge bases, and the shortcuts that matter most. It only asks: the
window does the work through the signals.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

# (keys, what they do): each is the shortcut of a window action (tests/ui/test_start_page.py checks it).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+K", "Search: type what the caller says"),
    ("Ctrl+O", "Open a knowledge base"),
    ("Ctrl+N", "New article or SOP"),
    ("Ctrl+E", "Switch between reading and editing"),
    ("Ctrl+S", "Save"),
    ("Ctrl+F", "Find in the document"),
    ("Ctrl+H", "Find and replace"),
    ("Ctrl+L", "Insert a link to another document"),
    ("Ctrl+Shift+M", "Escalation map"),
    ("Ctrl+Shift+S", "Sync with the team (pull, then push)"),
    ("Ctrl+W", "Close the tab"),
)


def _heading(text: str, scale: float = 1.2) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class StartPage(QScrollArea):
    """Recent KBs, open a folder, clone, a KB from the demo, a new document, and the main shortcuts."""

    openKbRequested = Signal(str)      # a recent KB's folder
    openFolderRequested = Signal()
    cloneRequested = Signal()
    demoRequested = Signal()
    newDocumentRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setObjectName("startPage")
        self.title = _heading("KB Studio", 2.0)
        self.kb_line = QLabel()
        self.kb_line.setWordWrap(True)
        self.kb_line.setTextFormat(Qt.TextFormat.RichText)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setVisible(False)

        self.open_button = QCommandLinkButton(
            "Open a folder...", "A knowledge base on this computer or a shared drive: any folder of Markdown")
        self.clone_button = QCommandLinkButton(
            "Clone from a remote...", "Your team's knowledge base from its git server")
        self.demo_button = QCommandLinkButton(
            "Create a KB from the demo", "A new copy of the help-desk demo in your documents, to make yours")
        self.new_button = QCommandLinkButton(
            "New article or SOP...", "From the knowledge base's template, in the folder you pick")
        self.open_button.clicked.connect(self.openFolderRequested)
        self.clone_button.clicked.connect(self.cloneRequested)
        self.demo_button.clicked.connect(self.demoRequested)
        self.new_button.clicked.connect(self.newDocumentRequested)
        self.new_button.setEnabled(False)

        self.recent_list = QVBoxLayout()
        self.recent_list.setSpacing(0)
        self.recent_buttons: dict[str, QCommandLinkButton] = {}
        self._listed: list[tuple[str, bool]] | None = None
        self.no_recent = QLabel("None yet: the knowledge bases you open are listed here.")
        self.no_recent.setWordWrap(True)

        self.shortcut_grid = QGridLayout()
        self.shortcut_grid.setHorizontalSpacing(18)
        self.shortcut_grid.setVerticalSpacing(6)
        for row, (keys, what) in enumerate(SHORTCUTS):
            shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            key_label = QLabel(f"<b>{html.escape(shown)}</b>")
            key_label.setTextFormat(Qt.TextFormat.RichText)
            self.shortcut_grid.addWidget(key_label, row, 0, Qt.AlignmentFlag.AlignRight)
            self.shortcut_grid.addWidget(QLabel(what), row, 1)

        start = QVBoxLayout()
        start.setSpacing(2)
        start.addWidget(_heading("Start"))
        for button in (self.open_button, self.clone_button, self.demo_button, self.new_button):
            start.addWidget(button)
        start.addSpacing(16)
        start.addWidget(_heading("Recent knowledge bases"))
        start.addLayout(self.recent_list)
        start.addWidget(self.no_recent)
        start.addStretch(1)
        shortcuts = QVBoxLayout()
        shortcuts.addWidget(_heading("Shortcuts"))
        shortcuts.addSpacing(6)
        shortcuts.addLayout(self.shortcut_grid)
        shortcuts.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(start, 3)
        columns.addSpacing(36)
        columns.addLayout(shortcuts, 2)

        column = QWidget()
        column.setMaximumWidth(980)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(28, 28, 28, 28)
        layout.addWidget(self.title)
        layout.addWidget(self.kb_line)
        layout.addWidget(self.note)
        layout.addSpacing(18)
        layout.addLayout(columns, 1)
        body = QWidget()
        centred = QHBoxLayout(body)
        centred.addStretch(1)
        centred.addWidget(column, 100)
        centred.addStretch(1)
        self.setWidget(body)
        self.set_kb(None)

    def set_kb(self, root: Path | None, documents: int | None = None) -> None:
        """Say which KB is open (None: none yet) and how many documents it has (None: loading)."""
        self.new_button.setEnabled(root is not None)
        if root is None:
            self.kb_line.setText("No knowledge base is open. Open a folder, clone your team's, or start "
                                 "from the demo.")
            return
        count = ("loading..." if documents is None
                 else f"{documents} document{'' if documents == 1 else 's'}")
        self.kb_line.setText(
            f"<b>{html.escape(root.name)}</b> is open ({count}) &mdash; {html.escape(str(root))}<br>"
            "Search on the left (Ctrl+K) or pick a document in the Library; it opens here.")

    def set_note(self, text: str) -> None:
        """Show a note under the KB line (the first-run copy of the demo); empty hides it."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def set_demo_available(self, available: bool) -> None:
        """Enable "Create a KB from the demo" only where the demo ships."""
        self.demo_button.setEnabled(available)
        if not available:
            self.demo_button.setToolTip("This installation of KB Studio has no demo knowledge base")

    def set_recent(self, paths: list[str], current: Path | None = None) -> None:
        """List the recent KBs (the open one left out); a folder that is gone is shown, disabled."""
        shown = [p for p in paths if current is None or Path(p) != current]
        listed = [(path, Path(path).is_dir()) for path in shown]
        # With a KB open (left out of the list) "None yet" would read as if nothing was remembered.
        self.no_recent.setText("No other knowledge bases yet: the others you open are listed here."
                               if current is not None else
                               "None yet: the knowledge bases you open are listed here.")
        if listed == self._listed:
            return
        self._listed = listed
        for button in self.recent_buttons.values():
            self.recent_list.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.recent_buttons = {}
        for path, there in listed:
            folder = Path(path)
            button = QCommandLinkButton(folder.name or path, path if there else f"Not found: {path}")
            button.setEnabled(there)
            button.setToolTip(f"Open {path}" if there else f"{path} is not there any more")
            button.clicked.connect(lambda _=False, p=path: self.openKbRequested.emit(p))
            self.recent_list.addWidget(button)
            self.recent_buttons[path] = button
        self.no_recent.setVisible(not shown)
