"""File > New, Rename and Delete document, and Edit > Search synonyms: each runs a core operation and
publishes the change record it returns (``kbstudio.kb``)."""

from __future__ import annotations

import posixpath

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from kbstudio.index.synonyms import SYNONYMS_PATH
from kbstudio.kb import Draft
from kbstudio.reader import parse_document
from kbstudio.storage import ExternalChangeError
from kbstudio.ui.context import WindowContext
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.new_dialog import NewDocumentDialog
from kbstudio.ui.text_file_tab import TextFileTab


class DocumentActions(QObject):
    """Creates, renames and deletes the open KB's documents for the File menu and the start page."""

    def __init__(self, context: WindowContext) -> None:
        super().__init__(context.parent)
        self.context = context

    # New ----------------------------------------------------------------------------------------

    def new_document_dialog(self) -> NewDocumentDialog | None:
        """Return the dialog for a new document: the KB's folders, the current document's folder first."""
        if self.context.kb is None:
            return None
        current = self.context.tabs.current_tab()
        folder = posixpath.dirname(current.rel_path) if current is not None else None
        return NewDocumentDialog(self.context.parent, self.context.documents.folders(), folder)

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
        kb, tabs = self.context.kb, self.context.tabs
        if kb is None:
            return None
        drafts = [Draft(tab.document.path, tab.rel_path, tab.document.id or "", "")
                  for tab in tabs.open_tabs() if tab.is_new]
        documents = list(self.context.documents.values())
        try:
            draft = kb.draft(kind, title, tier, folder=folder, documents=documents or None, taken=drafts)
        except (ValueError, OSError) as error:
            self.context.status.error(f"Could not create the document: {error}")
            return None
        document = parse_document(draft.path, draft.rel_path, draft.text.encode("utf-8"))
        tab = tabs.add_document(document, read_mode=False, new=True)
        if tab is not None:
            tab.focus_body()
            self.context.status.show(f"New {kind} {draft.doc_id}: {draft.rel_path} is written when you save",
                                     8000)
        return tab

    # Rename and delete ---------------------------------------------------------------------------

    def _saved_current(self, what: str) -> DocumentTab | None:
        """Return the document in front, saved first (None when there is none or the save failed)."""
        tab = self.context.tabs.current_tab()
        if tab is None or tab.is_new:
            self.context.status.show(f"Open a saved document to {what} it", 6000)
            return None
        if tab.dirty and not tab.save():
            return None
        return tab

    def rename_current(self, new_path: str | None = None) -> bool:
        """Move the document in front to another name or folder (asks for its new path)."""
        tab = self._saved_current("rename")
        kb = self.context.kb
        if tab is None or kb is None:
            return False
        if new_path is None:
            new_path, ok = QInputDialog.getText(
                self.context.parent, "Rename document",
                "New path in the knowledge base (folders are created; links to it are not changed):",
                QLineEdit.EchoMode.Normal, tab.rel_path)
            if not ok or new_path.strip() in ("", tab.rel_path):
                return False
        try:
            renamed = kb.rename(tab.rel_path, new_path)
        except (ValueError, OSError) as error:
            self.context.status.error(f"Not renamed: {error}")
            return False
        self.context.hub.publish(renamed.change)   # the tab follows its document (DocumentTabs)
        self.context.status.show(f"Renamed {renamed.old} to {renamed.new}", 8000)
        return True

    def delete_current(self, confirmed: bool = False) -> bool:
        """Delete the document in front after asking; its id is never given out again."""
        tab = self.context.tabs.current_tab()
        kb = self.context.kb
        if tab is None or kb is None or tab.is_new:
            self.context.status.show("Open a saved document to delete it", 6000)
            return False
        if not confirmed:
            lost = " Your unsaved changes to it are lost too." if tab.dirty else ""
            answer = QMessageBox.question(
                self.context.parent, "Delete document",
                f"Delete {tab.rel_path} ({tab.document.id or 'no id'})?{lost}\n\nIn a knowledge base "
                "versioned with git its text stays in the history; otherwise this cannot be undone. Its "
                "id is never given to another document.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            deleted = kb.delete(tab.rel_path, expected_hash=tab.loaded_hash)
        except ExternalChangeError as error:
            self.context.status.error(f"Not deleted: {error}")
            return False
        except (ValueError, OSError) as error:
            self.context.status.error(f"Not deleted: {error}")
            return False
        self.context.tabs.close_tab(self.context.tabs.tabs.indexOf(tab), discard=True)
        self.context.hub.publish(deleted.change)
        self.context.status.show(f"Deleted {deleted.rel_path}", 8000)
        return True

    # KB files ------------------------------------------------------------------------------------

    def edit_synonyms(self) -> TextFileTab | None:
        """Open the KB's search synonyms file (a starter one when the KB has none yet)."""
        tab = self.context.tabs.open_text_file(SYNONYMS_PATH, create=True)
        if tab is not None:
            tab.editor.setFocus()
        return tab
