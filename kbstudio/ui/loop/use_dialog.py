""""Used on ticket...": record that a document (or an SOP run) helped, or did not, on a ticket.

One click for the common case: the dialog opens with "Solved" chosen and the ticket box focused;
Enter or the default button records at once (the ticket reference is optional). The outcomes are
the core's (``kbstudio.loop.ledger.OUTCOMES``); "Escalated" needs the SOP the ticket went on with,
picked from the KB's SOPs (the article's own escalation SOP first). The searches that led to the
document (``SearchGapTracker.led_to``) are ticked; other recent searches can be ticked too. The
tier recorded is the role the agent works at (the app's setting).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QWidget,
)

from kbstudio.loop.ledger import ESCALATED, OUTCOME_LABELS, OUTCOMES, SOLVED, UseRequest
from kbstudio.model import DocumentFields

ERROR_STYLE = "color: #c62828;"


CHOOSE_SOP = "Choose an SOP..."


def document_label(document: DocumentFields) -> str:
    """Return ``KB-0019 Outlook keeps asking for a password`` (the title alone without an id)."""
    return " ".join(part for part in (document.id, document.title) if part)


class UseDialog(QDialog):
    """Ask how a document was used on a ticket; ``request()`` is what to record."""

    def __init__(self, document: DocumentFields | None, tier: str, sops: Sequence[DocumentFields],
                 led_to: Sequence[str] = (), recent: Sequence[str] = (), *, sop: DocumentFields | None = None,
                 outcome: str = SOLVED, via: str = "read", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.tier = tier
        self.via = via
        self.setWindowTitle("Used on ticket")
        what = html.escape(document_label(document)) if document is not None else \
            html.escape(document_label(sop)) if sop is not None else ""
        heading = QLabel(f"<b>{what}</b><br><span style='color:gray'>Recorded as an {html.escape(tier)} "
                         "agent; shared with the team at the next sync.</span>")
        heading.setWordWrap(True)
        self.ticket = QLineEdit()
        self.ticket.setPlaceholderText("Ticket number or link (optional)")
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        outcomes = QHBoxLayout()
        for name in OUTCOMES:
            button = QRadioButton(OUTCOME_LABELS[name])
            self.outcome_buttons[name] = button
            self.outcome_group.addButton(button)
            outcomes.addWidget(button)
        outcomes.addStretch(1)
        self.sop_box = QComboBox()
        self.sop_box.setToolTip("The SOP the ticket was escalated with")
        ordered = [sop] if sop is not None else []
        ordered += sorted((item for item in sops if sop is None or item.rel_path != sop.rel_path),
                          key=lambda item: (item.id or "~", item.title))
        # Without the article's own escalation SOP there is no default: an unrelated SOP picked for
        # the agent would be recorded by a quick Enter. The placeholder item has no data.
        if sop is None:
            self.sop_box.addItem(CHOOSE_SOP, None)
        for item in ordered:
            self.sop_box.addItem(document_label(item), item.id or item.rel_path)
        self.sop_box.currentIndexChanged.connect(lambda _: self._check())
        self.searches = QListWidget()
        self.searches.setMaximumHeight(110)
        shown: list[str] = []
        for query in [*led_to, *recent]:
            if query not in shown:
                shown.append(query)
        for query in shown[:10]:
            row = QListWidgetItem(query)     # as typed: the caller's words
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked if query in led_to else Qt.CheckState.Unchecked)
            self.searches.addItem(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record_button = buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        self.record_button.setDefault(True)
        # Cancel would take the default on show (the first auto-default button): Enter must record.
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.record_button.setAutoDefault(True)
        layout = QFormLayout(self)
        layout.addRow(heading)
        layout.addRow("&Ticket", self.ticket)
        layout.addRow("Outcome", outcomes)
        layout.addRow("&Escalated with", self.sop_box)
        if shown:
            layout.addRow("Searches that\nled here", self.searches)
        else:
            self.searches.hide()
        layout.addRow(self.message)
        layout.addRow(buttons)
        self.setMinimumWidth(520)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.outcome_group.buttonToggled.connect(lambda *_: self._check())
        self.outcome_buttons[outcome if outcome in OUTCOMES else SOLVED].setChecked(True)
        self._check()
        self.ticket.setFocus()

    def outcome(self) -> str:
        """Return the outcome chosen (``kbstudio.loop.ledger.OUTCOMES``)."""
        return next((name for name, button in self.outcome_buttons.items() if button.isChecked()), SOLVED)

    def sop(self) -> str | None:
        """Return the id (or KB path) of the SOP picked, when the ticket was escalated."""
        if self.outcome() != ESCALATED or self.sop_box.currentIndex() < 0:
            return None
        data = self.sop_box.currentData()
        return str(data) if data else None

    def chosen_searches(self) -> list[str]:
        """Return the ticked searches, as typed."""
        return [self.searches.item(row).text() for row in range(self.searches.count())
                if self.searches.item(row).checkState() == Qt.CheckState.Checked]

    def request(self) -> UseRequest:
        """Return what to record (``KnowledgeLoop.record_use``)."""
        return UseRequest(outcome=self.outcome(), ticket=self.ticket.text().strip(), sop=self.sop(),
                          searches=tuple(self.chosen_searches()), tier=self.tier, via=self.via)

    def problem(self) -> str | None:
        """Return why the use cannot be recorded as it stands, else None."""
        named = any(self.sop_box.itemData(row) for row in range(self.sop_box.count()))
        if self.outcome() == ESCALATED and not named:
            return "This knowledge base has no SOP to name: choose another outcome."
        if self.outcome() == ESCALATED and self.sop() is None:
            return "Choose the SOP the ticket was escalated with."
        return None

    def _check(self) -> None:
        escalated = self.outcome() == ESCALATED
        self.sop_box.setEnabled(escalated)
        problem = self.problem()
        self.record_button.setEnabled(problem is None)
        self.message.setStyleSheet(ERROR_STYLE if problem else "")
        self.message.setText(problem or "")

    def _accept(self) -> None:
        if self.problem() is None:
            self.accept()
