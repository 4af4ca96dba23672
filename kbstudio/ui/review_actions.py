"""The Review menu: submit for review, the review queue, approve or send back, the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget

from kbstudio.kb import KnowledgeBase
from kbstudio.model import Document
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.git_actions import GitActions
from kbstudio.ui.vcs.common import plain_error

if TYPE_CHECKING:
    from kbstudio.review import ReviewResult
    from kbstudio.ui.dashboard_page import DashboardPage
    from kbstudio.ui.review_page import ReviewPage


class ReviewActions(QObject):
    """Runs the KCS review steps on the git worker; the window passes in what it needs."""

    pathsChanged = Signal(list)
    openDocumentRequested = Signal(str)
    messageRequested = Signal(str)

    def __init__(self, git: GitActions, kb: Callable[[], KnowledgeBase | None],
                 documents: Callable[[], list[Document]], current_tab: Callable[[], DocumentTab | None],
                 add_page: Callable[[QWidget, str], None], dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.git = git
        self.kb = kb
        self.documents = documents
        self.current_tab = current_tab
        self.add_page = add_page
        self.dialog_parent = dialog_parent
        self.review_page: ReviewPage | None = None
        self.dashboard_page: DashboardPage | None = None
        self.reviewer = ""

    def build_menu(self, menu: QMenu) -> None:
        """Fill the Review menu."""
        for label, keys, handler in (
            ("&Submit this document for review...", "", self.submit_current),
            ("Review &queue", "Ctrl+Shift+R", self.show_queue),
            ("&Dashboard", "Ctrl+Shift+D", self.show_dashboard),
            ("&Archive this document", "", lambda: self._simple("archive")),
            ("Reopen as &draft", "", lambda: self._simple("reopen")),
        ):
            action = QAction(label, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, h=handler: h())
            menu.addAction(action)

    # Running a step ---------------------------------------------------------------------------

    def _run(self, label: str, work: Callable[[Any], ReviewResult]) -> bool:
        vcs, kb = self.git.vcs, self.kb()
        if vcs is None or kb is None:
            self.messageRequested.emit(
                "Review needs a knowledge base versioned with git (Git > Start versioning)")
            return False
        self.git.git_work.run(label, lambda p, c: work(vcs), on_success=self._done,
                              on_error=lambda text: self.messageRequested.emit(plain_error(text)))
        return True

    def _done(self, result: ReviewResult) -> None:
        name = " ".join(part for part in (result.doc_id, result.title) if part)
        self.messageRequested.emit(f"{name}: {result.old_status} -> {result.new_status}"
                                   + (f" (commit {result.sha[:7]})" if result.sha else ""))
        self.pathsChanged.emit(list(result.changed) or [result.path])
        self.git.refresh_state()
        if self.review_page is not None:
            self.review_page.comment.clear()
            self.load_queue()

    def _saved_tab(self) -> DocumentTab | None:
        tab = self.current_tab()
        if tab is None:
            self.messageRequested.emit("Open the document first")
            return None
        if tab.dirty and not tab.save():
            return None
        return tab

    def submit_current(self, reviewers: str | None = None) -> bool:
        """Save the document in front and submit it for review (asks for reviewers)."""
        tab = self._saved_tab()
        if tab is None:
            return False
        if reviewers is None:
            reviewers, ok = QInputDialog.getText(
                self.dialog_parent, "Submit for review", "Reviewers (Name <email>, separated by ;)",
                QLineEdit.EchoMode.Normal, "; ".join(tab.document.reviewers))
            if not ok:
                return False
        names = [name.strip() for name in reviewers.split(";") if name.strip()]
        path, expected = tab.rel_path, tab.loaded_hash
        kb = self.kb()

        def work(vcs: Any) -> ReviewResult:
            from kbstudio.review import submit

            return submit(vcs, kb, path, names, expected_hash=expected)

        return self._run("submit", work)

    def _simple(self, step: str) -> bool:
        tab = self._saved_tab()
        if tab is None:
            return False
        path, expected, kb = tab.rel_path, tab.loaded_hash, self.kb()

        def work(vcs: Any) -> ReviewResult:
            from kbstudio import review

            return getattr(review, step)(vcs, kb, path, expected_hash=expected)

        return self._run(step, work)

    def approve(self, path: str, comment: str = "") -> bool:
        """Publish ``path`` with a Reviewed-by trailer naming the reviewer."""
        kb, reviewer = self.kb(), self.reviewer

        def work(vcs: Any) -> ReviewResult:
            from kbstudio.review import approve

            return approve(vcs, kb, path, reviewer, comment=comment)

        return self._run("approve", work)

    def request_changes(self, path: str, comment: str) -> bool:
        """Send ``path`` back to draft with the reviewer's comment in the commit message."""
        kb, reviewer = self.kb(), self.reviewer

        def work(vcs: Any) -> ReviewResult:
            from kbstudio.review import request_changes

            return request_changes(vcs, kb, path, reviewer, comment)

        return self._run("request changes", work)

    # Pages ------------------------------------------------------------------------------------

    def show_queue(self) -> ReviewPage | None:
        """Open the review queue as a page."""
        from kbstudio.ui.review_page import ReviewPage

        vcs = self.git.vcs
        if vcs is None:
            self.messageRequested.emit("The review queue needs a knowledge base versioned with git")
            return None
        identity = vcs.repo.identity()
        self.reviewer = f"{identity.name} <{identity.email}>" if identity else ""
        page = ReviewPage(self.reviewer or "unknown (set your name in Git > Commit)")
        page.approveRequested.connect(self.approve)
        page.changesRequested.connect(self.request_changes)
        page.openDocumentRequested.connect(self.openDocumentRequested)
        page.refreshRequested.connect(self.load_queue)
        self.review_page = page
        self.add_page(page, "Review queue")
        self.load_queue()
        return page

    def load_queue(self) -> None:
        """Read the queue again (on the git worker) and show it."""
        vcs, kb, page = self.git.vcs, self.kb(), self.review_page
        if vcs is None or kb is None or page is None:
            return
        documents = self.documents() or None

        def work(progress: object, cancelled: object) -> list[Any]:
            from kbstudio.review import review_queue

            return review_queue(vcs, kb, documents)

        self.git.git_work.run("review queue", work, on_success=page.set_queue,
                              on_error=lambda text: self.messageRequested.emit(plain_error(text)))

    def show_dashboard(self) -> DashboardPage | None:
        """Open the dashboard as a page."""
        from kbstudio.ui.dashboard_page import DashboardPage

        kb = self.kb()
        if kb is None:
            return None
        page = DashboardPage()
        page.openDocumentRequested.connect(self.openDocumentRequested)
        page.reviewQueueRequested.connect(self.show_queue)
        self.dashboard_page = page
        self.add_page(page, "Dashboard")
        vcs, documents = self.git.vcs, self.documents()

        def work(progress: object, cancelled: object) -> Any:
            from kbstudio.review import dashboard

            return dashboard(kb, documents, vcs)

        self.git.git_work.run("dashboard", work, on_success=page.show_dashboard,
                              on_error=lambda text: self.messageRequested.emit(plain_error(text)))
        return page
