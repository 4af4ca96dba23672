"""The dialog for a new article or SOP: title first, kind, tier and the folder to put it in."""

from __future__ import annotations

import posixpath

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from kbstudio.kb import DEFAULT_FOLDERS
from kbstudio.model import TIER_NAMES, TIERS

HINT_STYLE = ""
ERROR_STYLE = "color: #c62828;"


def folder_problem(folder: str) -> str | None:
    """Return why ``folder`` (KB-relative, POSIX) cannot hold a new document, else None."""
    parts = [part for part in folder.split("/") if part not in ("", ".")]
    if folder.startswith("/") or ".." in parts:
        return "The folder must be inside the knowledge base."
    if any(part.startswith(".") for part in parts) or (parts and parts[0] == "_templates"):
        return "Documents in hidden folders or in _templates are not listed: pick another folder."
    return None


class NewDocumentDialog(QDialog):
    """Ask for the title, kind, tier and folder of a new document; OK only when they are usable."""

    def __init__(self, parent: QWidget | None = None, folders: list[str] | None = None,
                 folder: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New document")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("The problem, in the words a caller uses")
        self.kind_box = QComboBox()
        self.kind_box.addItem("Knowledge article", "article")
        self.kind_box.addItem("Escalation SOP", "sop")
        self.tier_box = QComboBox()
        for tier in TIERS:
            self.tier_box.addItem(f"{tier} - {TIER_NAMES[tier]}", tier)
        self.tier_box.setCurrentIndex(1)
        self.folder_box = QComboBox()
        self.folder_box.setEditable(True)
        self.folder_edit = QLineEdit()   # the editable box's own line edit, kept typed
        self.folder_box.setLineEdit(self.folder_edit)
        self.folder_box.setToolTip("The folder of the knowledge base to create the document in; "
                                   "type a new name to create a folder")
        for name in sorted(set(folders or [])):
            self.folder_box.addItem(name or "(top folder)", name)
        # Without a current document the folder follows the kind until the user picks one.
        self._folder_follows_kind = folder is None
        self._set_folder(folder if folder is not None else DEFAULT_FOLDERS[self.kind()])
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create")
        layout = QFormLayout(self)
        layout.addRow("&Title", self.title_edit)
        layout.addRow("&Kind", self.kind_box)
        layout.addRow("T&ier", self.tier_box)
        layout.addRow("&Folder", self.folder_box)
        layout.addRow(self.message)
        layout.addRow(buttons)
        self.setMinimumWidth(460)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.title_edit.textChanged.connect(lambda _: self._check())
        self.title_edit.returnPressed.connect(self._enter)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.folder_box.editTextChanged.connect(lambda _: self._check())
        self.folder_box.activated.connect(self._folder_picked)
        self.folder_edit.textEdited.connect(self._folder_picked)
        self._check()
        self.title_edit.setFocus()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.title_edit.setFocus()   # typing right after Ctrl+N goes into the title

    def _set_folder(self, folder: str) -> None:
        index = self.folder_box.findData(folder)
        if index >= 0:
            self.folder_box.setCurrentIndex(index)
        else:
            self.folder_box.setEditText(folder)

    def _kind_changed(self) -> None:
        if self._folder_follows_kind:
            self._set_folder(DEFAULT_FOLDERS[self.kind()])
        self._check()

    def _folder_picked(self, *_: object) -> None:
        self._folder_follows_kind = False

    def problem(self) -> str | None:
        """Return what is missing or wrong, in the words shown under the fields, else None."""
        if not self.title():
            return "Type a title to create the document."
        return folder_problem(self.folder())

    def _check(self, loud: bool = False) -> None:
        problem = self.problem()
        self.ok_button.setEnabled(problem is None)
        folder = self.folder() or "the top folder"
        self.message.setText(problem or f"Creates a draft in {folder}; nothing is written until you save.")
        self.message.setStyleSheet(ERROR_STYLE if problem and (loud or self.title()) else HINT_STYLE)

    def _enter(self) -> None:
        if self.problem() is not None:
            if not self.title():
                self.message.setText("A title is required: type the problem in the words a caller uses.")
                self.message.setStyleSheet(ERROR_STYLE)
            else:
                self._check(loud=True)

    def _accept(self) -> None:
        if self.problem() is None:
            self.accept()
        else:
            self._enter()
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

    def folder(self) -> str:
        """Return the KB-relative folder chosen ("" for the top folder)."""
        text = self.folder_box.currentText().strip()
        index = self.folder_box.findText(text)
        if index >= 0 and self.folder_box.itemData(index) is not None:
            return self.folder_box.itemData(index)
        text = text.replace("\\", "/").strip("/")
        return "" if text in ("", ".") else posixpath.normpath(text)
