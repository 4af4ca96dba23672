"""SOPs in the app: the SOP to follow from an article, guided runs, hand-off notes, the map."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from kbstudio.changes import KBChange
from kbstudio.model import Document
from kbstudio.ui.context import WindowContext
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.tasks import TaskFailure, TaskRunner

if TYPE_CHECKING:
    from kbstudio.handoff import HandoffNote
    from kbstudio.kbconfig import KbConfig
    from kbstudio.sop import Sop
    from kbstudio.ui.escalation_map_view import EscalationMapView
    from kbstudio.ui.handoff_dialog import HandoffDialog

# SOP parsing, runs and the map load on first use, so they cost nothing at launch.
ROOM_FOR_A_RUN = 1100   # a document tab narrower than this folds search and library away for a run
RUN_WIDTH = 440         # the run's share of the tab, at least (when the tab has room for the SOP too)


class SopActions(QObject):
    """Connects articles to their SOP, runs SOPs and shows the escalation map.

    ``runner`` is the git worker (an SOP's version asks git); ``side_panel`` is the window's search
    and library, folded away while a run needs the room.
    """

    # A run finished: the SOP, the run and its hand-off note (the knowledge loop records its use).
    runFinished = Signal(object, object, object)

    def __init__(self, context: WindowContext, runner: TaskRunner, side_panel: QWidget | None = None) -> None:
        super().__init__(context.parent)
        self.context = context
        self.runner = runner
        self.dialog_parent = context.parent
        self.handoff_dialog: HandoffDialog | None = None
        self.side_panel = side_panel
        self._side_hidden_for: int | None = None   # id() of the run panel it was folded for
        self._run_tabs: dict[int, DocumentTab] = {}   # id() of each run panel: its SOP's tab
        self._user_chose: set[int] = set()   # runs whose "Show search" button was used
        context.tabs.documentOpened.connect(self._document_opened)
        context.hub.kbChanged.connect(self.kb_changed)

    def documents(self) -> list[Document]:
        """Return the open KB's documents: their fields (DocumentInfo), all the SOP lookups read."""
        return cast(list[Document], list(self.context.documents.values()))

    def escalation_for(self, document: Document) -> Document | None:
        """Return the SOP to follow when ``document`` (an article) does not solve the problem."""
        documents = self.documents()
        if document.kind != "article" or not documents:
            return None
        from kbstudio.sop import sop_for_article

        return cast("Document | None", sop_for_article(document, documents))

    def _document_opened(self, tab: DocumentTab) -> None:
        tab.startSopRequested.connect(self.start)
        tab.set_escalation(self.escalation_for(tab.document))

    def kb_changed(self, change: KBChange) -> None:
        """Show each open article's SOP again when the documents were read or an SOP may have changed."""
        if change.reloaded or change.documents:
            for tab in self.context.tabs.open_tabs():
                tab.set_escalation(self.escalation_for(tab.document))

    def show_map(self) -> EscalationMapView | None:
        """Open the escalation map of the KB in a tab."""
        kb = self.context.kb
        if kb is None or not self.context.documents:
            self.context.status.show("The documents are still loading", 4000)
            return None
        view = self.map_view(f"Escalation map: {kb.name}")
        self.context.tabs.add_page(view, "Escalation map")
        return view

    def start(self, rel_path: str, from_article: str = "") -> None:
        """Open the SOP at ``rel_path`` and start a guided run beside it.

        ``from_article`` is the KB path of the article whose "Didn't solve it?" started the run: the
        run names it, pre-fills the issue from it, and links it when a check solves the problem.
        """
        tab = self.context.tabs.open_document(rel_path)
        if not isinstance(tab, DocumentTab):
            return
        if tab.document.kind != "sop":
            self.context.status.show(f"{rel_path} is not an SOP", 8000)
            return
        from kbstudio.handoff import sop_version
        from kbstudio.kbconfig import load_kb_config
        from kbstudio.sop import parse_sop

        sop = parse_sop(tab.document)
        article = next((doc for doc in self.documents() if doc.rel_path == from_article), None) \
            if from_article else None
        root = tab.kb.root
        # The version asks git, so it runs on the git worker (``runner``), through the GitRunner like
        # every git command; the panel opens when it is known. The KB's web address comes with it.
        self.runner.run("SOP version", lambda p, c: (sop_version(sop), load_kb_config(root)),
                        on_success=lambda found: self._show_panel(tab, sop, found[0], found[1], article),
                        on_error=lambda failure: self._version_unknown(failure, tab, sop, article))

    def _version_unknown(self, failure: TaskFailure, tab: DocumentTab, sop: Sop, article: Document | None
                         ) -> None:
        """The version (or the KB's settings) could not be read: log why, run the SOP without them.

        A git or file error is logged; anything else is a bug, also shown in the error dialog.
        """
        from kbstudio.ui.vcs.common import as_failure

        as_failure(failure)
        self._show_panel(tab, sop, "unknown version", None, article)

    def _show_panel(self, tab: DocumentTab, sop: Sop, version: str, config: KbConfig | None,
                    article: Document | None) -> None:
        if not shiboken6.isValid(tab):
            return   # the tab was closed meanwhile
        from kbstudio.ui.sop_run_panel import SopRunPanel

        panel = SopRunPanel(sop, version, self.documents, article=article, config=config)
        panel.finished.connect(self.show_handoff)
        panel.finished.connect(lambda note, p=panel: self.runFinished.emit(p.sop, p.run(), note))
        panel.closeRequested.connect(tab.close_run_panel)
        panel.openDocumentRequested.connect(self.context.tabs.open_document)
        panel.messageRequested.connect(self.context.status.show)
        panel.sopToggled.connect(lambda shown: self._show_sop(tab, shown))
        key = id(panel)
        panel.sidePanelToggled.connect(lambda shown: self._show_side_panel(key, shown))
        self._run_tabs[key] = tab
        panel.installEventFilter(self)   # folds search and library while the run is on screen
        tab.show_run_panel(panel)
        QTimer.singleShot(0, lambda: self._split(tab, panel))
        panel.destroyed.connect(lambda *_: self._run_ended(tab, key))
        if sop.problems:
            self.context.status.show(f"This SOP is incomplete ({sop.problems[0].message}); "
                                     "run what it has and tell its owner", 8000)
        elif config is not None and config.problems:
            self.context.status.show(config.problems[0], 8000)

    # Room for a run: the SOP and the run side by side; while a run is on screen in a narrow window,
    # search and library are folded away (its "Show search" button brings them back for that run).

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Show:
            side = self.side_panel
            if side is not None and side.isVisible() and side.width() == 0:   # not laid out yet: wait
                QTimer.singleShot(0, lambda: self._fold_for(watched) if shiboken6.isValid(watched) else None)
            else:
                self._fold_for(watched)
        elif event.type() == QEvent.Type.Hide:
            self._unfold_for(id(watched))
        return False

    def _fold_for(self, panel: QObject) -> None:
        key, side = id(panel), self.side_panel
        tab = self._run_tabs.get(key)
        if side is None or tab is None or not shiboken6.isValid(side) or not isinstance(panel, QWidget) \
                or not panel.isVisible():
            return
        # The room the tab has beside search and library (its own width may be stale while it was hidden).
        holder = side.parentWidget()
        room = (holder.width() if holder is not None else tab.width()) - side.width()
        if key not in self._user_chose and side.isVisible() and room < ROOM_FOR_A_RUN:
            side.setVisible(False)
            self._side_hidden_for = key
        if hasattr(panel, "set_side_panel_shown"):
            panel.set_side_panel_shown(side.isVisible())

    def _unfold_for(self, key: int) -> None:
        if self._side_hidden_for == key:
            self._side_hidden_for = None
            if self.side_panel is not None and shiboken6.isValid(self.side_panel):
                self.side_panel.setVisible(True)

    @staticmethod
    def _split(tab: DocumentTab, panel: QWidget) -> None:
        if not (shiboken6.isValid(tab) and shiboken6.isValid(panel)) or tab.run_panel is not panel:
            return
        total = sum(tab.splitter.sizes())
        run = min(max(total // 2, RUN_WIDTH), max(total - 320, total // 2))
        sizes = [0] * (tab.splitter.count() - 1) + [run]
        sizes[tab.splitter.indexOf(tab.preview)] = total - run
        tab.splitter.setSizes(sizes)

    def _show_sop(self, tab: DocumentTab, shown: bool) -> None:
        if shiboken6.isValid(tab):
            tab.preview.setVisible(shown)
            if shown and tab.run_panel is not None:
                panel = tab.run_panel
                QTimer.singleShot(0, lambda: self._split(tab, panel))

    def _show_side_panel(self, key: int, shown: bool) -> None:
        self._user_chose.add(key)   # this run no longer folds them by itself
        self._side_hidden_for = None
        if self.side_panel is not None:
            self.side_panel.setVisible(shown)
        tab = self._run_tabs.get(key)
        if tab is not None and tab.run_panel is not None:
            panel = tab.run_panel
            QTimer.singleShot(0, lambda: self._split(tab, panel))   # the run keeps a workable width

    def _run_ended(self, tab: DocumentTab, key: int) -> None:
        self._run_tabs.pop(key, None)
        self._user_chose.discard(key)
        if shiboken6.isValid(tab) and tab.run_panel is None:
            tab.preview.setVisible(True)
        self._unfold_for(key)

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
        view.openDocumentRequested.connect(self.context.tabs.open_document)
        view.messageRequested.connect(self.context.status.show)
        return view
