"""The hand-off note at the end of an SOP run: read it, copy it into the ticket in one click."""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kbstudio.handoff import RESOLVED, HandoffNote


def copy_note(note: HandoffNote, markdown: bool = False) -> None:
    """Put the note on the clipboard, as plain text (any ticket form) or as Markdown."""
    # Plain text only: a QMimeData made in Python and handed to the clipboard was freed twice
    # at exit (a crash on quitting after a copy).
    QGuiApplication.clipboard().setText(note.markdown() if markdown else note.text())


class HandoffDialog(QDialog):
    """Shows the note as plain text and as Markdown, with copy buttons."""

    def __init__(self, note: HandoffNote, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = note
        resolved = note.outcome == RESOLVED
        self.setWindowTitle("Resolved at first contact" if resolved else "Hand-off note for the ticket")
        self.resize(720, 560)
        headline = QLabel(f"<b>{note.heading}</b>")
        headline.setWordWrap(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.views = QTabWidget()
        for label, text in (("Plain text", note.text()), ("Markdown", note.markdown())):
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            view.setFont(mono)
            self.views.addTab(view, label)
        self.copy_button = QPushButton("Copy for the ticket")
        self.copy_button.setDefault(True)
        self.copy_markdown_button = QPushButton("Copy as Markdown")
        self.copied = QLabel()
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copy_markdown_button)
        buttons.addWidget(self.copied, 1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(self.views, 1)
        layout.addLayout(buttons)
        self.copy_button.clicked.connect(lambda: self._copy(markdown=False))
        self.copy_markdown_button.clicked.connect(lambda: self._copy(markdown=True))
        close.clicked.connect(self.accept)

    def _copy(self, markdown: bool) -> None:
        copy_note(self.note, markdown)
        self.copied.setText("Copied as Markdown." if markdown else "Copied. Paste it into the ticket.")
