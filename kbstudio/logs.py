"""The log: a rotating file in the user's state folder, with every unexpected exception in it.

``configure_logging`` is called once at start-up, by the command line (``kbstudio.cli.main``) and
by the app (``kbstudio.ui.app.run_app``); nothing happens at import. It does three things:

- **The file** (``log_file_path()``): ``$KBSTUDIO_STATE_DIR/log/kbstudio.log`` when that override
  is set (the same variable moves the recovery folder, ``kbstudio.recovery``), else platformdirs'
  user log folder: ``~/.local/state/kbstudio/log/kbstudio.log`` on Linux, ``~/Library/Logs/kbstudio``
  on macOS, ``%LOCALAPPDATA%\\kbstudio\\Logs`` on Windows. It rotates at 1 MB and keeps 5 old
  files, so it never takes more than about 6 MB. It is created when the first record is written:
  a command that logs nothing leaves no file behind.
- **One handler on the root logger**, so the records of every module reach the file (the index's
  damage reports in ``kbstudio.index.damage`` among them) as well as libraries' warnings. Loggers
  under ``kbstudio`` write from INFO up, others from WARNING. Nothing is printed on a terminal:
  with a handler configured Python's last-resort handler (stderr) is not used, and a record the
  file cannot take is dropped rather than printed (the command line promises no tracebacks).
  Credentials in URLs are masked in every line, tracebacks included (``mask_credentials``).
- **``sys.excepthook`` and ``threading.excepthook``**: an exception nobody caught is logged at ERROR
  with its traceback, then handed to ``report``. By default (the command line) that prints one
  line on stderr, naming the error and the log file; the app passes its error dialog instead.
  Ctrl+C (KeyboardInterrupt) and a thread's SystemExit are not errors and are not reported.

Several processes (the app and a command run beside it) may append to the same file; appends do
not mix within a line, but a rotation by one may cut the other's last lines off: each line names
its process id. ``stop_logging`` undoes everything (tests, or a host embedding the CLI).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from platformdirs import user_log_dir

from kbstudio.recovery import ENV_STATE_DIR

LOG_NAME = "kbstudio.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
APP_LOGGER = "kbstudio"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d %(threadName)s] %(message)s"

# ``scheme://user:password@host``: what follows "://" up to an "@" before any "/" or space. Wider
# than kbstudio.vcs.safety.redact (whatever stands before "://"), and linear in the text's length.
_CREDENTIALS = re.compile(r"(?<=://)[^/\s@]+@")

Reporter = Callable[[BaseException], None]
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]

log = logging.getLogger(__name__)


def log_file_path() -> Path:
    """Return the path of the log file (it may not exist yet).

    ``$KBSTUDIO_STATE_DIR/log/kbstudio.log`` when the variable is set (``~`` expanded), else
    ``kbstudio.log`` in platformdirs' ``user_log_dir("kbstudio")``. Reads the environment on
    every call; touches no file.
    """
    override = os.environ.get(ENV_STATE_DIR)
    if override:
        return Path(override).expanduser() / "log" / LOG_NAME
    return Path(user_log_dir("kbstudio", appauthor=False)) / LOG_NAME


def mask_credentials(text: str) -> str:
    """Return ``text`` with the user and password of every ``scheme://user:password@`` as ``***``."""
    return _CREDENTIALS.sub("***@", text) if "://" in text else text


def describe(error: BaseException) -> str:
    """Return ``Type: message`` for ``error`` on one line (no notes, no traceback), credentials masked."""
    text = " ".join(str(error).split())
    name = type(error).__name__
    return mask_credentials(f"{name}: {text}" if text else name)


