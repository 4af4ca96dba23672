"""The front-matter form: edits write single fields into the YAML text, and the reverse.

A field the user is in, or has typed into without the edit being written yet, is never
overwritten from the YAML: what the user typed wins until it is committed (on leaving the field,
Enter, or ``commit_pending`` before a save, a close or a mode switch).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from kbstudio.model import KINDS, STATUSES, TIERS, as_date, as_text, as_text_list

LIST_FIELDS = ("tags", "products", "reviewers")
TEXT_FIELDS = ("title", "owner")
CHOICE_FIELDS = {"kind": KINDS, "tier": ("", *TIERS), "status": STATUSES, "escalates_to": ("", *TIERS)}


class MetadataForm(QWidget):
    """One widget per front-matter field; ``fieldEdited`` says which field the user changed."""

    fieldEdited = Signal(str, object)  # key, new value (None removes the key)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widgets: dict[str, QWidget] = {}
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        layout = QFormLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for key in ("title", "kind", "tier", "status", "escalates_to", "tags", "products", "owner",
                    "reviewers", "review_by"):
            if key in CHOICE_FIELDS:
                widget: QWidget = QComboBox()
                for choice in CHOICE_FIELDS[key]:
                    widget.addItem(choice or "(none)", choice)
                widget.currentIndexChanged.connect(lambda _=0, k=key: self._edited(k))
            else:
                widget = QLineEdit()
                if key in LIST_FIELDS:
                    widget.setPlaceholderText("comma, separated")
                if key == "review_by":
                    widget.setPlaceholderText("YYYY-MM-DD")
                widget.editingFinished.connect(lambda k=key: self._edited(k))
            widget.setObjectName(f"meta_{key}")
            self.widgets[key] = widget
            layout.addRow(key.replace("_", " ").capitalize(), widget)
        layout.addRow(self.error)
        self._current: dict[str, Any] = {}
        self._shown: dict[str, str] = {}   # line edits: the text last shown from, or written to, the YAML
        self._previous: dict[str, Any] = {}   # the value before the last reported edit

    def show_meta(self, meta: dict[str, Any], force: bool = False) -> None:
        """Show ``meta`` in the widgets without reporting edits.

        A line edit with the keyboard focus or an uncommitted edit keeps its text, unless ``force``
        (the text was replaced wholesale, as by taking the version on disk).
        """
        self._current = dict(meta)
        for key, widget in self.widgets.items():
            typing = isinstance(widget, QLineEdit) and (self.is_pending(key) or self._focused(widget))
            if typing and not force:
                continue
            widget.blockSignals(True)
            value = meta.get(key)
            if isinstance(widget, QComboBox):
                text = as_text(value) or ""
                text = text.upper() if key in ("tier", "escalates_to") else text
                index = widget.findData(text)
                if index < 0:
                    widget.addItem(text, text)
                    index = widget.findData(text)
                widget.setCurrentIndex(index)
            elif key in LIST_FIELDS:
                widget.setText(", ".join(as_text_list(value)))
            elif key == "review_by":
                when = as_date(value)
                widget.setText(when.isoformat() if when else (as_text(value) or ""))
            else:
                widget.setText(as_text(value) or "")
            if isinstance(widget, QLineEdit):
                self._shown[key] = widget.text()
            widget.blockSignals(False)
        self.widgets["escalates_to"].setEnabled(self.value("kind") == "sop")

    def show_error(self, message: str | None) -> None:
        """Show why the YAML cannot be read (the form then stays as it was)."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        for widget in self.widgets.values():
            widget.setEnabled(not message)

    def value(self, key: str) -> Any:
        """Return the field value as it should be written to the YAML."""
        widget = self.widgets[key]
        if isinstance(widget, QComboBox):
            return widget.currentData() or None
        text = widget.text().strip()
        if key in LIST_FIELDS:
            return [part.strip() for part in text.split(",") if part.strip()]
        if key == "review_by":
            if not text:
                return None
            try:
                return date.fromisoformat(text)
            except ValueError:
                return text
        return text or None

    @staticmethod
    def _focused(widget: QWidget) -> bool:
        return widget.hasFocus() or widget.window().focusWidget() is widget

    def is_pending(self, key: str) -> bool:
        """Return True when the user typed into field ``key`` and the edit is not written yet."""
        widget = self.widgets[key]
        return isinstance(widget, QLineEdit) and widget.text() != self._shown.get(key, "")

    def pending_keys(self) -> list[str]:
        """Return the fields with uncommitted edits."""
        return [key for key in self.widgets if self.is_pending(key)]

    def commit_pending(self) -> None:
        """Report every uncommitted edit now (before a save, a close or a mode switch)."""
        for key in self.pending_keys():
            self._edited(key)

    def refuse(self, key: str) -> None:
        """The reported edit of ``key`` could not be written: keep what the user typed as uncommitted."""
        self._current[key] = self._previous.get(key)
        widget = self.widgets[key]
        if isinstance(widget, QLineEdit):
            self._shown[key] = "\x00"   # never a field's text: the field counts as pending
        else:
            self.show_meta(self._current)

    def _edited(self, key: str) -> None:
        value = self.value(key)
        old = self._current.get(key)
        widget = self.widgets[key]
        if isinstance(widget, QLineEdit):
            if widget.text() == self._shown.get(key, ""):
                # Nothing typed (focus only passed through): the YAML may have changed meanwhile.
                self.show_meta(self._current)
                return
            self._shown[key] = widget.text()   # committed: no longer pending
        if key in LIST_FIELDS and as_text_list(old) == value:
            return
        if key == "review_by" and as_date(old) == value:
            return
        if key not in LIST_FIELDS and key != "review_by" and (as_text(old) or None) == value:
            return
        self._previous[key] = old
        self._current[key] = value
        self.widgets["escalates_to"].setEnabled(self.value("kind") == "sop")
        self.fieldEdited.emit(key, value)
