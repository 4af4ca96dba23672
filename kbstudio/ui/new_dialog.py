"""The dialog for a new article or SOP."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from kbstudio.model import TIER_NAMES, TIERS


class NewDocumentDialog(QDialog):
    """Ask for the kind, title and tier of a new document."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New document")
        self.kind_box = QComboBox()
        self.kind_box.addItem("Knowledge article", "article")
        self.kind_box.addItem("Escalation SOP", "sop")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("The problem, in the words a caller uses")
        self.tier_box = QComboBox()
        for tier in TIERS:
            self.tier_box.addItem(f"{tier} - {TIER_NAMES[tier]}", tier)
        self.tier_box.setCurrentIndex(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        layout = QFormLayout(self)
        layout.addRow("Kind", self.kind_box)
        layout.addRow("Title", self.title_edit)
        layout.addRow("Tier", self.tier_box)
        layout.addRow(buttons)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _accept(self) -> None:
        if self.title().strip():
            self.accept()
        else:
            self.title_edit.setFocus()

    def kind(self) -> str:
        """Return article or sop."""
        return self.kind_box.currentData()

    def title(self) -> str:
        """Return the title typed."""
        return self.title_edit.text().strip()

    def tier(self) -> str:
        """Return the tier chosen."""
        return self.tier_box.currentData()
