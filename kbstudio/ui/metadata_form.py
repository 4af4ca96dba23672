"""The front-matter form: edits write single fields into the YAML text, and the reverse.

A field the user is in, or has typed into without the edit being written yet, is never
overwritten from the YAML: what the user typed wins until it is committed (on leaving the field,
Enter, or ``commit_pending`` before a save, a close or a mode switch).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from kbstudio.fields import BY_NAME, FORM_FIELDS, LIST, FieldValueError

# The widgets come from the field table (kbstudio.fields): one per field with a ``widget``.
LIST_FIELDS = tuple(f.name for f in FORM_FIELDS if f.type == LIST)
TEXT_FIELDS = tuple(f.name for f in FORM_FIELDS if f.widget == "line")
CHOICE_FIELDS = {f.name: ("",) * (f.default is None) + f.choices for f in FORM_FIELDS if f.widget == "choice"}


def _same(key: str, old: Any, new: Any) -> bool:
    """Return True when two values of field ``key`` show the same (``No`` and ``No``, a date and its text)."""
    field = BY_NAME[key]
    return field.display(old) == field.display(new)


class MetadataForm(QWidget):
    """One widget per front-matter field; ``fieldEdited`` says which field the user changed."""

    fieldEdited = Signal(str, object)  # key, new value (None removes the key)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widgets: dict[str, QComboBox | QLineEdit] = {}
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        layout = QFormLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for field in FORM_FIELDS:
            key = field.name
            widget: QComboBox | QLineEdit
            if key in CHOICE_FIELDS:
                widget = combo = QComboBox()
                for choice in CHOICE_FIELDS[key]:
                    combo.addItem(choice or "(none)", choice)
                combo.currentIndexChanged.connect(lambda _=0, k=key: self._edited(k))
            else:
                widget = line = QLineEdit()
                line.setPlaceholderText(field.placeholder)
                line.editingFinished.connect(lambda k=key: self._edited(k))
            widget.setObjectName(f"meta_{key}")
            widget.setToolTip(field.help.replace("`", ""))
            self.widgets[key] = widget
            layout.addRow(field.form_label, widget)
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
            text = BY_NAME[key].display(meta.get(key))   # typed by the field; invalid: as written
            if isinstance(widget, QComboBox):
                index = widget.findData(text)
                if index < 0:
                    widget.addItem(text, text)
                    index = widget.findData(text)
                widget.setCurrentIndex(index)
            else:
                widget.setText(text)
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
        try:
            return BY_NAME[key].from_input(widget.text())   # text, a list, a date; None: not set
        except FieldValueError:
            return widget.text().strip() or None   # written as typed; lint reports it

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
        if _same(key, old, value):
            return
        self._previous[key] = old
        self._current[key] = value
        self.widgets["escalates_to"].setEnabled(self.value("kind") == "sop")
        self.fieldEdited.emit(key, value)
