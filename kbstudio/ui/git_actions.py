"""The Git menu and status: commit, history, sync, conflicts and clone for the open KB."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QMessageBox

from kbstudio.changes import KBChange
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.context import WindowContext
from kbstudio.ui.tasks import TaskFailure, TaskRunner

if TYPE_CHECKING:
    from kbstudio.ui.vcs.sync_controller import SyncController
    from kbstudio.vcs.commit import CommitResult
    from kbstudio.vcs.programs import Programs
    from kbstudio.vcs.service import VersionControl
    from kbstudio.vcs.sync import RepoState, SyncResult

# The git modules load on first use, on the git worker where possible: they
# cost a tenth of a second that launching the app should not pay.


class GitActions(QObject):
    """Owns the KB's git services, the one git worker, the Git menu and the branch label.

    What a git action changes (a pull, a merge, a restore, a commit) goes out as a change record
    through the hub; the branch label reads the repository again after every record that names a
    file or moves HEAD.
    """

    cloned = Signal(object)              # the Path of a freshly cloned KB
    versioningChanged = Signal(bool)

    def __init__(self, context: WindowContext) -> None:
        super().__init__(context.parent)
        self.context = context
        self.dialog_parent = context.parent
        self.git_work = TaskRunner(self, max_threads=1)   # every git command, one at a time
        self.kb: KnowledgeBase | None = None
        self.vcs: VersionControl | None = None
        self.sync: SyncController | None = None
        self.dialog: QDialog | None = None
        self.programs_box: QMessageBox | None = None
        self.label = QLabel()
        self.actions: dict[str, QAction] = {}
        context.hub.kbChanged.connect(self.kb_changed)

    def _say(self, text: str) -> None:
        self.context.status.show(text, 10000)

    def kb_changed(self, change: KBChange) -> None:
        """Read the branch, ahead/behind and uncommitted count again after files changed or HEAD moved."""
        if change.head or change.paths:
            self.refresh_state()

    # Menu -------------------------------------------------------------------------------------

    def build_menu(self, menu: QMenu) -> None:
        """Fill the Git menu."""
        for key, label, keys, handler in (
            ("commit", "&Commit...", "Ctrl+Shift+C", self.show_commit),
            ("sync", "&Sync (pull, then push)", "Ctrl+Shift+S", self.run_sync),
            ("pull", "&Pull", "", self.run_pull),
            ("push", "P&ush", "", self.run_push),
            ("cancel", "Cancel the transfer", "", self.cancel),
            ("history", "&History of this document...", "Ctrl+Shift+H", self.show_history),
            ("conflicts", "&Resolve conflicts...", "", self.show_conflicts),
            ("programs", "Allow this repository's git &programs...", "", self.show_programs),
            ("init", "&Start versioning this knowledge base (git init)", "", self.init_repository),
            ("clone", "&Open from remote (clone)...", "", self.show_clone),
        ):
            action = QAction(label, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, h=handler: h())
            menu.addAction(action)
            self.actions[key] = action
            if key in ("cancel", "programs"):
                menu.addSeparator()
        self._enable()

    def _enable(self) -> None:
        versioned = self.vcs is not None
        busy = self.sync is not None and self.sync.busy
        for key, action in self.actions.items():
            if key == "clone":
                action.setEnabled(True)
            elif key == "init":
                action.setEnabled(self.kb is not None and not versioned)
            elif key == "programs":
                action.setEnabled(self.kb is not None)   # also when git is refused: this is the way out
            elif key == "cancel":
                action.setEnabled(busy)
            else:
                action.setEnabled(versioned and not (busy and key in ("sync", "pull", "push")))

    # Opening ---------------------------------------------------------------------------------

    def open_kb(self, kb: KnowledgeBase) -> None:
        """Find the KB's repository (in the background) and show its branch."""
        self.kb = kb
        self.vcs = None
        self.sync = None
        self.label.setText("")
        self._enable()
        self.git_work.run("git", lambda p, c: _open_repository(kb),
                          on_success=lambda vcs: self._opened(kb, vcs),
                          on_error=lambda failure: self._not_opened(kb, failure))

    def _not_opened(self, kb: KnowledgeBase, failure: TaskFailure) -> None:
        from kbstudio.ui.vcs.common import as_failure, sentence
        from kbstudio.vcs.runner import RepositoryProgramsError

        shown = sentence(as_failure(failure).message)   # logged; a bug also in the error dialog
        if kb is not self.kb:
            return
        refused = isinstance(failure.error, RepositoryProgramsError)
        self.label.setText("git refused: repository programs" if refused else "git unavailable")
        self.label.setToolTip(shown)
        if refused:
            self._say(shown)

    def _opened(self, kb: KnowledgeBase, vcs: VersionControl | None) -> None:
        if kb is not self.kb:
            return
        self.vcs = vcs
        if vcs is None:
            self.label.setText("not versioned")
            self.label.setToolTip("Git > Start versioning to keep history and sync with a team")
        else:
            from kbstudio.ui.vcs.sync_controller import SyncController

            self.sync = SyncController(vcs, self.git_work, self)
            self.sync.stateChanged.connect(self._state_changed)
            self.sync.messageRequested.connect(self._say)
            self.sync.kbChanged.connect(self.context.hub.publish)
            self.sync.conflictsFound.connect(lambda _: self.show_conflicts())
            self.sync.massDeletionConfirmRequested.connect(self._confirm_mass_deletion)
            self.sync.commitRequested.connect(self.offer_commit)
            self.sync.busyChanged.connect(lambda _: self._enable())
            self.sync.refresh_state()
        self._enable()
        self.versioningChanged.emit(vcs is not None)

    def _state_changed(self, state: RepoState) -> None:
        from kbstudio.ui.vcs.sync_controller import describe_state

        self.label.setText(describe_state(state))

    def refresh_state(self) -> None:
        """Read branch and ahead/behind again (after a save or commit)."""
        if self.sync is not None:
            self.sync.refresh_state()

    def init_repository(self) -> None:
        """Run ``git init`` for a KB outside any work tree."""
        kb = self.kb
        if kb is None or self.vcs is not None:
            return
        self.git_work.run("git init", lambda p, c: _init_repository(kb),
                          on_success=lambda _: self.open_kb(kb),
                          on_error=self._failed)

    # After saving -----------------------------------------------------------------------------

    def saved(self, change: KBChange) -> None:
        """A tab saved a file: commit it when the user asked for that (the auto-commit setting)."""
        if self.context.settings.get("auto_commit"):
            for rel_path in sorted(change.present | change.files):
                self.commit_saved(rel_path)

    def commit_saved(self, rel_path: str) -> None:
        """Commit one saved document with a suggested message (the auto-commit setting)."""
        vcs = self.vcs
        if vcs is None:
            return

        def work(progress: object, cancelled: object) -> CommitResult | None:
            from kbstudio.vcs.commit import suggest_message

            changes = [change for change in vcs.committer.status() if change.path == rel_path]
            if not changes:
                return None
            return vcs.committer.commit(suggest_message(changes), [rel_path])

        self.git_work.run("commit", work, on_success=lambda result: self._auto_committed(rel_path, result),
                          on_error=lambda failure: self._failed(failure, "Not committed"))

    def _auto_committed(self, rel_path: str, result: CommitResult | None) -> None:
        if result is not None and result.sha:
            # the KB's review policy may have sent an edited published document back to review
            self.context.hub.publish(result.change)   # first: the line below is the one left on screen
            notes = "".join(f"; {note}" for note in result.notes)
            self._say(f"Committed {rel_path} ({result.sha[:7]}){notes}")

    # Dialogs ---------------------------------------------------------------------------------

    def _show(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_commit(self) -> QDialog | None:
        """Open the commit dialog."""
        from kbstudio.ui.vcs.commit_dialog import CommitDialog

        if self.vcs is None:
            return None
        dialog = CommitDialog(self.vcs, self.git_work, self.dialog_parent)
        dialog.kbChanged.connect(self.context.hub.publish)
        dialog.messageRequested.connect(self._say)
        return self._show(dialog)

    def show_history(self, rel_path: str | None = None) -> QDialog | None:
        """Open the history of a document (the one in front by default)."""
        current = self.context.tabs.current_tab()
        rel_path = rel_path or (current.rel_path if current is not None else None)
        if self.vcs is None or not rel_path:
            self._say("Open a document in a versioned knowledge base to see its history")
            return None
        from kbstudio.ui.vcs.history_dialog import HistoryDialog

        dialog = HistoryDialog(self.vcs, rel_path, self.git_work, self.dialog_parent)
        dialog.kbChanged.connect(self.context.hub.publish)
        dialog.openDocumentRequested.connect(self.context.tabs.open_document)
        return self._show(dialog)

    def show_conflicts(self) -> QDialog | None:
        """Open the list of conflicts that wait to be resolved."""
        from kbstudio.ui.vcs.conflicts_dialog import ConflictsDialog

        if self.vcs is None:
            return None
        dialog = ConflictsDialog(self.vcs, self.git_work, self.dialog_parent)
        dialog.kbChanged.connect(self.context.hub.publish)
        dialog.messageRequested.connect(self._say)
        dialog.syncRequested.connect(self.run_sync)   # Resolve and sync: push the merge
        return self._show(dialog)

    def show_clone(self) -> QDialog:
        """Open the clone dialog; a finished clone is opened as the KB."""
        from kbstudio.ui.vcs.clone_dialog import CloneDialog

        folder = self.kb.root.parent if self.kb is not None else Path.home()
        dialog = CloneDialog(self.git_work, self.dialog_parent, folder=folder)
        dialog.cloned.connect(self.cloned)
        return self._show(dialog)

    # The repository's own programs ---------------------------------------------------------------

    def show_programs(self) -> None:
        """Show what the repository's own git config and hooks would run, and offer to allow it."""
        kb = self.kb
        if kb is None:
            return
        self.git_work.run("git programs", lambda p, c: _repository_programs(kb),
                          on_success=lambda programs: self._show_programs(kb, programs),
                          on_error=self._failed)

    def _show_programs(self, kb: KnowledgeBase, programs: Programs) -> QMessageBox | None:
        if kb is not self.kb:
            return None
        title, text, detail = programs_text(programs)
        buttons = QMessageBox.StandardButton.Close
        allowing = programs.state in ("protected", "changed")
        if programs.state != "none":
            buttons |= QMessageBox.StandardButton.Yes
        box = QMessageBox(QMessageBox.Icon.Warning if allowing else QMessageBox.Icon.Information,
                          title, text, buttons, self.dialog_parent)
        box.setInformativeText(detail)
        box.setDefaultButton(QMessageBox.StandardButton.Close)
        yes = box.button(QMessageBox.StandardButton.Yes)
        if yes is not None:
            yes.setText("Allow these programs" if allowing else "Stop allowing them")
            yes.clicked.connect(lambda: self._set_programs_allowed(kb, allowing))
        box.finished.connect(box.deleteLater)
        self.programs_box = box
        box.open()
        return box

    def _set_programs_allowed(self, kb: KnowledgeBase, allowed: bool) -> None:
        def work(progress: object, cancelled: object) -> object:
            from kbstudio.vcs.service import allow_repository_programs

            return allow_repository_programs(kb.root, allowed)

        def done(_: object) -> None:
            self._say("This repository's git programs are allowed" if allowed else
                      "This repository's git programs no longer run")
            if kb is self.kb:
                self.open_kb(kb)   # new git services: the policy is read again

        self.git_work.run("allow git programs", work, on_success=done, on_error=self._failed)

    def _failed(self, failure: TaskFailure, prefix: str = "") -> None:
        """Show a git task's failure in the status bar after ``prefix`` (default: the task's label).

        It is logged first; an unexpected one also opens the error dialog (``as_failure``).
        """
        from kbstudio.ui.vcs.common import as_failure

        self._say(f"{prefix or failure.label}: {as_failure(failure).message}")

    def run_sync(self) -> None:
        """Pull, then push (Git > Sync)."""
        if self.sync is not None:
            self.sync.sync()

    def run_pull(self) -> None:
        """Fetch and merge (Git > Pull)."""
        if self.sync is not None:
            self.sync.pull()

    def run_push(self) -> None:
        """Push the current branch (Git > Push)."""
        if self.sync is not None:
            self.sync.push()

    def cancel(self) -> None:
        """Stop a running pull, push or sync."""
        if self.sync is not None:
            self.sync.cancel()

    def offer_commit(self, operation: str, result: SyncResult) -> QDialog | None:
        """A sync found saved changes not committed: offer to commit them with a message, then sync."""
        if self.sync is None:
            return None
        from kbstudio.ui.vcs.commit_sync_dialog import CommitAndSyncDialog

        dialog = CommitAndSyncDialog(operation, list(result.uncommitted), self.dialog_parent)
        dialog.commitRequested.connect(self._commit_and)
        return self._show(dialog)

    def _commit_and(self, operation: str, message: str) -> None:
        if self.sync is not None:
            self.sync.commit_and(operation, message)

    def _confirm_mass_deletion(self, result: SyncResult) -> None:
        guard = result.guard     # how many leave the KB and how (kbstudio.vcs.guard)
        deletions = list(result.deletions)
        text = guard.question() if guard is not None else (
            f"This pull would take {len(deletions)} documents out of the knowledge base. Go ahead?")
        answer = QMessageBox.question(
            self.dialog_parent, "Pull takes documents out of the KB", text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)         # Enter keeps the documents
        if answer == QMessageBox.StandardButton.Yes and self.sync is not None:
            self.sync.sync(allow_mass_delete=True)

    def shutdown(self) -> None:
        """Stop git work before the window closes."""
        self.git_work.cancel_all()
        if self.sync is not None:
            self.sync.cancel()
        self.git_work.wait()


def _open_repository(kb: KnowledgeBase) -> VersionControl | None:
    from kbstudio.vcs.service import VersionControl

    return VersionControl.open(kb)


def _repository_programs(kb: KnowledgeBase) -> Programs:
    from kbstudio.vcs.service import repository_programs

    return repository_programs(kb.root)


def programs_text(programs: Programs) -> tuple[str, str, str]:
    """Return the title, the state and the list of programs for the dialog."""
    title = "This repository's git programs"
    if programs.git_dir is None:
        return title, "This knowledge base is not a git repository.", ""
    state = {
        "none": "This repository's own git config names no programs and it has no hooks: nothing to "
                "allow.",
        "protected": "Not allowed (the default): KB Studio runs none of the programs below, which "
                     "came with the repository, not from you.",
        "changed": "Not allowed any more: these programs changed since you allowed them, so KB Studio "
                   "runs none of them.",
        "allowed": "Allowed: git runs this repository's programs as plain git would.",
    }[programs.state]
    lines = [f"{f.setting} = {f.value}\n    {f.action}: {f.effect}" for f in programs.findings]
    warning = ("Allow them only for a repository you trust: a KB cloned from someone else's remote, or a "
               "folder a colleague sent, can hold programs that run as you. The choice is kept in your "
               "own settings for this repository, and is asked again when its programs change.")
    detail = "\n".join(lines) if lines else ""
    if programs.state in ("protected", "changed"):
        detail = f"{detail}\n\n{warning}" if detail else warning
    return title, f"{state}\n\nRepository: {programs.git_dir}", detail


def _init_repository(kb: KnowledgeBase) -> object:
    from kbstudio.vcs.repo import KBRepo

    return KBRepo.init(kb)
