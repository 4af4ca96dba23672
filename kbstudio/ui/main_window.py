"""The main window: search, library and Health on the left, document tabs, the status bar.

The window builds the parts and connects them in one place (``_connect``); each part owns its
work and refreshes itself from the change records the hub (``KBChanges``) carries: a core
operation returns a ``KBChange``, whoever ran it publishes it, the hub brings the documents up to
date and emits it, and the library, search results, open tabs, Health, the status bar and the
dashboard refresh from it. The controllers get one ``WindowContext``; none reaches into the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QSplitter, QTabWidget

from kbstudio.demo import bundled_demo, copy_demo, documents_dir, is_bundled_demo
from kbstudio.docset import DocumentSet
from kbstudio.index.search import SearchOptions
from kbstudio.index.synonyms import SYNONYMS_PATH
from kbstudio.kb import KnowledgeBase
from kbstudio.render_budget import BudgetedRenderer
from kbstudio.ui.changes_hub import KBChanges
from kbstudio.ui.context import WindowContext
from kbstudio.ui.disk_watch import DiskWatcher
from kbstudio.ui.document_actions import DocumentActions
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.document_tabs import DocumentTabs
from kbstudio.ui.editor import ShortcutPassThrough
from kbstudio.ui.external_changes import EditorTab
from kbstudio.ui.git_actions import GitActions
from kbstudio.ui.health_checks import HealthChecks
from kbstudio.ui.health_panel import HealthPanel
from kbstudio.ui.index_controller import IndexController
from kbstudio.ui.kb_files import KbFileWatcher
from kbstudio.ui.library import LibraryPanel
from kbstudio.ui.link_picker import LinkPicker
from kbstudio.ui.loop.controller import LoopController
from kbstudio.ui.loop.gap_tracker import SearchGapTracker
from kbstudio.ui.menus import MainMenus
from kbstudio.ui.recovery_keeper import RecoveryKeeper
from kbstudio.ui.review_actions import ReviewActions
from kbstudio.ui.search_panel import SearchPanel
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.sop_actions import SopActions
from kbstudio.ui.start_page import StartPage
from kbstudio.ui.status_line import StatusLine
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.theme import THEMES, apply_theme, refresh_rich_label, wants_dark

if TYPE_CHECKING:
    from kbstudio.model import DocumentInfo

# KB files that are no documents but whose change re-runs the whole-KB checks (and search).
KB_WIDE_FILES = (SYNONYMS_PATH,)


class MainWindow(QMainWindow):
    """KB Studio's main window."""

    # Sent once a KB's documents are loaded (the app's start-up freezes them out of the collector).
    documents_loaded = Signal()

    def __init__(self, settings: AppSettings, index_dir: str | None = None,
                 state_dir: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.index_dir = index_dir
        self.state_dir = state_dir
        self.link_picker: LinkPicker | None = None
        self.dark = False
        self.setWindowTitle("KB Studio")
        self.resize(1280, 820)
        self.render_work = TaskRunner(self, max_threads=1)
        # One render child process for the whole app (started when a KB opens, stopped on exit).
        # It rides on the render runner every DocumentTab is given, which is where the tab's render
        # work looks for it.
        self.renderer = BudgetedRenderer()
        self.load_work = TaskRunner(self, max_threads=1)     # reading documents, content checks

        # The documents, the status line and the change hub; then the parts that follow it.
        self.documents = DocumentSet()
        self.status = StatusLine(self.statusBar(), self.documents, self)
        self.count_label, self.kb_label = self.status.count_label, self.status.kb_label
        self.hub = KBChanges(self.documents, self.load_work, self.status, self)
        self.disk = DiskWatcher(self.hub, self)
        self.kb_files = KbFileWatcher(KB_WIDE_FILES, self.hub, self)
        self.start_page = StartPage()
        self.start_page.set_demo_available(bundled_demo() is not None)
        self.pages = DocumentTabs(settings, self.hub, self.status, self.disk, self.render_work, self.renderer,
                                  self.start_page, state_dir, self)
        self.tabs, self.changes = self.pages.tabs, self.pages.changes
        self.context = WindowContext(self, settings, self.hub, self.load_work, self.status, self.pages)

        self.search = SearchPanel()
        self.library = LibraryPanel(self.documents)
        self.health = HealthPanel()
        self.left = QTabWidget()
        self.left.addTab(self.search, "Search")
        self.left.addTab(self.library, "Library")
        self.left.addTab(self.health, "Health")
        self.splitter = QSplitter()
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.pages.area)
        self.splitter.setSizes([460, 820])
        self.setCentralWidget(self.splitter)

        self.index = IndexController(index_dir, self.hub, self)
        self.index_label = self.index.label
        self.checks = HealthChecks(self.context, self.health)
        self.git = GitActions(self.context)
        self.disk.wait_for(self.git.git_work)   # what git writes comes as git's own record
        self.sops = SopActions(self.context, self.git.git_work, side_panel=self.left)  # the one git worker
        self.review = ReviewActions(self.context, self.git)
        self.documents_actions = DocumentActions(self.context)
        # The knowledge loop: uses, flags, search gaps (on the git worker: versions ask git).
        self.loop = LoopController(settings, self.git.git_work, lambda: self.hub.kb,
                                   lambda: list(self.documents.values()), self.pages.open_document,
                                   self.pages.add_page, self, escalation_for=self.sops.escalation_for,
                                   tracker=SearchGapTracker(self.search), publish=self.hub.publish)
        self.status.add(self.index.label, self.index.progress, self.index.cancel_button, self.git.label)
        self.menus = MainMenus(self)
        # Ctrl+E switches Edit/Read from the search box and the library filter too (X11 line edits
        # read it as "end of line"); each document tab lets it through its own fields.
        self._window_keys = ShortcutPassThrough([self.menus.mode.shortcut()], self)
        for field in (self.search.query, self.library.filter):
            field.installEventFilter(self._window_keys)
        self._connect()

        self.library.set_grouping(self.settings.get("group_by"))
        self.apply_role(self.settings.role)
        self._restore_layout()
        self.apply_theme(self.settings.get("theme"))
        self.pages.refresh_start_page()

    def _connect(self) -> None:
        """Connect the parts: the views to the change records, requests to those who serve them."""
        for view in (self.library.kb_changed, self.search.kb_changed, self.status.kb_changed,
                     self.loop.kb_changed):
            self.hub.kbChanged.connect(view)
        self.pages.documentOpened.connect(self.loop.attach)            # Used on ticket, Flag, the flag bar
        self.loop.messageRequested.connect(self.status.show)
        self.sops.runFinished.connect(self.loop.run_finished)          # the hand-off note records its use
        self.review.dashboardOpened.connect(self.loop.pages.attach_dashboard)
        self.health.add_finding_action(self.loop.fixes.health_action())   # Resolve this flag...
        self.search.searchRequested.connect(self.run_search)
        self.search.openRequested.connect(self.pages.open_document)
        self.library.openRequested.connect(self.pages.open_document)
        self.library.groupingChanged.connect(self._grouping_changed)
        self.health.openAtLineRequested.connect(self.open_at_line)
        self.left.currentChanged.connect(self._left_tab_changed)
        self.index.noteChanged.connect(self.search.set_note)   # the scan answers while the index can't
        self.pages.documentSaved.connect(self.git.saved)        # auto-commit, when asked for
        self.pages.linkPickerRequested.connect(self.pick_link)
        self.git.cloned.connect(self.open_folder)
        self.start_page.openKbRequested.connect(self.open_folder)
        self.start_page.openFolderRequested.connect(self.choose_kb)
        self.start_page.cloneRequested.connect(self.git.show_clone)
        self.start_page.demoRequested.connect(self.create_kb_from_demo)
        self.start_page.newDocumentRequested.connect(self.documents_actions.new_document)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._color_scheme_changed)

    # Layout and theme -----------------------------------------------------------------------

    def _restore_layout(self) -> None:
        if self.settings.get("geometry"):
            self.restoreGeometry(self.settings.get("geometry"))
        if self.settings.get("main_split"):
            self.splitter.restoreState(self.settings.get("main_split"))
        self.left.setCurrentIndex(self.settings.get("left_tab"))

    def _save_layout(self) -> None:
        self.settings.set("geometry", self.saveGeometry().data())
        self.settings.set("main_split", self.splitter.saveState().data())
        self.settings.set("left_tab", self.left.currentIndex())

    def _grouping_changed(self, key: str) -> None:
        self.settings.set("group_by", key)

    def _left_tab_changed(self) -> None:
        if self.left.currentWidget() is self.health:
            self.checks.start()   # a big KB is checked when Health is first shown

    def _color_scheme_changed(self) -> None:
        self.apply_theme(self.settings.get("theme"))

    def apply_theme(self, theme: str) -> None:
        """Use the light or dark theme, or follow the system (``system``)."""
        theme = theme if theme in THEMES else "system"
        self.settings.set("theme", theme)
        self.menus.theme_actions[theme].setChecked(True)
        self.dark = wants_dark(theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.dark)
        refresh_rich_label(self.search.suggestion)
        self.pages.set_dark(self.dark)
        for tab in self.pages.open_tabs():
            refresh_rich_label(tab.escalation_bar)

    def apply_role(self, role: str) -> None:
        """Switch between the L1, L2 and L3 views."""
        self.settings.set("role", role)
        self.menus.role_actions[role].setChecked(True)
        self.status.set_role(role)
        self.search.set_role_tiers(self.settings.visible_tiers())
        self.search.rerun()
        self.loop.update_bars()   # who may fix changes with the role

    def focus_search(self) -> None:
        """Show the search panel and put the cursor in the search box."""
        self.left.setCurrentWidget(self.search)
        self.search.query.setFocus()
        self.search.query.selectAll()

    # Knowledge base -------------------------------------------------------------------------

    def choose_kb(self) -> None:
        """Ask for a folder and open it as the KB."""
        folder = QFileDialog.getExistingDirectory(self, "Open knowledge base")
        if folder:
            self.open_folder(folder)

    def open_folder(self, folder: str | Path) -> None:
        """Open the KB in ``folder`` (a recent one, a fresh clone, one chosen)."""
        self.open_kb(KnowledgeBase(Path(folder)))

    def open_kb(self, kb: KnowledgeBase) -> None:
        """Open ``kb``: list its documents and make its index ready, both in the background.

        The tabs of the KB open before are remembered, and this KB's tabs of last time come back.
        The shipped demo is never opened in place: the user's copy of it opens instead.
        """
        session = self.pages.session()
        if not self.pages.close_all_tabs():
            return
        if self.hub.kb is not None:
            self.pages.save_session(self.hub.kb, session)
        self.start_page.set_note("")
        if is_bundled_demo(kb.root):
            copy = self.demo_copy()
            if copy is None:
                return
            kb = KnowledgeBase(copy)
        self.hub.open_kb(kb)
        self.settings.remember_kb(str(kb.root))
        self.pages.open_kb(kb)
        self.disk.open_kb(kb)
        self.kb_files.open_kb(kb.root)
        self.git.open_kb(kb)
        self.setWindowTitle(f"KB Studio - {kb.name}")
        self.status.set_kb(kb.root)
        # Reading every document waits until the index is open: on a big KB both compete for
        # the same interpreter, and searching is what the user needs first.
        self.index.opened.connect(lambda: self._load_documents(kb), Qt.ConnectionType.SingleShotConnection)
        self.index.open(kb)
        # Pre-warm the render child so the first document does not wait ~0.4 s for its imports.
        # On the render runner: start() takes the renderer's lock, which a render may hold for 1 s.
        self.render_work.run("starting the formatter", lambda p, c: self.renderer.start())
        self.pages.restore_session()

    def _load_documents(self, kb: KnowledgeBase) -> None:
        if kb is self.hub.kb:
            self.load_work.run(f"loading {kb.name}", lambda p, c: kb.scan(c),
                               on_success=lambda docs: self._documents_loaded(kb, docs),
                               on_error=self.status.error)

    def _documents_loaded(self, kb: KnowledgeBase, documents: list[DocumentInfo]) -> None:
        if kb is not self.hub.kb:
            return
        self.hub.load(kb, documents)   # every view shows them (a change record with ``reloaded``)
        self.documents_loaded.emit()   # kbstudio.ui.process_tuning: out of the cyclic collector
        if self.recovery is not None:
            self.recovery.offer()

    @property
    def kb(self) -> KnowledgeBase | None:
        """Return the open KB."""
        return self.hub.kb

    @property
    def recovery(self) -> RecoveryKeeper | None:
        """Return the keeper of the open KB's unsaved text."""
        return self.pages.recovery

    # First run: the demo, copied to the user's documents ----------------------------------------

    def demo_copy(self) -> Path | None:
        """Return the user's copy of the demo: the one made before, else a new one in the documents."""
        made = self.settings.get("demo_copy")
        if made and Path(made).is_dir():
            return Path(made)
        path = self._copy_demo()
        if path is not None:
            self.settings.set("demo_copy", str(path))
        return path

    def create_kb_from_demo(self) -> KnowledgeBase | None:
        """Copy the demo into a new folder in the user's documents and open it."""
        path = self._copy_demo()
        if path is None:
            return None
        note = self.start_page.note.text()
        self.open_kb(KnowledgeBase(path))
        if self.hub.kb is not None and self.hub.kb.root == path:
            self.start_page.set_note(note)
        return self.hub.kb

    def _copy_demo(self) -> Path | None:
        try:
            copy = copy_demo(documents_dir())
        except OSError as error:
            self.status.error(f"Could not copy the demo knowledge base: {error.strerror or error}")
            return None
        note = (f"The demo knowledge base was copied to {copy.path}: change it as you like, the one "
                "shipped with KB Studio stays as it is.")
        if copy.note:
            note += f" Not versioned: {copy.note}."
        self.start_page.set_note(note)
        self.status.show(f"The demo was copied to {copy.path}", 15000)
        return copy.path

    # Documents and search --------------------------------------------------------------------

    def open_document(self, rel_path: str, edit: bool | None = None) -> EditorTab | None:
        """Open ``rel_path`` in a tab, or switch to its tab (see ``DocumentTabs.open_document``)."""
        return self.pages.open_document(rel_path, edit)

    def tab_for(self, rel_path: str) -> EditorTab | None:
        """Return the open tab of ``rel_path``."""
        return self.pages.tab_for(rel_path)

    def current_tab(self) -> DocumentTab | None:
        """Return the tab in front, if it is a document."""
        return self.pages.current_tab()

    def open_tabs(self) -> list[DocumentTab]:
        """Return every open document tab."""
        return self.pages.open_tabs()

    def close_tab(self, index: int) -> bool:
        """Close a tab, asking first when it has unsaved changes."""
        return self.pages.close_tab(index)

    def create_document(self, kind: str, title: str, tier: str, folder: str) -> DocumentTab | None:
        """Open a new, unwritten document (see ``DocumentActions.create_document``)."""
        return self.documents_actions.create_document(kind, title, tier, folder)

    def open_at_line(self, rel_path: str, line: int) -> None:
        """Open a document in the editor at ``line`` (from a Health finding), or a KB file such as
        the synonyms file in a text tab."""
        tab = self.pages.open_document(rel_path, edit=True)
        if tab is not None:
            tab.go_to_line(line)

    def run_search(self, text: str, options: SearchOptions) -> None:
        """Search off the GUI thread; the panel shows the answer if it is still current."""
        self.index.search(text, options, self.search.show_response, self.search.show_error)

    def pick_link(self, tab: EditorTab) -> LinkPicker | None:
        """Let the user search for a document and insert a link to it into ``tab`` (edit view only)."""
        if not isinstance(tab, DocumentTab) or not tab.can_insert("a link"):
            return None
        selected = tab.editor.textCursor().selectedText() if tab.editing else ""
        picker = LinkPicker(self, initial=selected if "\u2029" not in selected else "")
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def search(text: str) -> None:
            if text.strip():
                self.index.search(text, SearchOptions(limit=30), picker.show_results, self.status.error)

        def accepted() -> None:
            chosen = picker.chosen()
            if chosen is not None and shiboken6.isValid(tab) and self.tabs.indexOf(tab) >= 0:
                tab.insert_link(*chosen)

        picker.queryChanged.connect(search)
        picker.accepted.connect(accepted)
        self.link_picker = picker
        picker.open()
        picker.start()
        return picker

    # Closing ----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        session = self.pages.session()
        if not self.pages.close_all_tabs():
            event.ignore()
            return
        if self.hub.kb is not None:
            self.pages.save_session(self.hub.kb, session)
        self._save_layout()
        if self.loop.tracker is not None:
            self.loop.tracker.finish()   # the search on screen ends: a gap is logged before git stops
        self.pages.shutdown()
        self.disk.shutdown()
        self.git.shutdown()
        self.load_work.cancel_all()
        for runner in (self.load_work, self.render_work):
            runner.wait()
        self.renderer.close()
        self.index.shutdown()
        event.accept()
