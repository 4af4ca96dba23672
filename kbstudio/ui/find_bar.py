"""Find and replace in the editor, or find in the read view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

MAX_MARKED = 2000   # matches shown highlighted; counting stops there too, so huge files stay quick
Target = QPlainTextEdit | QTextEdit


class FindBar(QWidget):
    """A bar under the toolbar: find next/previous, match case, whole words, replace, replace all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: Target | None = None
        self.find_edit = QLineEdit(placeholderText="Find")
        self.replace_edit = QLineEdit(placeholderText="Replace with")
        self.case_box = QCheckBox("Match case")
        self.word_box = QCheckBox("Whole words")
        self.count_label = QLabel()
        self.previous_button = QPushButton("Previous")
        self.next_button = QPushButton("Next")
        self.replace_button = QPushButton("Replace")
        self.replace_all_button = QPushButton("Replace all")
        close = QPushButton("Close")
        self.find_edit.setMinimumWidth(180)
        self.replace_edit.setMinimumWidth(150)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.find_edit, self.previous_button, self.next_button, self.case_box,
                       self.word_box, self.count_label, self.replace_edit, self.replace_button,
                       self.replace_all_button, close):
            layout.addWidget(widget)
        self.find_edit.textChanged.connect(self._live_find)
        self.find_edit.returnPressed.connect(self.find_next)
        self.replace_edit.returnPressed.connect(self.replace_one)
        self.case_box.toggled.connect(lambda _: self._live_find())
        self.word_box.toggled.connect(lambda _: self._live_find())
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button.clicked.connect(self.find_next)
        self.replace_button.clicked.connect(self.replace_one)
        self.replace_all_button.clicked.connect(self.replace_all)
        close.clicked.connect(self.close_bar)
        self.hide()

    def open_on(self, target: Target, replace: bool) -> None:
        """Show the bar for ``target``, with the replace half when the text can be edited."""
        self.target = target
        can_replace = replace and not target.isReadOnly()
        for widget in (self.replace_edit, self.replace_button, self.replace_all_button):
            widget.setVisible(can_replace)
        selected = target.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_edit.setText(selected)
        self.show()
        (self.replace_edit if can_replace and self.find_edit.text() else self.find_edit).setFocus()
        self.find_edit.selectAll()
        self._mark_all()

    def close_bar(self) -> None:
        """Hide the bar and clear the highlighted matches."""
        self.hide()
        if self.target is not None:
            self.target.setExtraSelections([])
            self.target.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.find_previous()
        else:
            super().keyPressEvent(event)

    def _flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case_box.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if self.word_box.isChecked():
            flags |= QTextDocument.FindFlag.FindWholeWords
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _live_find(self) -> None:
        if self.target is None:
            return
        cursor = self.target.textCursor()
        cursor.setPosition(cursor.selectionStart())  # search again from where the match began
        self.target.setTextCursor(cursor)
        self.find_next()

    def find_next(self) -> bool:
        """Select the next match, wrapping around at the end."""
        return self._find(backward=False)

    def find_previous(self) -> bool:
        """Select the previous match, wrapping around at the start."""
        return self._find(backward=True)

    def _find(self, backward: bool) -> bool:
        text = self.find_edit.text()
        if self.target is None or not text:
            self._mark_all()
            return False
        document = self.target.document()
        found = document.find(text, self.target.textCursor(), self._flags(backward))
        if found.isNull():
            start = QTextCursor(document)
            if backward:
                start.movePosition(QTextCursor.MoveOperation.End)
            found = document.find(text, start, self._flags(backward))
        if not found.isNull():
            self.target.setTextCursor(found)
            self.target.ensureCursorVisible()
        self._mark_all()
        return not found.isNull()

    def _matches(self, limit: int | None = MAX_MARKED) -> list[QTextCursor]:
        text = self.find_edit.text()
        if self.target is None or not text:
            return []
        document = self.target.document()
        found: list[QTextCursor] = []
        cursor = document.find(text, 0, self._flags())
        while not cursor.isNull() and (limit is None or len(found) < limit):
            found.append(cursor)
            cursor = document.find(text, cursor, self._flags())
        return found

    def _mark_all(self) -> None:
        if self.target is None:
            return
        matches = self._matches()
        style = QTextCharFormat()
        style.setBackground(QColor(255, 213, 79, 150))
        selections = []
        for cursor in matches:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = style
            selections.append(selection)
        self.target.setExtraSelections(selections)
        if not self.find_edit.text():
            self.count_label.setText("")
        elif not matches:
            self.count_label.setText("no matches")
        else:
            plus = "+" if len(matches) >= MAX_MARKED else ""
            self.count_label.setText(f"{len(matches)}{plus} {'match' if len(matches) == 1 else 'matches'}")

    def _selection_matches(self) -> bool:
        assert self.target is not None
        selected = self.target.textCursor().selectedText()
        wanted = self.find_edit.text()
        if self.case_box.isChecked():
            return selected == wanted
        return selected.lower() == wanted.lower()

    def replace_one(self) -> None:
        """Replace the selected match and move to the next."""
        if self.target is None or self.target.isReadOnly() or not self.find_edit.text():
            return
        if self._selection_matches():
            self.target.textCursor().insertText(self.replace_edit.text())
        self.find_next()

    def replace_all(self) -> int:
        """Replace every match as one undo step; return how many were replaced."""
        if self.target is None or self.target.isReadOnly():
            return 0
        matches = self._matches(limit=None)
        if not matches:
            return 0
        edit = QTextCursor(self.target.document())
        edit.beginEditBlock()
        for cursor in reversed(matches):  # from the end, so earlier positions stay valid
            cursor.insertText(self.replace_edit.text())
        edit.endEditBlock()
        self._mark_all()
        self.count_label.setText(f"replaced {len(matches)}")
        return len(matches)
