"""The main window: search and library on the left, document tabs, status bar."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from kbstudio.demo import bundled_demo, copy_demo, documents_dir, is_bundled_demo
from kbstudio.index.search import SearchOptions
from kbstudio.index.synonyms import SYNONYMS_PATH
from kbstudio.kb import Draft, KnowledgeBase, is_document_path
from kbstudio.model import Document, DocumentFields, DocumentInfo, Problem
from kbstudio.reader import parse_document
from kbstudio.recovery import RecoveredText, RecoveryStore
from kbstudio.render_budget import BudgetedRenderer
from kbstudio.storage import save_document_text
from kbstudio.textformat import TextFormat
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.editor import ShortcutPassThrough
from kbstudio.ui.external_changes import EditorTab, ExternalChanges
from kbstudio.ui.git_actions import GitActions
from kbstudio.ui.health_panel import HealthPanel
from kbstudio.ui.index_controller import IndexController
from kbstudio.ui.kb_files import KbFileWatcher
from kbstudio.ui.library import LibraryPanel
from kbstudio.ui.link_picker import LinkPicker
from kbstudio.ui.menus import build_menus
from kbstudio.ui.new_dialog import NewDocumentDialog
from kbstudio.ui.recovery_keeper import RecoveryKeeper
from kbstudio.ui.review_actions import ReviewActions
from kbstudio.ui.search_panel import SearchPanel
from kbstudio.ui.session import OpenTab, Session, load_session, save_session
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.sop_actions import SopActions
from kbstudio.ui.start_page import StartPage
from kbstudio.ui.tasks import TaskFailure, TaskRunner
from kbstudio.ui.text_file_tab import SYNONYMS_STARTER, TextFileTab
from kbstudio.ui.theme import THEMES, apply_theme, refresh_rich_label, wants_dark

if TYPE_CHECKING:
    from kbstudio.lint import Linter
    from kbstudio.ui.escalation_map_view import EscalationMapView

EAGER_LINT_LIMIT = 5000   # bigger KBs are checked when the Health tab is opened
READ_IN_PLACE_LIMIT = 20   # changed files read on the GUI thread (about half a millisecond each)
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
        self.recovery: RecoveryKeeper | None = None
        self.link_picker: LinkPicker | None = None
        self.kb: KnowledgeBase | None = None
        self.documents: dict[str, DocumentFields] = {}   # DocumentInfo: fields, no text (0.4 GB at 25k)
        self.index = IndexController(index_dir, self)
        self.render_work = TaskRunner(self, max_threads=1)
        # One render child process for the whole app (started when a KB opens, stopped on exit).
        # It rides on the render runner every DocumentTab is given, which is where the tab's render
        # work looks for it.
        self.renderer = BudgetedRenderer()
        self.load_work = TaskRunner(self, max_threads=1)     # reading every document
        self.setWindowTitle("KB Studio")
        self.resize(1280, 820)

        self.search = SearchPanel()
        self.library = LibraryPanel()
        self.left = QTabWidget()
        self.left.addTab(self.search, "Search")
        self.left.addTab(self.library, "Library")
        self.health = HealthPanel()
        self.left.addTab(self.health, "Health")
        self.linter: Linter | None = None
        self._lint_started = False
        self._kb_files_changed = False   # a KB-wide file changed while the first check was running
        self.kb_files = KbFileWatcher(KB_WIDE_FILES, self)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        # The start page stands in the document area whenever no tab is open.
        self.start_page = StartPage()
        self.start_page.set_demo_available(bundled_demo() is not None)
        self.document_area = QStackedWidget()
        self.document_area.addWidget(self.start_page)
        self.document_area.addWidget(self.tabs)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.document_area)
        self.splitter.setSizes([460, 820])
        self.setCentralWidget(self.splitter)

        self.git = GitActions(self, lambda: self.current_tab().rel_path if self.current_tab() else None)
        self.kb_label = QLabel()
        self.count_label = QLabel()
        self.index_label = self.index.label
        self.role_label = QLabel()
        status = self.statusBar()
        status.addWidget(self.kb_label, 1)
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.index.label)
        status.addPermanentWidget(self.index.progress)
        status.addPermanentWidget(self.index.cancel_button)
        status.addPermanentWidget(self.git.label)
        status.addPermanentWidget(self.role_label)
        self.changes = ExternalChanges(lambda: self.kb.root if self.kb else None, self.tab_for,
                                       self.render_work, self)
        self.sops = SopActions(lambda: list(self.documents.values()), self.open_document,
                               self.git.git_work, self)   # the SOP version asks git: the one git worker
        self.sops.side_panel = self.left   # folded away while a run needs the room
        self.review = ReviewActions(self.git, lambda: self.kb, lambda: list(self.documents.values()),
                                    self.current_tab, self.add_page, self)
        build_menus(self)
        # Ctrl+E switches Edit/Read from the search box and the library filter too (X11 line edits
        # read it as "end of line"); each document tab lets it through its own fields.
        self._window_keys = ShortcutPassThrough([self.mode_action.shortcut()], self)
        for field in (self.search.query, self.library.filter):
            field.installEventFilter(self._window_keys)

        self.git.messageRequested.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.git.openDocumentRequested.connect(self.open_document)
        self.git.pathsChanged.connect(self.paths_changed)
        self.git.cloned.connect(lambda path: self.open_kb(KnowledgeBase(Path(path))))
        self.review.messageRequested.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.review.openDocumentRequested.connect(self.open_document)
        self.review.pathsChanged.connect(self.paths_changed)
        self.sops.messageRequested.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.sops.openDocumentRequested.connect(self.open_document)
        self.search.searchRequested.connect(self.run_search)
        self.search.openRequested.connect(self.open_document)
        self.library.openRequested.connect(self.open_document)
        self.health.openAtLineRequested.connect(self.open_at_line)
        self.left.currentChanged.connect(
            lambda _: self.start_lint() if self.left.currentWidget() is self.health else None)
        self.library.groupingChanged.connect(lambda key: self.settings.set("group_by", key))
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(lambda _: self._show_start_page_if_empty())
        self.start_page.openKbRequested.connect(lambda path: self.open_kb(KnowledgeBase(Path(path))))
        self.start_page.openFolderRequested.connect(self.choose_kb)
        self.start_page.cloneRequested.connect(self.git.show_clone)
        self.start_page.demoRequested.connect(self.create_kb_from_demo)
        self.start_page.newDocumentRequested.connect(self.new_document)
        self.index.resultsStale.connect(self.search.rerun)
        self.index.noteChanged.connect(self.search.set_note)   # the scan answers while the index can't
        self.index.errorOccurred.connect(self.show_error)
        self.changes.messageRequested.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.kb_files.changed.connect(self.kb_file_changed)

        self.library.set_grouping(self.settings.get("group_by"))
        self.apply_role(self.settings.role)
        self._restore_layout()
        self.dark = False
        self.apply_theme(self.settings.get("theme"))
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            lambda _: self.apply_theme(self.settings.get("theme")))
        self._refresh_start_page()

    # Layout and theme -----------------------------------------------------------------------

    def _restore_layout(self) -> None:
        if self.settings.get("geometry"):
            self.restoreGeometry(self.settings.get("geometry"))
        if self.settings.get("main_split"):
            self.splitter.restoreState(self.settings.get("main_split"))
        self.left.setCurrentIndex(self.settings.get("left_tab"))

    def _save_layout(self) -> None:
        self.settings.set("geometry", bytes(self.saveGeometry()))
        self.settings.set("main_split", bytes(self.splitter.saveState()))
        self.settings.set("left_tab", self.left.currentIndex())

    def apply_theme(self, theme: str) -> None:
        """Use the light or dark theme, or follow the system (``system``)."""
        theme = theme if theme in THEMES else "system"
        self.settings.set("theme", theme)
        self.theme_actions[theme].setChecked(True)
        self.dark = wants_dark(theme)
        apply_theme(QApplication.instance(), self.dark)
        refresh_rich_label(self.search.suggestion)
        for tab in self.open_tabs():
            tab.set_dark(self.dark)
            refresh_rich_label(tab.escalation_bar)

    # Menus ----------------------------------------------------------------------------------

    def on_current_tab(self, handler: Callable[[DocumentTab], object]) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, DocumentTab | TextFileTab):   # a text file tab has the same edit interface
            handler(tab)   # type: ignore[arg-type]

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.get("recent"):
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_kb(KnowledgeBase(Path(p))))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def focus_search(self) -> None:
        """Show the search panel and put the cursor in the search box."""
        self.left.setCurrentWidget(self.search)
        self.search.query.setFocus()
        self.search.query.selectAll()

    def apply_role(self, role: str) -> None:
        """Switch between the L1, L2 and L3 views."""
        self.settings.set("role", role)
        self.role_actions[role].setChecked(True)
        self.role_label.setText(f"Role: {role}")
        self.search.set_role_tiers(self.settings.visible_tiers())
        self.search.rerun()

    # Knowledge base -------------------------------------------------------------------------

    def choose_kb(self) -> None:
        """Ask for a folder and open it as the KB."""
        folder = QFileDialog.getExistingDirectory(self, "Open knowledge base")
        if folder:
            self.open_kb(KnowledgeBase(Path(folder)))

    def open_kb(self, kb: KnowledgeBase) -> None:
        """Open ``kb``: list its documents and make its index ready, both in the background.

        The tabs of the KB open before are remembered, and this KB's tabs of last time come back.
        The shipped demo is never opened in place: the user's copy of it opens instead.
        """
        session = self.session()
        if not self.close_all_tabs():
            return
        if self.kb is not None:
            save_session(self.kb.root, session, self.state_dir)
        self.start_page.set_note("")
        if is_bundled_demo(kb.root):
            copy = self.demo_copy()
            if copy is None:
                return
            kb = KnowledgeBase(copy)
        self.kb = kb
        if self.recovery is not None:
            self.recovery.stop()
        self.recovery = RecoveryKeeper(RecoveryStore(kb.root, self.state_dir),
                                       lambda: [*self.open_tabs(), *self.text_tabs()], self)  # type: ignore[list-item]
        self.kb_files.open_kb(kb.root)
        self.settings.remember_kb(str(kb.root))
        self.git.open_kb(kb)
        self.setWindowTitle(f"KB Studio - {kb.name}")
        self.kb_label.setText(str(kb.root))
        self.count_label.setText("loading...")
        # Reading every document waits until the index is open: on a big KB both compete for
        # the same interpreter, and searching is what the user needs first.
        self.index.opened.connect(lambda: self._load_documents(kb), Qt.ConnectionType.SingleShotConnection)
        self.index.open(kb)
        # Pre-warm the render child so the first document does not wait ~0.4 s for its imports.
        # On the render runner: start() takes the renderer's lock, which a render may hold for 1 s.
        self.render_work.run("starting the formatter", lambda p, c: self.renderer.start())
        self._refresh_start_page()
        self.restore_session()

    # First run, the start page and the tabs of last time --------------------------------------

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
        if self.kb is not None and self.kb.root == path:
            self.start_page.set_note(note)
        return self.kb

    def _copy_demo(self) -> Path | None:
        try:
            copy = copy_demo(documents_dir())
        except OSError as error:
            self.show_error(f"Could not copy the demo knowledge base: {error.strerror or error}")
            return None
        note = (f"The demo knowledge base was copied to {copy.path}: change it as you like, the one "
                "shipped with KB Studio stays as it is.")
        if copy.note:
            note += f" Not versioned: {copy.note}."
        self.start_page.set_note(note)
        self.statusBar().showMessage(f"The demo was copied to {copy.path}", 15000)
        return copy.path

    def _refresh_start_page(self, documents: int | None = None) -> None:
        self.start_page.set_kb(self.kb.root if self.kb is not None else None, documents)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        recent = [path for path in self.settings.get("recent") if not is_bundled_demo(Path(path))]
        self.start_page.set_recent(recent, self.kb.root if self.kb is not None else None)

    def _show_start_page_if_empty(self) -> None:
        if self.tabs.count() == 0:
            self._refresh_recent()   # a folder may have gone since
            self.document_area.setCurrentWidget(self.start_page)
        else:
            self.document_area.setCurrentWidget(self.tabs)

    def session(self) -> Session:
        """Return the files open in tabs (new, unwritten documents left out) and the one in front."""
        tabs: list[OpenTab] = []
        active = None
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, DocumentTab | TextFileTab) and not widget.is_new:
                tabs.append(OpenTab(widget.rel_path, widget.editing))
                if index == self.tabs.currentIndex():
                    active = widget.rel_path
        return Session(tuple(tabs), active)

    def restore_session(self) -> list[str]:
        """Open the tabs the KB had open last time, the one in front in front; return those not found."""
        kb = self.kb
        if kb is None:
            return []
        session = load_session(kb.root, self.state_dir)
        missing: list[str] = []
        root = kb.root.resolve()
        for entry in session.tabs:
            path = kb.root / entry.rel_path
            if not path.resolve().is_relative_to(root) or not path.is_file():
                missing.append(entry.rel_path)
                continue
            self.open_document(entry.rel_path, edit=entry.editing)
        front = self.tab_for(session.active) if session.active else None
        if front is not None:
            self.tabs.setCurrentWidget(front)
        if missing:
            names = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            self.statusBar().showMessage(
                f"Not reopened, no longer in the knowledge base: {names}", 15000)
        return missing

    def _load_documents(self, kb: KnowledgeBase) -> None:
        if kb is self.kb:
            self.load_work.run(f"loading {kb.name}", lambda p, c: kb.scan(c),
                               on_success=lambda docs: self._documents_loaded(kb, docs),
                               on_error=self.show_error)

    def _documents_loaded(self, kb: KnowledgeBase, documents: list[DocumentInfo]) -> None:
        if kb is not self.kb:
            return
        self.documents = {doc.rel_path: doc for doc in documents}
        self.documents_loaded.emit()   # kbstudio.ui.process_tuning: out of the cyclic collector
        self.library.set_documents(documents)
        self.count_label.setText(f"{len(documents)} documents")
        self._refresh_start_page(len(documents))
        for tab in self.open_tabs():
            tab.set_escalation(self.sops.escalation_for(tab.document))
        self._offer_recovery()
        self.linter = None
        self._lint_started = False
        self._kb_files_changed = False
        if len(documents) <= EAGER_LINT_LIMIT or self.left.currentWidget() is self.health:
            self.start_lint()
        else:
            self.health.summary.setText(
                f"{len(documents)} documents: the check starts when you open this tab.")

    def start_lint(self) -> None:
        """Check the whole KB in the background (once per KB)."""
        kb = self.kb
        if kb is None or self._lint_started or not self.documents:
            return
        self._lint_started = True
        documents = list(self.documents.values())
        self.health.summary.setText(f"Checking {len(documents)} documents...")
        # The linter lives on the loading worker: it is built, updated and read only there.
        self.load_work.run("checking content", lambda p, c: _linter(kb, documents),
                           on_success=lambda built: self._linted(kb, *built), on_error=self.show_error)

    def _linted(self, kb: KnowledgeBase, linter: Linter, problems: list[Problem]) -> None:
        if kb is not self.kb:
            return
        self.linter = linter
        self.health.set_problems(problems)
        if self._kb_files_changed:   # the check may have read the file before it changed
            self._kb_files_changed = False
            self._refresh_kb_checks()

    def kb_file_changed(self, rel_path: str) -> None:
        """A KB-wide file (the synonyms file) changed: check the KB again and search again.

        Search reads the synonyms file itself when it changes; the results on screen were
        found with the old one, so the query runs again.
        """
        if rel_path not in KB_WIDE_FILES:
            return
        self._refresh_kb_checks()
        self.search.rerun()

    def _refresh_kb_checks(self) -> None:
        """Run the whole-KB lint rules again on the worker that owns the linter; show the result."""
        linter = self.linter
        if linter is None:
            # Not checked yet (it reads the file when it runs), or being checked right now.
            self._kb_files_changed = self._lint_started
            return

        def work(progress: object, cancelled: object) -> list[Problem]:
            linter.refresh_kb()
            return linter.problems()

        self.load_work.run("checking content", work,
                           on_success=lambda problems: self._show_problems(linter, problems),
                           on_error=self.show_error)

    def open_at_line(self, rel_path: str, line: int) -> None:
        """Open a document in the editor at ``line`` (from a Health finding), or a KB file such as
        the synonyms file in a text tab."""
        tab = self.open_document(rel_path, edit=True)
        if tab is not None:
            tab.go_to_line(line)

    def _offer_recovery(self) -> None:
        if self.recovery is None:
            return
        left_over = self.recovery.left_over()
        if not left_over:
            return
        if self.ask_to_restore(left_over):
            self.restore_recovered(left_over)
        else:
            for entry in left_over:
                self.recovery.forget(entry.rel_path)

    def ask_to_restore(self, entries: list[RecoveredText]) -> bool:
        """Ask whether to bring back text left unsaved when KB Studio last stopped."""
        names = "\n".join(f"  {entry.rel_path}" for entry in entries[:10])
        more = f"\n  and {len(entries) - 10} more" if len(entries) > 10 else ""
        answer = QMessageBox.question(
            self, "Recover unsaved changes",
            f"KB Studio stopped without saving changes to {len(entries)} document(s):\n"
            f"{names}{more}\n\nRestore them? They open as unsaved edits for you to review and save.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard)
        return answer == QMessageBox.StandardButton.Yes

    def restore_recovered(self, entries: list[RecoveredText]) -> None:
        """Open each recovered text as unsaved edits of its document."""
        if self.kb is None:
            return
        for entry in entries:
            path = self.kb.root / entry.rel_path
            if not path.resolve().is_relative_to(self.kb.root):
                self.show_error(f"Not restored: {entry.rel_path} is outside the knowledge base")
                continue
            if not path.exists():
                # The file went away (deleted or renamed meanwhile): bring it back rather than lose text.
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    save_document_text(path, TextFormat.to_editor(entry.text), expected_hash=None,
                                       fmt=entry.text_format or TextFormat())
                except OSError as error:
                    self.show_error(f"Could not restore {entry.rel_path}: {error}")
                    continue
            tab = self.open_document(entry.rel_path, edit=True)
            if tab is not None and tab.text != TextFormat.to_editor(entry.text):
                tab.restore_text(entry.text, entry.base_hash, entry.text_format)
        self.statusBar().showMessage(f"Restored unsaved changes to {len(entries)} document(s)", 8000)

    def open_tabs(self) -> list[DocumentTab]:
        """Return every open document tab."""
        return [w for w in (self.tabs.widget(i) for i in range(self.tabs.count()))
                if isinstance(w, DocumentTab)]

    def text_tabs(self) -> list[TextFileTab]:
        """Return every open tab of a KB file that is no document (the synonyms file)."""
        return [w for w in (self.tabs.widget(i) for i in range(self.tabs.count()))
                if isinstance(w, TextFileTab)]

    # Search ---------------------------------------------------------------------------------

    def run_search(self, text: str, options: SearchOptions) -> None:
        """Search off the GUI thread; the panel shows the answer if it is still current."""
        self.index.search(text, options, self.search.show_response, self.search.show_error)

    # Documents ------------------------------------------------------------------------------

    def tab_for(self, rel_path: str) -> EditorTab | None:
        """Return the open tab of ``rel_path`` (a document's, or a text file's such as the synonyms file)."""
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, DocumentTab | TextFileTab) and widget.rel_path == rel_path:
                return widget
        return None

    def open_document(self, rel_path: str, edit: bool | None = None) -> EditorTab | None:
        """Open ``rel_path`` in a tab (read mode for L1 agents), or switch to its tab.

        A KB file that is not Markdown (``.kbstudio/synonyms.yaml``, named by a Health finding or
        a recovery copy) opens in a plain-text tab instead: it has no front matter to read.
        """
        if self.kb is None:
            return None
        if not rel_path.endswith(".md"):
            return self.open_text_file(rel_path)
        existing = self.tab_for(rel_path)
        if existing is not None:
            self.tabs.setCurrentWidget(existing)
            return existing
        path = self.kb.root / rel_path
        if not path.is_file():
            self.statusBar().showMessage(f"No such document: {rel_path}", 5000)
            return None
        document = self.kb.load(path)
        read_mode = not edit if edit is not None else self.settings.role == "L1"
        tab = self._add_document_tab(document, read_mode)
        self.changes.watch(path)
        return tab

    def open_text_file(self, rel_path: str, create: bool = False) -> TextFileTab | None:
        """Open a KB file that is no document in a plain-text tab, or switch to its tab.

        With ``create``, a file that does not exist yet opens with a starter text and is written
        on its first save (the synonyms file from Edit > Search synonyms).
        """
        kb = self.kb
        if kb is None:
            return None
        existing = self.tab_for(rel_path)
        if isinstance(existing, TextFileTab):
            self.tabs.setCurrentWidget(existing)
            return existing
        path = kb.root / rel_path
        if not path.resolve().is_relative_to(kb.root.resolve()):
            self.show_error(f"Not opened: {rel_path} is outside the knowledge base")
            return None
        if not path.is_file() and not (create and not path.exists()):
            self.statusBar().showMessage(f"No such file: {rel_path}", 5000)
            return None
        try:
            tab = TextFileTab(kb.root, rel_path, SYNONYMS_STARTER if rel_path == SYNONYMS_PATH else "")
        except OSError as error:
            self.show_error(f"Cannot read {rel_path}: {error.strerror or error}")
            return None
        tab.messageRequested.connect(lambda text: self.statusBar().showMessage(text, 6000))
        tab.saved.connect(self._saved)
        tab.externalChangeFound.connect(lambda error, t=tab: self.changes.ask(t, error))
        tab.dirtyChanged.connect(lambda dirty, t=tab: self._mark_dirty(t, dirty))
        self.add_page(tab, tab.title)
        self.tabs.setTabToolTip(self.tabs.currentIndex(),
                                f"{rel_path} (new: written when you first save)" if tab.is_new else rel_path)
        self.changes.watch(path)
        if tab.is_new:
            self.statusBar().showMessage(f"{rel_path} is written when you save", 8000)
        return tab

    def edit_synonyms(self) -> TextFileTab | None:
        """Open the KB's search synonyms file (a starter one when the KB has none yet)."""
        tab = self.open_text_file(SYNONYMS_PATH, create=True)
        if tab is not None:
            tab.editor.setFocus()
        return tab

    def _add_document_tab(self, document: Document, read_mode: bool, new: bool = False) -> DocumentTab:
        assert self.kb is not None
        rel_path = document.rel_path
        tab = DocumentTab(self.kb, document, self.render_work, read_mode=read_mode, dark=self.dark,
                          renderer=self.renderer, new=new)
        if self.settings.get("editor_split"):
            tab.splitter.restoreState(self.settings.get("editor_split"))
        tab.splitter.splitterMoved.connect(
            lambda *_: self.settings.set("editor_split", bytes(tab.splitter.saveState())))
        tab.openLinkRequested.connect(self.open_document)
        tab.messageRequested.connect(lambda text: self.statusBar().showMessage(text, 6000))
        tab.saved.connect(self._saved)
        tab.externalChangeFound.connect(lambda error, t=tab: self.changes.ask(t, error))
        tab.dirtyChanged.connect(lambda dirty, t=tab: self._mark_dirty(t, dirty))
        tab.linkPickerRequested.connect(lambda t=tab: self.pick_link(t))
        tab.startSopRequested.connect(self.sops.start)
        tab.pathChanged.connect(self._new_document_moved)
        tab.set_escalation(self.sops.escalation_for(document))
        self.add_page(tab, document.title[:40])
        self.tabs.setTabToolTip(self.tabs.currentIndex(),
                                f"{rel_path} (new: written when you first save)" if new else rel_path)
        return tab

    def _new_document_moved(self, old: str, new: str) -> None:
        if self.recovery is not None:
            self.recovery.forget(old)
        tab = self.tab_for(new)
        if tab is not None and self.tabs.indexOf(tab) >= 0:
            self.tabs.setTabToolTip(self.tabs.indexOf(tab), new)

    def pick_link(self, tab: DocumentTab) -> LinkPicker | None:
        """Let the user search for a document and insert a link to it into ``tab`` (edit view only)."""
        if not tab.can_insert("a link"):
            return None
        selected = tab.editor.textCursor().selectedText() if tab.editing else ""
        picker = LinkPicker(self, initial=selected if "\u2029" not in selected else "")
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def search(text: str) -> None:
            if text.strip():
                self.index.search(text, SearchOptions(limit=30), picker.show_results, self.show_error)

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

    def show_escalation_map(self) -> EscalationMapView | None:
        """Open the escalation map of the KB in a tab."""
        if self.kb is None or not self.documents:
            self.statusBar().showMessage("The documents are still loading", 4000)
            return None
        view = self.sops.map_view(f"Escalation map: {self.kb.name}")
        self.add_page(view, "Escalation map")
        return view

    def add_page(self, widget: QWidget, title: str) -> None:
        """Show a page (a document, the map, the review queue) in a new tab."""
        self.tabs.setCurrentIndex(self.tabs.addTab(widget, title))
        self._show_start_page_if_empty()

    def _mark_dirty(self, tab: EditorTab, dirty: bool) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            title = tab.document.title[:40] if isinstance(tab, DocumentTab) else tab.title
            self.tabs.setTabText(index, f"{title} *" if dirty else title)

    def current_tab(self) -> DocumentTab | None:
        """Return the tab in front, if it is a document."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, DocumentTab) else None

    def save_current(self) -> None:
        """Save the document or file in front (form fields still being typed in are written first)."""
        tab = self.tabs.currentWidget()
        if isinstance(tab, DocumentTab | TextFileTab):
            tab.save()

    def toggle_edit_mode(self) -> None:
        """Switch the document in front between the edit and the read view."""
        tab = self.tabs.currentWidget()
        if isinstance(tab, DocumentTab | TextFileTab):
            tab.toggle_mode()

    def _saved(self, rel_path: str) -> None:
        tab = self.tab_for(rel_path)
        if self.recovery is not None:
            self.recovery.forget(rel_path)
        if isinstance(tab, TextFileTab):   # no document: the KB-wide checks and search follow it
            self.changes.watch(tab.path)   # a new file exists from its first save
            self.tabs.setTabToolTip(self.tabs.indexOf(tab), rel_path)
            self._mark_dirty(tab, False)
            self.kb_files.check([rel_path])
        elif tab is not None:
            self.changes.watch(tab.document.path)   # a new document's file exists from its first save
            self.tabs.setTabToolTip(self.tabs.indexOf(tab), rel_path)
            self.documents[rel_path] = tab.document.info()
            self.library.update_document(self.documents[rel_path])
            self._relint({rel_path: tab.document})
            self._mark_dirty(tab, False)
        if self.settings.get("auto_commit"):
            self.git.commit_saved(rel_path)
        else:
            self.git.refresh_state()
        self.statusBar().showMessage(f"Saved {rel_path}", 4000)
        if not isinstance(tab, TextFileTab):
            self.index.update_paths([rel_path])

    def paths_changed(self, rel_paths: list[str]) -> None:
        """Refresh everything that shows files a pull, merge or restore changed on disk."""
        kb = self.kb
        if kb is None or not rel_paths:
            return
        self.index.update_paths(rel_paths)
        for rel_path in rel_paths:
            tab = self.tab_for(rel_path)
            if tab is not None and not tab.dirty and (kb.root / rel_path).is_file():
                tab.reload_from_disk()
        self.kb_files.check(rel_paths)   # the synonyms file pulled: check the KB and search again


        def read(progress: object = None, cancelled: object = None) -> dict[str, Document | None]:
            # only documents (a pull may move files into .trash/ or _templates/: they leave the library)
            return {rel: kb.load(kb.root / rel) if is_document_path(rel) and (kb.root / rel).is_file()
                    else None for rel in rel_paths}

        if len(rel_paths) <= READ_IN_PLACE_LIMIT:
            self._changed_files_read(kb, read())   # a review step or a small pull: at once
        else:   # a pull can change hundreds of files: read them on the worker
            self.load_work.run("reading changed files", read,
                               on_success=lambda loaded: self._changed_files_read(kb, loaded),
                               on_error=self.show_error)

    def _changed_files_read(self, kb: KnowledgeBase, loaded: dict[str, Document | None]) -> None:
        if kb is not self.kb:
            return
        for rel_path, document in loaded.items():
            if document is None:
                self.documents.pop(rel_path, None)
            else:
                self.documents[rel_path] = document.info()
        self.library.set_documents(list(self.documents.values()))
        self.count_label.setText(f"{len(self.documents)} documents")
        self._refresh_start_page(len(self.documents))
        self._relint(loaded)

    def _relint(self, changed: dict[str, Document | None]) -> None:
        """Check changed documents again on the worker that owns the linter (None: deleted)."""
        linter = self.linter
        if linter is None:
            return

        def work(progress: object, cancelled: object) -> list[Problem]:
            for rel_path, document in changed.items():
                if document is None:
                    linter.remove(rel_path)
                else:
                    linter.update(document)
            return linter.problems()

        self.load_work.run("checking content", work,
                           on_success=lambda problems: self._show_problems(linter, problems),
                           on_error=self.show_error)

    def _show_problems(self, linter: Linter, problems: list[Problem]) -> None:
        if linter is self.linter:
            self.health.set_problems(problems)

    def new_document_dialog(self) -> NewDocumentDialog | None:
        """Return the dialog for a new document: the KB's folders, the current document's folder first."""
        if self.kb is None:
            return None
        folders = {posixpath.dirname(rel) for rel in self.documents}
        current = self.current_tab()
        folder = posixpath.dirname(current.rel_path) if current is not None else None
        return NewDocumentDialog(self, sorted(folders), folder)

    def new_document(self) -> DocumentTab | None:
        """Ask for a title, kind, tier and folder; open the new document from the KB's template.

        Nothing is written until the first save: a new document closed unchanged leaves no file.
        """
        dialog = self.new_document_dialog()
        if dialog is None or dialog.exec() != NewDocumentDialog.DialogCode.Accepted:
            return None
        return self.create_document(dialog.kind(), dialog.title(), dialog.tier(), dialog.folder())

    def create_document(self, kind: str, title: str, tier: str, folder: str) -> DocumentTab | None:
        """Open a new, unwritten document in the edit view with the cursor in its body."""
        if self.kb is None:
            return None
        drafts = [Draft(tab.document.path, tab.rel_path, tab.document.id or "", "")
                  for tab in self.open_tabs() if tab.is_new]
        try:
            draft = self.kb.draft(kind, title, tier, folder=folder,
                                  documents=list(self.documents.values()) if self.documents else None,
                                  taken=drafts)
        except (ValueError, OSError) as error:
            self.show_error(f"Could not create the document: {error}")
            return None
        document = parse_document(draft.path, draft.rel_path, draft.text.encode("utf-8"))
        tab = self._add_document_tab(document, read_mode=False, new=True)
        tab.focus_body()
        self.statusBar().showMessage(f"New {kind} {draft.doc_id}: {draft.rel_path} is written when you save",
                                     8000)
        return tab

    def close_tab(self, index: int) -> bool:
        """Close a tab, asking first when it has unsaved changes."""
        widget = self.tabs.widget(index)
        if isinstance(widget, DocumentTab | TextFileTab):
            widget.commit_pending()
        if isinstance(widget, DocumentTab | TextFileTab) and widget.dirty:
            answer = QMessageBox.question(
                self, "Unsaved changes", f"Save the changes to {widget.rel_path}?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save and not widget.save():
                return False
        if isinstance(widget, DocumentTab | TextFileTab):
            self.changes.forget(widget.document.path if isinstance(widget, DocumentTab) else widget.path)
            if self.recovery is not None:
                self.recovery.forget(widget.rel_path)
        self.tabs.removeTab(index)
        widget.deleteLater()   # removeTab keeps the page alive; a closed tab must not linger
        self._show_start_page_if_empty()
        return True

    def close_all_tabs(self) -> bool:
        """Close every tab; False when the user cancelled."""
        for index in reversed(range(self.tabs.count())):
            if not self.close_tab(index):
                return False
        return True

    def show_error(self, message: str | TaskFailure) -> None:
        """Tell the user what went wrong, in plain words; a task's failure is logged first
        (and one that is not a file error, a bug, shown in the error dialog: TaskFailure.report)."""
        if isinstance(message, TaskFailure):
            message = message.report()
        self.statusBar().showMessage(message, 10000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        session = self.session()
        if not self.close_all_tabs():
            event.ignore()
            return
        if self.kb is not None:
            save_session(self.kb.root, session, self.state_dir)
        self._save_layout()
        self.git.shutdown()
        self.load_work.cancel_all()
        for runner in (self.load_work, self.render_work):
            runner.wait()
        self.renderer.close()
        self.index.shutdown()
        event.accept()


def _linter(kb: KnowledgeBase, documents: list[DocumentFields]) -> tuple[Linter, list[Problem]]:
    from kbstudio.lint import Linter  # loaded on the worker, on first use

    linter = Linter(kb.root, documents)
    return linter, linter.problems()
