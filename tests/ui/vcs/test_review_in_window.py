"""The review workflow in the app: submit, the queue with its diff, approve, request changes, dashboard."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from tests.ui.vcs.conftest import Side
from tests.ui.vcs.test_git_in_window import git_window  # noqa: F401 - the fixture

pytestmark = pytest.mark.timeout(120)
REVIEWER = "Rita Reviewer <rita@example.com>"


def _submit(window, qtbot, side: Side, rel: str) -> None:  # noqa: ANN001
    window.open_document(rel, edit=True)
    assert window.review.submit_current(reviewers=REVIEWER)
    qtbot.waitUntil(lambda: side.git("log", "-1", "--format=%s").startswith("Submit"), timeout=15_000)
    assert "status: review" in side.read(rel)


def test_the_author_cannot_approve_their_own_submission(git_window, qtbot, alice: Side,  # noqa: F811
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *args, **kwargs: asked.append(args[4]) or (args[4], True)))
    _submit(git_window, qtbot, alice, "articles/doc-3.md")
    assert alice.git("log", "-1", "--format=%s").startswith("Submit KB-0003 for review")
    head = alice.git("rev-parse", "HEAD")
    page = git_window.review.show_queue()
    qtbot.waitUntil(lambda: page.queue.count() == 1, timeout=15_000)
    assert page.current().path == "articles/doc-3.md"
    assert page.diff.diff is not None
    page.approve_button.click()
    assert asked == ["Test Author <test@example.com>"]      # asked once, offering git's identity
    assert git_window.settings.get("reviewer") == "Test Author <test@example.com>"
    qtbot.waitUntil(lambda: "cannot approve" in page.error.text(), timeout=15_000)
    assert page.error.isVisible() and page.error.text().startswith(
        "Test Author <test@example.com> cannot approve KB-0003 (articles/doc-3.md): they submitted it")
    assert "ask one of its reviewers: Rita Reviewer" in page.error.text()
    assert alice.git("rev-parse", "HEAD") == head and "status: review" in alice.read("articles/doc-3.md")
    assert "cannot approve" in git_window.statusBar().currentMessage()
    git_window.statusBar().clearMessage()
    page.approve_button.click()
    qtbot.waitUntil(lambda: "cannot approve" in git_window.statusBar().currentMessage(), timeout=15_000)
    assert len(asked) == 1                                  # the identity is asked for once


def test_request_changes_needs_a_comment_and_keeps_it(git_window, qtbot, alice: Side) -> None:  # noqa: F811
    _submit(git_window, qtbot, alice, "articles/doc-4.md")
    git_window.settings.set("reviewer", REVIEWER)           # picked before: not asked again
    page = git_window.review.show_queue()
    qtbot.waitUntil(lambda: page.queue.count() == 1, timeout=15_000)
    page.changes_button.click()
    assert "Write what needs to change" in page.summary.text()
    page.comment.setPlainText("Add the screenshot of the Wi-Fi settings.")
    page.changes_button.click()
    qtbot.waitUntil(lambda: "Changes-requested-by" in alice.git("log", "-1", "--format=%B"), timeout=15_000)
    assert "status: draft" in alice.read("articles/doc-4.md")
    assert "Add the screenshot of the Wi-Fi settings." in alice.git("log", "-1", "--format=%B")
    assert f"Changes-requested-by: {REVIEWER}" in alice.git("log", "-1", "--format=%B")


def test_dashboard_counts_and_recent_changes(git_window, qtbot, alice: Side) -> None:  # noqa: F811
    _submit(git_window, qtbot, alice, "articles/doc-5.md")
    qtbot.waitUntil(lambda: git_window.documents["articles/doc-5.md"].status == "review", timeout=5_000)
    page = git_window.review.show_dashboard()
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=15_000)
    assert "1 documents wait for review" in page.queue_label.text()
    assert page.recent.count() >= 2 and "Submit KB-0005" in page.recent.item(0).text()
    total = page.table.item(page.table.rowCount() - 1, page.table.columnCount() - 1).text()
    assert total == "8"
