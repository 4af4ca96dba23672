"""Sync with saved changes not committed yet: the app offers Commit and sync with a message, never a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbstudio.ui.vcs.commit_sync_dialog import CommitAndSyncDialog
from kbstudio.ui.vcs.sync_controller import SyncController
from tests.ui.vcs.test_git_in_window import git_window  # noqa: F401 - the fixture

from .conftest import Side, git, wait_idle

pytestmark = pytest.mark.timeout(120)


def test_the_controller_asks_to_commit_then_commits_and_syncs(qtbot, alice: Side, bob: Side,  # noqa: ANN001
                                                              git_work, remote: Path) -> None:
    bob.edit("articles/doc-2.md", "Try again.", "Bob's fix.")
    bob.commit()
    bob.sync()
    alice.edit("articles/doc-1.md", "Try again.", "Try again, saved but not committed.")
    sync = SyncController(alice.vc(), git_work)
    asked: list = []
    messages: list[str] = []
    sync.commitRequested.connect(lambda operation, result: asked.append((operation, result)))
    sync.messageRequested.connect(messages.append)
    with qtbot.waitSignal(sync.busyChanged, check_params_cb=lambda busy: not busy):
        sync.sync()
    [(operation, result)] = asked
    assert operation == "sync" and result.status == "uncommitted"
    assert result.uncommitted == ["articles/doc-1.md"]
    assert messages[-1] == "Not synced yet: 1 saved change to commit first."

    dialog = CommitAndSyncDialog(operation, result.uncommitted)
    qtbot.addWidget(dialog)
    assert dialog.message.text() == "Update articles/doc-1.md" and dialog.files.count() == 1
    assert dialog.commit_button.text() == "Commit and sync"
    dialog.message.setText("")
    assert not dialog.commit_button.isEnabled()
    dialog.message.setText("Retry wording")
    dialog.commitRequested.connect(sync.commit_and)
    with qtbot.waitSignal(sync.busyChanged, check_params_cb=lambda busy: not busy):
        dialog.commit_button.click()
    assert sync.last_result is not None and sync.last_result.pushed, sync.last_result
    assert messages[-1] == "Pulled and pushed; 1 file changed."
    log = git(remote, "log", "--format=%s", "main")
    assert "Retry wording" in log
    assert "Bob's fix." in alice.read("articles/doc-2.md")
    assert alice.git("status", "--porcelain").strip() == ""


def test_sync_in_the_window_opens_commit_and_sync(git_window, qtbot, alice: Side, remote: Path) -> None:  # noqa: F811
    alice.edit("articles/doc-3.md", "Try again.", "Try again with the new password.")
    git_window.git.actions["sync"].trigger()
    qtbot.waitUntil(lambda: isinstance(git_window.git.dialog, CommitAndSyncDialog), timeout=20_000)
    dialog = git_window.git.dialog
    assert dialog.isVisible() and [dialog.files.item(0).text()] == ["articles/doc-3.md"]
    dialog.message.setText("New password step")
    qtbot.keyClick(dialog.message, Qt.Key.Key_Return)        # Enter commits (it never cancels)
    qtbot.waitUntil(lambda: "New password step" in git(remote, "log", "-1", "--format=%s", "main"),
                    timeout=20_000)
    wait_idle(qtbot, git_window.git.git_work)
    qtbot.waitUntil(lambda: git_window.git.label.text() == "main \u00b7 up to date", timeout=10_000)


def test_cancel_commits_nothing(git_window, qtbot, alice: Side) -> None:  # noqa: F811
    head = alice.git("rev-parse", "HEAD")
    alice.edit("articles/doc-3.md", "Try again.", "Not yet.")
    git_window.git.actions["pull"].trigger()
    qtbot.waitUntil(lambda: isinstance(git_window.git.dialog, CommitAndSyncDialog), timeout=20_000)
    dialog = git_window.git.dialog
    assert dialog.commit_button.text() == "Commit and pull"
    dialog.buttons.rejected.emit()
    wait_idle(qtbot, git_window.git.git_work)
    assert alice.git("rev-parse", "HEAD") == head and "Not yet." in alice.read("articles/doc-3.md")