class _RedactingFormatter(logging.Formatter):
    """The log's line format, with credentials in URLs masked (the traceback text included)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_credentials(super().format(record))


class _LogFile(RotatingFileHandler):
    """The rotating log file; a record it cannot write is dropped, never printed on a terminal."""

    kbstudio_log = True
    previous_level = logging.NOTSET   # the app logger's level before; stop_logging restores it

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        return None


class _NoLogFile(logging.NullHandler):
    """Stands in when the log folder cannot be created: records are dropped, nothing reaches stderr."""

    kbstudio_log = True
    previous_level = logging.NOTSET


def save_failed(rel_path: str, path: Path, error: OSError) -> str:
    """Log a save that failed (an expected failure: no traceback) and return the status bar's words.

    Not "unexpected", so the error dialog stays away, but support reads the log (issue #15 report,
    P9: a save into a KB folder that was gone left nothing there).
    """
    log.warning("could not save %s: %s", path, error)
    return f"Could not save {rel_path}: {error.strerror or error}"


def configure_logging(report: Reporter | None = None, path: Path | None = None) -> Path | None:
    """Start logging to the rotating file and install the exception hooks; return the file's path.

    ``report(error)`` is called after an uncaught exception was logged (from the thread it was
    raised in, for ``threading.excepthook``); the default prints one line on stderr. ``path``
    defaults to ``log_file_path()``. Returns None when the log folder cannot be created (a
    read-only home): records are then dropped and the hooks still report. A second call replaces
    the first (handler and hooks), so it is safe to call from both the CLI and the app.
    """
    stop_logging()
    path = path or log_file_path()
    handler: _LogFile | _NoLogFile
    used: Path | None = path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8",
                           delay=True)
        handler.setFormatter(_RedactingFormatter(LINE_FORMAT))
        handler.setLevel(logging.INFO)
    except OSError:
        handler, used = _NoLogFile(), None
    app_logger = logging.getLogger(APP_LOGGER)
    handler.previous_level = app_logger.level
    if app_logger.level == logging.NOTSET or app_logger.level > logging.INFO:
        app_logger.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    _install_hooks(report or _print_line(used))
    return used


def stop_logging() -> None:
    """Remove the log file's handler (closing the file) and put back the exception hooks found before."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "kbstudio_log", False)]:
        root.removeHandler(handler)
        handler.close()
        logging.getLogger(APP_LOGGER).setLevel(getattr(handler, "previous_level", logging.NOTSET))
    previous = getattr(sys.excepthook, "kbstudio_previous", None)
    if previous is not None:
        sys.excepthook = previous
    previous = getattr(threading.excepthook, "kbstudio_previous", None)
    if previous is not None:
        threading.excepthook = previous


def _print_line(path: Path | None) -> Reporter:
    """Return the command line's reporter: one line on stderr naming the error and the log file."""

    def report(error: BaseException) -> None:
        if sys.stderr is None:   # no console (pythonw)
            return
        from kbstudio.names import shown_text

        where = f"the details are in {path}" if path is not None else "the log file could not be written"
        print(shown_text(f"kbstudio: unexpected error: {describe(error)} ({where})"), file=sys.stderr)

    return report


def _install_hooks(report: Reporter) -> None:
    """Make ``sys.excepthook`` and ``threading.excepthook`` log the exception, then ``report`` it."""

    def handle(error: BaseException, where: str) -> None:
        try:
            log.error("unexpected error%s: %s", where, describe(error), exc_info=error)
            report(error)
        except Exception:  # noqa: BLE001 - a hook must never raise; the failure is logged if it can be
            log.exception("could not report an unexpected error")

    def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            log.info("interrupted")
            return
        if error.__traceback__ is None and tb is not None:
            error = error.with_traceback(tb)
        handle(error, "")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        handle(args.exc_value, f" in thread {name}")

    # stop_logging reads the hooks found before from the hooks themselves; mypy does not model
    # attributes set on a function
    excepthook.kbstudio_previous = sys.excepthook  # type: ignore[attr-defined]
    thread_hook.kbstudio_previous = threading.excepthook  # type: ignore[attr-defined]
    sys.excepthook = excepthook
    threading.excepthook = thread_hook
