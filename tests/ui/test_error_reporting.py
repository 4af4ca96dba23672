"""Unexpected errors in the app land in the log file and in the error dialog, with their traceback.

Each test installs the app's reporter (``install_error_reporter``, as ``run_app`` does) over the
test's own state folder (the autouse ``isolated_log`` fixture), injects a failure and reads both
the real log file and the dialog (its text and what Copy details puts on the clipboard).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication

from kbstudio.logs import log_file_path
from kbstudio.ui.error_dialog import ErrorDialog, ErrorReporter, install_error_reporter
from kbstudio.ui.tasks import TaskFailure, TaskRunner
from kbstudio.vcs.runner import RepositoryProgramsError


@pytest.fixture()
def reporter(qtbot) -> ErrorReporter:  # noqa: ANN001 - pytest-qt's bot
    owner = QObject()
    reporter = install_error_reporter(owner)
    yield reporter
    if reporter.dialog is not None:
        reporter.dialog.close()
    owner.deleteLater()


@pytest.fixture()
def runner(qtbot) -> TaskRunner:  # noqa: ANN001
    runner = TaskRunner(max_threads=1)
    yield runner
    runner.wait()
    runner.pool.shutdown(wait=True)


def _dialog(qtbot, reporter: ErrorReporter) -> ErrorDialog:  # noqa: ANN001
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=10_000)
    assert reporter.dialog is not None
    return reporter.dialog


def test_a_failed_background_task_lands_in_the_log_and_the_dialog(qtbot, reporter: ErrorReporter,
                                                                  runner: TaskRunner) -> None:  # noqa: ANN001
    def check_everything(progress, cancelled) -> None:  # noqa: ANN001
        raise RuntimeError("injected failure 6502")

    runner.run("checking content", check_everything)              # no on_error: nothing may vanish
    dialog = _dialog(qtbot, reporter)
    path = log_file_path()
    assert reporter.log_path == path and path.is_file()

    assert dialog.headline.text() == "Something went wrong in KB Studio."
    assert dialog.message.text() == ("RuntimeError: injected failure 6502\n"
                                     "(in the background task 'checking content')")
    assert str(path) in dialog.log_label.text()
    assert not dialog.isModal()

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == dialog.details()
    assert copied.startswith("KB Studio ") and f"Log: {path}" in copied
    assert "Traceback (most recent call last)" in copied and "in check_everything" in copied
    assert "RuntimeError: injected failure 6502" in copied
    assert dialog.copied.text().startswith("Copied")

    text = path.read_text("utf-8")
    assert "ERROR kbstudio.logs" in text and "unexpected error: RuntimeError: injected failure 6502" in text
    assert "Traceback (most recent call last)" in text and "in check_everything" in text
    assert "(in the background task 'checking content')" in text


def test_the_error_callback_gets_the_exception_object(qtbot, runner: TaskRunner) -> None:  # noqa: ANN001
    failures: list[TaskFailure] = []

    def read(progress, cancelled) -> None:  # noqa: ANN001
        raise PermissionError(13, "Permission denied", "/kb/articles/a.md")

    runner.run("loading kb", read, on_error=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    [failure] = failures
    assert isinstance(failure.error, PermissionError) and failure.error.filename == "/kb/articles/a.md"
    assert failure.error.__traceback__ is not None and "in read" in failure.details()
    assert failure.message == "loading kb: Permission denied: /kb/articles/a.md"
    assert failure.is_expected()                                   # a file error: no dialog for it


def test_an_expected_task_error_is_logged_without_a_dialog(qtbot, reporter: ErrorReporter) -> None:  # noqa: ANN001
    try:
        raise PermissionError(13, "Permission denied", "/kb/.index")
    except PermissionError as error:
        shown = TaskFailure("indexing", error).report()
    assert shown == "indexing: Permission denied: /kb/.index"
    assert reporter.dialog is None
    text = log_file_path().read_text("utf-8")
    assert "WARNING kbstudio.ui.tasks" in text and "indexing: Permission denied: /kb/.index" in text


def test_an_exception_in_a_slot_reaches_the_log_and_the_dialog(qtbot, reporter: ErrorReporter) -> None:  # noqa: ANN001
    def on_click() -> None:
        raise ZeroDivisionError("slot failure 1989")

    QTimer.singleShot(0, on_click)                                 # raised inside Qt's event loop
    dialog = _dialog(qtbot, reporter)
    assert dialog.message.text() == "ZeroDivisionError: slot failure 1989"
    assert "in on_click" in dialog.details()
    assert "ZeroDivisionError: slot failure 1989" in log_file_path().read_text("utf-8")


def test_errors_in_a_row_share_one_dialog(qtbot, reporter: ErrorReporter, runner: TaskRunner) -> None:  # noqa: ANN001
    def fail(progress, cancelled) -> None:  # noqa: ANN001
        raise ValueError("same bug again")

    for _ in range(3):
        runner.run("preview", fail)
    qtbot.waitUntil(lambda: reporter.dialog is not None and len(reporter.dialog.errors) == 3, timeout=10_000)
    dialog = _dialog(qtbot, reporter)
    assert dialog.headline.text() == "Something went wrong in KB Studio (3 unexpected errors)."
    assert dialog.details().count("ValueError: same bug again") == 3
    dialog.close()
    qtbot.waitUntil(lambda: reporter.dialog is None, timeout=5_000)


def test_a_lint_bug_in_the_window_is_reported_not_lost(qtbot, window, reporter: ErrorReporter,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from kbstudio.changes import KBChange
    from kbstudio.ui.main_window import KB_WIDE_FILES

    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=30_000)

    def refresh_kb() -> None:
        raise AttributeError("'NoneType' object has no attribute 'rules' (injected)")

    monkeypatch.setattr(window.checks.linter, "refresh_kb", refresh_kb)
    window.hub.publish(KBChange.of(changed=[KB_WIDE_FILES[0]]))   # the synonyms file changed
    dialog = _dialog(qtbot, reporter)
    assert dialog.message.text().startswith("AttributeError: 'NoneType' object has no attribute 'rules'")
    assert "(in the background task 'checking content')" in dialog.message.text()
    assert window.statusBar().currentMessage() == (
        "checking content: unexpected error (AttributeError: 'NoneType' object has no attribute 'rules' "
        "(injected))")
    assert "in refresh_kb" in log_file_path().read_text("utf-8")


def test_a_search_bug_shows_in_the_results_and_the_dialog(qtbot, window, reporter: ErrorReporter,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    def search(text, options=None) -> None:  # noqa: ANN001
        raise TypeError("injected search bug")

    monkeypatch.setattr(window.index.service, "search", search)
    window.search.query.setText("vpn")
    dialog = _dialog(qtbot, reporter)
    assert dialog.message.text().startswith("TypeError: injected search bug")
    qtbot.waitUntil(lambda: "unexpected error" in window.search.summary.text(), timeout=5_000)
    assert window.search.summary.text() == "search: unexpected error (TypeError: injected search bug)"


def test_git_refusal_is_recognised_by_its_type(qtbot, window, reporter: ErrorReporter) -> None:  # noqa: ANN001
    from kbstudio.vcs.programs import Programs

    try:
        raise RepositoryProgramsError(Programs(git_dir=Path("/kb/.git")))
    except RepositoryProgramsError as error:
        window.git._not_opened(window.git.kb, TaskFailure("git", error))
    assert window.git.label.text() == "git refused: repository programs"
    assert reporter.dialog is None                                 # a refusal, logged, not a bug
    assert "RepositoryProgramsError" not in window.git.label.toolTip()
