"""Shared pieces of the git UI: plain-word failures, text progress, cancellable jobs, questions."""

from __future__ import annotations

import contextlib
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QMessageBox, QWidget

from kbstudio.ui.tasks import TaskHandle, TaskRunner
from kbstudio.vcs.runner import Cancelled, GitError, Progress
from kbstudio.vcs.safety import UnsafeInputError, redact
from kbstudio.vcs.service import VersionControl

# What a git action may raise for reasons the user can act on; anything else is a bug, still shown plainly.
EXPECTED_ERRORS = (GitError, UnsafeInputError, OSError, ValueError)
_CLASS_PREFIX = re.compile(r"^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Timeout|Cancelled): ")
GitWork = Callable[[Progress, Cancelled], Any]


@dataclass(frozen=True)
class Failure:
    """A git action that failed, with its message in plain words (and the error for its details)."""

    message: str
    error: BaseException | None = None


def sentence(text: str) -> str:
    """Return ``text`` with a capital first letter and a full stop, for a message line."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def plain_error(text: str) -> str:
    """Turn the runner's ``label: module.Class: message`` into ``label: message``, credentials hidden."""
    label, sep, rest = text.partition(": ")
    if sep and _CLASS_PREFIX.match(rest):
        text = f"{label}: {_CLASS_PREFIX.sub('', rest, count=1)}"
    return redact(text)


def shielded(work: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap task work so an expected git, input or file error comes back as a Failure value."""

    def run(*args: Any) -> Any:
        try:
            return work(*args)
        except EXPECTED_ERRORS as error:
            return Failure(redact(str(error)) or type(error).__name__, error)

    return run


def guarded(widget: QObject, callback: Callable[..., None]) -> Callable[..., None]:
    """Return ``callback`` that does nothing once ``widget`` was deleted (a late result of its task)."""

    def call(*args: Any) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return call


def run_quick(git_work: TaskRunner, owner: QObject, label: str, work: Callable[[], Any],
              done: Callable[[Any], None]) -> TaskHandle:
    """Run a short git action on the git worker; ``done`` gets its result or a Failure on the GUI thread."""
    safe = shielded(work)
    return git_work.run(label, lambda progress, cancelled: safe(), on_success=guarded(owner, done),
                        on_error=guarded(owner, lambda text: done(Failure(plain_error(text)))))


def merge_touched(vcs: VersionControl) -> list[str]:
    """Return the KB files that differ on disk from HEAD (what a stopped merge wrote); run on the worker."""
    repo = vcs.repo
    if repo.head() is None:
        return []
    out = repo.git("diff", "--name-only", "--no-renames", "-z", "HEAD", "--", repo.kb_pathspec).stdout
    return repo.kb_paths(out.split("\0"))


def monospace() -> QFont:
    """Return a fixed-width font for texts and diffs."""
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def ask(parent: QWidget, title: str, text: str, yes_label: str, on_yes: Callable[[], None],
        detail: str = "") -> QMessageBox:
    """Ask a yes/cancel question without blocking (``open()``); ``on_yes`` runs when confirmed."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    if detail:
        box.setInformativeText(detail)
    box.button(QMessageBox.StandardButton.Yes).setText(yes_label)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Yes).clicked.connect(on_yes)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


class TextProgress:
    """The stage texts of a task's progress, queued by the worker and taken in order by the GUI thread.

    The runner only carries (done, total) as ints across threads; each report's stage text ("Receiving
    objects") waits here, one per report, so the GUI pairs every (done, total) with its own text.
    """

    def __init__(self, text: str = "") -> None:
        self._texts: deque[str] = deque()  # append and popleft are thread-safe
        self._last = text

    def next_text(self) -> str:
        """Return the text of the next report that reached the GUI thread."""
        with contextlib.suppress(IndexError):
            self._last = self._texts.popleft()
        return self._last

    def adapt(self, progress: Callable[[int, int], None]) -> Progress:
        """Return a core progress callback (done, total, text) feeding the runner's (done, total)."""

        def report(done: int, total: int, text: str) -> None:
            self._texts.append(text)
            progress(done, total)

        return report


class GitJob(QObject):
    """One long git action at a time on the shared git worker, with text progress and cancel."""

    progressChanged = Signal(int, int, str)
    busyChanged = Signal(bool)

    def __init__(self, git_work: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.git_work = git_work
        self._handle: TaskHandle | None = None
        self._stop = threading.Event()
        self._progress = TextProgress()
        self._done: Callable[[Any], None] | None = None
        git_work.busyChanged.connect(self._runner_idle)

    @property
    def busy(self) -> bool:
        """Return True while an action runs or waits for the worker."""
        return self._handle is not None

    def start(self, label: str, work: GitWork, done: Callable[[Any], None]) -> bool:
        """Run ``work(progress, cancelled)``; ``done`` gets its result or a Failure. False when busy."""
        if self.busy:
            return False
        stop = self._stop = threading.Event()
        self._progress = TextProgress(label)
        self._done = done
        safe = shielded(work)

        def run(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return safe(self._progress.adapt(progress), lambda: stop.is_set() or cancelled())

        failed = guarded(self, lambda text: self._finish(Failure(plain_error(text))))
        self._handle = self.git_work.run(label, run, on_success=guarded(self, self._finish), on_error=failed,
                                         on_progress=guarded(self, self._report))
        self.busyChanged.emit(True)
        self.progressChanged.emit(0, 0, label)
        return True

    def cancel(self) -> None:
        """Ask the running action to stop; git is killed at its next check."""
        self._stop.set()

    def _report(self, done: int, total: int) -> None:
        self.progressChanged.emit(done, total, self._progress.next_text())

    def _finish(self, result: Any) -> None:
        done, self._done, self._handle = self._done, None, None
        self.busyChanged.emit(False)
        if done is not None:
            done(result)

    def _runner_idle(self, busy: bool) -> None:
        # The runner drops the callbacks of a task someone cancelled through it (cancel_all): end anyway.
        if not busy and self._handle is not None and not self._handle.running:
            self._finish(Failure("cancelled"))
