"""A file open in a tab changed on disk: reload the tab quietly, or ask (keep mine, take theirs, compare).

Whatever changed the file (another program, a pull, a review step, a restore) the open tabs hear
of it from the change record; ``settle`` then compares the file with what the tab loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from kbstudio.reader import content_hash
from kbstudio.storage import ExternalChangeError
from kbstudio.textformat import TextFormat
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.text_file_tab import TextFileTab

if TYPE_CHECKING:
    from kbstudio.ui.compare_dialog import CompareDialog

EditorTab = DocumentTab | TextFileTab   # a text file tab (the synonyms file) settles changes the same way


class ExternalChanges(QObject):
    """Settles a file changed on disk against the tab that has it open."""

    messageRequested = Signal(str)

    def __init__(self, runner: TaskRunner, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.runner = runner
        self.dialog_parent = dialog_parent
        self.question: QMessageBox | None = None
        self.compare_dialog: CompareDialog | None = None
        self._asking: EditorTab | None = None   # the tab the open question is about

    def settle(self, tab: EditorTab) -> None:
        """Reload a clean tab whose file changed on disk; ask when the tab has unsaved edits.

        A file that is what the tab loaded (its own save) changes nothing; a file gone leaves the
        tab as it is (saving asks before writing it again).
        """
        path = tab.document.path if isinstance(tab, DocumentTab) else tab.path
        try:
            on_disk = content_hash(path.read_bytes())
        except OSError:
            return
        if on_disk == tab.loaded_hash:
            return
        if not tab.dirty:
            tab.reload_from_disk()
            self.messageRequested.emit(f"Reloaded {tab.rel_path}: it changed on disk")
        elif self._asking is not tab:
            self.ask(tab, ExternalChangeError(path, tab.loaded_hash, on_disk))

    def ask(self, tab: EditorTab, error: ExternalChangeError) -> QMessageBox:
        """Ask what to do about a file changed outside the app while the tab has edits."""
        box = QMessageBox(self.dialog_parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Changed outside KB Studio")
        box.setText(f"{tab.rel_path} was changed by another program since you opened it.")
        box.setInformativeText("Keep your version (it overwrites theirs), take theirs (your edits are "
                               "dropped), or compare them and combine both.")
        keep = box.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
        take = box.addButton("Take theirs", QMessageBox.ButtonRole.DestructiveRole)
        compare = box.addButton("Compare and combine...", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def clicked(button: object) -> None:
            if button is keep:
                tab.keep_mine()
            elif button is take:
                tab.reload_from_disk()
            elif button is compare:
                self.compare(tab)

        box.buttonClicked.connect(clicked)
        box.finished.connect(self._answered)
        self.question = box
        self._asking = tab
        box.open()
        return box

    def _answered(self) -> None:
        self._asking = None

    def compare(self, tab: EditorTab) -> CompareDialog | None:
        """Show the last save, the unsaved text and the file on disk aligned; combine them or keep one."""
        disk_hash: str | None = None
        path = tab.document.path if isinstance(tab, DocumentTab) else tab.path
        try:
            data = path.read_bytes()
            theirs = TextFormat.to_editor(data.decode("utf-8", errors="replace"))
            disk_hash = content_hash(data)
        except FileNotFoundError:
            theirs = ""
        except OSError as error:
            self.messageRequested.emit(f"Cannot read {tab.rel_path}: {error.strerror or error}")
            return None
        from kbstudio.ui.compare_dialog import CompareDialog  # loads the diff view on first use

        dialog = CompareDialog(tab, theirs, self.runner, self.dialog_parent, disk_hash=disk_hash)
        self.compare_dialog = dialog
        dialog.open()
        return dialog
