"""The knowledge health part of the dashboard: figures, most reused, reviews due and flags by owner, chart.

Everything shown is computed by the core off the GUI thread (``kbstudio.loop.board.knowledge_board``
for the figures and reviews due, ``kbstudio.loop.flags.open_flags_by_owner`` for the owners'
queue); this widget only lays it out. Each figure's definition is in ``kbstudio.loop.figures``
and docs/knowledge-loop.md.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.loop.board import KnowledgeBoard
from kbstudio.loop.figures import RATE_DAYS, UNUSED_DAYS
from kbstudio.loop.flags import REASON_LABELS, Flag
from kbstudio.loop.remind import by_owner
from kbstudio.ui.loop.chart import LoopChart

PATH_ROLE = Qt.ItemDataRole.UserRole
FLAG_ROLE = Qt.ItemDataRole.UserRole + 1
REUSE_ROWS = 10


REUSE_HEADERS = ("Document", "Reused\n30 days", "Reused\n90 days", "Used\n90 days")


@dataclass
class LoopDashboard:
    """What the knowledge part of the dashboard shows: the board and the open flags by owner."""

    board: KnowledgeBoard
    flags_by_owner: dict[str, list[Flag]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)     # flagged document key -> its KB path now
    titles: dict[str, str] = field(default_factory=dict)    # flagged document key -> its title


def percent(rate: float | None) -> str:
    """Return ``83%``, or ``-`` when there was nothing to count."""
    return "-" if rate is None else f"{rate:.0%}"


def number(value: float | None, unit: str) -> str:
    """Return ``5.2 hours``, or ``-``."""
    return "-" if value is None else f"{value:g} {unit}"


class KnowledgeHealthView(QWidget):
    """The knowledge loop's figures on the dashboard (see the module doc)."""

    openDocumentRequested = Signal(str)
    gapsRequested = Signal()
    resolveRequested = Signal(str)          # flag id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: LoopDashboard | None = None
        self.figures_label = QLabel("Reading uses, flags and searches...")
        self.figures_label.setWordWrap(True)
        self.figures_label.setTextFormat(Qt.TextFormat.RichText)
        self.figures_label.linkActivated.connect(lambda _: self.gapsRequested.emit())
        self.reuse = QTableWidget(0, 4)
        # Said in words, on two short lines (the columns stay narrow): "All 90 d" read as a larger
        # "90 d" without its tooltip. Reuse is a use that solved or partly solved (KCS).
        self.reuse.setHorizontalHeaderLabels(list(REUSE_HEADERS))
        for column, tip in ((1, "Uses solved or partly solved in the last 30 days"),
                            (2, "Uses solved or partly solved in the last 90 days"),
                            (3, "Every use in the last 90 days, whatever its outcome")):
            header_item = self.reuse.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
        self.reuse.setWordWrap(False)
        self.reuse.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.reuse.verticalHeader().setVisible(False)
        self.reuse.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            self.reuse.horizontalHeader().setSectionResizeMode(column,
                                                               QHeaderView.ResizeMode.ResizeToContents)
        self.due = QTreeWidget()
        self.due.setHeaderLabels(["Owner / document", "Due"])   # the date and why: the row's tooltip
        self.due.header().setStretchLastSection(False)
        self.due.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.due.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.flags = QTreeWidget()
        self.flags.setHeaderLabels(["Owner / flag", "Document"])
        self.flags.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.resolve_button = QPushButton("Resolve...")
        self.resolve_button.setEnabled(False)
        self.resolve_button.setToolTip("Record that the selected flag was dealt with (who, which commit)")
        self.chart = LoopChart()

        self.figures_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        figures_box = QGroupBox(f"Knowledge health (last {RATE_DAYS} days)")
        QVBoxLayout(figures_box).addWidget(self.figures_label)
        reuse_box = QGroupBox("Most reused (solved or partly solved)")
        QVBoxLayout(reuse_box).addWidget(self.reuse)
        due_box = QGroupBox("Reviews due, by owner")
        QVBoxLayout(due_box).addWidget(self.due)
        flags_box = QGroupBox("Open flags, by owner")
        flags_layout = QVBoxLayout(flags_box)
        flags_layout.addWidget(self.flags)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.resolve_button)
        flags_layout.addLayout(row)
        chart_box = QGroupBox("Over time")
        QVBoxLayout(chart_box).addWidget(self.chart)
        # The chart across the page (twelve weeks need the width), the figures beside the most reused,
        # then the owners' queues: open flags and reviews due.
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(chart_box, 0, 0, 1, 2)
        grid.addWidget(figures_box, 1, 0)
        grid.addWidget(reuse_box, 1, 1)
        grid.addWidget(flags_box, 2, 0)
        grid.addWidget(due_box, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        for number, stretch in ((0, 4), (1, 3), (2, 3)):
            grid.setRowStretch(number, stretch)
        for widget in (self.due, self.flags):
            widget.itemActivated.connect(self._open)
            widget.itemDoubleClicked.connect(self._open)
        self.reuse.cellDoubleClicked.connect(self._open_reused)
        self.flags.currentItemChanged.connect(
            lambda item, _previous: self.resolve_button.setEnabled(
                item is not None and bool(item.data(0, FLAG_ROLE))))
        self.resolve_button.clicked.connect(self._resolve)

    def show_data(self, data: LoopDashboard) -> None:
        """Fill every part from ``data``."""
        self.data = data
        board, figures = data.board, data.board.figures
        self.figures_label.setText(figures_text(board))
        self.reuse.setRowCount(0)
        rows = [row for row in figures.reuse if row.reuse_90 or row.uses_90][:REUSE_ROWS]
        self.reuse.setRowCount(len(rows))
        for number_, row in enumerate(rows):
            name = QTableWidgetItem(" ".join(part for part in (row.id, row.title) if part))
            name.setToolTip(f"{name.text()}\n{row.path}")
            name.setData(PATH_ROLE, row.path)
            self.reuse.setItem(number_, 0, name)
            for column, value in ((1, row.reuse_30), (2, row.reuse_90), (3, row.uses_90)):
                cell = QTableWidgetItem(str(value))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.reuse.setItem(number_, column, cell)
        self._fill_due(board)
        self._fill_flags(data.flags_by_owner, data.paths, data.titles)
        self.chart.set_series(figures.weeks, figures.flags_by_tier)

    def _fill_due(self, board: KnowledgeBoard) -> None:
        self.due.clear()
        for owner, items in by_owner(board.due).items():
            overdue = sum(1 for item in items if item.days_left < 0)
            top = QTreeWidgetItem([f"{owner} ({len(items)}{f', {overdue} overdue' if overdue else ''})"])
            self.due.addTopLevelItem(top)
            for item in items:
                when = f"{-item.days_left} days over" if item.days_left < 0 else f"in {item.days_left} days"
                why = {"review_by": "review by date", "interval": f"{item.tier or ''} review interval",
                       "reuse": "interval after last solved use"}.get(item.reason, item.reason)
                child = QTreeWidgetItem([" ".join(part for part in (item.id, item.title) if part), when])
                child.setData(0, PATH_ROLE, item.path)
                for column in (0, 1):
                    child.setToolTip(column, f"{child.text(0)}\ndue {item.due.isoformat()} ({when}): {why}")
                top.addChild(child)
            top.setExpanded(True)
        if not board.due:
            self._note(self.due, "Nothing is due for review.")

    def _fill_flags(self, grouped: Mapping[str, Sequence[Flag]], paths: Mapping[str, str],
                    titles: Mapping[str, str]) -> None:
        self.flags.clear()
        for owner, flags in grouped.items():
            top = QTreeWidgetItem([f"{owner} ({len(flags)})"])
            self.flags.addTopLevelItem(top)
            for flag in flags:
                comment = f": {flag.comment}" if flag.comment else ""
                child = QTreeWidgetItem([f"{REASON_LABELS.get(flag.reason, flag.reason)}{comment}",
                                         titles.get(flag.key) or flag.document or flag.path or ""])
                child.setToolTip(0, f"{child.text(0)}\nflagged by {flag.opened_by} on "
                                    f"{flag.opened_at:%Y-%m-%d}")
                child.setToolTip(1, child.text(1))
                child.setData(0, PATH_ROLE, paths.get(flag.key) or flag.path)
                child.setData(0, FLAG_ROLE, flag.id)
                top.addChild(child)
            top.setExpanded(True)
        if not grouped:
            self._note(self.flags, "No open flags.")

    @staticmethod
    def _note(tree: QTreeWidget, text: str) -> None:
        item = QTreeWidgetItem([text])
        tree.addTopLevelItem(item)
        item.setFirstColumnSpanned(True)

    def _open(self, item: QTreeWidgetItem) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.openDocumentRequested.emit(str(path))

    def _open_reused(self, row: int, _column: int) -> None:
        item = self.reuse.item(row, 0)
        if item is not None and item.data(PATH_ROLE):
            self.openDocumentRequested.emit(str(item.data(PATH_ROLE)))

    def _resolve(self) -> None:
        item = self.flags.currentItem()
        if item is not None and item.data(0, FLAG_ROLE):
            self.resolveRequested.emit(str(item.data(0, FLAG_ROLE)))


def figures_text(board: KnowledgeBoard) -> str:
    """Return the figures as a few rich-text lines (links: ``gaps`` opens the Search gaps page)."""
    data = board.figures
    tiers = ", ".join(f"{tier} {percent(row['rate'])} of {row['uses']}"
                      for tier, row in data.resolved_at_tier.items() if row["uses"]) or "-"
    authors = ", ".join(f"{html.escape(name.split(' <')[0])} {count}"
                        for name, count in data.authors[:4]) or "-"
    reviewers = ", ".join(f"{html.escape(name.split(' <')[0])} {count}"
                          for name, count in data.reviewers[:4]) or "-"
    closed = data.gap_groups - data.open_gaps
    lines = [
        f"<b>{data.runs_and_uses}</b> uses and SOP runs in {RATE_DAYS} days ({data.uses_total} in all); "
        f"link rate <b>{percent(data.link_rate)}</b>",
        f"Flags: <b>{data.flags_opened}</b> opened, <b>{data.flags_open}</b> open now; flag rate "
        f"{percent(data.flag_rate)} of uses; median time to resolve "
        f"{number(data.median_hours_to_resolve, 'hours')}",
        f"Resolved at tier (solved): {tiers}",
        (f"Draft to published: median {number(data.median_days_draft_to_published, 'days')} "
         f"({data.published_from_draft} document{'s' if data.published_from_draft != 1 else ''})"
         if data.published_from_draft else "Draft to published: no document went that way yet"),
        f"Writing: {authors}; reviewing: {reviewers}",
        f"<a href='gaps'>Search gaps</a>: <b>{data.open_gaps}</b> open of {data.gap_groups} "
        f"({closed} closed by a published article)",
        f"Never used in {UNUSED_DAYS} days: {len(data.never_used)} published documents "
        "(candidates to archive)",
    ]
    if board.policy_problem:
        problem = html.escape(board.policy_problem)
        lines.append(f"<span style='color:#c62828'>{problem} (defaults used)</span>")
    if board.problems:
        first = board.problems[0]
        lines.append(f"<span style='color:#ef6c00'>{len(board.problems)} ledger line(s) skipped, first "
                     f"{html.escape(first.path)}:{first.line}: {html.escape(first.message)}</span>")
    return "<br>".join(lines)
