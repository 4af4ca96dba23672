"""Open from remote: clone a KB repository into a new folder with progress and cancel."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.vcs.common import Failure, GitJob, sentence
from kbstudio.vcs.remote import RemoteError, clone
from kbstudio.vcs.runner import Cancelled, Progress
from kbstudio.vcs.safety import UnsafeInputError, check_url


def folder_name(url: str) -> str:
    """Return a folder name for the repository at ``url`` (``kb`` for ``https://host/team/kb.git``)."""
    last = re.split(r"[/:\\]", url.strip().rstrip("/"))[-1] if url.strip() else ""
    name = re.sub(r"\.git$", "", last)
    name = re.sub(r"[^\w.-]+", "-", name).strip(".-")
    return name or "knowledge-base"


class CloneDialog(QDialog):
    """Asks for a URL and a folder, clones on the git worker, and reports the new KB's folder."""

    cloned = Signal(object)               # the Path of the new clone
    progressChanged = Signal(int, int, str)

    def __init__(self, git_work: TaskRunner, parent: QWidget | None = None, folder: Path | None = None,
                 timeout: float = 600.0) -> None:
        super().__init__(parent)
        self.git_work = git_work
        self.timeout = timeout
        self.base_folder = Path(folder) if folder is not None else Path.home()
        self.folder_dialog: QFileDialog | None = None
        self._folder_typed = False
        self.setWindowTitle("Open from remote")
        self.resize(640, 240)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://git.example.com/it/kb.git  or  git@host:team/kb.git")
        self.folder_edit = QLineEdit(str(self.base_folder / "knowledge-base"))
        self.choose_button = QPushButton("Choose...")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("Repository URL", self.url_edit)
        form.addRow("Into folder", folder_row)
        note = QLabel("Sign-in goes through git's credential helpers or ssh-agent; KB Studio never asks "
                      "for a password. The folder must be new or empty.")
        note.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.stage = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.clone_button = QPushButton("Clone and open")
        self.clone_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clone_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.job = GitJob(git_work, self)
        self.job.progressChanged.connect(self._progress)
        self.job.progressChanged.connect(self.progressChanged)
        self.url_edit.textEdited.connect(self._url_edited)
        self.folder_edit.textEdited.connect(lambda _: setattr(self, "_folder_typed", True))
        self.choose_button.clicked.connect(self.choose_folder)
        self.clone_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)

    @property
    def busy(self) -> bool:
        """Return True while the clone runs."""
        return self.job.busy

    def target(self) -> Path:
        """Return the folder to clone into."""
        return Path(self.folder_edit.text().strip()).expanduser()

    def _url_edited(self, url: str) -> None:
        if not self._folder_typed:
            self.folder_edit.setText(str(self.base_folder / folder_name(url)))

    def choose_folder(self) -> QFileDialog:
        """Pick the folder the clone goes into (its parent, named after the repository)."""
        dialog = QFileDialog(self, "Clone into a folder inside", str(self.base_folder))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self._folder_chosen)
        self.folder_dialog = dialog
        dialog.open()
        return dialog

    def _folder_chosen(self, folder: str) -> None:
        if folder:
            self.base_folder = Path(folder)
            self._folder_typed = False
            self.folder_edit.setText(str(self.base_folder / folder_name(self.url_edit.text())))

    def start(self) -> bool:
        """Check the URL and folder, then clone on the git worker; False when refused."""
        url, target = self.url_edit.text().strip(), self.target()
        try:
            check_url(url)
        except UnsafeInputError as error:
            self.status.setText(sentence(f"Refused: {error}"))  # the core's words, credentials hidden
            return False
        if not self.folder_edit.text().strip():
            self.status.setText("Choose the folder to clone into.")
            return False
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            self.status.setText(f"{target} already exists and is not empty: choose a new folder.")
            return False
        timeout = self.timeout

        def work(progress: Progress, cancelled: Cancelled) -> Path:
            return clone(url, target, timeout=timeout, progress=progress, cancelled=cancelled)

        started = self.job.start("Cloning", work, self._finished)
        if started:
            self._set_running(True)
            self.status.setText(f"Cloning into {target}...")
        else:
            self.status.setText("Git is busy with another transfer: try again when it is done.")
        return started

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.progress.setRange(0, 0)
        for widget in (self.url_edit, self.folder_edit, self.choose_button, self.clone_button):
            widget.setEnabled(not running)
        self.cancel_button.setText("Stop" if running else "Cancel")
        if not running:
            self.stage.setText("")

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.stage.setText(f"{text} {done}/{total}" if total else text)

    def _finished(self, result: Path | Failure) -> None:
        self._set_running(False)
        if isinstance(result, Failure):
            if isinstance(result.error, RemoteError) and result.error.kind == "cancelled" \
                    or result.message == "cancelled":
                self.status.setText("The clone was stopped; nothing was left behind.")
            else:
                self.status.setText(sentence(f"Could not clone: {result.message}"))
            return
        self.status.setText(f"Cloned into {result}.")
        self.cloned.emit(result)
        self.accept()

    def reject(self) -> None:
        """Stop a running clone first; close once nothing runs."""
        if self.busy:
            self.job.cancel()
            self.status.setText("Stopping the clone...")
            return
        super().reject()
