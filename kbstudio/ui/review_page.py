"""The review queue: documents waiting for validation, oldest first, each with its diff."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kbstudio.review import QueueItem
from kbstudio.ui.badges import tier_badge
from kbstudio.ui.rich_delegate import HTML_ROLE, RichTextDelegate
from kbstudio.ui.vcs.diff_view import DiffView

ITEM_ROLE = Qt.ItemDataRole.UserRole


class ReviewPage(QWidget):
    """Lists the queue; approve or send back the selected document with a comment."""

    approveRequested = Signal(str, str)          # path, comment
    changesRequested = Signal(str, str)          # path, comment (required)
    openDocumentRequested = Signal(str)
    refreshRequested = Signal()
    identityChangeRequested = Signal()

    def __init__(self, reviewer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[QueueItem] = []
        self.reviewer = QLabel()
        self.set_reviewer(reviewer)
        self.identity_button = QPushButton("Change...")
        self.identity_button.setToolTip("The name and email your approvals are recorded with")
        self.summary = QLabel("Loading the review queue...")
        self.error = QLabel()          # why the last step was refused (nothing was changed)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet("color: #c62828")
        self.error.hide()
        refresh = QPushButton("Refresh")
        self.queue = QListWidget()
        self.queue.setItemDelegate(RichTextDelegate(self.queue))
        self.queue.setMinimumWidth(280)
        self.diff = DiffView(mode="side_by_side")
        # its one-line header (two long paths) must not make the window wider than the screen
        self.diff.setMinimumWidth(320)
        self.comment = QPlainTextEdit(placeholderText="Comment for the author (required to request changes)")
        self.comment.setFixedHeight(70)
        self.open_button = QPushButton("Open document")
        self.approve_button = QPushButton("Approve and publish")
        self.changes_button = QPushButton("Request changes")
        header = QHBoxLayout()
        header.addWidget(self.summary, 1)
        header.addWidget(self.reviewer)
        header.addWidget(self.identity_button)
        header.addWidget(refresh)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.changes_button)
        actions.addWidget(self.approve_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.diff, 1)
        right_layout.addWidget(self.comment)
        right_layout.addLayout(actions)
        splitter = QSplitter()
        splitter.addWidget(self.queue)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)
        refresh.clicked.connect(self.refreshRequested)
        self.identity_button.clicked.connect(self.identityChangeRequested)
        self.queue.currentRowChanged.connect(self._selected)
        self.open_button.clicked.connect(lambda: self._emit(self.openDocumentRequested))
        self.approve_button.clicked.connect(lambda: self._emit(self.approveRequested, True))
        self.changes_button.clicked.connect(self._request_changes)
        self._enable(False)

    def set_reviewer(self, reviewer: str) -> None:
        """Show who approvals are recorded as."""
        self.reviewer.setText(f"Reviewing as <b>{html.escape(reviewer)}</b>")

    def show_error(self, message: str) -> None:
        """Show why a step was refused, across the page above the queue (nothing was changed)."""
        self.error.setText(message)
        self.error.show()

    def clear_error(self) -> None:
        """Hide the last refusal (another document selected, the queue read again)."""
        self.error.clear()
        self.error.hide()

    def set_queue(self, items: list[QueueItem]) -> None:
        """Show the queue (oldest first), keeping the selected document when it is still there."""
        current = self.current()
        self.items = items
        self.clear_error()
        self.queue.clear()
        for item in items:
            row = QListWidgetItem(item.title)
            row.setData(ITEM_ROLE, item.path)
            since = "new document" if item.is_new else f"changed since {(item.last_published or '')[:7]}"
            who = f" by {html.escape(item.submitted_by)}" if item.submitted_by else ""
            reviewers = html.escape(", ".join(item.reviewers) or "-")
            approvals = ""
            if item.approvals or item.approvals_needed > 1:
                approvals = (f"<br><span style='color:gray'>approvals: {len(item.approvals)} of "
                             f"{item.approvals_needed}"
                             + (f" ({html.escape(', '.join(item.approvals))})" if item.approvals else "")
                             + "</span>")
            row.setData(HTML_ROLE, (
                f"<b>{html.escape(item.title)}</b> {tier_badge(item.tier)}<br>"
                f"<span style='color:gray'>waiting {item.age_days} days{who}; {since}</span><br>"
                f"<span style='color:gray'>reviewers: {reviewers}</span>{approvals}"))
            self.queue.addItem(row)
        count = "1 document waits" if len(items) == 1 else f"{len(items)} documents wait"
        self.summary.setText(f"{count} for review, oldest first." if items else "Nothing waits for review.")
        paths = [item.path for item in items]
        self.queue.setCurrentRow(paths.index(current.path) if current and current.path in paths else
                                 (0 if items else -1))
        if not items:
            self.diff.set_diff(None)
            self._enable(False)

    def current(self) -> QueueItem | None:
        """Return the selected queue item."""
        row = self.queue.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _selected(self, row: int) -> None:
        self.clear_error()
        item = self.current()
        self._enable(item is not None)
        if item is not None:
            self.diff.set_diff(item.diff)
            count = len(item.approvals) + 1        # with yours: does it publish?
            self.approve_button.setText("Approve and publish" if count >= item.approvals_needed
                                        else f"Approve ({count} of {item.approvals_needed})")

    def _enable(self, on: bool) -> None:
        for button in (self.open_button, self.approve_button, self.changes_button):
            button.setEnabled(on)

    def _emit(self, signal: SignalInstance, with_comment: bool = False) -> None:
        item = self.current()
        if item is None:
            return
        if with_comment:
            signal.emit(item.path, self.comment.toPlainText().strip())
        else:
            signal.emit(item.path)

    def _request_changes(self) -> None:
        if not self.comment.toPlainText().strip():
            self.summary.setText("<span style='color:#c62828'>Write what needs to change first.</span>")
            self.comment.setFocus()
            return
        self._emit(self.changesRequested, True)
