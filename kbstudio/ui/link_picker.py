"""Pick another document by searching for it, to insert a link to it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.index.search import SearchResponse

SEARCH_DELAY_MS = 150


class LinkPicker(QDialog):
    """A search box and its results; Enter picks the highlighted document."""

    queryChanged = Signal(str)   # the window runs the search off the GUI thread and calls show_results

    def __init__(self, parent: QWidget | None = None, initial: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Insert link to a document")
        self.resize(560, 420)
        self.query = QLineEdit(initial, placeholderText="Search titles and text...")
        self.results = QListWidget()
        self.hint = QLabel("Type to search every tier; Enter inserts the link.")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Insert link")
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(lambda: self.queryChanged.emit(self.query.text()))
        self.query.textChanged.connect(self._timer.start)
        self.query.installEventFilter(self)
        self.results.itemActivated.connect(lambda _: self.accept())
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def start(self) -> None:
        """Run the first search (for the initial text) once the window listens."""
        if self.query.text():
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.query and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def show_results(self, response: SearchResponse) -> None:
        """Show the results of the current query (older answers are ignored)."""
        if response.query != self.query.text():
            return
        self.results.clear()
        for hit in response.results:
            item = QListWidgetItem(f"{hit.title}    [{hit.tier or '-'} {hit.kind}]  {hit.path}")
            item.setData(Qt.ItemDataRole.UserRole, (hit.path, hit.title))
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.hint.setText(f"{response.total} found" if response.total else "Nothing found.")

    def chosen(self) -> tuple[str, str] | None:
        """Return (KB-relative path, title) of the highlighted result."""
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None
