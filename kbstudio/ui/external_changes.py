"""Files changed outside the app: reload quietly, or ask (keep mine, take theirs, compare)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
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
    """Watches the files of open tabs and settles changes made by other programs."""

    messageRequested = Signal(str)

    def __init__(self, kb_root: Callable[[], Path | None], tab_for: Callable[[str], EditorTab | None],
                 runner: TaskRunner, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.kb_root = kb_root
        self.tab_for = tab_for
        self.runner = runner
        self.dialog_parent = dialog_parent
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self.file_changed)
        self.question: QMessageBox | None = None
        self.compare_dialog: CompareDialog | None = None

    def watch(self, path: Path) -> None:
        """Watch an opened document (once; a file that does not exist yet is watched after its first save)."""
        if path.exists() and str(path) not in self.watcher.files():
            self.watcher.addPath(str(path))

    def forget(self, path: Path) -> None:
        """Stop watching a closed document."""
        self.watcher.removePath(str(path))

    def file_changed(self, path: str) -> None:
        """Reload a clean tab quietly; ask when the tab has unsaved edits."""
        root = self.kb_root()
        if root is None:
            return
        rel_path = Path(path).relative_to(root).as_posix()
        tab = self.tab_for(rel_path)
        if tab is None:
            return
        if Path(path).exists():
            self.watcher.addPath(path)  # editors that replace files drop the watch
        try:
            on_disk = Path(path).read_bytes()
        except OSError:
            # Replaced by delete-then-write (git checkout): the new file is not there yet and the
            # watch is gone. Look again shortly, or the tab would stop following the file for good.
            self._retry_later(path)
            return
        if content_hash(on_disk) == tab.loaded_hash:
            return  # our own save
        if not tab.dirty:
            tab.reload_from_disk()
            self.messageRequested.emit(f"Reloaded {rel_path}: it changed on disk")
        else:
            self.ask(tab, ExternalChangeError(Path(path), tab.loaded_hash, content_hash(on_disk)))

    def _retry_later(self, path: str, attempts: int = 20) -> None:
        """Handle ``path`` again once it exists (every 100 ms, ``attempts`` times)."""
        def again() -> None:
            if Path(path).exists():
                self.file_changed(path)
            elif attempts > 1:
                self._retry_later(path, attempts - 1)

        QTimer.singleShot(100, again)

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
        self.question = box
        box.open()
        return box

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
