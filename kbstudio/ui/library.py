"""The library: every document, by folder, tier or kind, with badges and a quick filter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QTreeView, QVBoxLayout, QWidget

from kbstudio.changes import KBChange
from kbstudio.model import TIER_NAMES, TIERS, DocumentFields
from kbstudio.names import shown_name
from kbstudio.ui.badges import STATUS_COLOURS, tier_colour, tier_label

PATH_ROLE = Qt.ItemDataRole.UserRole
GROUPINGS = {"folder": "By folder", "tier": "By tier", "kind": "By kind"}
HEADERS = ("Document", "Tier", "Status")
FILTER_DELAY_MS = 150
AUTO_EXPAND_LIMIT = 500
Index = QModelIndex | QPersistentModelIndex


class _Node:
    """A group or a document in the library tree."""

    __slots__ = ("label", "parent", "children", "row", "doc", "by_label", "count")

    def __init__(self, label: str, parent: _Node | None, doc: DocumentFields | None = None) -> None:
        self.label = label
        self.parent = parent
        self.children: list[_Node] = []
        self.by_label: dict[str, _Node] = {}
        self.row = 0
        self.doc = doc
        self.count = 0   # documents below a group

    def add(self, node: _Node) -> _Node:
        node.row = len(self.children)
        self.children.append(node)
        if node.doc is None:
            self.by_label[node.label] = node
        return node


def _group_keys(doc: DocumentFields, mode: str) -> list[str]:
    if mode == "tier":
        return [f"{doc.tier} - {TIER_NAMES[doc.tier]}" if doc.tier else "Untiered"]
    if mode == "kind":
        return ["Escalation SOPs" if doc.kind == "sop" else "Articles"]
    return doc.rel_path.split("/")[:-1]


def build_tree(documents: Mapping[str, DocumentFields], mode: str, needle: str) -> _Node:
    """Return the tree of ``documents`` grouped by ``mode``, keeping those that match ``needle``."""
    root = _Node("", None)
    rows = []
    for rel_path, doc in documents.items():
        title = doc.title
        if needle and needle not in title.lower() and needle not in (doc.id or "").lower():
            continue
        order = (TIERS.index(doc.tier) if doc.tier else len(TIERS), title.lower()) if mode == "tier" else (
            0, rel_path.lower())
        rows.append((order, rel_path, doc, title))
    rows.sort(key=lambda row: row[0])
    for _, _, doc, title in rows:
        parent = root
        for key in _group_keys(doc, mode):
            parent = parent.by_label.get(key) or parent.add(_Node(key, parent))
            parent.count += 1
        parent.add(_Node(title, parent, doc))
    return root


class LibraryModel(QAbstractItemModel):
    """The library tree as a Qt model: rows are made only when the view asks for them."""

    def __init__(self) -> None:
        super().__init__()
        self.root = _Node("", None)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_root(self, root: _Node) -> None:
        """Show a newly built tree."""
        self.beginResetModel()
        self.root = root
        self.endResetModel()

    def _node(self, index: Index) -> _Node:
        return index.internalPointer() if index.isValid() else self.root

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if 0 <= row < len(node.children) and 0 <= column < len(HEADERS):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self.root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        doc, column = node.doc, index.column()
        if doc is None:
            if role == Qt.ItemDataRole.DisplayRole and column == 0:
                return f"{node.label}  ({node.count})"
            return self._bold if role == Qt.ItemDataRole.FontRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return (node.label, tier_label(doc.tier), doc.status)[column]
        if role == PATH_ROLE:
            return doc.rel_path
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            tip = f"{doc.id or 'no id'} - {shown_name(doc.rel_path)}"
            return tip + "".join(f"\n{p}" for p in doc.problems[:5])
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QBrush(tier_colour(doc.tier))
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QBrush(QColor(STATUS_COLOURS.get(doc.status, "#757575")))
        if role == Qt.ItemDataRole.FontRole and column == 1:
            return self._bold
        return None


class LibraryPanel(QWidget):
    """A tree of the KB's documents: ``documents`` (the app's one set, kept current by change records)."""

    openRequested = Signal(str)
    groupingChanged = Signal(str)

    def __init__(self, documents: Mapping[str, DocumentFields] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents: Mapping[str, DocumentFields] = documents if documents is not None else {}
        self.grouping = QComboBox()
        for key, label in GROUPINGS.items():
            self.grouping.addItem(label, key)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by title or id")
        self.filter.setClearButtonEnabled(True)
        self.model = LibraryModel()
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setColumnWidth(0, 280)
        self.tree.setColumnWidth(1, 70)
        top = QHBoxLayout()
        top.addWidget(self.grouping)
        top.addWidget(self.filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)

        self.grouping.currentIndexChanged.connect(self._grouping_changed)
        self.filter.textChanged.connect(self._filter_timer.start)
        self._filter_timer.timeout.connect(self.refresh)
        self.tree.activated.connect(self._activated)

    def set_grouping(self, key: str) -> None:
        """Choose how documents are grouped (folder, tier or kind)."""
        index = self.grouping.findData(key)
        if index >= 0:
            self.grouping.setCurrentIndex(index)

    def set_documents(self, documents: list[DocumentFields]) -> None:
        """Show ``documents`` (replacing what was shown)."""
        self.documents = {doc.rel_path: doc for doc in documents}
        self.refresh()

    def kb_changed(self, change: KBChange) -> None:
        """Show the documents anew when a change record names any (or all were read)."""
        if change.reloaded or change.documents:
            self.refresh()

    def _grouping_changed(self) -> None:
        self.groupingChanged.emit(self.grouping.currentData())
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the tree from the documents and the filter."""
        self._filter_timer.stop()
        needle = self.filter.text().strip().lower()
        expanded = self._expanded_labels()
        root = build_tree(self.documents, self.grouping.currentData() or "folder", needle)
        self.model.set_root(root)
        groups = [child for child in root.children if child.doc is None]
        if needle and len(self.documents) < AUTO_EXPAND_LIMIT * 4:
            self.tree.expandAll()
            return
        for child in groups:
            # Expanding makes the view visit every row below: only small groups open by themselves.
            if child.label in expanded or (len(groups) < 30 and child.count <= AUTO_EXPAND_LIMIT):
                self.tree.expand(self.model.createIndex(child.row, 0, child))
                if len(self.documents) < AUTO_EXPAND_LIMIT:
                    self.tree.expandRecursively(self.model.createIndex(child.row, 0, child))

    def _expanded_labels(self) -> set[str]:
        return {node.label for node in self.model.root.children
                if node.doc is None and self.tree.isExpanded(self.model.createIndex(node.row, 0, node))}

    def top_level_labels(self) -> list[str]:
        """Return the labels of the top-level rows (group names with counts, or titles)."""
        return [self.model.index(row, 0).data() for row in range(self.model.rowCount())]

    def _activated(self, index: QModelIndex) -> None:
        rel_path = index.siblingAtColumn(0).data(PATH_ROLE)
        if rel_path:
            self.openRequested.emit(rel_path)
