"""Commit saved documents: pick the files, write a message, and say who you are the first time."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.loop.gitsync import loop_folder_of
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.vcs.common import Failure, run_quick, sentence
from kbstudio.ui.vcs.diff_view import DiffView
from kbstudio.vcs.commit import (
    CommitResult,
    ConflictMarkersError,
    FileStatus,
    files_with_markers,
    suggest_message,
)
from kbstudio.vcs.diff import FileDiff, diff_texts
from kbstudio.vcs.repo import Identity
from kbstudio.vcs.service import VersionControl

STATES = {"M": "changed", "A": "added", "?": "new", "D": "deleted", "R": "renamed", "C": "copied",
          "U": "conflicted", "T": "type changed"}
MARKER_WORDS = "lines starting with <<<<<<<, ======= or >>>>>>>"


@dataclass
class CommitSnapshot:
    """What the dialog shows: the changed files, who commits, and whether a merge is waiting."""

    changes: list[FileStatus] = field(default_factory=list)
    identity: Identity | None = None
    merging: bool = False
    with_markers: list[str] = field(default_factory=list)


def state_text(change: FileStatus) -> str:
    """Return a change's state in words."""
    text = STATES.get(change.state, change.state)
    return f"{text} (was {change.old_path})" if change.old_path else text


def markers_message(paths: list[str]) -> str:
    """Return the refusal for files that still hold conflict markers."""
    return (f"Not committed: {', '.join(paths)} still contain{'s' if len(paths) == 1 else ''} conflict "
            f"markers ({MARKER_WORDS}). Edit them out (or resolve the conflict), save, and commit again.")


