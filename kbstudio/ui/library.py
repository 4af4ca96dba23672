"""The library: every document, by folder, tier or kind, with badges and a quick filter."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.model import TIER_NAMES, TIERS, Document
from kbstudio.ui.badges import STATUS_COLOURS, tier_colour, tier_label

PATH_ROLE = Qt.ItemDataRole.UserRole
GROUPINGS = {"folder": "By folder", "tier": "By tier", "kind": "By kind"}


class LibraryPanel(QWidget):
    """A tree of the KB's documents."""

    openRequested = Signal(str)
    groupingChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents: dict[str, Document] = {}
        self.grouping = QComboBox()
        for key, label in GROUPINGS.items():
            self.grouping.addItem(label, key)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by title or id")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Document", "Tier", "Status"])
        self.tree.setColumnWidth(0, 280)
        self.tree.setColumnWidth(1, 70)
        self.tree.setUniformRowHeights(True)
        top = QHBoxLayout()
        top.addWidget(self.grouping)
        top.addWidget(self.filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree)

        self.grouping.currentIndexChanged.connect(self._grouping_changed)
        self.filter.textChanged.connect(self.refresh)
        self.tree.itemActivated.connect(self._activated)

    def set_grouping(self, key: str) -> None:
        """Choose how documents are grouped (folder, tier or kind)."""
        index = self.grouping.findData(key)
        if index >= 0:
            self.grouping.setCurrentIndex(index)

    def set_documents(self, documents: list[Document]) -> None:
        """Show ``documents`` (replacing what was shown)."""
        self.documents = {doc.rel_path: doc for doc in documents}
        self.refresh()

    def update_document(self, document: Document) -> None:
        """Show the new state of one document (after a save)."""
        self.documents[document.rel_path] = document
        self.refresh()

    def _grouping_changed(self) -> None:
        self.groupingChanged.emit(self.grouping.currentData())
        self.refresh()

    def _group_keys(self, doc: Document) -> list[str]:
        mode = self.grouping.currentData()
        if mode == "tier":
            tier = doc.tier
            return [f"{tier} - {TIER_NAMES[tier]}" if tier else "Untiered"]
        if mode == "kind":
            return ["Escalation SOPs" if doc.kind == "sop" else "Articles"]
        return [part for part in doc.rel_path.split("/")[:-1]]

    def _sort_key(self, rel_path: str) -> tuple[int, str]:
        doc = self.documents[rel_path]
        if self.grouping.currentData() == "tier":
            return (TIERS.index(doc.tier) if doc.tier else len(TIERS), doc.title.lower())
        return (0, rel_path.lower())

    def refresh(self) -> None:
        """Rebuild the tree from the documents and the filter."""
        needle = self.filter.text().strip().lower()
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        groups: dict[tuple[str, ...], QTreeWidgetItem] = {}
        for rel_path in sorted(self.documents, key=self._sort_key):
            doc = self.documents[rel_path]
            if needle and needle not in doc.title.lower() and needle not in (doc.id or "").lower():
                continue
            parent = self.tree.invisibleRootItem()
            keys = self._group_keys(doc)
            for depth in range(len(keys)):
                key = tuple(keys[: depth + 1])
                if key not in groups:
                    group = QTreeWidgetItem([keys[depth]])
                    group.setFirstColumnSpanned(False)
                    font = group.font(0)
                    font.setBold(True)
                    group.setFont(0, font)
                    parent.addChild(group)
                    groups[key] = group
                parent = groups[key]
            item = QTreeWidgetItem([doc.title, tier_label(doc.tier), doc.status])
            item.setData(0, PATH_ROLE, rel_path)
            tip = f"{doc.id or 'no id'} - {rel_path}"
            if doc.problems:
                tip += "\n" + "\n".join(str(p) for p in doc.problems[:5])
            item.setToolTip(0, tip)
            item.setForeground(1, QBrush(tier_colour(doc.tier)))
            item.setForeground(2, QBrush(QColor(STATUS_COLOURS.get(doc.status, "#757575"))))
            bold = item.font(1)
            bold.setBold(True)
            item.setFont(1, bold)
            parent.addChild(item)
        self.tree.expandAll() if needle or len(groups) < 30 else self.tree.expandToDepth(0)
        self.tree.setUpdatesEnabled(True)

    def _activated(self, item: QTreeWidgetItem) -> None:
        rel_path = item.data(0, PATH_ROLE)
        if rel_path:
            self.openRequested.emit(rel_path)

