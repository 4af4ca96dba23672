"""SOPs in the app: the SOP to follow from an article, guided runs, hand-off notes, the map."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kbstudio.model import Document
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from kbstudio.handoff import HandoffNote
    from kbstudio.sop import Sop
    from kbstudio.ui.escalation_map_view import EscalationMapView
    from kbstudio.ui.handoff_dialog import HandoffDialog

# SOP parsing, runs and the map load on first use, so they cost nothing at launch.


class SopActions(QObject):
    """Connects articles to their SOP and runs SOPs; the window passes in what it needs."""

    messageRequested = Signal(str)
    openDocumentRequested = Signal(str)

    def __init__(self, documents: Callable[[], list[Document]],
                 open_document: Callable[[str], DocumentTab | None], runner: TaskRunner,
                 dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.documents = documents
        self.open_document = open_document
        self.runner = runner
        self.dialog_parent = dialog_parent
        self.handoff_dialog: HandoffDialog | None = None

    def escalation_for(self, document: Document) -> Document | None:
        """Return the SOP to follow when ``document`` (an article) does not solve the problem."""
        documents = self.documents()
        if document.kind != "article" or not documents:
            return None
        from kbstudio.sop import sop_for_article

        return sop_for_article(document, documents)

    def start(self, rel_path: str) -> None:
        """Open the SOP at ``rel_path`` and start a guided run beside it."""
        tab = self.open_document(rel_path)
        if tab is None:
            return
        if tab.document.kind != "sop":
            self.messageRequested.emit(f"{rel_path} is not an SOP")
            return
        from kbstudio.handoff import sop_version
        from kbstudio.sop import parse_sop

        sop = parse_sop(tab.document)
        # The version asks git, so it runs on the git worker (``runner``), through the GitRunner like
        # every git command; the panel opens when it is known.
        self.runner.run("SOP version", lambda p, c: sop_version(sop),
                        on_success=lambda version: self._show_panel(tab, sop, version),
                        on_error=lambda _: self._show_panel(tab, sop, "unknown version"))

    def _show_panel(self, tab: DocumentTab, sop: Sop, version: str) -> None:
        if not shiboken6.isValid(tab):
            return   # the tab was closed meanwhile
        from kbstudio.ui.sop_run_panel import SopRunPanel

        panel = SopRunPanel(sop, version, self.documents)
        panel.finished.connect(self.show_handoff)
        panel.closeRequested.connect(tab.close_run_panel)
        tab.show_run_panel(panel)
        if sop.problems:
            self.messageRequested.emit(f"This SOP is incomplete ({sop.problems[0].message}); "
                                       "run what it has and tell its owner")

    def show_handoff(self, note: HandoffNote) -> HandoffDialog:
        """Show the hand-off note, ready to copy into the ticket."""
        from kbstudio.ui.handoff_dialog import HandoffDialog

        dialog = HandoffDialog(note, self.dialog_parent)
        self.handoff_dialog = dialog
        dialog.open()
        return dialog

    def map_view(self, title: str) -> EscalationMapView:
        """Return a new escalation map of the KB's documents."""
        from kbstudio.sop import escalation_map
        from kbstudio.ui.escalation_map_view import EscalationMapView

        view = EscalationMapView(escalation_map(self.documents()), title)
        view.openDocumentRequested.connect(self.openDocumentRequested)
        view.messageRequested.connect(self.messageRequested)
        return view
