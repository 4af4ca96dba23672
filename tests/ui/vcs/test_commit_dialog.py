"""The commit dialog over a real repository: ticked files, suggested message, identity, conflict markers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbstudio.changes import KBChange
from kbstudio.ui.vcs.commit_dialog import CommitDialog

from .conftest import Side, wait_idle


def open_dialog(qtbot, side: Side, git_work) -> CommitDialog:  # noqa: ANN001
    dialog = CommitDialog(side.vc(), git_work)
    qtbot.addWidget(dialog)
    wait_idle(qtbot, git_work)
    return dialog


def test_commits_only_the_ticked_files_with_the_suggested_message(qtbot, alice: Side, git_work) -> None:  # noqa: ANN001
    alice.edit("articles/doc-1.md", "Try again.", "Try later.")
    alice.write("articles/new.md", "# New\n")
    dialog = open_dialog(qtbot, alice, git_work)
    rows = {dialog.files.topLevelItem(i).text(0): dialog.files.topLevelItem(i).text(1) for i in range(2)}
    assert rows == {"articles/doc-1.md": "changed", "articles/new.md": "new"}
    assert dialog.message() == "Update 2 documents: articles/doc-1.md, articles/new.md"
    assert "Try later." in dialog.diff_view.unified_text()     # the first file's change is shown
    dialog.set_checked(["articles/new.md"])
    assert dialog.message() == "Add articles/new.md"           # the suggestion follows the ticks
    dialog.message_edit.setPlainText("Add the new article")
    dialog.set_checked(["articles/new.md", "articles/doc-1.md"])
    assert dialog.message() == "Add the new article"          # but never overwrites what was typed
    dialog.set_checked(["articles/new.md"])
    with qtbot.waitSignal(dialog.kbChanged) as committed, qtbot.waitSignal(dialog.messageRequested) as said:
        dialog.commit_button.click()
    assert committed.args[0] == KBChange(head=True)
    assert alice.git("log", "-1", "--format=%s").strip() == "Add the new article"
    assert alice.git("show", "--name-only", "--format=", "HEAD").split() == ["articles/new.md"]
    assert "Committed 1 file" in said.args[0] and dialog.result() == CommitDialog.DialogCode.Accepted
    assert alice.git("status", "--porcelain").strip() == "M articles/doc-1.md"


def test_missing_identity_is_asked_once_validated_and_stored(qtbot, alice: Side, git_work,  # noqa: ANN001
                                                             git_sandbox: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name)
    alice.edit("articles/doc-1.md", "Try again.", "Try later.")
    dialog = open_dialog(qtbot, alice, git_work)
    assert not dialog.identity_box.isHidden()
    dialog.name_edit.setText("Ada Lovelace")
    dialog.email_edit.setText("not-an-email")
    dialog.commit_button.click()
    wait_idle(qtbot, git_work)
    assert "Not committed: not an email address" in dialog.status.text()
    assert "user" not in (git_sandbox / ".gitconfig").read_text()
    assert alice.git("log", "--format=%s").strip() == "Seed the KB"
    dialog.name_edit.setText("Ada\u0007Lovelace")
    dialog.email_edit.setText("ada@example.com")
    dialog.commit_button.click()
    wait_idle(qtbot, git_work)
    assert "control characters" in dialog.status.text()
    dialog.name_edit.setText("Ada Lovelace")
    with qtbot.waitSignal(dialog.kbChanged):
        dialog.commit_button.click()
    assert "ada@example.com" in (git_sandbox / ".gitconfig").read_text()
    assert alice.git("log", "-1", "--format=%an <%ae>").strip() == "Ada Lovelace <ada@example.com>"
    alice.edit("articles/doc-2.md", "Try again.", "Try later.")
    assert open_dialog(qtbot, alice, git_work).identity_box.isHidden()   # asked once only


def test_conflict_markers_are_refused_with_the_files_named(qtbot, alice: Side, git_work) -> None:  # noqa: ANN001
    alice.write("articles/doc-1.md", "# Title\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> branch\n")
    alice.edit("articles/doc-2.md", "Try again.", "Try later.")
    dialog = open_dialog(qtbot, alice, git_work)
    assert "articles/doc-1.md still contains conflict markers" in dialog.status.text()
    marked = dialog.files.findItems("articles/doc-1.md", Qt.MatchFlag.MatchExactly)[0]
    assert "conflict markers" in marked.text(1)
    dialog.commit_button.click()
    wait_idle(qtbot, git_work)
    assert dialog.status.text().startswith("Not committed: articles/doc-1.md still contains conflict markers")
    assert alice.git("log", "--format=%s").strip() == "Seed the KB"
    assert dialog.result() != CommitDialog.DialogCode.Accepted
    dialog.set_checked(["articles/doc-2.md"])
    with qtbot.waitSignal(dialog.kbChanged):
        dialog.commit_button.click()
    assert alice.git("show", "--name-only", "--format=", "HEAD").split() == ["articles/doc-2.md"]


def test_nothing_to_commit(qtbot, alice: Side, git_work) -> None:  # noqa: ANN001
    dialog = open_dialog(qtbot, alice, git_work)
    assert "Nothing to commit" in dialog.status.text() and not dialog.commit_button.isEnabled()


def test_knowledge_loop_records_are_left_unticked_for_sync(qtbot, alice: Side, git_work) -> None:  # noqa: ANN001
    alice.edit("articles/doc-1.md", "Try again.", "Try later.")
    record = ".kbstudio/usage/2026-11--alice--0a1b2c3d.jsonl"
    alice.write(record, '{"doc": "KB-0001"}\n')
    dialog = open_dialog(qtbot, alice, git_work)
    ticks = {dialog.files.topLevelItem(i).text(0): dialog.files.topLevelItem(i).checkState(0)
             for i in range(dialog.files.topLevelItemCount())}
    assert ticks == {"articles/doc-1.md": Qt.CheckState.Checked, record: Qt.CheckState.Unchecked}
    assert dialog.checked_paths() == ["articles/doc-1.md"]
    assert dialog.message() == "Update articles/doc-1.md"      # the suggestion names the document only
