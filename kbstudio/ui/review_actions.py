"""The Review menu: submit for review, the review queue, approve or send back, the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox

from kbstudio.changes import KBChange
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.context import WindowContext
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.git_actions import GitActions
from kbstudio.ui.tasks import TaskFailure
from kbstudio.ui.vcs.common import EXPECTED_ERRORS, as_failure

if TYPE_CHECKING:
    from kbstudio.review import ApprovalPlan, ReviewResult
    from kbstudio.ui.dashboard_page import DashboardPage
    from kbstudio.ui.review_page import ReviewPage


class ReviewActions(QObject):
    """Runs the KCS review steps on the git worker; the queue and the dashboard follow change records."""

    dashboardOpened = Signal(object)   # the DashboardPage just added (the knowledge loop adds its part)

    def __init__(self, context: WindowContext, git: GitActions) -> None:
        super().__init__(context.parent)
        self.context = context
        self.git = git
        self.dialog_parent = context.parent
        self.review_page: ReviewPage | None = None
        self.dashboard_page: DashboardPage | None = None
        self.settings = context.settings   # the reviewer identity is the user's own setting
        self.reviewer = ""
        context.hub.kbChanged.connect(self.kb_changed)

    def _say(self, text: str) -> None:
        self.context.status.show(text, 10000)

    def build_menu(self, menu: QMenu) -> None:
        """Fill the Review menu."""
        for label, keys, handler in (
            ("&Submit this document for review...", "", self.submit_current),
            ("Review &queue", "Ctrl+Shift+R", self.show_queue),
            ("Your reviewer &identity...", "", self.choose_identity),
            ("&Dashboard", "Ctrl+Shift+D", self.show_dashboard),
            ("&Archive this document", "", self.archive_current),
            ("Reopen as &draft", "", self.reopen_current),
        ):
            action = QAction(label, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, h=handler: h())
            menu.addAction(action)

    # Running a step ---------------------------------------------------------------------------

    def _run(self, label: str, work: Callable[[Any, KnowledgeBase], Any],
             on_success: Callable[[Any], None] | None = None) -> bool:
        """Run ``work(vcs, kb)`` on the git worker for the open KB; False when it is not versioned."""
        vcs, kb = self.git.vcs, self.context.kb
        if vcs is None or kb is None:
            self._say(
                "Review needs a knowledge base versioned with git (Git > Start versioning)")
            return False
        self.git.git_work.run(label, lambda p, c: work(vcs, kb), on_success=on_success or self._done,
                              on_error=self._failed)
        return True

    def _failed(self, failure: TaskFailure) -> None:
        """Show why a step was refused: in the status bar, and on the queue page without the step's name.

        A refusal of the review rules (ReviewError) or git is logged and shown in its own words;
        anything else is a bug, also shown in the error dialog (``as_failure``).
        """
        shown = as_failure(failure, _review_errors()).message
        self._refused(shown, f"{failure.label}: {shown}")

    def _refused(self, message: str, status: str = "") -> None:
        """Show ``message`` on the queue page, and ``status`` (default: the same) in the status bar."""
        self._say(status or message)
        if self.review_page is not None:
            self.review_page.show_error(message)

    def _done(self, result: ReviewResult) -> None:
        # The queue, the dashboard and the tab follow the record; the step's line is said after it,
        # so it is the one left on screen (not the tab's "Reloaded").
        self.context.hub.publish(result.change)
        name = " ".join(part for part in (result.doc_id, result.title) if part)
        commit = f" (commit {result.sha[:7]})" if result.sha else ""
        if result.action == "approve" and result.new_status == "review":
            count, needed = len(result.approvals), result.approvals_needed
            self._say(f"{name}: approval {count} of {needed} recorded; it stays in review "
                      f"until {needed - count} more reviewer(s) approve{commit}")
        else:
            self._say(f"{name}: {result.old_status} -> {result.new_status}{commit}")
        if self.review_page is not None and shiboken6.isValid(self.review_page):
            self.review_page.comment.clear()

    def kb_changed(self, change: KBChange) -> None:
        """Read the queue and the dashboard again (those open) when the review state may differ."""
        if not (change.review or change.head or change.documents or change.reloaded):
            return
        if self.review_page is not None and shiboken6.isValid(self.review_page):
            self.load_queue()
        if self.dashboard_page is not None and shiboken6.isValid(self.dashboard_page):
            self.load_dashboard()

    def _saved_tab(self) -> DocumentTab | None:
        tab = self.context.tabs.current_tab()
        if tab is None:
            self._say("Open the document first")
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

        def work(vcs: Any, kb: KnowledgeBase) -> ReviewResult:
            from kbstudio.review import submit

            return submit(vcs, kb, path, names, expected_hash=expected)

        return self._run("submit", work)

    def archive_current(self) -> bool:
        """Save the document in front and archive it (kept for history)."""
        from kbstudio.review import archive

        return self._simple("archive", archive)

    def reopen_current(self) -> bool:
        """Save the archived document in front and bring it back as a draft."""
        from kbstudio.review import reopen

        return self._simple("reopen", reopen)

    def _simple(self, label: str, step: Callable[..., ReviewResult]) -> bool:
        tab = self._saved_tab()
        if tab is None:
            return False
        path, expected = tab.rel_path, tab.loaded_hash

        def work(vcs: Any, kb: KnowledgeBase) -> ReviewResult:
            return step(vcs, kb, path, expected_hash=expected)

        return self._run(label, work)

    # The reviewer's identity ---------------------------------------------------------------------

    def git_identity(self) -> str:
        """Return git's identity as ``Name <email>`` (who commits), or an empty string."""
        vcs = self.git.vcs
        identity = vcs.repo.identity() if vcs is not None else None
        return f"{identity.name} <{identity.email}>" if identity else ""

    def reviewer_identity(self) -> str:
        """Return who approvals and change requests are recorded as: the identity picked, else git's."""
        chosen = self.settings.get("reviewer") if self.settings is not None else ""
        return chosen or self.reviewer or self.git_identity()

    def choose_identity(self) -> bool:
        """Ask for the reviewer identity (``Name <email>``) and keep it in the user's settings."""
        from kbstudio.review import InvalidReviewerError, check_person

        text, ok = QInputDialog.getText(
            self.dialog_parent, "Your reviewer identity",
            "Your approvals and change requests are recorded as (Name <email>).\n"
            "Kept in your settings; the commit itself is made with your git identity"
            + (f" ({self.git_identity()})" if self.git_identity() else "") + ".",
            QLineEdit.EchoMode.Normal, self.reviewer_identity())
        if not ok:
            return False
        try:
            person = check_person(text)
        except InvalidReviewerError as error:
            self._refused(f"Reviewer identity not changed: {error}")
            return False
        self.reviewer = person
        if self.settings is not None:
            self.settings.set("reviewer", person)
        if self.review_page is not None:
            self.review_page.set_reviewer(person)
        self._say(f"Reviewing as {person}")
        return True

    def _identity_ready(self) -> bool:
        """Ask once for the reviewer identity when none was picked yet (offering git's)."""
        if self.settings is None or self.settings.get("reviewer"):
            return True
        return self.choose_identity()

    # Approving ------------------------------------------------------------------------------------

    def approve(self, path: str, comment: str = "", expected_hash: str | None = None) -> bool:
        """Approve ``path``: check the KB's review policy, ask for confirmation, then commit.

        The question names the identity written in ``Reviewed-by`` and the git identity that commits,
        and says whether the approval publishes or waits for more reviewers. A refusal by the policy
        (self-approval, a reviewer not named, ...) is shown and nothing changes.
        """
        if not self._identity_ready():
            return False
        reviewer = self.reviewer_identity()

        def check(vcs: Any, kb: KnowledgeBase) -> ApprovalPlan:
            from kbstudio.review import plan_approval

            return plan_approval(vcs, kb, path, reviewer, expected_hash=expected_hash)

        return self._run("approve", check, lambda plan: self._confirm_approval(plan, comment, expected_hash))

    def _confirm_approval(self, plan: ApprovalPlan, comment: str, expected_hash: str | None) -> None:
        title = "Approve and publish?" if plan.publishes else "Approve (not published yet)?"
        answer = QMessageBox.question(
            self.dialog_parent, title, plan.summary() + "\n\nGo ahead?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            self._say(f"{plan.label}: not approved")
            return
        path, reviewer = plan.path, plan.reviewer

        def work(vcs: Any, kb: KnowledgeBase) -> ReviewResult:
            from kbstudio.review import approve

            return approve(vcs, kb, path, reviewer, comment=comment, expected_hash=expected_hash)

        self._run("approve", work)

    def request_changes(self, path: str, comment: str) -> bool:
        """Send ``path`` back to draft with the reviewer's comment in the commit message."""
        if not self._identity_ready():
            return False
        reviewer = self.reviewer_identity()

        def work(vcs: Any, kb: KnowledgeBase) -> ReviewResult:
            from kbstudio.review import request_changes

            return request_changes(vcs, kb, path, reviewer, comment)

        return self._run("request changes", work)

    # Pages ------------------------------------------------------------------------------------

    def show_queue(self) -> ReviewPage | None:
        """Open the review queue as a page."""
        from kbstudio.ui.review_page import ReviewPage

        vcs = self.git.vcs
        if vcs is None:
            self._say("The review queue needs a knowledge base versioned with git")
            return None
        page = ReviewPage(self.reviewer_identity() or "unknown (set your name in Git > Commit)")
        page.approveRequested.connect(
            lambda path, comment: self.approve(path, comment, self._queued_hash(path)))
        page.changesRequested.connect(self.request_changes)
        page.identityChangeRequested.connect(self.choose_identity)
        page.openDocumentRequested.connect(self.context.tabs.open_document)
        page.refreshRequested.connect(self.load_queue)
        self.review_page = page
        self.context.tabs.add_page(page, "Review queue")
        self.load_queue()
        return page

    def _queued_hash(self, path: str) -> str | None:
        """Return the hash of ``path`` as the queue showed it: the approval is for what was reviewed."""
        page = self.review_page
        item = next((item for item in page.items if item.path == path), None) if page else None
        return item.content_hash or None if item is not None else None

    def load_queue(self) -> None:
        """Read the queue again (on the git worker) and show it."""
        vcs, kb, page = self.git.vcs, self.context.kb, self.review_page
        if vcs is None or kb is None or page is None:
            return
        documents = list(self.context.documents.values()) or None

        def work(progress: object, cancelled: object) -> list[Any]:
            from kbstudio.review import review_queue

            return review_queue(vcs, kb, documents)

        self.git.git_work.run("review queue", work, on_success=page.set_queue,
                              on_error=self._read_failed)

    def _read_failed(self, failure: TaskFailure) -> None:
        self._say(f"{failure.label}: {as_failure(failure, _review_errors()).message}")

    def show_dashboard(self) -> DashboardPage | None:
        """Open the dashboard as a page (read again whenever a change record may change it)."""
        from kbstudio.ui.dashboard_page import DashboardPage

        if self.context.kb is None:
            return None
        page = DashboardPage()
        page.openDocumentRequested.connect(self.context.tabs.open_document)
        page.reviewQueueRequested.connect(self.show_queue)
        self.dashboard_page = page
        self.context.tabs.add_page(page, "Dashboard")
        self.dashboardOpened.emit(page)
        self.load_dashboard()
        return page

    def load_dashboard(self) -> None:
        """Count the documents by tier and status again (on the git worker) and show them."""
        kb, page = self.context.kb, self.dashboard_page
        if kb is None or page is None:
            return
        vcs, documents = self.git.vcs, list(self.context.documents.values())

        def work(progress: object, cancelled: object) -> Any:
            from kbstudio.loop.logfiles import record_folders
            from kbstudio.review import dashboard

            return dashboard(kb, documents, vcs, recent_exclude=record_folders())

        self.git.git_work.run("dashboard", work, on_success=page.show_dashboard, on_error=self._read_failed)


def _review_errors() -> tuple[type[BaseException], ...]:
    """Return the errors a review step may end in for a reason the user can act on: the review
    rules' refusals (ReviewError: a transition, a reviewer, the policy) and git's."""
    from kbstudio.review import ReviewError  # loaded by the step that raised it

    return (ReviewError, *EXPECTED_ERRORS)
