"""Resolve a stopped merge in plain words: each conflict of each document, then one Resolve and sync.

The core's merge record (kbstudio.vcs.fmmerge) already merged every field and every body line that
only one side changed; this dialog shows what is left, one conflict at a time, in the three-way
``MergeView``: Before both, Yours and Theirs aligned and highlighted. Choices are only recorded
until **Resolve and sync**, which writes every document, makes the merge commit and asks the app to
sync, so the merge is pushed at once. "Keep all of yours" and "Take all of theirs" first show exactly
what of the other side they discard and ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kbstudio.changes import KBChange
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.vcs.common import Failure, ask, monospace, run_quick, sentence
from kbstudio.ui.vcs.merge_view import MergeView
from kbstudio.vcs.conflicts import Choice, Conflict, MergeOutcome
from kbstudio.vcs.fmmerge import Discard, MergeChoiceError, Resolution
from kbstudio.vcs.service import VersionControl

KIND_LABELS = {"both_edited": "both edited", "delete_vs_edit": "delete vs edit",
               "rename_vs_edit": "rename vs edit", "both_added": "both added", "both_renamed": "both renamed"}
SIDE_WORDS = {"mine": "yours", "theirs": "theirs", "same": "both alike"}
Option = tuple[str, Choice]


@dataclass
class Entry:
    """A conflicted document and what was decided for it so far."""

    conflict: Conflict
    choices: dict[str, Resolution] = field(default_factory=dict)   # per conflict of its merge record
    whole: Choice | None = None       # mine or theirs, for a document without places to merge
    edited: str | None = None         # the whole result written by hand (LF)

    @property
    def ready(self) -> bool:
        """Return True when the document can be resolved as decided."""
        record = self.conflict.merge
        if self.edited is not None:
            return True
        if record is None:
            return self.whole is not None
        return all(part.key in self.choices for part in record.conflicts)

    def waiting(self) -> int:
        """Return how many of its conflicts still wait for a choice."""
        record = self.conflict.merge
        if self.edited is not None:
            return 0
        if record is None:
            return 0 if self.whole else 1
        return sum(1 for part in record.conflicts if part.key not in self.choices)


def options(conflict: Conflict) -> list[Option]:
    """Return the whole-document buttons for a conflict without places to merge: (label, choice)."""
    if conflict.kind == "delete_vs_edit":
        if conflict.deleted_by == "theirs":
            return [("Keep my edited document", "mine"), ("Delete it, as they did...", "theirs")]
        return [("Keep their edited document", "theirs"), ("Delete it, as I did...", "mine")]
    keep: Choice = "mine" if conflict.mine is not None else "theirs"
    drop: Choice = "theirs" if keep == "mine" else "mine"
    found = [("Keep this name", keep)] if (conflict.mine or conflict.theirs) is not None else []
    return [*found, ("Drop this name", drop)]


def explain(conflict: Conflict) -> str:
    """Return what happened to the document and what the choices do, in plain words."""
    if conflict.kind == "delete_vs_edit":
        who = "They" if conflict.deleted_by == "theirs" else "You"
        return (f"{who} deleted {conflict.path}; the other side edited it. Keep the edited document, or "
                "delete it. Either way the edited text stays in the history.")
    if conflict.kind == "both_renamed":
        return f"The two sides renamed a document differently; {conflict.path} is one of the names."
    record = conflict.merge
    count = len(record.conflicts) if record else 0
    places = f"{count} place{'s' if count != 1 else ''}"
    if conflict.kind == "rename_vs_edit":
        start = (f"{conflict.path} was renamed (from {conflict.renamed_from or 'another name'}) on one "
                 f"side and edited on both. It keeps its new name.")
    elif conflict.kind == "both_added":
        start = f"You and a teammate both created {conflict.path}."
    else:
        start = "You and a teammate changed this document."
    return (f"{start} {places.capitalize()} changed differently on both sides: choose for each "
            "(Previous/Next move between them). Everything else is merged already.")


def merged_words(conflict: Conflict) -> str:
    """Return what merged by itself, field by field, in one line."""
    record = conflict.merge
    if record is None or not record.merged:
        return ""
    items = [f"{part.label} ({SIDE_WORDS.get(part.state, part.state)})" for part in record.merged]
    return "Merged by themselves: " + ", ".join(items) + "."


def discard_text(dropped: list[Discard]) -> str:
    """Return what a choice discards, one place after another."""
    return "\n".join(str(item).rstrip("\n") for item in dropped)


class ConflictsDialog(QDialog):
    """The conflicted documents of a stopped merge, their conflicts one by one, and Resolve and sync."""

    kbChanged = Signal(object)         # the KBChange of resolving (the merge commit) or of the abort
    messageRequested = Signal(str)     # a line for the status bar
    syncRequested = Signal()           # push the merge commit: the app runs its sync

    def __init__(self, vcs: VersionControl, git_work: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vcs = vcs
        self.git_work = git_work
        self.entries: list[Entry] = []
        self.question: QMessageBox | None = None
        self._ready_note = False   # the status line says every conflict has a choice
        self.setWindowTitle("Resolve conflicts")
        self.resize(1240, 820)
        self.conflict_list = QListWidget()
        self.conflict_list.setMinimumWidth(230)
        self.kind_label = QLabel()
        self.kind_label.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.merged_label = QLabel()
        self.merged_label.setWordWrap(True)
        self.merge_view = MergeView()
        self.whole_view = QWidget()
        whole = QHBoxLayout(self.whole_view)
        self.whole_panes: list[QPlainTextEdit] = []
        for title in ("Before both", "Yours", "Theirs"):
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{title}</b>"))
            pane = QPlainTextEdit()
            pane.setReadOnly(True)
            pane.setFont(monospace())
            column.addWidget(pane)
            whole.addLayout(column)
            self.whole_panes.append(pane)
        self.hand_edit = QPlainTextEdit()
        self.hand_edit.setFont(monospace())
        self.stack = QStackedWidget()
        for widget in (self.merge_view, self.whole_view, self.hand_edit):
            self.stack.addWidget(widget)
        self.all_mine_button = QPushButton("Keep all of yours...")
        self.all_theirs_button = QPushButton("Take all of theirs...")
        self.hand_button = QPushButton("Edit the whole result by hand")
        self.hand_button.setCheckable(True)
        self.whole_buttons = [QPushButton() for _ in range(2)]
        document_row = QHBoxLayout()
        for button in (self.all_mine_button, self.all_theirs_button, *self.whole_buttons, self.hand_button):
            document_row.addWidget(button)
        for button in self.whole_buttons:
            button.clicked.connect(lambda _=False, b=button: self.choose_whole(b.property("choice")))
        document_row.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.kind_label)
        right_layout.addWidget(self.explanation)
        right_layout.addWidget(self.merged_label)
        right_layout.addWidget(self.stack, 1)
        right_layout.addLayout(document_row)
        split = QSplitter()
        split.addWidget(self.conflict_list)
        split.addWidget(right)
        split.setSizes([250, 990])
        self.status = QLabel("Reading the conflicts...")
        self.status.setWordWrap(True)
        self.abort_button = QPushButton("Abort the merge...")
        self.resolve_button = QPushButton("Resolve and sync")
        self.resolve_button.setDefault(True)
        close = QPushButton("Close")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.abort_button)
        bottom.addWidget(close)
        bottom.addWidget(self.resolve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.conflict_list.currentRowChanged.connect(self._show_entry)
        self.merge_view.choicesChanged.connect(self._choices_changed)
        self.all_mine_button.clicked.connect(lambda: self.ask_all("mine"))
        self.all_theirs_button.clicked.connect(lambda: self.ask_all("theirs"))
        self.hand_button.toggled.connect(self._hand_toggled)
        self.hand_edit.textChanged.connect(self._hand_changed)
        self.abort_button.clicked.connect(self.ask_abort)
        self.resolve_button.clicked.connect(self.resolve_and_sync)
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
            entries = [Entry(c) for c in vcs.conflicts.list()]
            for entry in entries:
                _ = entry.conflict.merge    # the three-way merge runs here, not on the GUI thread
            return entries

        run_quick(self.git_work, self, "read conflicts", work, lambda entries: self._show(entries, note))

    def _show(self, entries: list[Entry] | None | Failure, note: str) -> None:
        if isinstance(entries, Failure):
            self.status.setText(sentence(f"Could not read the conflicts: {entries.message}"))
            return
        self.entries = entries or []
        self.conflict_list.clear()
        for row, entry in enumerate(self.entries):
            item = QListWidgetItem()
            item.setToolTip(entry.conflict.description)
            self.conflict_list.addItem(item)
            self._label_item(row)
        self.abort_button.setEnabled(entries is not None)
        if entries is None:
            self.status.setText(note or "No merge is waiting: there is nothing to resolve.")
        else:
            count = len(self.entries)
            self.status.setText(note or f"{count} document{'s' if count != 1 else ''} to resolve. Choose "
                                "for each conflict, then Resolve and sync.")
        self.conflict_list.setCurrentRow(0 if self.entries else -1)
        self._show_entry(self.conflict_list.currentRow())

    def _label_item(self, row: int) -> None:
        entry = self.entries[row]
        waiting = entry.waiting()
        state = "ready" if entry.ready else f"{waiting} to choose"
        folder, _, name = entry.conflict.path.rpartition("/")
        self.conflict_list.item(row).setText(f"{name}\n{folder + '/' if folder else ''}\n"
                                             f"{KIND_LABELS[entry.conflict.kind]} \u00b7 {state}")

    def selected(self) -> Entry | None:
        """Return the document shown."""
        row = self.conflict_list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def select(self, path: str) -> None:
        """Show the conflicts of ``path``."""
        rows = [i for i, entry in enumerate(self.entries) if entry.conflict.path == path]
        if rows:
            self.conflict_list.setCurrentRow(rows[0])

    def _show_entry(self, row: int) -> None:
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        conflict = entry.conflict if entry else None
        record = conflict.merge if conflict else None
        self.hand_button.blockSignals(True)
        self.hand_button.setChecked(entry is not None and entry.edited is not None)
        self.hand_button.blockSignals(False)
        if conflict is None:
            self.kind_label.setText("")
            self.explanation.setText("")
            self.merged_label.setText("")
            self.merge_view.set_record(None)
            self.stack.setCurrentWidget(self.merge_view)
        else:
            self.kind_label.setText(f"<b>{conflict.path}</b>: {KIND_LABELS[conflict.kind]}")
            self.explanation.setText(explain(conflict))
            self.merged_label.setText(merged_words(conflict))
            if record is not None:
                self.merge_view.set_record(record, entry.choices if entry else None)
            if entry is not None and entry.edited is not None:
                self.hand_edit.setPlainText(entry.edited)
                self.stack.setCurrentWidget(self.hand_edit)
            elif record is not None:
                self.stack.setCurrentWidget(self.merge_view)
            else:
                for pane, text in zip(self.whole_panes, (conflict.base, conflict.mine, conflict.theirs),
                                      strict=True):
                    pane.setPlainText(text or "")
                    pane.setPlaceholderText("(no such file on this side: deleted or not created)")
                self.stack.setCurrentWidget(self.whole_view)
        offered = options(conflict) if conflict is not None and record is None else []
        for index, button in enumerate(self.whole_buttons):
            button.setVisible(index < len(offered))
            if index < len(offered):
                label, choice = offered[index]
                chosen = entry is not None and entry.whole == choice
                button.setText(("\u2713 " if chosen else "") + label)
                button.setProperty("choice", choice)
        for button in (self.all_mine_button, self.all_theirs_button, self.hand_button):
            button.setVisible(record is not None)
        self._update_buttons()

    def button_for(self, choice: Choice) -> QPushButton | None:
        """Return the visible whole-document button for ``choice``."""
        return next((b for b in self.whole_buttons if not b.isHidden() and b.property("choice") == choice),
                    None)

    def _update_buttons(self) -> None:
        ready = bool(self.entries) and all(entry.ready for entry in self.entries)
        self.resolve_button.setEnabled(ready)
        entry = self.selected()
        self.hand_button.setEnabled(entry is not None and (entry.ready or entry.edited is not None))
        if self.entries and not ready:
            waiting = sum(entry.waiting() for entry in self.entries)
            self.resolve_button.setToolTip(f"{waiting} conflict(s) still wait for a choice")
            if self._ready_note:
                self.status.setText(f"{waiting} conflict(s) still wait for a choice.")
                self._ready_note = False
        else:
            self.resolve_button.setToolTip("Write every document, make the merge commit and sync")
            if ready:
                self.status.setText("Every conflict has a choice: Resolve and sync writes the documents, "
                                    "makes the merge commit and pushes it.")
                self._ready_note = True

    # Choosing -------------------------------------------------------------------------------

    def _choices_changed(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        entry.choices = dict(self.merge_view.choices)
        self._label_item(self.conflict_list.currentRow())
        self._update_buttons()

    def ask_all(self, pick: Literal["mine", "theirs"]) -> QMessageBox | None:
        """Show what keeping all of yours (or taking all of theirs) discards, and ask first."""
        entry = self.selected()
        record = entry.conflict.merge if entry else None
        if entry is None or record is None:
            return None
        choices = record.every(pick)
        dropped = entry.conflict.discards(pick, choices)
        other = "their" if pick == "mine" else "your"
        self.question = ask(
            self, "Keep all of yours" if pick == "mine" else "Take all of theirs",
            f"This discards {other} side of {len(dropped)} conflict{'s' if len(dropped) != 1 else ''} in "
            f"{entry.conflict.path}. Everything that merged by itself stays. Discard it?",
            "Discard it", lambda: self._set_all(entry, choices),
            discard_text(dropped) + "\n\nThe discarded text stays in the history.")
        return self.question

    def _set_all(self, entry: Entry, choices: dict[str, Resolution]) -> None:
        entry.choices = dict(choices)
        entry.edited = None
        if entry is self.selected():
            self.merge_view.set_choices(choices)
        self._label_item(self.entries.index(entry))
        self._update_buttons()

    def choose_whole(self, choice: Choice) -> QMessageBox | None:
        """Keep one side of a document without places to merge; ask first when that deletes it."""
        entry = self.selected()
        if entry is None:
            return None
        dropped = entry.conflict.discards(choice)
        if not dropped:
            self._set_whole(entry, choice)
            return None
        self.question = ask(self, "Discard the other side", f"This discards from {entry.conflict.path}:",
                            "Discard it", lambda: self._set_whole(entry, choice),
                            discard_text(dropped) + "\n\nThe discarded text stays in the history.")
        return self.question

    def _set_whole(self, entry: Entry, choice: Choice) -> None:
        entry.whole = choice
        row = self.entries.index(entry)
        self._label_item(row)
        if entry is self.selected():
            self._show_entry(row)
        self._update_buttons()

    def _hand_toggled(self, on: bool) -> None:
        entry = self.selected()
        if entry is None:
            return
        if on:
            try:
                entry.edited = self.merge_view.result_text()
            except MergeChoiceError as error:
                self.status.setText(sentence(str(error)))
                self.hand_button.setChecked(False)
                return
            self.hand_edit.setPlainText(entry.edited)
            self.stack.setCurrentWidget(self.hand_edit)
        else:
            entry.edited = None
            self.stack.setCurrentWidget(self.merge_view)
        self._label_item(self.conflict_list.currentRow())
        self._update_buttons()

    def _hand_changed(self) -> None:
        entry = self.selected()
        if entry is not None and entry.edited is not None and self.stack.currentWidget() is self.hand_edit:
            entry.edited = self.hand_edit.toPlainText()

    # Resolving ------------------------------------------------------------------------------

    def resolve_and_sync(self) -> None:
        """Write every document as decided, make the merge commit, then ask the app to sync."""
        entries = list(self.entries)
        if not entries or not all(entry.ready for entry in entries):
            return
        self.resolve_button.setEnabled(False)
        self.status.setText("Resolving...")
        conflicts = self.vcs.conflicts

        def work() -> tuple[list[str], MergeOutcome]:
            outcome = MergeOutcome()
            done = []
            written = KBChange()
            for entry in entries:
                conflict, record = entry.conflict, entry.conflict.merge
                if entry.edited is not None:
                    text = record.to_disk(entry.edited) if record else entry.edited
                    outcome = conflicts.resolve(conflict.path, "edited", text)
                elif record is None:
                    outcome = conflicts.resolve(conflict.path, entry.whole or "mine")
                else:
                    outcome = conflicts.resolve(conflict.path, "merged", parts=entry.choices)
                done.append(conflict.path)
                written = written | outcome.change
            outcome.change = written   # every document written, and what the merge commit brought in
            return done, outcome

        run_quick(self.git_work, self, "resolve", work, self._resolved)

    def _resolved(self, result: tuple[list[str], MergeOutcome] | Failure) -> None:
        if isinstance(result, Failure):
            self.status.setText(sentence(f"Not resolved: {result.message}"))
            self.reload(sentence(f"Not resolved: {result.message}"))
            return
        done, outcome = result
        self.kbChanged.emit(outcome.change)
        if not outcome.finished or outcome.merge_sha is None:
            self.reload(f"{len(outcome.remaining)} document(s) still have conflicts.")
            return
        lines = [f"All conflicts are resolved: the merge commit {outcome.merge_sha[:8]} was made. "
                 "Syncing to share it..."]
        lines += [sentence(str(change)) for change in outcome.renumbered]
        text = " ".join(lines)
        self.messageRequested.emit(text)
        self.status.setText(text)
        self.entries = []
        self.conflict_list.clear()
        self._show_entry(-1)
        self.syncRequested.emit()
        self.accept()

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

        def work() -> KBChange:
            return vcs.conflicts.abort()

        run_quick(self.git_work, self, "abort merge", work, self._aborted)

    def _aborted(self, change: KBChange | Failure) -> None:
        if isinstance(change, Failure):
            self.abort_button.setEnabled(True)
            self.status.setText(sentence(f"The merge was not aborted: {change.message}"))
            return
        self.kbChanged.emit(change)
        text = "The merge was aborted: your documents are back as they were before the pull."
        self.messageRequested.emit(text)
        self.reload(text)
