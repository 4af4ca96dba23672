"""A document deleted under a tab with unsaved edits: the tab says who deleted it (the pull's commit
and author, another program, the KB folder gone) and offers Save as new or Discard, never the
overwrite question, on a real clone of a bare remote (issue #15 report, P6).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from tests.ui.vcs.conftest import Side
from tests.ui.vcs.test_change_flow import window  # noqa: F401 - the window on Alice's clone

pytestmark = pytest.mark.timeout(120)
DOC = "articles/doc-3.md"
UNSAVED = "\nALICE UNSAVED paragraph.\n"


def _bob_deletes(bob: Side) -> str:
    """Bob deletes DOC, commits as himself and pushes; return the commit's short id."""
    bob.git("rm", "-q", DOC)
    bob.git("commit", "-q", "-m", "Retire the password article", "--author=Bob Stone <bob@example.com>")
    bob.git("push", "-q", "origin", "HEAD:main")
    return bob.git("rev-parse", "--short=7", "HEAD").strip()


def _pull_with_edits(window: MainWindow, qtbot, bob: Side):  # noqa: ANN001, ANN202, F811
    tab = window.open_document(DOC, edit=True)
    tab.replace_text(tab.text + UNSAVED)
    short = _bob_deletes(bob)
    window.git.actions["pull"].trigger()
    qtbot.waitUntil(lambda: window.pages.deleted.question is not None, timeout=30_000)
    return tab, short


def test_a_pull_that_deletes_the_edited_document_says_so_and_saves_it_as_new(
        window: MainWindow, qtbot, alice: Side, bob: Side) -> None:  # noqa: ANN001, F811
    tab, short = _pull_with_edits(window, qtbot, bob)
    question = window.pages.deleted.question
    assert question.text() == f"{DOC} was deleted by the pull (commit {short} by Bob Stone)."
    assert window.changes.question is None   # never "changed by another program: keep mine"
    assert sorted(b.text() for b in question.buttons()) == ["Cancel", "Discard", "Save as new"]
    next(b for b in question.buttons() if b.text() == "Save as new").click()
    new = "articles/doc-3-2.md"
    assert tab.rel_path == new and not tab.dirty
    saved = (alice.root / new).read_text("utf-8")
    assert "ALICE UNSAVED paragraph." in saved
    assert "id: KB-0008" in saved and "KB-0003" not in saved   # KB-0001..KB-0007 seeded: next is 8
    assert not (alice.root / DOC).exists()   # the deleted document is not brought back
    qtbot.waitUntil(lambda: new in window.documents, timeout=10_000)


def test_discard_closes_the_tab(window: MainWindow, qtbot, alice: Side, bob: Side) -> None:  # noqa: ANN001, F811
    _pull_with_edits(window, qtbot, bob)
    question = window.pages.deleted.question
    next(b for b in question.buttons() if b.text() == "Discard").click()
    assert window.tab_for(DOC) is None
    assert not (alice.root / DOC).exists()


def test_a_clean_tab_of_a_pulled_deletion_closes(window: MainWindow, qtbot, bob: Side,  # noqa: ANN001, F811
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    window.open_document(DOC, edit=False)
    shown: list[str] = []
    show = window.status.show
    monkeypatch.setattr(window.status, "show", lambda text, *args: (shown.append(text), show(text, *args)))
    short = _bob_deletes(bob)
    window.git.actions["pull"].trigger()
    qtbot.waitUntil(lambda: window.tab_for(DOC) is None, timeout=30_000)
    assert window.pages.deleted.question is None
    assert f"{DOC} was deleted by the pull (commit {short} by Bob Stone): its tab is closed" in shown


def test_saving_after_the_kb_folder_went_says_so(window: MainWindow, qtbot, alice: Side,  # noqa: ANN001, F811
                                                  tmp_path: Path) -> None:
    tab = window.open_document(DOC, edit=True)
    tab.replace_text(tab.text + UNSAVED)
    shutil.move(alice.root, tmp_path / "moved-away")
    assert not tab.save()
    question = window.pages.deleted.question
    assert question is not None and window.changes.question is None
    assert question.text() == (f"{DOC} was deleted by another program: the knowledge base folder "
                               f"{KnowledgeBase(alice.root).root} is gone.")
    assert tab.dirty and "ALICE UNSAVED paragraph." in tab.text   # the edits are kept
