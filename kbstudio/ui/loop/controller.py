"""The knowledge loop in the main window: uses, flags, search gaps, the gaps page, the dashboard part.

``LoopController`` gets what it needs through its constructor (settings, the git worker, the
open KB and its documents, how to open a document and add a page) and calls the core
(``kbstudio.loop``) for every record and figure. Everything that reads or writes the loop's files
or asks git runs on the git worker (``runner``), one task at a time as all git work does;
results come back on the GUI thread. The window tells it when the KB changed (``refresh``, after
a sync or pull brought teammates' records, a review step, a save).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from kbstudio.changes import KBChange
from kbstudio.kb import KnowledgeBase
from kbstudio.loop.flags import Flag, flags_of, may_fix
from kbstudio.loop.ledger import OUTCOME_LABELS, UseEntry, UseRequest, doc_key
from kbstudio.loop.logfiles import FOLDERS, folder_rel
from kbstudio.loop.service import KnowledgeLoop, Recorded
from kbstudio.model import Document, DocumentFields
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.loop.flag_actions import FlagActions
from kbstudio.ui.loop.flag_bar import FlagBar
from kbstudio.ui.loop.flag_dialog import FlagDialog
from kbstudio.ui.loop.gap_tracker import EndedSearch, SearchGapTracker
from kbstudio.ui.loop.pages import LoopPages
from kbstudio.ui.loop.search_link import CreateFromSearchLink
from kbstudio.ui.loop.use_dialog import UseDialog, document_label
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.tasks import TaskFailure, TaskRunner
from kbstudio.vcs.runner import GitError

if TYPE_CHECKING:
    from kbstudio.handoff import HandoffNote, SopRun
    from kbstudio.sop import Sop

LOG_GAPS = "log_search_gaps"     # the setting (kbstudio.ui.settings.DEFAULTS)
# The loop's record folders (kbstudio.loop.logfiles): a change there is a teammate's record pulled.
LOOP_FOLDERS = tuple(f"{folder_rel(folder)}/" for folder in FOLDERS)


def open_loop(kb: KnowledgeBase) -> KnowledgeLoop:
    """Return the loop of ``kb`` with its repository; without one when git cannot be used there.

    A repository whose own git config names programs KB Studio will not run (refused until the
    user allows them, ``kbstudio.vcs.programs``) or a git that fails still lets agents record: the
    versions are then the files' ``blob:`` ids and the person is git's global identity or the login.
    """
    try:
        return KnowledgeLoop.open(kb)
    except GitError:
        return KnowledgeLoop(kb, None)


@dataclass
class _Attached:
    tab: DocumentTab
    bar: FlagBar
    use_button: QPushButton
    flag_button: QPushButton


class LoopController(QObject):
    """Records uses, flags and gaps for the open KB and keeps the loop's views current."""

    messageRequested = Signal(str)
    documentCreated = Signal(str)          # KB path of a draft created from searches: open it to edit
    flagsChanged = Signal()
    recorded = Signal(object)              # the core's Recorded, once written

    def __init__(self, settings: AppSettings, runner: TaskRunner, kb: Callable[[], KnowledgeBase | None],
                 documents: Callable[[], Sequence[DocumentFields]],
                 open_document: Callable[..., object],
                 add_page: Callable[[QWidget, str], None], dialog_parent: QWidget,
                 escalation_for: Callable[[Document], DocumentFields | None] | None = None,
                 tracker: SearchGapTracker | None = None,
                 publish: Callable[[KBChange], None] | None = None) -> None:
        super().__init__(dialog_parent)
        self.settings = settings
        self.runner = runner
        self.kb = kb
        self.documents = documents
        self.open_document = open_document
        self.dialog_parent = dialog_parent
        self.escalation_for = escalation_for
        self.tracker = tracker
        # The window's change hub (KBChanges.publish): records written here reach every view, and
        # come back through ``kb_changed``. Without one (a test), the loop's views refresh at once.
        self.publish = publish
        self.flags: list[Flag] = []
        self._loop: KnowledgeLoop | None = None          # used on the worker only
        self._attached: list[_Attached] = []
        self.pages = LoopPages(self, add_page)
        self.fixes = FlagActions(self)
        self.last_dialog: QWidget | None = None          # the dialog on screen (tests answer it)
        self.search_link: CreateFromSearchLink | None = None
        if tracker is not None:
            tracker.gapFound.connect(self.gap_found)
            create = getattr(tracker.panel, "createArticleRequested", None)
            if create is not None:     # the empty result's "Create an article from this search"
                create.connect(lambda query: self.pages.create_from_search([query]))
                # ... and a smaller link under results that may not help (a not-opened gap)
                self.search_link = CreateFromSearchLink(tracker.panel)
        self.log_gaps_action = QAction("&Log failed searches (search gaps)", self, checkable=True)
        self.log_gaps_action.setToolTip("Searches that find nothing you open are logged for the team, "
                                        "so that the missing articles get written")
        self.log_gaps_action.setChecked(self.logging_gaps)
        self.log_gaps_action.toggled.connect(lambda on: self.settings.set(LOG_GAPS, bool(on)))
        self.gaps_action = QAction("Search &gaps", self)
        self.gaps_action.setToolTip("Failed searches of the team, grouped: each a possible article")
        self.gaps_action.triggered.connect(self.pages.show_gaps)

    # State ------------------------------------------------------------------------------------

    @property
    def role(self) -> str:
        """Return the tier the user works at (the app's role setting)."""
        return self.settings.role

    @property
    def logging_gaps(self) -> bool:
        """Return True unless the user opted out of logging failed searches."""
        return bool(self.settings.get(LOG_GAPS))

    def work(self, label: str, work: Callable[[KnowledgeLoop], Any],
              on_success: Callable[[Any], None] | None = None) -> bool:
        """Run ``work(loop)`` on the worker for the open KB; False when no KB is open."""
        kb = self.kb()
        if kb is None:
            return False

        def run(progress: object, cancelled: object) -> Any:
            loop = self._loop
            if loop is None or loop.kb is not kb:
                loop = self._loop = open_loop(kb)
            return work(loop)

        self.runner.run(label, run, on_success=on_success, on_error=self._failed)
        return True

    def _failed(self, failure: TaskFailure) -> None:
        """Say why a record or a read failed: a value, a flag, a file or git in its own words (logged);
        anything else is a bug (the error dialog, ``as_failure``)."""
        from kbstudio.loop.records import RecordError
        from kbstudio.ui.vcs.common import EXPECTED_ERRORS, as_failure

        if isinstance(failure.error, (RecordError, KeyError)):
            reason = failure.error.args[0] if failure.error.args else ""
            self.messageRequested.emit(f"{failure.label}: {reason}")
        else:
            self.messageRequested.emit(f"{failure.label}: {as_failure(failure, EXPECTED_ERRORS).message}")

    def open_kb(self) -> None:
        """A KB was opened: forget the last one's loop and read this one's flags."""
        self.flags = []
        self._loop = None
        self.refresh()

    def kb_changed(self, change: KBChange) -> None:
        """Follow a change record: a KB opened, records pulled or written, documents or HEAD changed."""
        if change.reloaded:
            self.open_kb()
        elif change.head or change.documents or any(path.startswith(LOOP_FOLDERS) for path in change.files):
            self.refresh()

    def refresh(self) -> None:
        """Read the flags again and refresh every view of the loop (after a sync, pull or save)."""
        kb = self.kb()
        if kb is None:
            return
        self._loop = None      # the repository or git identity may have changed (git init, a pull)
        self.work("reading flags", lambda loop: loop.flags(), lambda flags: self._flags_read(kb, flags))
        self.pages.refresh()

    def _flags_read(self, kb: KnowledgeBase, flags: list[Flag]) -> None:
        if kb is not self.kb():
            return
        self.flags = flags
        self.update_bars()
        self.flagsChanged.emit()

    def flag_by_id(self, flag_id: str) -> Flag | None:
        """Return the flag with id ``flag_id`` as last read."""
        return next((flag for flag in self.flags if flag.id == flag_id), None)

    def document_of(self, flag: Flag) -> DocumentFields | None:
        documents = self.documents()
        key = flag.key
        return next((document for document in documents
                     if doc_key(document.id, document.rel_path) == key or document.rel_path == flag.path),
                    None)

    # Document tabs ----------------------------------------------------------------------------

    def attach(self, tab: DocumentTab) -> None:
        """Give a document tab "Used on ticket...", "Flag..." and the bar of its open flags."""
        use_button = QPushButton("Used on ticket...")
        use_button.setToolTip("Record that this document helped (or not) on a ticket: one click for solved")
        flag_button = QPushButton("Flag...")
        flag_button.setToolTip("Say what is wrong, outdated, unclear or missing here")
        bar = FlagBar()
        tab.add_loop_widgets([use_button, flag_button], bar)
        attached = _Attached(tab, bar, use_button, flag_button)
        self._attached.append(attached)
        use_button.clicked.connect(lambda: self.use_dialog(tab))
        flag_button.clicked.connect(lambda: self.flag_dialog(tab))
        bar.fixRequested.connect(self.fixes.fix)
        bar.resolveRequested.connect(self.fixes.resolve)
        bar.showRequested.connect(lambda flag_id: self.fixes.show_anchor(tab, flag_id))
        tab.destroyed.connect(lambda *_: self._detach(attached))
        self._update_bar(attached)

    def _detach(self, attached: _Attached) -> None:
        if attached in self._attached:
            self._attached.remove(attached)

    def update_bars(self) -> None:
        """Show each open tab's flags (after the flags were read or the role changed)."""
        for attached in list(self._attached):
            if shiboken6.isValid(attached.tab) and shiboken6.isValid(attached.bar):
                self._update_bar(attached)
            else:
                self._detach(attached)

    def _update_bar(self, attached: _Attached) -> None:
        document = attached.tab.document
        attached.bar.set_flags(flags_of(self.flags, document), may_fix(self.role, document.tier))

    def bar_of(self, tab: DocumentTab) -> FlagBar | None:
        """Return the flag bar of ``tab`` (None when it was never attached)."""
        return next((item.bar for item in self._attached if item.tab is tab), None)

    def buttons_of(self, tab: DocumentTab) -> tuple[QPushButton, QPushButton] | None:
        """Return the "Used on ticket..." and "Flag..." buttons of ``tab``."""
        return next(((item.use_button, item.flag_button) for item in self._attached if item.tab is tab), None)

    # Uses -------------------------------------------------------------------------------------

    def use_dialog(self, tab: DocumentTab) -> UseDialog:
        """Ask how the document in ``tab`` was used; record it when the dialog is accepted."""
        document = tab.document
        documents = self.documents()
        sops = [item for item in documents if item.kind == "sop" and item.readable]
        sop: DocumentFields | None = None
        if document.kind == "sop":
            sop = document
        elif self.escalation_for is not None:
            sop = self.escalation_for(document)
        led_to = self.tracker.led_to(tab.rel_path) if self.tracker is not None else []
        recent = self.tracker.recent() if self.tracker is not None else []
        dialog = UseDialog(document, self.role, sops, led_to, recent, sop=sop, parent=self.dialog_parent)
        dialog.accepted.connect(lambda: self.record_use(document, dialog.request()))
        self.show_dialog(dialog)
        return dialog

    def record_use(self, document: DocumentFields | None, request: UseRequest) -> bool:
        """Record one use on the worker; say so in the status bar when it is written."""
        return self.work("recording the use", lambda loop: loop.record_use(document, request),
                          self._use_recorded)

    def _use_recorded(self, recorded: Recorded) -> None:
        entry = recorded.record
        if not isinstance(entry, UseEntry):
            return
        outcome = OUTCOME_LABELS.get(entry.outcome, entry.outcome)
        ticket = f" on ticket {entry.ticket}" if entry.ticket else ""
        name = entry.document or entry.sop or ""
        self.messageRequested.emit(f"Use recorded: {name} {outcome.lower()}{ticket} "
                                   "(shared with the team at the next sync)")
        self.recorded.emit(recorded)
        self.records_changed(recorded)

    def run_finished(self, sop: Sop, run: SopRun, note: HandoffNote) -> bool:
        """Record the use a finished SOP run's hand-off note stands for (``kbstudio.loop.handoff``)."""
        documents = list(self.documents())
        searches: list[str] = []
        if self.tracker is not None:   # the searches that found the SOP, else the article it started from
            searches = self.tracker.led_to(sop.rel_path) or (self.tracker.led_to(run.article) if run.article
                                                             else [])
        tier = self.role

        def work(loop: KnowledgeLoop) -> Recorded | None:
            from kbstudio.loop.handoff import record_handoff

            return record_handoff(loop, sop, run, note, documents, searches=searches, tier=tier)

        return self.work("recording the SOP run", work,
                          lambda recorded: self._use_recorded(recorded) if recorded is not None else None)

    # Flags ------------------------------------------------------------------------------------

    def flag_dialog(self, tab: DocumentTab) -> FlagDialog:
        """Ask what is wrong with the document in ``tab``; open the flag when accepted."""
        line = tab.editor.textCursor().blockNumber() + 1 if tab.editing else None
        document = tab.document
        dialog = FlagDialog(document, line, self.dialog_parent)
        dialog.accepted.connect(lambda: self.flag(document, dialog.reason() or "", dialog.comment_text(),
                                                  dialog.anchor()))
        self.show_dialog(dialog)
        return dialog

    def flag(self, document: DocumentFields, reason: str, comment: str = "",
             anchor: str | None = None) -> bool:
        """Open a flag on ``document`` on the worker."""
        tier = self.role
        return self.work("flagging", lambda loop: loop.flag(document, reason, comment=comment, anchor=anchor,
                                                               tier=tier),
                          lambda recorded: self._flag_recorded(document, "Flagged", recorded))

    def _flag_recorded(self, document: DocumentFields, what: str, recorded: Recorded) -> None:
        self.messageRequested.emit(f"{what}: {document_label(document)} "
                                   "(shared with the team at the next sync)")
        self.recorded.emit(recorded)
        self.records_changed(recorded)

    # Search gaps ------------------------------------------------------------------------------

    def gap_found(self, ended: EndedSearch) -> bool:
        """Log a search that ended without a result opened, unless the user opted out."""
        if not self.logging_gaps:
            return False
        tier = self.role
        return self.work("logging a search gap",
                          lambda loop: loop.record_gap(ended.query, ended.kind, tier=tier,
                                                       results=ended.results, other_tiers=ended.other_tiers,
                                                       tiers=ended.tiers),
                          lambda recorded: self.records_changed(recorded) if recorded is not None else None)

    # Helpers ----------------------------------------------------------------------------------

    def records_changed(self, recorded: Recorded) -> None:
        """A record was written here: tell every view (through the hub), or re-read the loop's own."""
        if self.publish is not None:
            self.publish(KBChange.of(changed=[recorded.file]))
        else:
            self.refresh()

    def open_named(self, name: str) -> object:
        """Open a document named by id (``KB-0061``) or KB path (the gaps page, the dashboard)."""
        key = doc_key(name, None)
        found = next((document for document in self.documents()
                      if document.rel_path == name or (document.id and doc_key(document.id, None) == key)),
                     None)
        if found is None:
            self.messageRequested.emit(f"{name} is not in this knowledge base (any more)")
            return None
        return self.open_document(found.rel_path)

    def show_dialog(self, dialog: QDialog) -> None:
        self.last_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)   # after its accepted() handlers ran
        dialog.open()
