"""The conflicts dialog over real git: mine, theirs and edited; delete vs edit; abort; nothing lost."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from kbstudio.ui.vcs.conflicts_dialog import ConflictsDialog

from .conftest import Side, wait_idle

DOCS = ["articles/doc-1.md", "articles/doc-2.md", "articles/doc-3.md"]


def same_lines_edited(alice: Side, bob: Side) -> None:
    for doc in DOCS:
        alice.edit(doc, "2. Try again.", f"2. Alice's step for {doc}.")
    alice.commit("Alice's steps")
    assert alice.sync().status == "ok"
    for doc in DOCS:
        bob.edit(doc, "2. Try again.", f"2. Bob's step for {doc}.")
    bob.commit("Bob's steps")
    assert bob.sync().status == "conflicts"


def open_dialog(qtbot, side: Side, git_work) -> tuple[ConflictsDialog, list]:  # noqa: ANN001
    dialog = ConflictsDialog(side.vc(), git_work)
    qtbot.addWidget(dialog)
    changed: list = []
    dialog.pathsChanged.connect(changed.append)
    wait_idle(qtbot, git_work)
    return dialog, changed


def resolve(qtbot, dialog: ConflictsDialog, git_work, path: str, choice: str) -> None:  # noqa: ANN001
    dialog.select(path)
    button = dialog.button_for(choice)
    assert button is not None
    button.click()
    wait_idle(qtbot, git_work)


def test_mine_theirs_and_edited_end_in_a_merge_commit_with_nothing_lost(qtbot, alice: Side, bob: Side,  # noqa: ANN001
                                                                        git_work) -> None:
    same_lines_edited(alice, bob)
    dialog, changed = open_dialog(qtbot, bob, git_work)
    assert dialog.conflict_list.count() == 3 and "3 documents to resolve" in dialog.status.text()
    assert dialog.conflict_list.item(0).text() == "articles/doc-1.md\nboth edited"
    assert "2. Try again." in dialog.base_view.toPlainText()
    assert "Bob's step" in dialog.mine_view.toPlainText()
    assert "Alice's step" in dialog.theirs_view.toPlainText()
    assert dialog.mine_view.isReadOnly() and not dialog.result_edit.isReadOnly()
    assert "<<<<<<<" in dialog.result_edit.toPlainText()          # git's merge, markers and all
    assert dialog.diff_view.diff is not None and not dialog.diff_view.diff.identical
    assert [b.text() for b in dialog.choice_buttons] == ["Keep mine", "Take theirs", "Use edited text"]

    resolve(qtbot, dialog, git_work, DOCS[0], "mine")
    assert changed[-1] == [DOCS[0]] and "2 left to resolve" in dialog.status.text()
    resolve(qtbot, dialog, git_work, DOCS[1], "theirs")
    dialog.select(DOCS[2])
    resolve(qtbot, dialog, git_work, DOCS[2], "edited")             # markers still there: refused
    assert "is not resolved: conflict markers remain in articles/doc-3.md" in dialog.status.text()
    assert dialog.conflict_list.count() == 1
    text = dialog.mine_view.toPlainText().replace("2. Bob's step for articles/doc-3.md.",
                                                  "2. Bob's and Alice's steps, together.")
    dialog.result_edit.setPlainText(text)
    with qtbot.waitSignal(dialog.headChanged) as head, qtbot.waitSignal(dialog.mergeStateChanged) as merging:
        dialog.button_for("edited").click()
    wait_idle(qtbot, git_work)
    assert merging.args == [False] and "the merge commit" in dialog.status.text()
    assert "Sync again to push it" in dialog.status.text() and dialog.conflict_list.count() == 0
    assert changed[-1] == DOCS[1:]             # what the merge commit brought in, beside the last one
    assert bob.git("rev-parse", "HEAD").strip() == head.args[0]
    assert bob.git("rev-list", "--parents", "-n", "1", "HEAD").count(" ") == 2   # a real merge commit
    assert "Bob's step for articles/doc-1.md" in bob.read(DOCS[0])
    assert "Alice's step for articles/doc-2.md" in bob.read(DOCS[1])
    assert "Bob's and Alice's steps, together." in bob.read(DOCS[2])
    assert bob.sync().status == "ok"
    history = bob.all_history_text()
    for doc in DOCS:
        assert f"Alice's step for {doc}" in history and f"Bob's step for {doc}" in history


def test_delete_versus_edit_uses_explicit_words(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    alice.git("rm", "-q", "articles/doc-2.md")
    alice.commit("Alice: delete")
    alice.sync()
    bob.edit("articles/doc-2.md", "2. Try again.", "2. Bob's careful fix.")
    bob.commit("Bob: edit")
    assert bob.sync().status == "conflicts"
    dialog, changed = open_dialog(qtbot, bob, git_work)
    assert dialog.conflict_list.item(0).text() == "articles/doc-2.md\ndelete vs edit"
    assert dialog.explanation.text().startswith("They deleted articles/doc-2.md")
    visible = [b.text() for b in dialog.choice_buttons if not b.isHidden()]
    assert visible == ["Keep my edited document", "Delete it, as they did"]
    assert dialog.theirs_view.toPlainText() == "" and dialog.result_edit.isReadOnly()
    with qtbot.waitSignal(dialog.headChanged):
        dialog.button_for("mine").click()
    assert "Bob's careful fix." in bob.read("articles/doc-2.md")
    assert "articles/doc-2.md" in changed[-1]


def test_abort_the_merge_after_confirming(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    same_lines_edited(alice, bob)
    head = bob.git("rev-parse", "HEAD").strip()
    dialog, changed = open_dialog(qtbot, bob, git_work)
    dialog.ask_abort().button(QMessageBox.StandardButton.Cancel).click()
    wait_idle(qtbot, git_work)
    assert (bob.root / ".git" / "MERGE_HEAD").exists()
    with qtbot.waitSignal(dialog.mergeStateChanged):
        dialog.ask_abort().button(QMessageBox.StandardButton.Yes).click()
    wait_idle(qtbot, git_work)
    assert not (bob.root / ".git" / "MERGE_HEAD").exists()
    assert bob.git("rev-parse", "HEAD").strip() == head
    assert changed == [DOCS] and "aborted" in dialog.status.text()
    assert "Bob's step for articles/doc-1.md" in bob.read(DOCS[0]) and "<<<<<<<" not in bob.read(DOCS[0])
    assert dialog.conflict_list.count() == 0 and not dialog.abort_button.isEnabled()


def test_rename_versus_edit_keeps_the_new_name(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    alice.git("mv", "articles/doc-3.md", "articles/reset-password.md")
    alice.edit("articles/reset-password.md", "2. Try again.", "2. Alice's step.")
    alice.commit()
    alice.sync()
    bob.edit("articles/doc-3.md", "2. Try again.", "2. Bob's step.")
    bob.commit()
    assert bob.sync().status == "conflicts"
    dialog, changed = open_dialog(qtbot, bob, git_work)
    assert dialog.conflict_list.item(0).text() == "articles/reset-password.md\nrename vs edit"
    assert "renamed (from articles/doc-3.md)" in dialog.explanation.text()
    assert [b.text() for b in dialog.choice_buttons] == ["Keep my text", "Take their text", "Use edited text"]
    with qtbot.waitSignal(dialog.headChanged):
        dialog.button_for("mine").click()
    assert "Bob's step." in bob.read("articles/reset-password.md")
    assert not (bob.root / "articles/doc-3.md").exists()
    assert "articles/doc-3.md" in changed[-1] and "articles/reset-password.md" in changed[-1]
