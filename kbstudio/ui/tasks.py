"""One background task runner for all long work, with progress and cancel."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class TaskCancelled(Exception):
    """Raised inside a task when its ``cancelled()`` check finds the user cancelled it."""


class TaskSignals(QObject):
    """Signals a running task sends back to the GUI thread."""

    progressChanged = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    ended = Signal()


class TaskHandle:
    """What the caller keeps of a started task: cancel it, or ask whether it is running."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._cancel = threading.Event()
        self.running = True

    def cancel(self) -> None:
        """Ask the task to stop at its next check."""
        self._cancel.set()

    def cancelled(self) -> bool:
        """Return True once cancel() was called."""
        return self._cancel.is_set()


Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class _Runnable(QRunnable):
    def __init__(self, work: Work, handle: TaskHandle, signals: TaskSignals) -> None:
        super().__init__()
        self.work = work
        self.handle = handle
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work(self.signals.progressChanged.emit, self.handle.cancelled)
        except TaskCancelled:
            pass
        except Exception as error:  # noqa: BLE001 - reported to the user, never a traceback
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            self.signals.failed.emit(f"{self.handle.label}: {detail}")
        else:
            if not self.handle.cancelled():
                self.signals.succeeded.emit(result)
        finally:
            self.handle.running = False
            self.signals.ended.emit()


class TaskRunner(QObject):
    """Runs work on a thread pool; results, errors and progress come back as signals."""

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._active: set[TaskHandle] = set()
        self._signals: set[TaskSignals] = set()

    def run(self, label: str, work: Work, on_success: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> TaskHandle:
        """Start ``work(progress, cancelled)`` in the background and return its handle."""
        handle = TaskHandle(label)
        signals = TaskSignals()
        if on_success:
            signals.succeeded.connect(on_success)
        if on_error:
            signals.failed.connect(on_error)
        if on_progress:
            signals.progressChanged.connect(on_progress)
        signals.ended.connect(lambda: self._ended(handle, signals))
        self._active.add(handle)
        self._signals.add(signals)
        if len(self._active) == 1:
            self.busyChanged.emit(True)
        self.pool.start(_Runnable(work, handle, signals))
        return handle

    def _ended(self, handle: TaskHandle, signals: TaskSignals) -> None:
        self._active.discard(handle)
        self._signals.discard(signals)
        if not self._active:
            self.busyChanged.emit(False)

    def cancel_all(self) -> None:
        """Ask every running task to stop."""
        for handle in list(self._active):
            handle.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for every task to end (used at exit and in tests)."""
        return self.pool.waitForDone(msecs)
