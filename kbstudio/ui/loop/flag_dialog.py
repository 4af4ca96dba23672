""""Flag...": say what is wrong with a document, where; and "Resolve flag": say it was dealt with.

The reasons are the core's (``kbstudio.loop.flags.REASONS``). The anchor is a heading of the
document (its GitHub-style slug, as links use: it survives edits above it) or, in the edit view,
the line the cursor is on; "The whole document" leaves it out.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from kbstudio.lint.page import slugify_heading
from kbstudio.loop.flags import REASON_LABELS, REASONS, Flag
from kbstudio.md_structure import parse_structure
from kbstudio.model import Document
from kbstudio.ui.loop.use_dialog import document_label

WHOLE = ""


def heading_anchors(document: Document) -> list[tuple[str, str]]:
    """Return (label, slug) of each heading of ``document``, in order, indented by level."""
    found = []
    for heading in parse_structure(document.body).headings:
        slug = slugify_heading(heading.text)
        if slug:
            found.append((f"{'  ' * (heading.level - 1)}{heading.text}", slug))
    return found


class FlagDialog(QDialog):
    """Ask for the reason, an optional comment and where in the document."""

    def __init__(self, document: Document, current_line: int | None = None, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Flag this document")
        heading = QLabel(f"<b>{html.escape(document_label(document))}</b><br><span style='color:gray'>"
                         "Its owner sees the flag on the document, in Health and on the dashboard.</span>")
        heading.setWordWrap(True)
        self.reason_group = QButtonGroup(self)
        self.reason_buttons: dict[str, QRadioButton] = {}
        reasons = QGridLayout()
        for number, name in enumerate(REASONS):
            button = QRadioButton(REASON_LABELS[name])
            self.reason_buttons[name] = button
            self.reason_group.addButton(button)
            reasons.addWidget(button, number // 3, number % 3)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("What is wrong, or what is missing (optional)")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(80)
        self.anchor_box = QComboBox()
        self.anchor_box.addItem("The whole document", WHOLE)
        if current_line is not None:
            self.anchor_box.addItem(f"Line {current_line} (where the cursor is)", str(current_line))
        for label, slug in heading_anchors(document):
            self.anchor_box.addItem(label, slug)
        if current_line is not None:
            self.anchor_box.setCurrentIndex(1)
        self.message = QLabel("Choose a reason.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.flag_button = buttons.addButton("Flag", QDialogButtonBox.ButtonRole.AcceptRole)
        self.flag_button.setDefault(True)
        # Cancel would take the default on show (the first auto-default button): Enter must record.
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        layout = QFormLayout(self)
        layout.addRow(heading)
        layout.addRow("Reason", reasons)
        layout.addRow("&Where", self.anchor_box)
        layout.addRow("&Comment", self.comment)
        layout.addRow(self.message)
        layout.addRow(buttons)
        self.setMinimumWidth(500)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.reason_group.buttonToggled.connect(lambda *_: self._check())
        self._check()

    def reason(self) -> str | None:
        """Return the reason chosen, or None yet."""
        return next((name for name, button in self.reason_buttons.items() if button.isChecked()), None)

    def anchor(self) -> str | None:
        """Return the heading slug or line number chosen, or None for the whole document."""
        return str(self.anchor_box.currentData()) or None

    def comment_text(self) -> str:
        """Return the comment as typed (ends stripped)."""
        return self.comment.toPlainText().strip()

    def _check(self) -> None:
        self.flag_button.setEnabled(self.reason() is not None)
        self.message.setText("" if self.reason() else "Choose a reason.")

    def _accept(self) -> None:
        if self.reason() is not None:
            self.accept()


class ResolveDialog(QDialog):
    """Confirm that a flag was dealt with; ``commit`` is what the fix is recorded with (or None)."""

    def __init__(self, flag: Flag, title: str, commit: str | None, uncommitted: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Resolve flag")
        comment = f": “{html.escape(flag.comment)}”" if flag.comment else ""
        if commit:
            fixed = (f"Recorded as fixed in commit <b>{html.escape(commit[:8])}</b>, "
                     "the document's last commit.")
        elif uncommitted:
            fixed = ("<span style='color:#ef6c00'>The document has changes not committed yet: commit "
                     "them first (Git &gt; Commit) to record the commit that fixed it, or resolve "
                     "without one.</span>")
        else:
            fixed = "No commit is recorded (the knowledge base is not versioned with git)."
        reason = html.escape(REASON_LABELS.get(flag.reason, flag.reason))
        self.summary = QLabel(f"<b>{html.escape(title)}</b><br>{reason}"
                      f"{comment}<br><span style='color:gray'>flagged by {html.escape(flag.opened_by)}</span>"
                      f"<br><br>{fixed}")
        self.summary.setWordWrap(True)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("What was done (optional)")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.resolve_button = buttons.addButton("Resolve", QDialogButtonBox.ButtonRole.AcceptRole)
        self.resolve_button.setDefault(True)
        # Cancel would take the default on show (the first auto-default button): Enter must record.
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        layout = QFormLayout(self)
        layout.addRow(self.summary)
        layout.addRow("&Note", self.note)
        layout.addRow(buttons)
        self.setMinimumWidth(460)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def note_text(self) -> str:
        """Return the resolver's note (ends stripped)."""
        return self.note.toPlainText().strip()
