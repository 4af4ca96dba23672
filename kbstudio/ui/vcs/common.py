"""Shared pieces of the git UI: plain-word failures, text progress, cancellable jobs, questions.

A git action ends in its result or a ``Failure``. Errors the user can act on (``EXPECTED_ERRORS``:
git's refusals, unsafe input, files) are caught inside the task (``shielded``) and logged at
WARNING; anything else reaches the runner's error path as a ``TaskFailure`` and is reported as a
bug (``as_failure``: logged with its traceback, shown in the error dialog). Callers that need to
know which error it was look at ``Failure.error``'s type and attributes, never at its text.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QMessageBox, QWidget

from kbstudio.logs import describe
from kbstudio.ui.tasks import TaskFailure, TaskHandle, TaskRunner
from kbstudio.vcs.runner import Cancelled, GitError, Progress
from kbstudio.vcs.safety import UnsafeInputError, redact

# What a git action may raise for reasons the user can act on; anything else is a bug.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (GitError, UnsafeInputError, OSError, ValueError)
GitWork = Callable[[Progress, Cancelled], Any]

log = logging.getLogger(__name__)


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


def as_failure(failure: TaskFailure, expected: tuple[type[BaseException], ...] = EXPECTED_ERRORS) -> Failure:
    """Report a task's failure and return it as a Failure to show, credentials hidden.

    An error of ``expected`` kinds is logged at WARNING and described by its own message; any
    other goes to the error dialog and the log (``TaskFailure.report``) and is described as
    "unexpected error (Type: message)".
    """
    failure.report(expected)
    if failure.is_expected(expected):
        return Failure(redact(failure.text), failure.error)
    return Failure(f"unexpected error ({describe(failure.error)})", failure.error)


def failure_message(failure: TaskFailure, expected: tuple[type[BaseException], ...] = EXPECTED_ERRORS) -> str:
    """Report a task's failure (``as_failure``) and return ``label: what happened`` for the status bar."""
    return f"{failure.label}: {as_failure(failure, expected).message}"


def shielded(work: Callable[..., Any], label: str = "git") -> Callable[..., Any]:
    """Wrap task work so an expected git, input or file error comes back as a (logged) Failure value."""

    def run(*args: Any) -> Any:
        try:
            return work(*args)
        except EXPECTED_ERRORS as error:
            text = TaskFailure(label, error).text
            log.warning("%s failed: %s", label, describe(error))
            return Failure(redact(text), error)

    return run


def guarded(widget: QObject, callback: Callable[..., None]) -> Callable[..., None]:
    """Return ``callback`` that does nothing once ``widget`` was deleted (a late result of its task)."""

    def call(*args: Any) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return call


def reported(widget: QObject, done: Callable[[Failure], None]) -> Callable[[TaskFailure], None]:
    """Return an ``on_error`` that reports the failure (``as_failure``), then hands it to ``done``.

    The report happens even when ``widget`` was deleted meanwhile; ``done`` only while it lives.
    """

    def failed(failure: TaskFailure) -> None:
        shown = as_failure(failure)
        if shiboken6.isValid(widget):
            done(shown)

    return failed


def run_quick(git_work: TaskRunner, owner: QObject, label: str, work: Callable[[], Any],
              done: Callable[[Any], None]) -> TaskHandle:
    """Run a short git action on the git worker; ``done`` gets its result or a Failure on the GUI thread."""
    safe = shielded(work, label)
    return git_work.run(label, lambda progress, cancelled: safe(), on_success=guarded(owner, done),
                        on_error=reported(owner, done))


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
        safe = shielded(work, label)

        def run(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return safe(self._progress.adapt(progress), lambda: stop.is_set() or cancelled())

        self._handle = self.git_work.run(label, run, on_success=guarded(self, self._finish),
                                         on_error=reported(self, self._finish),
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
