"""Start the KB Studio app."""

from __future__ import annotations

import logging
import platform
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from kbstudio import __version__
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.error_dialog import install_error_reporter
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.process_tuning import tune_process
from kbstudio.ui.settings import AppSettings

BUNDLED_CONTENT = Path(__file__).resolve().parent.parent.parent / "content"


def choose_kb_path(argument: str | None, settings: AppSettings) -> Path | None:
    """Return the KB to open: the argument, else the last one, else the bundled demo."""
    if argument:
        return Path(argument)
    last = settings.get("last_kb")
    if last and Path(last).is_dir():
        return Path(last)
    return BUNDLED_CONTENT if BUNDLED_CONTENT.is_dir() else None


def run_app(argument: str | None = None) -> int:
    """Create the application and its main window; return the exit code.

    Logging starts first (``kbstudio.logs``): from here on an exception nobody caught, in a slot,
    a thread or a background task, is written to the log file and shown in the error dialog.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("KB Studio")
    app.setOrganizationName("kbstudio")
    app.setApplicationVersion(__version__)
    reporter = install_error_reporter(app)
    logging.getLogger(__name__).info("KB Studio %s started (Python %s, %s); log: %s", __version__,
                                     platform.python_version(), platform.platform(), reporter.log_path)
    settings = AppSettings(QSettings())
    path = choose_kb_path(argument, settings)
    window = MainWindow(settings)
    tune_process(window)   # process-wide settings: here, never in a widget
    window.show()
    if path is not None and not path.is_dir():
        QMessageBox.warning(window, "KB Studio", f"{path} is not a folder. Open a knowledge base "
                                                 "with File > Open.")
    elif path is not None:
        window.open_kb(KnowledgeBase(path))
    return app.exec()
