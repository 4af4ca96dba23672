"""A document's history: its versions (following renames), diffs between them, restoring one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.vcs.common import Failure, ask, monospace, run_quick, sentence
from kbstudio.ui.vcs.diff_view import DiffView
from kbstudio.vcs.commit import CommitResult
from kbstudio.vcs.diff import FileDiff
from kbstudio.vcs.history import Version
from kbstudio.vcs.service import VersionControl

COLUMNS = ("Date", "Author", "Message", "Commit", "Path")
CHANGES = {"A": "added", "D": "deleted", "R": "renamed", "M": "changed", "C": "copied"}


@dataclass(frozen=True)
class _Restored:
    saved_first: str | None  # the commit keeping uncommitted saved text, when there was any
    result: CommitResult


def when(version: Version) -> str:
    """Return a version's date in local time, to the minute."""
    return version.date.astimezone().strftime("%Y-%m-%d %H:%M")


class HistoryDialog(QDialog):
    """Every version of one document; compare any two (or one with the saved text) and restore one."""

    kbChanged = Signal(object)           # the KBChange of a restore: the document rewritten, HEAD
    openDocumentRequested = Signal(str)  # the KB path of the document

    def __init__(self, vcs: VersionControl, rel_path: str, git_work: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vcs = vcs
        self.rel_path = rel_path
        self.git_work = git_work
        self.versions: list[Version] = []
        self.question: QMessageBox | None = None
        self._generation = 0
        self.setWindowTitle(f"History of {rel_path}")
        self.resize(980, 720)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setColumnWidth(0, 130)
        self.tree.setColumnWidth(1, 150)
        self.tree.setColumnWidth(2, 360)
        hint = QLabel("Select one version to compare it with the document as saved, or two (Ctrl+click) "
                      "to compare them. A merge is the document as merged, or as you resolved a conflict.")
        hint.setWordWrap(True)
        self.diff_view = DiffView()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.diff_view)
        splitter.setSizes([240, 480])
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.restore_button = QPushButton("Restore this version...")
        self.show_button = QPushButton("Show this version")
        self.open_button = QPushButton("Open document")
        self.text_dialog: QDialog | None = None
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.restore_button.clicked.connect(self.ask_restore)
        self.show_button.clicked.connect(self.show_version)
        self.open_button.clicked.connect(lambda: self.openDocumentRequested.emit(self.rel_path))
        close.clicked.connect(self.accept)
        self.restore_button.setEnabled(False)
        self.show_button.setEnabled(False)
        self.reload()

    # Versions -------------------------------------------------------------------------------

    def reload(self, note: str = "") -> None:
        """Read the document's versions again (on the git worker); ``note`` stays in the status line."""
        self.status.setText(note or "Reading the history...")
        history = self.vcs.history
        run_quick(self.git_work, self, "history", lambda: history.versions(self.rel_path),
                  lambda versions: self._show_versions(versions, note))

    def _show_versions(self, versions: list[Version] | Failure, note: str = "") -> None:
        if isinstance(versions, Failure):
            self.status.setText(sentence(f"Could not read the history: {versions.message}"))
            return
        self.versions = versions
        self.tree.clear()
        for version in versions:
            path = version.path if version.path != self.rel_path else ""
            if version.change in ("R", "D", "A"):
                path = f"{CHANGES[version.change]} {path}".strip()
            if version.merge:
                path = f"merge {path}".strip()
            item = QTreeWidgetItem([when(version), version.author, version.summary, version.short, path])
            item.setToolTip(2, version.message)
            if version.merge:
                item.setToolTip(4, "A merge: the document as merged with a teammate's changes, or as you "
                                   "resolved a conflict.")
            item.setToolTip(1, version.email)
            self.tree.addTopLevelItem(item)
        count = len(versions)
        self.status.setText(note or (f"{count} version{'s' if count != 1 else ''}." if versions else
                                     "This document has no committed versions yet."))
        self.select(*range(min(2, count)))
        if not versions:
            self.diff_view.set_message("No versions to compare.")

    def selected_versions(self) -> list[Version]:
        """Return the selected versions, oldest first."""
        rows = sorted((self.tree.indexOfTopLevelItem(item) for item in self.tree.selectedItems()),
                      reverse=True)
        return [self.versions[row] for row in rows if 0 <= row < len(self.versions)]

    def select(self, *rows: int) -> None:
        """Select the versions at ``rows`` (0 is the newest)."""
        self.tree.clearSelection()
        for row in rows:
            item = self.tree.topLevelItem(row)
            if item is not None:   # a row past the end selects nothing
                item.setSelected(True)

    def _selection_changed(self) -> None:
        chosen = self.selected_versions()
        self.restore_button.setEnabled(len(chosen) == 1 and chosen[0].change != "D")
        self.show_button.setEnabled(len(chosen) == 1 and chosen[0].change != "D")
        if len(chosen) not in (1, 2):
            self.diff_view.set_message("Select one or two versions to compare.")
            return
        old, new = chosen[0], (chosen[1] if len(chosen) == 2 else None)
        self._generation += 1
        generation = self._generation
        self.diff_view.set_message("Comparing...")
        history = self.vcs.history
        run_quick(self.git_work, self, "compare versions", lambda: history.diff(self.rel_path, old, new),
                  lambda diff: self._show_diff(generation, diff))

    def _show_diff(self, generation: int, diff: FileDiff | Failure) -> None:
        if generation != self._generation:
            return  # the selection moved on meanwhile
        if isinstance(diff, Failure):
            self.diff_view.set_message(sentence(f"Could not compare: {diff.message}"))
        else:
            self.diff_view.set_diff(diff)

    def show_version(self) -> None:
        """Show the selected version's whole text (read on the git worker)."""
        chosen = self.selected_versions()
        if len(chosen) != 1:
            return
        version = chosen[0]
        history = self.vcs.history
        run_quick(self.git_work, self, "show version", lambda: history.version_text(version),
                  lambda text: self._show_text(version, text))

    def _show_text(self, version: Version, text: str | Failure) -> None:
        if isinstance(text, Failure):
            self.status.setText(sentence(f"Could not read that version: {text.message}"))
            return
        dialog = QDialog(self)
        kind = "merge " if version.merge else ""
        dialog.setWindowTitle(f"{version.path} at {kind}{version.short} ({when(version)}, {version.author})")
        dialog.resize(760, 640)
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        view.setFont(monospace())
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        close = QPushButton("Close")
        close.clicked.connect(dialog.accept)
        layout.addWidget(close)
        self.text_dialog = dialog
        dialog.open()

    # Restore --------------------------------------------------------------------------------

    def ask_restore(self) -> QMessageBox | None:
        """Ask to restore the selected version; confirming makes a new commit."""
        chosen = self.selected_versions()
        if len(chosen) != 1 or chosen[0].change == "D":
            return None
        version = chosen[0]
        self.question = ask(
            self, "Restore this version",
            f"Restore {self.rel_path} to the version of {when(version)} by {version.author} "
            f"({version.short})?",
            "Restore", lambda: self.restore(version),
            "This makes a new commit; every other version stays in the history. Saved changes not yet "
            "committed are committed first, so nothing is lost.")
        return self.question

    def restore(self, version: Version) -> None:
        """Restore ``version`` as a new commit (saved but uncommitted text is committed first)."""
        self.restore_button.setEnabled(False)
        self.status.setText(f"Restoring the version of {version.short}...")
        vcs, rel = self.vcs, self.rel_path

        def work() -> _Restored:
            saved_first = None
            if any(change.path == rel for change in vcs.committer.status()):
                message = f"Update {rel} before restoring {version.short}"
                saved_first = vcs.committer.commit(message, [rel]).sha
            return _Restored(saved_first, vcs.history.restore(rel, version.sha))

        run_quick(self.git_work, self, "restore", work, self._restored)

    def _restored(self, outcome: _Restored | Failure) -> None:
        if isinstance(outcome, Failure):
            self.status.setText(sentence(f"Not restored: {outcome.message}"))
            self._selection_changed()
            return
        result = outcome.result
        if result.committed and result.sha:
            kept = " (your saved changes were committed first)" if outcome.saved_first else ""
            note = f"Restored as the new commit {result.sha[:8]}{kept}."
            self.kbChanged.emit(result.change)
        else:
            note = "The document already has this text: nothing to restore."
        self.reload(note)
