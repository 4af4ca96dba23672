"""A file open in a tab changed on disk: reload the tab quietly, or ask (keep mine, take theirs, compare).

Whatever changed the file (another program, a pull, a review step, a restore) the open tabs hear
of it from the change record; ``settle`` then compares the file with what the tab loaded.
"""

from __future__ import annotations

from collections.abc import Callable
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


class TabQuestions(QObject):
    """Asks one question at a time about a tab (window-modal, not blocking): the open one in ``question``."""

    def __init__(self, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.dialog_parent = dialog_parent
        self.question: QMessageBox | None = None
        self._asking: object | None = None   # the tab the open question is about

    def open_question(self, tab: object, title: str, text: str, info: str,
                      answers: list[tuple[str, QMessageBox.ButtonRole, Callable[[], object]]]) -> QMessageBox:
        """Open a warning about ``tab`` with one button per answer and Cancel.

        ``answers`` are (button text, role, what clicking it does).
        """
        box = QMessageBox(self.dialog_parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setText(text)
        box.setInformativeText(info)
        actions = {id(box.addButton(label, role)): action for label, role, action in answers}
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: actions.get(id(button), lambda: None)())
        box.finished.connect(self._answered)
        self.question = box
        self._asking = tab
        box.open()
        return box

    def _answered(self) -> None:
        self._asking = None


class ExternalChanges(TabQuestions):
    """Settles a file changed on disk against the tab that has it open."""

    messageRequested = Signal(str)

    def __init__(self, runner: TaskRunner, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.runner = runner
        self.compare_dialog: CompareDialog | None = None

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
        return self.open_question(tab, "Changed outside KB Studio",
                            f"{tab.rel_path} was changed by another program since you opened it.",
                            "Keep your version (it overwrites theirs), take theirs (your edits are "
                            "dropped), or compare them and combine both.",
                            [("Keep mine", QMessageBox.ButtonRole.AcceptRole, tab.keep_mine),
                             ("Take theirs", QMessageBox.ButtonRole.DestructiveRole, tab.reload_from_disk),
                             ("Compare and combine...", QMessageBox.ButtonRole.ActionRole,
                              lambda: self.compare(tab))])

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
