"""Pull, push and sync on the git worker, with progress, cancel and the repository state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.vcs.common import Failure, GitJob, run_quick, sentence
from kbstudio.vcs.runner import Cancelled, Progress
from kbstudio.vcs.service import VersionControl
from kbstudio.vcs.sync import RepoState, SyncResult

log = logging.getLogger(__name__)

LABELS = {"sync": "Syncing with the remote", "pull": "Pulling from the remote",
          "push": "Pushing to the remote"}


@dataclass
class SyncOutcome:
    """A finished pull, push or sync: the core's result (with its change record) and the state after it."""

    operation: str
    result: SyncResult
    state: RepoState | None


def describe_state(state: RepoState) -> str:
    """Return the status bar's words for the repository: branch, ahead/behind, merge, uncommitted."""
    parts = [state.branch or "detached HEAD"]
    if state.merging:
        parts.append("merging: resolve conflicts")
    if not state.has_remote:
        parts.append("no remote")
    elif state.ahead or state.behind:
        parts.append(f"\u2191{state.ahead} \u2193{state.behind}")
    else:
        parts.append("up to date")
    if state.uncommitted:
        parts.append(f"{state.uncommitted} uncommitted")
    return " \u00b7 ".join(parts)


def describe_result(operation: str, result: SyncResult) -> str:
    """Return what a pull, push or sync did, in plain words, with renames, renumbering and merges."""
    if result.failure == "cancelled":
        return f"{operation.title()} cancelled: nothing was changed."
    if result.status == "conflicts":
        names = ", ".join(result.conflicts[:5]) + (" ..." if len(result.conflicts) > 5 else "")
        lines = [f"{len(result.conflicts)} document(s) have conflicts to resolve: {names}. "
                 "Resolve them (Git > Resolve conflicts...); nothing is pushed until then."]
    elif result.status == "ok":
        done = {"sync": "Pulled and pushed", "pull": "Pulled", "push": "Pushed"}[operation]
        if result.message in ("already up to date", "nothing to push yet",
                              "the remote has no copy of this branch yet"):
            done = f"{done}: {result.message}" if operation != "sync" else f"Synced: {result.message}"
        count = len(result.changed)
        lines = [done + (f"; {count} file{'s' if count != 1 else ''} changed" if count else "") + "."]
    elif result.status == "uncommitted":
        count = len(result.uncommitted)
        lines = [f"Not {operation}ed yet: {count} saved change{'s' if count != 1 else ''} to commit first."
                 if operation != "sync" else f"Not synced yet: {count} saved change"
                 f"{'s' if count != 1 else ''} to commit first."]
    else:
        lines = [sentence(result.message)]
    lines += [sentence(f"merged field by field: {path}") for path in result.auto_merged]
    lines += [sentence(str(change)) for change in result.renumbered]
    lines += [sentence(note) for note in result.notes]
    return " ".join(lines)


class SyncController(QObject):
    """Runs sync, pull and push on the git worker and reports progress, state, messages and changes."""

    progressChanged = Signal(int, int, str)          # done, total (0, 0: working), stage text
    busyChanged = Signal(bool)
    stateChanged = Signal(object)                     # RepoState
    messageRequested = Signal(str)                    # a result line for the status bar
    kbChanged = Signal(object)                        # the KBChange of a pull: files on disk, HEAD
    conflictsFound = Signal(list)                     # KB paths that wait to be resolved
    massDeletionConfirmRequested = Signal(object)     # the SyncResult listing the deletions
    commitRequested = Signal(str, object)             # operation, the SyncResult listing uncommitted files

    def __init__(self, vcs: VersionControl, git_work: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vcs = vcs
        self.git_work = git_work
        self.state: RepoState | None = None
        self.last_result: SyncResult | None = None
        self.job = GitJob(git_work, self)
        self.job.progressChanged.connect(self.progressChanged)
        self.job.busyChanged.connect(self.busyChanged)

    @property
    def busy(self) -> bool:
        """Return True while a sync, pull or push runs."""
        return self.job.busy

    def sync(self, allow_mass_delete: bool = False) -> bool:
        """Pull, then push; False when another transfer is still running."""
        sync = self.vcs.sync
        return self._start("sync", lambda p, c: sync.sync(p, c, allow_mass_delete))

    def pull(self, allow_mass_delete: bool = False) -> bool:
        """Fetch and merge; False when another transfer is still running."""
        sync = self.vcs.sync
        return self._start("pull", lambda p, c: sync.pull(p, c, allow_mass_delete))

    def push(self) -> bool:
        """Push the current branch; False when another transfer is still running."""
        sync = self.vcs.sync
        return self._start("push", lambda p, c: sync.push(p, c))

    def commit_and(self, operation: str, message: str) -> bool:
        """Commit every saved change of the KB with ``message``, then run ``operation`` (sync or pull)."""
        vcs = self.vcs

        def run(progress: Progress, cancelled: Cancelled) -> SyncResult:
            vcs.committer.commit(message)
            if operation == "pull":
                return vcs.sync.pull(progress, cancelled)
            return vcs.sync.sync(progress, cancelled)

        return self._start(operation, run)

    def cancel(self) -> None:
        """Stop the running transfer (git is killed; a cancelled pull changes nothing)."""
        self.job.cancel()

    def refresh_state(self) -> None:
        """Read branch, ahead/behind (as of the last fetch) and the merge state, then emit stateChanged."""
        run_quick(self.git_work, self, "git state", self.vcs.sync.state, self._state_read)

    def _state_read(self, state: RepoState | Failure) -> None:
        if isinstance(state, Failure):
            self.messageRequested.emit(sentence(f"Could not read the repository state: {state.message}"))
            return
        self.state = state
        self.stateChanged.emit(state)

    def _start(self, operation: str, run: Callable[[Progress, Cancelled], SyncResult]) -> bool:
        vcs = self.vcs

        def work(progress: Progress, cancelled: Cancelled) -> SyncOutcome:
            result = run(progress, cancelled)
            return SyncOutcome(operation, result, vcs.sync.state())

        if not self.job.start(LABELS[operation], work, self._finished):
            self.messageRequested.emit("Git is still busy with the last transfer: wait or cancel it.")
            return False
        return True

    def _finished(self, outcome: SyncOutcome | Failure) -> None:
        if isinstance(outcome, Failure):
            self.messageRequested.emit(sentence(f"Sync failed: {outcome.message}"))
            self.refresh_state()
            return
        result = self.last_result = outcome.result
        if result.status in ("remote_error", "push_rejected", "error") and result.failure != "cancelled":
            log.warning("%s failed (%s%s): %s", outcome.operation, result.status,
                        f", {result.failure}" if result.failure else "", result.message)
        if outcome.state is not None:
            self.state = outcome.state
            self.stateChanged.emit(outcome.state)
        if result.change:
            self.kbChanged.emit(result.change)
        self.messageRequested.emit(describe_result(outcome.operation, result))
        if result.status == "conflicts":
            self.conflictsFound.emit(list(result.conflicts))
        elif result.status == "needs_confirmation":
            self.massDeletionConfirmRequested.emit(result)
        elif result.status == "uncommitted":
            self.commitRequested.emit(outcome.operation, result)