class CommitDialog(QDialog):
    """The KB's saved changes with checkboxes, a suggested message, and Commit."""

    kbChanged = Signal(object)      # the KBChange of the commit (HEAD moved; documents the policy rewrote)
    messageRequested = Signal(str)  # a line for the status bar once the dialog closes

    def __init__(self, vcs: VersionControl, git_work: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vcs = vcs
        self.git_work = git_work
        self.snapshot = CommitSnapshot()
        self._suggested = ""
        self._generation = 0
        self.setWindowTitle("Commit changes")
        self.resize(900, 680)
        self.files = QTreeWidget()
        self.files.setHeaderLabels(["File", "Change"])
        self.files.setRootIsDecorated(False)
        self.files.setColumnWidth(0, 460)
        self.diff_view = DiffView()
        self.diff_view.set_message("Select a file to see what changed.")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.files)
        splitter.addWidget(self.diff_view)
        splitter.setSizes([200, 300])
        self.identity_box = QGroupBox("Who you are (asked once, stored in your git settings)")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Your Name")
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("you@example.com")
        form = QFormLayout(self.identity_box)
        form.addRow("Name", self.name_edit)
        form.addRow("Email", self.email_edit)
        self.identity_box.setVisible(False)
        self.message_edit = QPlainTextEdit()
        self.message_edit.setPlaceholderText("What you changed and why")
        self.message_edit.setMaximumHeight(90)
        self.status = QLabel("Reading the changes...")
        self.status.setWordWrap(True)
        self.commit_button = QPushButton("Commit")
        self.commit_button.setDefault(True)
        self.commit_button.setEnabled(False)
        cancel = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.commit_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Saved changes not committed yet (tick the ones to commit):"))
        layout.addWidget(splitter, 1)
        layout.addWidget(self.identity_box)
        layout.addWidget(QLabel("Message"))
        layout.addWidget(self.message_edit)
        layout.addLayout(buttons)
        self.files.itemChanged.connect(lambda *_: self._checks_changed())
        self.files.currentItemChanged.connect(lambda *_: self._show_selected())
        self.commit_button.clicked.connect(self.commit)
        cancel.clicked.connect(self.reject)
        self.reload()

    def reload(self) -> None:
        """Read the changed files, the identity and the merge state (on the git worker)."""
        vcs = self.vcs

        def work() -> CommitSnapshot:
            changes = vcs.committer.status()
            marked = files_with_markers(vcs.repo.kb.root, [c.path for c in changes if c.state != "D"])
            return CommitSnapshot(changes, vcs.repo.identity(), vcs.repo.merging(), marked)

        run_quick(self.git_work, self, "read changes", work, self._show_snapshot)

    def _show_snapshot(self, snapshot: CommitSnapshot | Failure) -> None:
        if isinstance(snapshot, Failure):
            self.status.setText(sentence(f"Could not read the changes: {snapshot.message}"))
            return
        self.snapshot = snapshot
        self.files.blockSignals(True)
        self.files.clear()
        for change in snapshot.changes:
            item = QTreeWidgetItem([change.path, state_text(change)])
            item.setData(0, Qt.ItemDataRole.UserRole, change.path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if loop_folder_of(change.path) is None:
                item.setCheckState(0, Qt.CheckState.Checked)
            else:   # uses, flags and gaps: Sync commits them in a commit of their own
                item.setCheckState(0, Qt.CheckState.Unchecked)
                item.setToolTip(0, "A knowledge-loop record (uses, flags, search gaps): Sync commits "
                                   "these in a commit of their own. Tick it to commit it now.")
            if change.path in snapshot.with_markers:
                item.setText(1, f"{state_text(change)}, has conflict markers")
                item.setToolTip(0, f"Contains conflict markers ({MARKER_WORDS}): it cannot be committed")
            self.files.addTopLevelItem(item)
        self.files.blockSignals(False)
        self.identity_box.setVisible(snapshot.identity is None)
        self._checks_changed()
        if snapshot.merging:
            self.status.setText("A merge is waiting for its conflicts to be resolved: use Resolve conflicts; "
                                "the merge commit is made when the last one is resolved.")
        elif not snapshot.changes:
            self.status.setText("Nothing to commit: every saved document is committed.")
        elif snapshot.with_markers:
            self.status.setText(markers_message(snapshot.with_markers))
        else:
            self.status.setText(f"{len(snapshot.changes)} changed file(s).")
        self.commit_button.setEnabled(bool(snapshot.changes) and not snapshot.merging)
        first = self.files.topLevelItem(0)
        if first is not None:
            self.files.setCurrentItem(first)

    def _file_items(self) -> list[QTreeWidgetItem]:
        """Return the rows of the file list, top to bottom."""
        items = (self.files.topLevelItem(i) for i in range(self.files.topLevelItemCount()))
        return [item for item in items if item is not None]

    def checked_paths(self) -> list[str]:
        """Return the ticked files."""
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self._file_items()
                if item.checkState(0) == Qt.CheckState.Checked]

    def set_checked(self, paths: list[str]) -> None:
        """Tick exactly ``paths``."""
        for item in self._file_items():
            wanted = item.data(0, Qt.ItemDataRole.UserRole) in paths
            item.setCheckState(0, Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def message(self) -> str:
        """Return the commit message typed (or suggested)."""
        return self.message_edit.toPlainText().strip()

    def _checks_changed(self) -> None:
        checked = set(self.checked_paths())
        chosen = [change for change in self.snapshot.changes if change.path in checked]
        suggestion = suggest_message(chosen) if chosen else ""
        if self.message() in ("", self._suggested.strip()):  # never overwrite what the user wrote
            self.message_edit.setPlainText(suggestion)
        self._suggested = suggestion

    def _show_selected(self) -> None:
        item = self.files.currentItem()
        if item is None:
            return
        path = item.data(0, Qt.ItemDataRole.UserRole)
        change = next((c for c in self.snapshot.changes if c.path == path), None)
        if change is None:
            return
        self._generation += 1
        generation, repo = self._generation, self.vcs.repo

        def work() -> FileDiff:
            old = repo.show("HEAD", change.old_path or path) if repo.head() else None
            file = repo.kb.root / path
            new = file.read_text("utf-8", errors="replace") if file.is_file() else ""
            return diff_texts(old or "", new, f"{change.old_path or path} (last commit)", f"{path} (saved)")

        def show(diff: FileDiff | Failure) -> None:
            if generation != self._generation:
                return
            if isinstance(diff, Failure):
                self.diff_view.set_message(sentence(diff.message))
            else:
                self.diff_view.set_diff(diff)

        run_quick(self.git_work, self, "diff", work, show)

    def commit(self) -> None:
        """Store the identity when asked for, then commit the ticked files with the message."""
        paths, message = self.checked_paths(), self.message()
        if not paths:
            self.status.setText("Tick at least one file to commit.")
            return
        if not message:
            self.status.setText("Write a commit message first.")
            self.message_edit.setFocus()
            return
        asked = not self.identity_box.isHidden()
        identity = (self.name_edit.text(), self.email_edit.text()) if asked else None
        self.commit_button.setEnabled(False)
        self.status.setText("Committing...")
        vcs = self.vcs

        def work() -> CommitResult:
            if identity is not None:
                vcs.repo.set_identity(*identity)
            return vcs.committer.commit(message, paths)

        run_quick(self.git_work, self, "commit", work, self._committed)

    def _committed(self, result: CommitResult | Failure) -> None:
        self.commit_button.setEnabled(True)
        if isinstance(result, Failure):
            if isinstance(result.error, ConflictMarkersError):
                self.status.setText(markers_message(result.error.paths))
            else:
                self.status.setText(sentence(f"Not committed: {result.message}"))
            self.reload_identity()
            return
        if not result.committed or result.sha is None:
            self.status.setText("Nothing to commit: the ticked files have no changes.")
            return
        count = len(result.changed)
        text = f"Committed {count} file{'s' if count != 1 else ''} as {result.sha[:8]}: {result.message}"
        self.status.setText(text)
        self.kbChanged.emit(result.change)
        self.messageRequested.emit(text)
        self.accept()

    def reload_identity(self) -> None:
        """Hide the name and email fields once git knows who commits (they may have been stored)."""
        repo = self.vcs.repo
        run_quick(self.git_work, self, "identity", repo.identity,
                  lambda identity: self.identity_box.setVisible(not isinstance(identity, Identity)))
