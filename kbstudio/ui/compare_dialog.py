"""A file changed on disk while you edit it: compare three ways, then combine, keep yours or take theirs.

The same merge as a sync's (kbstudio.vcs.fmmerge): the text as you last saved it is the base,
your unsaved text is yours, the file on disk is theirs. What only one side changed is combined
already; for each place both changed, choose in the ``MergeView``; **Use the combined text** puts
the result in the editor (unsaved, so you can read it before saving).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.text_file_tab import TextFileTab
from kbstudio.ui.vcs.merge_view import MergeView
from kbstudio.vcs.fmmerge import MergeChoiceError, MergeRecord, merge_record

LABELS = ("As you last saved it", "Your unsaved text", "On disk now")


class CompareDialog(QDialog):
    """Your last save, your unsaved text and the file on disk, aligned; combine them or keep one."""

    def __init__(self, tab: DocumentTab | TextFileTab, theirs: str, runner: TaskRunner,
                 parent: QWidget | None = None, disk_hash: str | None = None) -> None:
        super().__init__(parent)
        self.tab = tab
        self.theirs = theirs
        self.disk_hash = disk_hash
        self.setWindowTitle(f"Compare and combine: {tab.rel_path}")
        self.resize(1180, 760)
        self.view = MergeView(LABELS)
        self.view.mine_button.setText("Use my text")
        self.view.theirs_button.setText("Use the text on disk")
        self.note = QLabel("Comparing...")
        self.note.setWordWrap(True)
        self.combine_button = QPushButton("Use the combined text")
        self.combine_button.setEnabled(False)
        self.keep_button = QPushButton("Keep mine (overwrite theirs)")
        self.take_button = QPushButton("Take theirs (drop my edits)")
        close = QPushButton("Decide later")
        buttons = QHBoxLayout()
        buttons.addWidget(self.combine_button)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.take_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.combine_button.clicked.connect(self.combine)
        self.keep_button.clicked.connect(lambda: self._choose(tab.keep_mine))
        self.take_button.clicked.connect(lambda: self._choose(tab.reload_from_disk))
        self.view.choicesChanged.connect(lambda: self.combine_button.setEnabled(self.view.all_chosen))
        close.clicked.connect(self.reject)
        tab.commit_pending()
        base, mine = tab.saved_text, tab.text
        # the three-way merge diffs long texts: never on the GUI thread
        runner.run("compare", lambda p, c: merge_record(base, mine, theirs), on_success=self._show_record)

    def _show_record(self, record: MergeRecord) -> None:
        if not self.isVisible():
            return
        self.view.set_record(record)
        count = len(record.conflicts)
        changed = "; ".join(part.label for part in record.merged[:4])
        changed += "..." if len(record.merged) > 4 else ""
        start = f"Another program changed {self.tab.rel_path} while you were editing it"
        if count:
            self.note.setText(
                f"{start}. What only one of you changed is combined already ({changed or 'nothing'}). "
                f"{count} place{'s were' if count != 1 else ' was'} changed by both: choose for each, then "
                "use the combined text. Or keep one side whole.")
        else:
            self.note.setText(f"{start}, in other places than you: the two combine without a choice. Use the "
                              "combined text, or keep one side whole.")
        self.combine_button.setEnabled(self.view.all_chosen)

    def combine(self) -> None:
        """Put the combination in the editor (unsaved); the file on disk becomes what it is compared with."""
        try:
            combined = self.view.result_text()
        except MergeChoiceError as error:
            self.note.setText(str(error))
            return
        self.tab.combine_with_disk(combined, self.theirs, self.disk_hash)
        self.accept()

    def _choose(self, action: Callable[[], object]) -> None:
        action()
        self.accept()
