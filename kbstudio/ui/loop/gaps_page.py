"""The "Search gaps" page: the team's failed searches, similar ones grouped, each a possible article.

Groups come from the core (``kbstudio.loop.gap_groups.group_gaps``, closed by ``close_groups``,
drafts found by ``drafts_for``). Each group shows how often it was searched and by how many
people, its examples exactly as typed, and "Create article", which starts a KCS work-in-progress
article with those words in its Issue section. A group a published article covers is closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.loop.gap_groups import GapGroup
from kbstudio.loop.gaps import GAP_LABELS

KEY_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Searched for (as typed)", "Times", "People", "Why it failed", "Last", "")
KINDS_WIDTH = 150   # pixels; the whole text is in the cell's tooltip


class SearchGapsPage(QWidget):
    """Groups of similar failed searches, largest first; "Create article" on each open one."""

    createRequested = Signal(object)          # GapGroup
    openDocumentRequested = Signal(str)       # id or KB path of a draft or the article that closed it
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups: list[GapGroup] = []
        self.drafts: dict[str, list[str]] = {}
        self.summary = QLabel("Reading the search gaps...")
        self.summary.setWordWrap(True)
        self.show_closed = QCheckBox("Show closed")
        self.show_closed.setToolTip("Also list the groups a published article now covers")
        refresh = QPushButton("Refresh")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setStretchLastSection(False)     # the searches take the room, not the buttons
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # The reasons can be long ("Nothing found 3, No result opened 1"): the searches come first.
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, KINDS_WIDTH)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_closed)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        self.buttons: dict[str, QPushButton] = {}    # group key -> its action button
        self.show_closed.toggled.connect(lambda _: self._fill())
        refresh.clicked.connect(self.refreshRequested)

    def set_groups(self, groups: Sequence[GapGroup], drafts: Mapping[str, list[str]] | None = None) -> None:
        """Show ``groups`` (closed ones marked); ``drafts``: per group key, drafts made from it."""
        self.groups = list(groups)
        self.drafts = dict(drafts or {})
        self._fill()

    def shown_groups(self) -> list[GapGroup]:
        """Return the groups listed (open ones, and closed ones when asked for)."""
        return [group for group in self.groups if group.is_open or self.show_closed.isChecked()]

    def _fill(self) -> None:
        self.tree.clear()
        self.buttons = {}
        open_groups = [group for group in self.groups if group.is_open]
        searches = sum(group.count for group in open_groups)
        closed = len(self.groups) - len(open_groups)
        self.summary.setText(
            f"<b>{len(open_groups)} open group{'s' if len(open_groups) != 1 else ''}</b> of failed searches "
            f"({searches} search{'es' if searches != 1 else ''}); {closed} closed by a published article."
            if self.groups else "No failed searches logged yet: searches that find nothing show up here.")
        for group in self.shown_groups():
            self._add(group)

    def _add(self, group: GapGroup) -> None:
        kinds = ", ".join(f"{GAP_LABELS.get(kind, kind)} {count}"
                          for kind, count in sorted(group.kinds.items()))
        item = QTreeWidgetItem([group.query, str(group.count), str(group.people), kinds,
                                group.last.date().isoformat(), ""])
        item.setData(0, KEY_ROLE, group.key)
        item.setToolTip(0, f"Search words: {group.key}")
        item.setToolTip(3, kinds)
        for column in (1, 2):
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.tree.addTopLevelItem(item)
        for text, times in group.examples:
            child = QTreeWidgetItem([text, str(times)])
            child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.addChild(child)
        drafts = self.drafts.get(group.key, [])
        if not group.is_open:
            button = QPushButton(f"Closed by {group.closed_by}")
            button.setFlat(True)
            button.setToolTip("Open the published article that covers these searches")
            name = group.closed_by or ""
            button.clicked.connect(lambda _=False, n=name: self.openDocumentRequested.emit(n))
            for column in range(5):
                item.setForeground(column, self.palette().placeholderText())
        elif drafts:
            button = QPushButton(f"Draft {drafts[0]} in progress")
            button.setToolTip("Open the work-in-progress article made from these searches")
            button.clicked.connect(lambda _=False, n=drafts[0]: self.openDocumentRequested.emit(n))
        else:
            button = QPushButton("Create article")
            button.setToolTip("Start a draft article with these searches, as typed, in its Issue section")
            button.clicked.connect(lambda _=False, g=group: self.createRequested.emit(g))
        self.buttons[group.key] = button
        self.tree.setItemWidget(item, len(COLUMNS) - 1, button)
