"""The deletion guard in the app: the question names how many documents leave and how, with paths."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.vcs.conftest import Side
from tests.ui.vcs.test_git_in_window import git_window  # noqa: F401 - the fixture

pytestmark = pytest.mark.timeout(120)


def _take_three_out(bob: Side) -> None:
    bob.git("rm", "-q", "articles/doc-1.md")
    bob.git("mv", "articles/doc-2.md", "articles/doc-2.md.bak")
    (bob.root / ".trash").mkdir()
    bob.git("mv", "articles/doc-3.md", ".trash/doc-3.md")
    bob.commit("Bob tidies up")
    assert bob.sync().pushed


def test_the_question_names_how_documents_leave_and_nothing_changes_on_cancel(
        git_window, qtbot, alice: Side, bob: Side, no_modal_dialogs: list[str]) -> None:  # noqa: F811
    head = alice.git("rev-parse", "HEAD")
    _take_three_out(bob)
    git_window.git.actions["sync"].trigger()
    qtbot.waitUntil(lambda: any("out of the knowledge base" in text for text in no_modal_dialogs),
                    timeout=30_000)
    [question] = [text for text in no_modal_dialogs if "out of the knowledge base" in text]
    assert "This pull would take 3 of the 8 documents out of the knowledge base" in question
    assert "25% (the default)" in question
    assert "1 deleted:\n    articles/doc-1.md" in question
    assert "1 renamed to a name that is not a document:\n    articles/doc-2.md" in question
    assert "articles/doc-2.md.bak" in question
    assert "1 moved into a hidden folder:\n    articles/doc-3.md" in question
    assert ".trash/doc-3.md" in question
    qtbot.waitUntil(lambda: not git_window.git.sync.busy, timeout=10_000)
    assert alice.git("rev-parse", "HEAD") == head          # answered Cancel: nothing merged
    for number in (1, 2, 3):
        assert (alice.root / f"articles/doc-{number}.md").is_file()
    assert "articles/doc-1.md" in git_window.documents


def test_yes_goes_on_with_the_pull(git_window, qtbot, alice: Side, bob: Side,  # noqa: F811
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def yes(parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN202
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(yes))
    _take_three_out(bob)
    git_window.git.actions["sync"].trigger()
    qtbot.waitUntil(lambda: not (alice.root / "articles/doc-1.md").exists(), timeout=30_000)
    assert (alice.root / ".trash/doc-3.md").is_file() and len(asked) == 1
    qtbot.waitUntil(lambda: "articles/doc-1.md" not in git_window.documents, timeout=15_000)
    qtbot.waitUntil(lambda: "articles/doc-3.md" not in git_window.documents, timeout=15_000)
    assert ".trash/doc-3.md" not in git_window.documents           # a hidden folder holds no documents
    assert len(git_window.documents) == 5
    qtbot.waitUntil(lambda: git_window.count_label.text().startswith("5 documents"), timeout=5_000)
