"""The dashboard: documents by tier and status, stale documents, the review queue, recent changes."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.model import STATUSES, TIER_NAMES
from kbstudio.review import Dashboard
from kbstudio.ui.badges import TIER_COLOURS

PATH_ROLE = Qt.ItemDataRole.UserRole
BASE_HEIGHT = 560        # the documents and reviews part, in pixels, before a section scrolls it
SECTION_HEIGHT = 720


class DashboardPage(QWidget):
    """A KB at a glance; click a stale document or a change to open it."""

    openDocumentRequested = Signal(str)
    reviewQueueRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Loading...")
        self.queue_label = QLabel()
        self.queue_label.linkActivated.connect(lambda _: self.reviewQueueRequested.emit())
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.stale = QListWidget()
        self.recent = QListWidget()
        counts_box = QGroupBox("Documents by tier and status")
        QVBoxLayout(counts_box).addWidget(self.table)
        stale_box = QGroupBox("Stale: review date passed")
        QVBoxLayout(stale_box).addWidget(self.stale)
        recent_box = QGroupBox("Recent changes")
        QVBoxLayout(recent_box).addWidget(self.recent)
        # One scrolling page: the documents and reviews first, then sections added by other parts
        # of the app (the knowledge loop's health figures, ``add_section``).
        self.body = QWidget()
        grid = QGridLayout(self.body)
        grid.addWidget(self.heading, 0, 0, 1, 2)
        grid.addWidget(self.queue_label, 1, 0, 1, 2)
        grid.addWidget(counts_box, 2, 0)
        grid.addWidget(stale_box, 2, 1)
        grid.addWidget(recent_box, 3, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(2, 1)
        grid.setRowStretch(3, 1)
        self.grid = grid
        self._sections_height = 0
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        for widget in (self.stale, self.recent):
            widget.itemActivated.connect(self._open)
            widget.itemClicked.connect(self._open)

    def add_section(self, widget: QWidget, min_height: int = SECTION_HEIGHT) -> None:
        """Add a part below the others (the page scrolls when they do not fit)."""
        widget.setMinimumHeight(min_height)
        self.grid.addWidget(widget, self.grid.rowCount(), 0, 1, 2)
        self._sections_height += min_height
        self.body.setMinimumHeight(BASE_HEIGHT + self._sections_height)

    def show_dashboard(self, board: Dashboard) -> None:
        """Fill every part from ``board``."""
        self.heading.setText(f"<h2>{html.escape(board.name)}</h2>{board.total} documents"
                             + (f", {len(board.unreadable)} unreadable" if board.unreadable else "")
                             + f" &middot; {board.today.isoformat()}")
        self.queue_label.setText(f"<a href='queue'>{board.review_queue_size} documents wait for review</a>")
        rows = list(board.counts)
        self.table.setRowCount(len(rows) + 1)
        self.table.setColumnCount(len(STATUSES) + 1)
        self.table.setHorizontalHeaderLabels([*STATUSES, "total"])
        self.table.setVerticalHeaderLabels([f"{tier} {TIER_NAMES.get(tier, '')}".strip() for tier in rows]
                                            + ["total"])
        for r, tier in enumerate(rows):
            row = board.counts[tier]
            for c, status in enumerate(STATUSES):
                self.table.setItem(r, c, self._cell(row.get(status, 0)))
            total = self._cell(sum(row.values()))
            colour = TIER_COLOURS.get(tier if tier in TIER_NAMES else None, "#757575")
            total.setForeground(QBrush(QColor(colour)))
            self.table.setItem(r, len(STATUSES), total)
        by_status = board.by_status()
        for c, status in enumerate(STATUSES):
            self.table.setItem(len(rows), c, self._cell(by_status[status]))
        self.table.setItem(len(rows), len(STATUSES), self._cell(board.total))
        self.stale.clear()
        for doc in board.stale:
            item = QListWidgetItem(f"{doc.title}  ({doc.tier or '-'}, {doc.status}, due {doc.review_by}, "
                                   f"{doc.days_overdue} days over)")
            item.setData(PATH_ROLE, doc.path)
            self.stale.addItem(item)
        if not board.stale:
            self.stale.addItem("Nothing is past its review date.")
        self.recent.clear()
        for change in board.recent:
            item = QListWidgetItem(f"{change.date:%Y-%m-%d %H:%M}  {change.author}: {change.summary}")
            item.setData(PATH_ROLE, change.paths[0] if change.paths else None)
            item.setToolTip("\n".join(change.paths[:20]))
            self.recent.addItem(item)
        if not board.recent:
            self.recent.addItem("No history: this KB is not versioned with git." if not board.versioned
                                else "No commits yet.")

    @staticmethod
    def _cell(value: int) -> QTableWidgetItem:
        item = QTableWidgetItem(str(value) if value else "")
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def _open(self, item: QListWidgetItem) -> None:
        path = item.data(PATH_ROLE)
        if path:
            self.openDocumentRequested.emit(str(path))
