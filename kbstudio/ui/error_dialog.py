"""Unexpected errors in the app: a short message, the log's path and a "Copy details" button.

``ErrorReporter.report(error)`` is what ``kbstudio.logs.configure_logging`` calls after it logged
an exception nobody caught: one raised in a slot (Qt hands it to ``sys.excepthook``), in a
thread (``threading.excepthook``), or a background task's failure nobody expected
(``kbstudio.ui.tasks.TaskFailure.report``). It may be called from any thread; the dialog opens
on the GUI thread. Errors that come while the dialog is open join it ("2 unexpected errors"):
a loop that fails a hundred times opens one window, not a hundred.

The dialog is not modal (``show()``): it never blocks the app or a test.
"""

from __future__ import annotations

import platform
import traceback
from collections import deque
from pathlib import Path

import PySide6
from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kbstudio import __version__
from kbstudio.logs import configure_logging, describe, mask_credentials

MAX_SHOWN = 400   # characters of an error's message in the dialog; the details have all of it


def environment_line() -> str:
    """Return the versions a support person asks for first: KB Studio, Python, PySide6, the OS."""
    return (f"KB Studio {__version__}, Python {platform.python_version()}, PySide6 {PySide6.__version__}, "
            f"{platform.platform()}")


def error_details(error: BaseException) -> str:
    """Return ``error``'s full traceback (notes and causes included), credentials masked."""
    return mask_credentials("".join(traceback.format_exception(error)).rstrip())


class ErrorDialog(QDialog):
    """The unexpected errors since it opened: the first one's message, the log path, Copy details."""

    def __init__(self, log_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("KB Studio: unexpected error")
        self.log_path = log_path
        self.errors: list[BaseException] = []
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_label = QLabel()
        self.log_label.setWordWrap(True)
        self.log_label.setTextFormat(Qt.TextFormat.PlainText)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copied = QLabel()
        self.copied.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Copy the error's traceback, the versions and the log path, "
                                    "to paste into a ticket")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.headline, self.message, self.log_label, self.copied):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def add(self, error: BaseException) -> None:
        """Add an error: the first one's message stays on screen; the count and the details grow."""
        self.errors.append(error)
        count = len(self.errors)
        self.headline.setText("Something went wrong in KB Studio." if count == 1 else
                              f"Something went wrong in KB Studio ({count} unexpected errors).")
        first = self.errors[0]
        text = describe(first)
        if len(text) > MAX_SHOWN:
            text = text[:MAX_SHOWN] + "..."
        notes = [str(note) for note in getattr(first, "__notes__", [])]
        self.message.setText("\n".join([text, *notes]))
        if self.log_path is not None:
            where = f"The details were written to the log:\n{self.log_path}"
        else:
            where = "The log file could not be written; Copy details has everything."
        self.log_label.setText(f"{where}\n\nWhat you were doing may not have finished. If this happens "
                               "again, copy the details into a ticket for whoever supports KB Studio.")

    def details(self) -> str:
        """Return what Copy details copies: the versions, the log path, then every traceback."""
        lines = [environment_line(), f"Log: {self.log_path or 'not written'}"]
        for number, error in enumerate(self.errors, 1):
            if len(self.errors) > 1:
                lines.append(f"\n--- error {number} of {len(self.errors)}")
            lines.append("\n" + error_details(error))
        return "\n".join(lines) + "\n"

    def copy_details(self) -> None:
        """Put ``details()`` on the clipboard."""
        QGuiApplication.clipboard().setText(self.details())
        self.copied.setText("Copied: paste it into the ticket or an email.")
        self.copied.show()


class ErrorReporter(QObject):
    """Shows unexpected errors in one ErrorDialog on the GUI thread; ``report`` works from any thread.

    ``log_path`` is named in the dialog (None: the log could not be written). ``dialog`` is the
    one on screen, or None.
    """

    _pending = Signal()

    def __init__(self, log_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.dialog: ErrorDialog | None = None
        self._queue: deque[BaseException] = deque()   # append and popleft are thread-safe
        self._pending.connect(self._show_pending, Qt.ConnectionType.QueuedConnection)

    def report(self, error: BaseException) -> None:
        """Show ``error`` (already logged by the caller): now on the GUI thread, else soon on it."""
        self._queue.append(error)
        if QThread.currentThread() is self.thread():
            self._show_pending()
        else:
            self._pending.emit()

    def _show_pending(self) -> None:
        if not self._queue:
            return
        if self.dialog is None:
            dialog = ErrorDialog(self.log_path, QApplication.activeWindow())
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(self._closed)
            self.dialog = dialog
        while self._queue:
            self.dialog.add(self._queue.popleft())
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _closed(self) -> None:
        self.dialog = None


def install_error_reporter(parent: QObject) -> ErrorReporter:
    """Configure logging (``kbstudio.logs``) with an ErrorReporter owned by ``parent``; return it."""
    reporter = ErrorReporter(None, parent)
    reporter.log_path = configure_logging(reporter.report)
    return reporter
