"""Approving in the app: the confirmation names the identities, the reviewer identity is picked once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from kbstudio.review import submit
from tests.ui.vcs.conftest import Side
from tests.ui.vcs.test_git_in_window import git_window  # noqa: F401 - the fixture
from tests.vcs.conftest import document

pytestmark = pytest.mark.timeout(120)
RITA = "Rita Reviewer <rita@example.com>"
NEW = "articles/bob-new.md"


def _bob_submits(bob: Side, monkeypatch: pytest.MonkeyPatch, rel: str = NEW) -> None:
    """Bob writes and submits a new document and pushes it (his own git identity)."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Bob Writer")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "bob@example.com")
    bob.write(rel, document("KB-0100", "Bob's new article"))
    bob.commit("Bob: new article")
    submit(bob.vc(), bob.kb, rel, [RITA])
    assert bob.sync().pushed
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")


def _answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN202
        asked.append(f"{title}\n{text}")
        return button

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def _queue(window, qtbot, alice: Side):  # noqa: ANN001, ANN202
    window.git.actions["sync"].trigger()
    qtbot.waitUntil(lambda: NEW in window.documents, timeout=30_000)
    page = window.review.show_queue()
    qtbot.waitUntil(lambda: page.queue.count() == 1, timeout=15_000)
    return page


def _wait(qtbot, condition: Callable[[], bool]) -> None:  # noqa: ANN001
    qtbot.waitUntil(condition, timeout=15_000)


def test_approve_asks_first_showing_both_identities(git_window, qtbot, alice: Side, bob: Side,  # noqa: F811
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _bob_submits(bob, monkeypatch)
    git_window.settings.set("reviewer", RITA)
    page = _queue(git_window, qtbot, alice)
    assert "Reviewing as <b>Rita Reviewer &lt;rita@example.com&gt;</b>" in page.reviewer.text()
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    head = alice.git("rev-parse", "HEAD")
    page.approve_button.click()
    _wait(qtbot, lambda: len(asked) == 1)
    assert asked[0].startswith("Approve and publish?\nApprove and publish KB-0100: Bob's new article.")
    assert f"Recorded in the commit as:\n    Reviewed-by: {RITA}\n" in asked[0]
    assert "Committed by your git identity:\n    Test Author <test@example.com>" in asked[0]
    _wait(qtbot, lambda: "not approved" in git_window.statusBar().currentMessage())
    assert alice.git("rev-parse", "HEAD") == head                     # Cancel: nothing committed

    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    page.comment.setPlainText("Checked on a test laptop.")
    page.approve_button.click()
    _wait(qtbot, lambda: "Reviewed-by" in alice.git("log", "-1", "--format=%B"))
    message = alice.git("log", "-1", "--format=%B").strip()
    assert message.splitlines()[-1] == f"Reviewed-by: {RITA}" and "Checked on a test laptop." in message
    assert alice.git("log", "-1", "--format=%an <%ae>").strip() == "Test Author <test@example.com>"
    assert "status: published" in alice.read(NEW)
    _wait(qtbot, lambda: page.queue.count() == 0)


def test_the_reviewer_identity_is_picked_once_and_kept(git_window, qtbot, alice: Side,  # noqa: F811
                                                       bob: Side, monkeypatch: pytest.MonkeyPatch) -> None:
    _bob_submits(bob, monkeypatch)
    offered: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *args, **kwargs: offered.append(args[4]) or (f" {RITA} ", True)))
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    page = _queue(git_window, qtbot, alice)
    page.approve_button.click()
    assert offered == ["Test Author <test@example.com>"]
    assert git_window.settings.get("reviewer") == RITA and "Rita Reviewer" in page.reviewer.text()
    _wait(qtbot, lambda: len(asked) == 1)
    assert f"Reviewed-by: {RITA}" in asked[0]
    page.approve_button.click()
    _wait(qtbot, lambda: len(asked) == 2)
    assert len(offered) == 1
    page.identity_button.click()                           # changing it later is one button away
    assert len(offered) == 2 and offered[1] == RITA


def test_a_refusal_is_shown_and_an_invalid_identity_is_not_kept(git_window, qtbot, alice: Side,  # noqa: F811
                                                                bob: Side,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _bob_submits(bob, monkeypatch)
    page = _queue(git_window, qtbot, alice)
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *args, **kwargs: ("Rita\nX <r@x>", True)))
    assert not git_window.review.choose_identity()
    assert git_window.settings.get("reviewer") == "" and "not changed" in page.error.text()
    git_window.settings.set("reviewer", "Bob Writer <BOB@example.com>")   # the author, another spelling
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    page.approve_button.click()
    _wait(qtbot, lambda: "cannot approve" in page.error.text())
    assert page.error.text().startswith("Bob Writer <BOB@example.com> cannot approve KB-0100")
    page.refreshRequested.emit()
    _wait(qtbot, lambda: page.error.isHidden())
    assert asked == [] and "status: review" in alice.read(NEW)


def test_an_edit_to_a_published_document_goes_back_to_review_when_the_policy_says_so(
        git_window, qtbot, alice: Side) -> None:  # noqa: F811
    alice.edit("articles/doc-2.md", "status: draft", "status: published")
    alice.commit("Published earlier")
    alice.write(".kbstudio/review.yaml", "published_edits: review\n")
    alice.commit("Review policy: edits to published documents go back to review")
    git_window.menus.auto_commit.setChecked(True)
    tab = git_window.open_document("articles/doc-2.md", edit=True)
    _wait(qtbot, lambda: tab.document.status == "published")
    tab.editor.appendPlainText("Also check the spooler service.")
    assert tab.save()
    _wait(qtbot, lambda: "sends it back to review" in git_window.statusBar().currentMessage())
    assert "status: review" in alice.read("articles/doc-2.md")
    shown = alice.git("show", "HEAD", "--", "articles/doc-2.md")
    assert "+status: review" in shown and "+Also check the spooler service." in shown
    _wait(qtbot, lambda: tab.document.status == "review" and not tab.dirty)
