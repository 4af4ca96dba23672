"""One background task runner for all long work, with progress and cancel."""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal


class TaskCancelled(Exception):
    """Raised inside a task when its ``cancelled()`` check finds the user cancelled it."""


class TaskHandle:
    """What the caller keeps of a started task: cancel it, or ask whether it is running."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._cancel = threading.Event()
        self.running = True
        self.result: Any = None
        self.error: str | None = None

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
    on_success: Callable[[Any], None] | None
    on_error: Callable[[str], None] | None
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

    def run(self, label: str, work: Work, on_success: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> TaskHandle:
        """Start ``work(progress, cancelled)`` in the background and return its handle."""
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
        except Exception as error:  # noqa: BLE001 - reported to the user, never a traceback
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            handle.error = f"{handle.label}: {detail}"
        finally:
            handle.running = False
            self._taskEnded.emit(number)

    def _progress(self, number: int, done: int, total: int) -> None:
        callbacks = self._tasks.get(number)
        if callbacks is not None and _alive(callbacks.on_progress):
            callbacks.on_progress(done, total)  # type: ignore[misc]

    def _deliver(self, number: int) -> None:
        callbacks = self._tasks.pop(number, None)
        if callbacks is None:
            return
        handle = callbacks.handle
        if handle.error is not None:
            if _alive(callbacks.on_error):
                callbacks.on_error(handle.error)  # type: ignore[misc]
        elif not handle.cancelled() and _alive(callbacks.on_success):
            callbacks.on_success(handle.result)  # type: ignore[misc]
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


def _alive(callback: Callable[..., Any] | None) -> bool:
    """Return False for no callback, or a method of a widget that was closed meanwhile."""
    if callback is None:
        return False
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
