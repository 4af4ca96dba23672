"""Resolve a stopped merge: base, mine and theirs side by side, then keep mine, theirs or an edit."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.vcs.common import Failure, ask, merge_touched, monospace, run_quick, sentence
from kbstudio.ui.vcs.diff_view import DiffView
from kbstudio.vcs.conflicts import Choice, Conflict, MergeOutcome
from kbstudio.vcs.diff import FileDiff, diff_texts
from kbstudio.vcs.service import VersionControl

KIND_LABELS = {"both_edited": "both edited", "delete_vs_edit": "delete vs edit",
               "rename_vs_edit": "rename vs edit", "both_added": "both added", "both_renamed": "both renamed"}
Option = tuple[str, Choice]


@dataclass(frozen=True)
class Entry:
    """A conflict with the text on disk now (git's merge with markers, or the surviving side)."""

    conflict: Conflict
    on_disk: str | None
    diff: FileDiff  # mine vs theirs, computed on the worker (difflib is slow on long texts)


def options(conflict: Conflict) -> list[Option]:
    """Return the buttons offered for a conflict: (label, choice), in the words of its kind."""
    if conflict.kind == "delete_vs_edit":
        if conflict.deleted_by == "theirs":
            return [("Keep my edited document", "mine"), ("Delete it, as they did", "theirs")]
        return [("Keep their edited document", "theirs"), ("Delete it, as I did", "mine")]
    if conflict.kind == "both_renamed":
        keep: Choice = "mine" if conflict.mine is not None else "theirs"
        drop: Choice = "theirs" if keep == "mine" else "mine"
        found = [("Keep this name", keep)] if (conflict.mine or conflict.theirs) is not None else []
        return [*found, ("Drop this name", drop)]
    if conflict.kind == "rename_vs_edit":
        return [("Keep my text", "mine"), ("Take their text", "theirs"), ("Use edited text", "edited")]
    return [("Keep mine", "mine"), ("Take theirs", "theirs"), ("Use edited text", "edited")]


def explain(conflict: Conflict) -> str:
    """Return what happened to the document and what the choices do."""
    if conflict.kind == "delete_vs_edit":
        who = "They" if conflict.deleted_by == "theirs" else "You"
        return (f"{who} deleted {conflict.path}; the other side edited it. Keep the edited document, or "
                "delete it. Either way the edited text stays in the history.")
    if conflict.kind == "rename_vs_edit":
        return (f"{conflict.path} was renamed (from {conflict.renamed_from or 'another name'}) on one side "
                "and the same lines were edited on the other. It keeps its new name: choose its text.")
    if conflict.kind == "both_added":
        return f"You and a teammate both created {conflict.path}: keep one text, or merge them by hand."
    if conflict.kind == "both_renamed":
        return f"The two sides renamed a document differently; {conflict.path} is one of the names."
    return ("You and a teammate changed the same lines. Keep your text, take theirs, or edit the result "
            "below (remove every conflict marker) and use it.")


def _pane(title: str, editable: bool = False) -> tuple[QGroupBox, QPlainTextEdit]:
    box = QGroupBox(title)
    edit = QPlainTextEdit()
    edit.setReadOnly(not editable)
    edit.setFont(monospace())
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    QVBoxLayout(box).addWidget(edit)
    return box, edit


class ConflictsDialog(QDialog):
    """The conflicted documents of a stopped merge, with a three-way view and the ways to resolve each."""

    pathsChanged = Signal(list)        # KB paths rewritten on disk
    headChanged = Signal(str)          # the merge commit, once the last conflict is resolved
    mergeStateChanged = Signal(bool)   # False when the merge was finished or aborted
    messageRequested = Signal(str)     # a line for the status bar

    def __init__(self, vcs: VersionControl, git_work: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vcs = vcs
        self.git_work = git_work
        self.entries: list[Entry] = []
        self.question: QMessageBox | None = None
        self.setWindowTitle("Resolve conflicts")
        self.resize(1180, 780)
        self.conflict_list = QListWidget()
        self.conflict_list.setMinimumWidth(260)
        self.kind_label = QLabel()
        self.kind_label.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        base_box, self.base_view = _pane("Base (before either change)")
        mine_box, self.mine_view = _pane("Mine")
        theirs_box, self.theirs_view = _pane("Theirs")
        three = QSplitter()
        for box in (base_box, mine_box, theirs_box):
            three.addWidget(box)
        self.diff_view = DiffView()
        self.views = QTabWidget()
        self.views.addTab(three, "Base, mine, theirs")
        self.views.addTab(self.diff_view, "Mine vs theirs")
        result_box, self.result_edit = _pane("Result (edit here, then Use edited text)", editable=True)
        right_split = QSplitter(Qt.Orientation.Vertical)
        right_split.addWidget(self.views)
        right_split.addWidget(result_box)
        self.choice_buttons = [QPushButton() for _ in range(3)]
        choices = QHBoxLayout()
        for button in self.choice_buttons:
            choices.addWidget(button)
            button.clicked.connect(lambda _=False, b=button: self.resolve_selected(b.property("choice")))
        choices.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.kind_label)
        right_layout.addWidget(self.explanation)
        right_layout.addWidget(right_split, 1)
        right_layout.addLayout(choices)
        split = QSplitter()
        split.addWidget(self.conflict_list)
        split.addWidget(right)
        split.setSizes([280, 900])
        self.status = QLabel("Reading the conflicts...")
        self.status.setWordWrap(True)
        self.abort_button = QPushButton("Abort the merge...")
        close = QPushButton("Close")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.abort_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.conflict_list.currentRowChanged.connect(self._show_entry)
        self.abort_button.clicked.connect(self.ask_abort)
        close.clicked.connect(self.accept)
        self._show_entry(-1)
        self.reload()

    # Listing --------------------------------------------------------------------------------

    def reload(self, note: str = "") -> None:
        """Read the conflicts again (on the git worker); ``note`` stays in the status line."""
        vcs = self.vcs

        def work() -> list[Entry] | None:
            if not vcs.repo.merging():
                return None
            root = vcs.repo.kb.root
            return [Entry(c, (root / c.path).read_text("utf-8", errors="replace")
                          if (root / c.path).is_file() else None,
                          diff_texts(c.mine or "", c.theirs or "", "mine", "theirs"))
                    for c in vcs.conflicts.list()]

        run_quick(self.git_work, self, "read conflicts", work, lambda entries: self._show(entries, note))

    def _show(self, entries: list[Entry] | None | Failure, note: str) -> None:
        if isinstance(entries, Failure):
            self.status.setText(sentence(f"Could not read the conflicts: {entries.message}"))
            return
        self.entries = entries or []
        self.conflict_list.clear()
        for entry in self.entries:
            item = QListWidgetItem(f"{entry.conflict.path}\n{KIND_LABELS[entry.conflict.kind]}")
            item.setToolTip(entry.conflict.description)
            self.conflict_list.addItem(item)
        self.abort_button.setEnabled(entries is not None)
        if entries is None:
            self.status.setText(note or "No merge is waiting: there is nothing to resolve.")
        else:
            count = len(self.entries)
            self.status.setText(note or f"{count} document{'s' if count != 1 else ''} to resolve.")
        self.conflict_list.setCurrentRow(0 if self.entries else -1)
        self._show_entry(self.conflict_list.currentRow())

    def selected(self) -> Entry | None:
        """Return the conflict shown."""
        row = self.conflict_list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def select(self, path: str) -> None:
        """Show the conflict of ``path``."""
        rows = [i for i, entry in enumerate(self.entries) if entry.conflict.path == path]
        if rows:
            self.conflict_list.setCurrentRow(rows[0])

    def _show_entry(self, row: int) -> None:
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        conflict = entry.conflict if entry else None
        for view, text in ((self.base_view, conflict.base if conflict else None),
                           (self.mine_view, conflict.mine if conflict else None),
                           (self.theirs_view, conflict.theirs if conflict else None)):
            view.setPlainText(text if text is not None else "")
            view.setPlaceholderText("(no such file on this side: deleted or not created)" if conflict else "")
        self.result_edit.setPlainText((entry.on_disk or "") if entry else "")
        self.result_edit.setReadOnly(conflict is None or conflict.kind == "delete_vs_edit")
        if conflict is None:
            self.kind_label.setText("")
            self.explanation.setText("")
            self.diff_view.set_message("Nothing selected.")
        else:
            self.kind_label.setText(f"<b>{conflict.path}</b>: {KIND_LABELS[conflict.kind]}")
            self.explanation.setText(explain(conflict))
            self.diff_view.set_diff(entry.diff if entry else None)
        offered = options(conflict) if conflict else []
        for index, button in enumerate(self.choice_buttons):
            button.setVisible(index < len(offered))
            if index < len(offered):
                button.setText(offered[index][0])
                button.setProperty("choice", offered[index][1])
                button.setEnabled(True)

    def button_for(self, choice: Choice) -> QPushButton | None:
        """Return the visible button that resolves with ``choice``."""
        return next((b for b in self.choice_buttons if not b.isHidden() and b.property("choice") == choice),
                    None)

    # Resolving ------------------------------------------------------------------------------

    def resolve_selected(self, choice: Choice) -> None:
        """Resolve the conflict shown with mine, theirs, or the result pane's text."""
        entry = self.selected()
        if entry is None:
            return
        path = entry.conflict.path
        text = self.result_edit.toPlainText() if choice == "edited" else None
        for button in self.choice_buttons:
            button.setEnabled(False)
        self.status.setText(f"Resolving {path}...")
        conflicts = self.vcs.conflicts
        run_quick(self.git_work, self, "resolve", lambda: conflicts.resolve(path, choice, text),
                  lambda outcome: self._resolved(path, outcome))

    def _resolved(self, path: str, outcome: MergeOutcome | Failure) -> None:
        if isinstance(outcome, Failure):
            for button in self.choice_buttons:
                button.setEnabled(True)
            self.status.setText(sentence(f"{path} is not resolved: {outcome.message}"))
            return
        self.pathsChanged.emit(sorted({path, *outcome.changed}))
        if not outcome.finished or outcome.merge_sha is None:
            left = len(outcome.remaining)
            self.reload(f"Resolved {path}; {left} left to resolve.")
            return
        lines = [f"All conflicts are resolved: the merge commit {outcome.merge_sha[:8]} was made. "
                 "Sync again to push it."]
        lines += [sentence(str(change)) for change in outcome.renumbered]
        text = " ".join(lines)
        self.headChanged.emit(outcome.merge_sha)
        self.mergeStateChanged.emit(False)
        self.messageRequested.emit(text)
        self.reload(text)

    # Abort ----------------------------------------------------------------------------------

    def ask_abort(self) -> QMessageBox:
        """Ask before giving up the merge."""
        self.question = ask(
            self, "Abort the merge", "Abort the merge and go back to the state before the pull?",
            "Abort the merge", self.abort,
            "Your documents return to how they were before the pull, including conflicts you already "
            "resolved; their changes stay on the remote for the next pull.")
        return self.question

    def abort(self) -> None:
        """Give up the merge (on the git worker) and report the files it puts back."""
        vcs = self.vcs
        self.abort_button.setEnabled(False)

        def work() -> list[str]:
            touched = merge_touched(vcs)
            vcs.conflicts.abort()
            return touched

        run_quick(self.git_work, self, "abort merge", work, self._aborted)

    def _aborted(self, touched: list[str] | Failure) -> None:
        if isinstance(touched, Failure):
            self.abort_button.setEnabled(True)
            self.status.setText(sentence(f"The merge was not aborted: {touched.message}"))
            return
        if touched:
            self.pathsChanged.emit(touched)
        text = "The merge was aborted: your documents are back as they were before the pull."
        self.mergeStateChanged.emit(False)
        self.messageRequested.emit(text)
        self.reload(text)
