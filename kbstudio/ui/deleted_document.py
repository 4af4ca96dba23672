"""A document open with unsaved edits was deleted (by a pull, another program, or with its KB folder).

The overwrite question ("changed by another program: keep mine") would bring back a document the
team deleted, and "take theirs" has nothing to take; so the tab says who deleted it and offers to
keep the text as a new document (a new file and id) or to discard it and close the tab.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from kbstudio.kb import KnowledgeBase
from kbstudio.model import DocumentFields
from kbstudio.storage import atomic_write
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.external_changes import TabQuestions
from kbstudio.vcs.history import History
from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import GitError

log = logging.getLogger(__name__)
Role = QMessageBox.ButtonRole


def deleted_by(kb: KnowledgeBase, rel_path: str, pulled: bool) -> str:
    """Return who deleted ``rel_path``: "deleted by the pull (commit abc1234 by Alice)" when ``pulled``
    and git's history names the commit that deleted it, else "deleted by another program".

    A KB folder that is gone says so. Never raises (a git failure falls back to the plain words).
    """
    if not kb.root.is_dir():
        return f"deleted by another program: the knowledge base folder {kb.root} is gone"
    if pulled:
        try:
            repo = KBRepo.find(kb)
            versions = History(repo).versions(rel_path, limit=1) if repo is not None else []
        except (GitError, OSError) as error:
            log.info("who deleted %s is not known: %s", rel_path, error)
            versions = []
        if versions and versions[0].change == "D":
            return f"deleted by the pull (commit {versions[0].sha[:7]} by {versions[0].author})"
    return "deleted by another program"


class DeletedDocuments(TabQuestions):
    """Asks what to do with the unsaved text of a tab whose document was deleted."""

    messageRequested = Signal(str)

    def __init__(self, close_tab: Callable[[DocumentTab], object],
                 documents: Callable[[], Sequence[DocumentFields]], dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.close_tab = close_tab            # closes a tab without asking about its edits
        self.documents = documents            # the KB's documents as listed: the ids in use

    def ask(self, tab: DocumentTab, reason: str) -> QMessageBox | None:
        """Say that ``tab``'s document was deleted (``reason`` from ``deleted_by``); offer Save as new
        or Discard. Returns the question (None when one about this tab is open already)."""
        if self._asking is tab:
            return None
        log.info("%s with unsaved edits was %s", tab.rel_path, reason)
        return self.open_question(tab, "Document deleted", f"{tab.rel_path} was {reason}.",
                            "Your unsaved text is still in the tab. Save it as a new document (a new "
                            "file and id), or discard it and close the tab.",
                            [("Save as new", Role.AcceptRole, lambda: self.save_as_new(tab)),
                             ("Discard", Role.DestructiveRole, lambda: self.close_tab(tab))])

    def save_as_new(self, tab: DocumentTab) -> bool:
        """Keep the tab's text as a new document of the KB, or, with the KB folder gone, in a file
        the user picks. Returns True when it was written."""
        if tab.kb.root.is_dir():
            return tab.save_as_new(self.documents())
        target, _ = QFileDialog.getSaveFileName(self.dialog_parent, "Save your text as",
                                                tab.document.path.name, "Markdown (*.md)")
        if not target:
            return False
        try:
            atomic_write(Path(target), tab.text.encode("utf-8"))
        except OSError as error:
            self.messageRequested.emit(f"Could not save {target}: {error.strerror or error}")
            log.warning("saving the text of deleted %s as %s failed: %s", tab.rel_path, target, error)
            return False
        self.messageRequested.emit(f"Your text of {tab.rel_path} is saved as {target}")
        self.close_tab(tab)
        return True
