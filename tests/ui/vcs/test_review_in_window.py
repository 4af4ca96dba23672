"""The review workflow in the app: submit, the queue with its diff, approve, request changes, dashboard."""

from __future__ import annotations

import pytest

from tests.ui.vcs.conftest import Side
from tests.ui.vcs.test_git_in_window import git_window  # noqa: F401 - the fixture

pytestmark = pytest.mark.timeout(120)
REVIEWER = "Rita Reviewer <rita@example.com>"


def _submit(window, qtbot, side: Side, rel: str) -> None:  # noqa: ANN001
    window.open_document(rel, edit=True)
    assert window.review.submit_current(reviewers=REVIEWER)
    qtbot.waitUntil(lambda: side.git("log", "-1", "--format=%s").startswith("Submit"), timeout=15_000)
    assert "status: review" in side.read(rel)


def test_submit_then_approve_from_the_queue(git_window, qtbot, alice: Side) -> None:  # noqa: F811
    _submit(git_window, qtbot, alice, "articles/doc-3.md")
    assert alice.git("log", "-1", "--format=%s").startswith("Submit KB-0003 for review")
    page = git_window.review.show_queue()
    qtbot.waitUntil(lambda: page.queue.count() == 1, timeout=15_000)
    assert page.current().path == "articles/doc-3.md"
    assert page.diff.diff is not None
    page.approve_button.click()
    qtbot.waitUntil(lambda: "Reviewed-by" in alice.git("log", "-1", "--format=%B"), timeout=15_000)
    assert "status: published" in alice.read("articles/doc-3.md")
    message = alice.git("log", "-1", "--format=%B").strip()
    assert message.splitlines()[-1] == "Reviewed-by: Test Author <test@example.com>"
    qtbot.waitUntil(lambda: page.queue.count() == 0, timeout=15_000)
    qtbot.waitUntil(lambda: git_window.tab_for("articles/doc-3.md").document.status == "published",
                    timeout=5_000)


def test_request_changes_needs_a_comment_and_keeps_it(git_window, qtbot, alice: Side) -> None:  # noqa: F811
    _submit(git_window, qtbot, alice, "articles/doc-4.md")
    page = git_window.review.show_queue()
    qtbot.waitUntil(lambda: page.queue.count() == 1, timeout=15_000)
    page.changes_button.click()
    assert "Write what needs to change" in page.summary.text()
    page.comment.setPlainText("Add the screenshot of the Wi-Fi settings.")
    page.changes_button.click()
    qtbot.waitUntil(lambda: "Changes-requested-by" in alice.git("log", "-1", "--format=%B"), timeout=15_000)
    assert "status: draft" in alice.read("articles/doc-4.md")
    assert "Add the screenshot of the Wi-Fi settings." in alice.git("log", "-1", "--format=%B")


def test_dashboard_counts_and_recent_changes(git_window, qtbot, alice: Side) -> None:  # noqa: F811
    _submit(git_window, qtbot, alice, "articles/doc-5.md")
    qtbot.waitUntil(lambda: git_window.documents["articles/doc-5.md"].status == "review", timeout=5_000)
    page = git_window.review.show_dashboard()
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=15_000)
    assert "1 documents wait for review" in page.queue_label.text()
    assert page.recent.count() >= 2 and "Submit KB-0005" in page.recent.item(0).text()
    total = page.table.item(page.table.rowCount() - 1, page.table.columnCount() - 1).text()
    assert total == "8"
