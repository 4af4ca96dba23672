"""One background task runner for all long work, with progress and cancel.

A task that raises ends in a ``TaskFailure`` (its label and the exception object, traceback
kept) handed to its ``on_error`` on the GUI thread. The callback decides what the user sees:
an error it expects (a git refusal, a review rule) in its own words, anything else through
``TaskFailure.report()``, which logs it and shows the app's error dialog. A task without an
``on_error`` is reported that way by the runner itself: no failure vanishes.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from kbstudio.logs import describe

log = logging.getLogger(__name__)

# What a task may raise for reasons outside the program (a missing file, a full disk, no
# permission): logged and shown in plain words, without the error dialog.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (OSError,)


class TaskCancelled(Exception):
    """Raised inside a task when its ``cancelled()`` check finds the user cancelled it."""


@dataclass(frozen=True)
class TaskFailure:
    """A background task that raised: its label and the exception (``error.__traceback__`` kept).

    The runner adds a note naming the task to the exception, so its traceback says where it
    ran. ``message`` is ``label: what happened`` in plain words, for a status bar.
    """

    label: str
    error: BaseException

    @property
    def text(self) -> str:
        """Return what happened in plain words: an OSError's reason and file, else the message.

        Falls back to the exception's class name when it has no message.
        """
        error = self.error
        if isinstance(error, OSError) and error.strerror:
            return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
        return str(error).strip() or type(error).__name__

    @property
    def message(self) -> str:
        """Return ``label: text``."""
        return f"{self.label}: {self.text}"

    def details(self) -> str:
        """Return the exception's traceback as text (with its notes and causes)."""
        return "".join(traceback.format_exception(self.error)).rstrip()

    def is_expected(self, expected: tuple[type[BaseException], ...] = EXPECTED_ERRORS) -> bool:
        """Return True when the error is one of ``expected``: a reason to show, not a bug."""
        return isinstance(self.error, expected)

    def report(self, expected: tuple[type[BaseException], ...] = EXPECTED_ERRORS) -> str:
        """Log the failure and return a line for the status bar.

        An error of ``expected`` kinds is logged at WARNING (with its traceback) and the line is
        ``message``. Anything else is an unexpected error: it goes to ``sys.excepthook``, which in
        the app logs it at ERROR and shows the error dialog (``kbstudio.logs``,
        ``kbstudio.ui.error_dialog``), and the line says it was unexpected.
        """
        if self.is_expected(expected):
            log.warning("%s", self.message, exc_info=self.error)
            return self.message
        sys.excepthook(type(self.error), self.error, self.error.__traceback__)
        return f"{self.label}: unexpected error ({describe(self.error)})"


class TaskHandle:
    """What the caller keeps of a started task: cancel it, or ask whether it is running."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._cancel = threading.Event()
        self.running = True
        self.result: Any = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        """Ask the task to stop at its next check."""
        self._cancel.set()

    def cancelled(self) -> bool:
        """Return True once cancel() was called."""
        return self._cancel.is_set()


Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


@dataclass
class _Callbacks:
    handle: TaskHandle
    on_success: Callable[[Any], object] | None   # what it returns is not used
    on_error: Callable[[TaskFailure], None] | None
    on_progress: Callable[[int, int], None] | None


class TaskRunner(QObject):
    """Runs work on Python threads; results, errors and progress come back on the GUI thread.

    Only task numbers cross threads (as plain ints through three long-lived signals): per-task
    QObjects with connected Python callables ended in garbage-collection crashes in PySide6.
    """

    busyChanged = Signal(bool)
    _taskEnded = Signal(int)
    _taskProgressed = Signal(int, int, int)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="kbstudio")
        self._tasks: dict[int, _Callbacks] = {}
        self._numbers = itertools.count(1)
        self._taskEnded.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._taskProgressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)

    def run(self, label: str, work: Work, on_success: Callable[[Any], object] | None = None,
            on_error: Callable[[TaskFailure], None] | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> TaskHandle:
        """Start ``work(progress, cancelled)`` in the background and return its handle.

        On the GUI thread later: ``on_success(result)``, or ``on_error(TaskFailure)`` when the work
        raised (without ``on_error``: ``TaskFailure.report()``), and ``on_progress(done, total)``.
        A task that raises ``TaskCancelled`` ends with neither.
        """
        handle = TaskHandle(label)
        number = next(self._numbers)
        self._tasks[number] = _Callbacks(handle, on_success, on_error, on_progress)
        if len(self._tasks) == 1:
            self.busyChanged.emit(True)
        self.pool.submit(self._run, number, work, handle)
        return handle

    def _run(self, number: int, work: Work, handle: TaskHandle) -> None:
        def progress(done: int, total: int) -> None:
            self._taskProgressed.emit(number, int(done), int(total))

        try:
            handle.result = work(progress, handle.cancelled)
        except TaskCancelled:
            pass
        except Exception as error:  # noqa: BLE001 - handed to the GUI thread with its traceback
            error.add_note(f"(in the background task {handle.label!r})")
            handle.error = error
        finally:
            handle.running = False
            self._taskEnded.emit(number)

    def _progress(self, number: int, done: int, total: int) -> None:
        callbacks = self._tasks.get(number)
        on_progress = callbacks.on_progress if callbacks is not None else None
        if on_progress is not None and alive(on_progress):
            on_progress(done, total)

    def _deliver(self, number: int) -> None:
        callbacks = self._tasks.pop(number, None)
        if callbacks is None:
            return
        handle = callbacks.handle
        if handle.error is not None:
            failure = TaskFailure(handle.label, handle.error)
            if callbacks.on_error is None:
                failure.report()
            elif alive(callbacks.on_error):
                callbacks.on_error(failure)
            else:   # its window was closed meanwhile: nobody to tell, but the log keeps it
                log.warning("%s (after its window closed)", failure.message, exc_info=failure.error)
        elif not handle.cancelled() and callbacks.on_success is not None and alive(callbacks.on_success):
            callbacks.on_success(handle.result)
        if not self._tasks:
            self.busyChanged.emit(False)

    def cancel_all(self) -> None:
        """Ask every running task to stop."""
        for callbacks in list(self._tasks.values()):
            callbacks.handle.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for every task to end (used at exit and in tests)."""
        deadline = time.monotonic() + msecs / 1000
        while any(c.handle.running for c in list(self._tasks.values())):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


def alive(callback: Callable[..., Any] | None) -> bool:
    """Return False for no callback, or a method of a widget that was closed meanwhile."""
    if callback is None:
        return False
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
