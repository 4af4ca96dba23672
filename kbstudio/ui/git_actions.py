"""The Git menu and status: commit, history, sync, conflicts and clone for the open KB."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QWidget

from kbstudio.kb import KnowledgeBase
from kbstudio.ui.tasks import TaskFailure, TaskRunner

if TYPE_CHECKING:
    from kbstudio.ui.vcs.sync_controller import SyncController
    from kbstudio.vcs.programs import Programs
    from kbstudio.vcs.service import VersionControl

# The git modules load on first use, on the git worker where possible: they
# cost a tenth of a second that launching the app should not pay.


class GitActions(QObject):
    """Owns the KB's git services, the one git worker, the Git menu and the branch label."""

    pathsChanged = Signal(list)          # KB paths changed on disk by a pull, merge or restore
    openDocumentRequested = Signal(str)
    messageRequested = Signal(str)
    cloned = Signal(object)              # the Path of a freshly cloned KB
    versioningChanged = Signal(bool)

    def __init__(self, dialog_parent: QWidget, current_path: Callable[[], str | None]) -> None:
        super().__init__(dialog_parent)
        self.dialog_parent = dialog_parent
        self.current_path = current_path
        self.git_work = TaskRunner(self, max_threads=1)   # every git command, one at a time
        self.kb: KnowledgeBase | None = None
        self.vcs: VersionControl | None = None
        self.sync: SyncController | None = None
        self.dialog: QWidget | None = None
        self.programs_box: QMessageBox | None = None
        self.label = QLabel()
        self.actions: dict[str, QAction] = {}

    # Menu -------------------------------------------------------------------------------------

    def build_menu(self, menu: QMenu) -> None:
        """Fill the Git menu."""
        for key, label, keys, handler in (
            ("commit", "&Commit...", "Ctrl+Shift+C", self.show_commit),
            ("sync", "&Sync (pull, then push)", "Ctrl+Shift+S", lambda: self._sync_op("sync")),
            ("pull", "&Pull", "", lambda: self._sync_op("pull")),
            ("push", "P&ush", "", lambda: self._sync_op("push")),
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
            self.messageRequested.emit(shown)

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
            self.sync.messageRequested.connect(self.messageRequested)
            self.sync.pathsChanged.connect(self.pathsChanged)
            self.sync.conflictsFound.connect(lambda _: self.show_conflicts())
            self.sync.massDeletionConfirmRequested.connect(self._confirm_mass_deletion)
            self.sync.commitRequested.connect(self.offer_commit)
            self.sync.busyChanged.connect(lambda _: self._enable())
            self.sync.refresh_state()
        self._enable()
        self.versioningChanged.emit(vcs is not None)

    def _state_changed(self, state: object) -> None:
        from kbstudio.ui.vcs.sync_controller import describe_state

        self.label.setText(describe_state(state))  # type: ignore[arg-type]

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

    def commit_saved(self, rel_path: str) -> None:
        """Commit one saved document with a suggested message (the auto-commit setting)."""
        vcs = self.vcs
        if vcs is None:
            return

        def work(progress: object, cancelled: object) -> tuple[str, list[str]]:
            from kbstudio.vcs.commit import suggest_message

            changes = [change for change in vcs.committer.status() if change.path == rel_path]
            if not changes:
                return "", []
            result = vcs.committer.commit(suggest_message(changes), [rel_path])
            return result.sha or "", result.notes

        self.git_work.run("commit", work, on_success=lambda done: self._auto_committed(rel_path, *done),
                          on_error=lambda failure: self._failed(failure, "Not committed"))

    def _auto_committed(self, rel_path: str, sha: str, notes: list[str] | None = None) -> None:
        if sha:
            # the KB's review policy may have sent an edited published document back to review
            self.messageRequested.emit(f"Committed {rel_path} ({sha[:7]})"
                                       + "".join(f"; {note}" for note in notes or []))
            if notes:
                self.pathsChanged.emit([rel_path])
        self.refresh_state()

    # Dialogs ---------------------------------------------------------------------------------

    def _show(self, dialog: QWidget) -> QWidget:
        self.dialog = dialog
        for name in ("pathsChanged", "openDocumentRequested", "messageRequested"):
            signal = getattr(dialog, name, None)
            if signal is not None:
                signal.connect(getattr(self, name))
        for name in ("headChanged", "mergeStateChanged"):
            signal = getattr(dialog, name, None)
            if signal is not None:
                signal.connect(lambda *_: self.refresh_state())
        if getattr(dialog, "syncRequested", None) is not None:   # Resolve and sync: push the merge
            dialog.syncRequested.connect(lambda: self._sync_op("sync"))  # type: ignore[attr-defined]
        dialog.open()  # type: ignore[attr-defined]
        return dialog

    def show_commit(self) -> QWidget | None:
        """Open the commit dialog."""
        from kbstudio.ui.vcs.commit_dialog import CommitDialog

        return self._show(CommitDialog(self.vcs, self.git_work, self.dialog_parent)) if self.vcs else None

    def show_history(self, rel_path: str | None = None) -> QWidget | None:
        """Open the history of a document (the one in front by default)."""
        rel_path = rel_path or self.current_path()
        if self.vcs is None or not rel_path:
            self.messageRequested.emit("Open a document in a versioned knowledge base to see its history")
            return None
        from kbstudio.ui.vcs.history_dialog import HistoryDialog

        return self._show(HistoryDialog(self.vcs, rel_path, self.git_work, self.dialog_parent))

    def show_conflicts(self) -> QWidget | None:
        """Open the list of conflicts that wait to be resolved."""
        from kbstudio.ui.vcs.conflicts_dialog import ConflictsDialog

        return self._show(ConflictsDialog(self.vcs, self.git_work, self.dialog_parent)) if self.vcs else None

    def show_clone(self) -> QWidget:
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
            self.messageRequested.emit("This repository's git programs are allowed" if allowed else
                                       "This repository's git programs no longer run")
            if kb is self.kb:
                self.open_kb(kb)   # new git services: the policy is read again

        self.git_work.run("allow git programs", work, on_success=done, on_error=self._failed)

    def _failed(self, failure: TaskFailure, prefix: str = "") -> None:
        """Show a git task's failure in the status bar after ``prefix`` (default: the task's label).

        It is logged first; an unexpected one also opens the error dialog (``as_failure``).
        """
        from kbstudio.ui.vcs.common import as_failure

        self.messageRequested.emit(f"{prefix or failure.label}: {as_failure(failure).message}")

    def _sync_op(self, operation: str) -> None:
        if self.sync is not None:
            getattr(self.sync, operation)()

    def cancel(self) -> None:
        """Stop a running pull, push or sync."""
        if self.sync is not None:
            self.sync.cancel()

    def offer_commit(self, operation: str, result: object) -> QWidget | None:
        """A sync found saved changes not committed: offer to commit them with a message, then sync."""
        if self.sync is None:
            return None
        from kbstudio.ui.vcs.commit_sync_dialog import CommitAndSyncDialog

        dialog = CommitAndSyncDialog(operation, list(getattr(result, "uncommitted", [])), self.dialog_parent)
        dialog.commitRequested.connect(lambda op, message: self.sync and self.sync.commit_and(op, message))
        return self._show(dialog)

    def _confirm_mass_deletion(self, result: object) -> None:
        guard = getattr(result, "guard", None)     # how many leave the KB and how (kbstudio.vcs.guard)
        deletions = list(getattr(result, "deletions", []))
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
