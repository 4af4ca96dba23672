"""The document area: a tab per open document, KB file or page; the start page when none is open.

``DocumentTabs`` opens documents (the read view for L1 agents, else as asked), KB files that are no
documents (the synonyms file) in a plain-text tab, and pages (the review queue, the map); closes
them, asking about unsaved changes; remembers them between runs (``kbstudio.ui.session``); publishes
the record of every save made in a tab; and refreshes the open tabs from every change record: a
file changed on disk reloads a clean tab or asks about one with edits (``ExternalChanges``), and a
renamed document's tab follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QStackedWidget, QTabWidget, QWidget

from kbstudio.changes import KBChange
from kbstudio.demo import is_bundled_demo
from kbstudio.index.synonyms import SYNONYMS_PATH
from kbstudio.kb import KnowledgeBase
from kbstudio.model import Document
from kbstudio.names import same_name
from kbstudio.recovery import RecoveryStore
from kbstudio.render_budget import BudgetedRenderer
from kbstudio.storage import ExternalChangeError
from kbstudio.ui.changes_hub import KBChanges
from kbstudio.ui.deleted_document import DeletedDocuments, deleted_by
from kbstudio.ui.disk_watch import DiskWatcher
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.external_changes import EditorTab, ExternalChanges
from kbstudio.ui.recovery_keeper import RecoveryKeeper
from kbstudio.ui.session import OpenTab, Session, load_session, save_session
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.start_page import StartPage
from kbstudio.ui.status_line import StatusLine
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.text_file_tab import SYNONYMS_STARTER, TextFileTab


class DocumentTabs(QObject):
    """The open tabs of the window and the start page that stands in for them."""

    documentOpened = Signal(object)      # a new DocumentTab (SOP actions give it its escalation)
    documentSaved = Signal(object)       # the KBChange of a save made in a tab, once published
    linkPickerRequested = Signal(object)  # the DocumentTab a link is to be inserted into

    def __init__(self, settings: AppSettings, hub: KBChanges, status: StatusLine, disk: DiskWatcher,
                 render: TaskRunner, renderer: BudgetedRenderer, start_page: StartPage,
                 state_dir: str | None, window: QWidget) -> None:
        super().__init__(window)
        self.settings = settings
        self.hub = hub
        self.status = status
        self.disk = disk
        self.render = render          # each tab's preview renders on it ...
        self.renderer = renderer      # ... in the app's one render process
        self.state_dir = state_dir
        self.window = window
        self.dark = False
        self.recovery: RecoveryKeeper | None = None
        self.changes = ExternalChanges(render, window)
        self.changes.messageRequested.connect(status.show)
        self.deleted = DeletedDocuments(self._discard, lambda: list(hub.documents.values()), window)
        self.deleted.messageRequested.connect(status.show)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.start_page = start_page
        self.area = QStackedWidget()
        self.area.addWidget(start_page)
        self.area.addWidget(self.tabs)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._show_start_page_if_empty)
        hub.kbChanged.connect(self.kb_changed)

    # The KB ------------------------------------------------------------------------------------

    def open_kb(self, kb: KnowledgeBase) -> None:
        """Keep recovery copies of this KB's unsaved text from now on; show it on the start page."""
        if self.recovery is not None:
            self.recovery.stop()
        self.recovery = RecoveryKeeper(self.hub, RecoveryStore(kb.root, self.state_dir), self, self.status,
                                       self.window)
        self.refresh_start_page()

    def refresh_start_page(self) -> None:
        """Show the open KB (and its documents once read) and the recent KBs on the start page."""
        kb = self.hub.kb
        self.start_page.set_kb(kb.root if kb is not None else None,
                               len(self.hub.documents) if self.hub.loaded else None)
        recent = [path for path in self.settings.get("recent") if not is_bundled_demo(Path(path))]
        self.start_page.set_recent(recent, kb.root if kb is not None else None)

    def _show_start_page_if_empty(self) -> None:
        if self.tabs.count() == 0:
            self.refresh_start_page()   # a folder may have gone since
            self.area.setCurrentWidget(self.start_page)
        else:
            self.area.setCurrentWidget(self.tabs)

    # What is open ---------------------------------------------------------------------------------

    def open_tabs(self) -> list[DocumentTab]:
        """Return every open document tab."""
        return [tab for tab in self.editor_tabs() if isinstance(tab, DocumentTab)]

    def editor_tabs(self) -> list[EditorTab]:
        """Return every open tab with text to save: documents and KB files such as the synonyms file."""
        return [w for w in (self.tabs.widget(i) for i in range(self.tabs.count()))
                if isinstance(w, DocumentTab | TextFileTab)]

    def tab_for(self, rel_path: str) -> EditorTab | None:
        """Return the open tab of ``rel_path`` (a document's or a text file's), in any normalisation form."""
        return next((tab for tab in self.editor_tabs() if same_name(tab.rel_path, rel_path)), None)

    def current_tab(self) -> DocumentTab | None:
        """Return the tab in front, if it is a document."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, DocumentTab) else None

    def on_current_tab(self, handler: Callable[[EditorTab], object]) -> None:
        """Run ``handler`` on the tab in front when it has text (a document or a KB file)."""
        tab = self.tabs.currentWidget()
        if isinstance(tab, DocumentTab | TextFileTab):
            handler(tab)

    def save_current(self) -> None:
        """Save the document or file in front (form fields still being typed in are written first)."""
        self.on_current_tab(lambda tab: tab.save())

    def toggle_edit_mode(self) -> None:
        """Switch the document in front between the edit and the read view."""
        self.on_current_tab(lambda tab: tab.toggle_mode())

    def close_current(self) -> None:
        """Close the tab in front (asking about unsaved changes)."""
        if self.tabs.count():
            self.close_tab(self.tabs.currentIndex())

    # Opening ------------------------------------------------------------------------------------

    def open_document(self, rel_path: str, edit: bool | None = None) -> EditorTab | None:
        """Open ``rel_path`` in a tab (read mode for L1 agents), or switch to its tab.

        A KB file that is not Markdown (``.kbstudio/synonyms.yaml``, named by a Health finding or
        a recovery copy) opens in a plain-text tab instead: it has no front matter to read.
        """
        kb = self.hub.kb
        if kb is None:
            return None
        if not rel_path.endswith(".md"):
            return self.open_text_file(rel_path)
        existing = self.tab_for(rel_path)
        if existing is not None:
            self.tabs.setCurrentWidget(existing)
            return existing
        path = kb.root / rel_path
        if not path.is_file():
            self.status.show(f"No such document: {rel_path}", 5000)
            return None
        read_mode = not edit if edit is not None else self.settings.role == "L1"
        tab = self._add_document_tab(kb, kb.load(path), read_mode)
        self.disk.watch(path)
        return tab

    def open_text_file(self, rel_path: str, create: bool = False) -> TextFileTab | None:
        """Open a KB file that is no document in a plain-text tab, or switch to its tab.

        With ``create``, a file that does not exist yet opens with a starter text and is written
        on its first save (the synonyms file from Edit > Search synonyms).
        """
        kb = self.hub.kb
        if kb is None:
            return None
        existing = self.tab_for(rel_path)
        if isinstance(existing, TextFileTab):
            self.tabs.setCurrentWidget(existing)
            return existing
        path = kb.root / rel_path
        if not path.resolve().is_relative_to(kb.root.resolve()):
            self.status.error(f"Not opened: {rel_path} is outside the knowledge base")
            return None
        if not path.is_file() and not (create and not path.exists()):
            self.status.show(f"No such file: {rel_path}", 5000)
            return None
        try:
            tab = TextFileTab(kb.root, rel_path, SYNONYMS_STARTER if rel_path == SYNONYMS_PATH else "")
        except OSError as error:
            self.status.error(f"Cannot read {rel_path}: {error.strerror or error}")
            return None
        self._connect_editor(tab)
        self.add_page(tab, tab.title)
        self.tabs.setTabToolTip(self.tabs.currentIndex(),
                                f"{rel_path} (new: written when you first save)" if tab.is_new else rel_path)
        self.disk.watch(path)
        if tab.is_new:
            self.status.show(f"{rel_path} is written when you save", 8000)
        return tab

    def add_document(self, document: Document, read_mode: bool, new: bool = False) -> DocumentTab | None:
        """Open ``document`` (read, or a new one not written yet) in a tab of its own."""
        kb = self.hub.kb
        return self._add_document_tab(kb, document, read_mode, new) if kb is not None else None

    def _add_document_tab(self, kb: KnowledgeBase, document: Document, read_mode: bool,
                          new: bool = False) -> DocumentTab:
        tab = DocumentTab(kb, document, self.render, read_mode=read_mode, dark=self.dark,
                          renderer=self.renderer, new=new)
        if self.settings.get("editor_split"):
            tab.splitter.restoreState(self.settings.get("editor_split"))
        tab.splitter.splitterMoved.connect(
            lambda *_: self.settings.set("editor_split", tab.splitter.saveState().data()))
        tab.openLinkRequested.connect(self.open_document)
        tab.linkPickerRequested.connect(lambda t=tab: self.linkPickerRequested.emit(t))
        tab.pathChanged.connect(self._new_document_moved)
        self._connect_editor(tab)
        self.documentOpened.emit(tab)
        self.add_page(tab, document.title[:40])
        self.tabs.setTabToolTip(self.tabs.currentIndex(),
                                f"{document.rel_path} (new: written when you first save)" if new
                                else document.rel_path)
        return tab

    def _connect_editor(self, tab: EditorTab) -> None:
        tab.messageRequested.connect(self.status.show)
        tab.saved.connect(lambda change, t=tab: self._saved(t, change))
        tab.externalChangeFound.connect(lambda error, t=tab: self._external_change(t, error))
        tab.dirtyChanged.connect(lambda dirty, t=tab: self._mark_dirty(t, dirty))

    def add_page(self, widget: QWidget, title: str) -> None:
        """Show a page (a document, the map, the review queue) in a new tab."""
        self.tabs.setCurrentIndex(self.tabs.addTab(widget, title))
        self._show_start_page_if_empty()

    def set_dark(self, dark: bool) -> None:
        """Draw every document tab (and those opened later) light or dark."""
        self.dark = dark
        for tab in self.open_tabs():
            tab.set_dark(dark)

    # Saving and changes -----------------------------------------------------------------------------

    def _saved(self, tab: EditorTab, change: KBChange) -> None:
        """A tab saved its file: publish the record, so every view takes it in."""
        if self.recovery is not None:
            self.recovery.forget(tab.rel_path)
        # a new file exists from its first save: watched from now on
        self.disk.watch(tab.document.path if isinstance(tab, DocumentTab) else tab.path)
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabToolTip(index, tab.rel_path)
        self._mark_dirty(tab, False)
        self.hub.publish(change)
        self.status.show(f"Saved {tab.rel_path}", 4000)
        self.documentSaved.emit(change)

    def _external_change(self, tab: EditorTab, error: ExternalChangeError) -> None:
        """A save found the file changed on disk: ask about the change, or about the deletion."""
        kb = self.hub.kb
        if isinstance(tab, DocumentTab) and error.actual_hash is None and kb is not None:
            self.deleted.ask(tab, deleted_by(kb, tab.rel_path, pulled=False))
        else:
            self.changes.ask(tab, error)

    def _discard(self, tab: DocumentTab) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.close_tab(index, discard=True)

    def _new_document_moved(self, old: str, new: str) -> None:
        if self.recovery is not None:
            self.recovery.forget(old)
        tab = self.tab_for(new)
        if tab is not None and self.tabs.indexOf(tab) >= 0:
            self.tabs.setTabToolTip(self.tabs.indexOf(tab), new)

    def _mark_dirty(self, tab: EditorTab, dirty: bool) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            title = tab.document.title[:40] if isinstance(tab, DocumentTab) else tab.title
            self.tabs.setTabText(index, f"{title} *" if dirty else title)

    def kb_changed(self, change: KBChange) -> None:
        """Refresh the open tabs from a change record: renamed ones follow, changed files settle."""
        kb = self.hub.kb
        if kb is None:
            return
        for old, new in sorted(change.renamed):
            tab = self.tab_for(old)
            if isinstance(tab, DocumentTab):
                self._follow(kb, tab, new)
        for rel in sorted(change.present | change.files):
            tab = self.tab_for(rel)
            if tab is not None:
                self.changes.settle(tab)
        for rel in sorted(change.removed):
            tab = self.tab_for(rel)
            if isinstance(tab, DocumentTab) and not tab.is_new:
                self._document_deleted(kb, tab, change.head)
            elif tab is not None:
                self.status.show(f"{tab.rel_path} is no longer on disk: saving writes it again", 8000)
        if change.documents_listed:
            self.refresh_start_page()

    def _document_deleted(self, kb: KnowledgeBase, tab: DocumentTab, pulled: bool) -> None:
        """The record says ``tab``'s document went: close a clean tab, ask about one with edits."""
        if tab.document.path.is_file():
            return   # back already (deleted and written again in one go)
        reason = deleted_by(kb, tab.rel_path, pulled)
        if tab.dirty:
            self.deleted.ask(tab, reason)
            return
        self.status.show(f"{tab.rel_path} was {reason}: its tab is closed", 10000)
        self._discard(tab)

    def _follow(self, kb: KnowledgeBase, tab: DocumentTab, new: str) -> None:
        """Point ``tab`` at its document's new path after a rename."""
        self.disk.forget(tab.document.path)
        if self.recovery is not None:
            self.recovery.forget(tab.rel_path)
        path = kb.locate(new) or kb.root / new
        tab.moved_to(path, kb.rel_path(path) if path.exists() else new)
        self.disk.watch(path)
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabToolTip(index, tab.rel_path)

    # Closing ---------------------------------------------------------------------------------------

    def close_tab(self, index: int, discard: bool = False) -> bool:
        """Close a tab, asking first when it has unsaved changes (``discard``: dropping them unasked)."""
        widget = self.tabs.widget(index)
        if widget is None:
            return False
        if isinstance(widget, DocumentTab | TextFileTab):
            widget.commit_pending()
            if widget.dirty and not discard:
                answer = QMessageBox.question(
                    self.window, "Unsaved changes", f"Save the changes to {widget.rel_path}?",
                    QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                    | QMessageBox.StandardButton.Cancel)
                if answer == QMessageBox.StandardButton.Cancel:
                    return False
                if answer == QMessageBox.StandardButton.Save and not widget.save():
                    return False
            self.disk.forget(widget.document.path if isinstance(widget, DocumentTab) else widget.path)
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

    # The tabs of last time ----------------------------------------------------------------------------

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

    def save_session(self, kb: KnowledgeBase, session: Session) -> None:
        """Remember ``session`` as ``kb``'s tabs for next time."""
        save_session(kb.root, session, self.state_dir)

    def restore_session(self) -> list[str]:
        """Open the tabs the KB had open last time, the one in front in front; return those not found."""
        kb = self.hub.kb
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
            self.status.show(f"Not reopened, no longer in the knowledge base: {names}", 15000)
        return missing

    def shutdown(self) -> None:
        """Stop keeping recovery copies (the window is closing)."""
        if self.recovery is not None:
            self.recovery.stop()

