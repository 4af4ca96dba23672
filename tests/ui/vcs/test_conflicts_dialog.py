"""The conflicts dialog over real git: conflicts one by one in plain words, then Resolve and sync."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from kbstudio.ui.vcs.conflicts_dialog import ConflictsDialog
from kbstudio.ui.vcs.merge_view import changed_words
from kbstudio.ui.vcs.sync_controller import SyncController

from .conftest import Side, git, wait_idle

DOC = "articles/doc-1.md"
DOCS = ["articles/doc-1.md", "articles/doc-2.md", "articles/doc-3.md"]
MARKERS = ("<<<<<<<", ">>>>>>>", "=======", "HEAD", "refs/remotes")


def item_1(alice: Side, bob: Side) -> None:
    """Bob adds a tag and edits a body line, then syncs; Alice adds a product and edits the same line."""
    bob.edit(DOC, "1. Check the basics.", "1. Check the power.")
    bob.edit(DOC, "tags: [demo]", "tags: [demo, network]")
    bob.commit("Bob")
    assert bob.sync().status == "ok"
    alice.edit(DOC, "1. Check the basics.", "1. Check the cable.")
    alice.edit(DOC, "tags: [demo]\n", "tags: [demo]\nproducts: [Outlook]\n")
    alice.commit("Alice")
    assert alice.sync().status == "conflicts"


def open_dialog(qtbot, side: Side, git_work) -> tuple[ConflictsDialog, list]:  # noqa: ANN001
    dialog = ConflictsDialog(side.vc(), git_work)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    changed: list = []
    dialog.kbChanged.connect(lambda change: changed.append(sorted(change.documents)))
    wait_idle(qtbot, git_work)
    return dialog, changed


def shown_texts(dialog: ConflictsDialog) -> str:
    view = dialog.merge_view
    return "\n".join(pane.toPlainText() for pane in (*view.panes.values(), view.result_view))


def remote_head(remote: Path) -> str:
    return git(remote, "rev-parse", "main").strip()


def test_item_1_in_the_dialog_then_resolve_and_sync_pushes(qtbot, alice: Side, bob: Side, git_work,  # noqa: ANN001
                                                           remote: Path) -> None:
    item_1(alice, bob)
    dialog, changed = open_dialog(qtbot, alice, git_work)
    assert dialog.conflict_list.item(0).text() == "doc-1.md\narticles/\nboth edited \u00b7 1 to choose"
    assert "Merged by themselves: the field tags (theirs), the field products (yours)." == \
        dialog.merged_label.text()
    view = dialog.merge_view
    assert [p.key for p in view.conflicts] == ["hunk:1"]
    assert "Conflict 1 of 1" in view.position.text() and "the body at line 19" in view.position.text()
    for marker in MARKERS:
        assert marker not in shown_texts(dialog)
    assert "[Conflict 1 of 1, the body at line 19: not chosen yet]" in view.result_view.toPlainText()
    assert "tags: [demo, network]" in view.result_view.toPlainText()
    assert "products: [Outlook]" in view.result_view.toPlainText()
    # aligned: the same row holds the same place in all three panes
    rows = {side: [text for text, _ in view.pane_rows(side)] for side in ("base", "mine", "theirs")}
    assert len(rows["base"]) == len(rows["mine"]) == len(rows["theirs"])
    row = rows["mine"].index("1. Check the cable.")
    assert rows["theirs"][row] == "1. Check the power." and rows["base"][row] == "1. Check the basics."
    assert view.pane_rows("mine")[row][1] == "current"
    tag_row = rows["theirs"].index("tags: [demo, network]")
    assert view.pane_rows("theirs")[tag_row][1] == "changed" and rows["mine"][tag_row] == "tags: [demo]"
    assert rows["base"][rows["mine"].index("products: [Outlook]")] == "(products: not set)"
    assert not dialog.resolve_button.isEnabled()
    # the conflict in full, wrapped, with the words that differ marked
    assert view.full_views["theirs"].toPlainText().strip() == "1. Check the power."
    pieces = changed_words("1. Check the power.\n", "1. Check the basics.\n", "1. Check the cable.\n")
    assert [word for word, differs in pieces if differs] == ["power"]
    assert "font-weight:600" in view.full_views["theirs"].toHtml()

    view.theirs_button.click()
    assert "Chosen: theirs." == view.choice_label.text()
    assert "1. Check the power." in view.result_view.toPlainText()
    assert dialog.conflict_list.item(0).text().endswith("ready") and dialog.resolve_button.isEnabled()

    sync = SyncController(alice.vc(), git_work)
    dialog.syncRequested.connect(sync.sync)
    before = remote_head(remote)
    with qtbot.waitSignal(sync.busyChanged, timeout=20_000, check_params_cb=lambda busy: not busy):
        dialog.resolve_button.click()
    wait_idle(qtbot, git_work)
    assert sync.last_result is not None and sync.last_result.pushed
    assert remote_head(remote) == alice.git("rev-parse", "HEAD").strip() != before
    assert alice.git("rev-list", "--parents", "-n", "1", "HEAD").count(" ") == 2    # the merge commit
    text = alice.read(DOC)
    assert "tags: [demo, network]" in text and "products: [Outlook]" in text
    assert "1. Check the power." in text and "Check the cable." not in text
    assert DOC in changed[-1] and not dialog.isVisible()
    assert bob.sync().status == "ok" and bob.read(DOC) == text


def long_conflicts(alice: Side, bob: Side) -> None:
    """Three conflicts far apart in one long document: the tier field and two body lines."""
    body = "".join(f"Line {n} of the steps.\n" for n in range(1, 121))
    text = alice.read(DOC).replace("3. Escalate when it still fails.\n", "3. Escalate.\n" + body)
    alice.write(DOC, text)
    alice.commit("Long")
    alice.sync()
    bob.sync()
    for side, word in ((bob, "Bob"), (alice, "Alice")):
        side.edit(DOC, "tier: L1", "tier: L3" if word == "Bob" else "tier: L2")
        side.edit(DOC, "Line 40 of the steps.", f"Line 40, as {word} wrote it.")
        side.edit(DOC, "Line 110 of the steps.", f"Line 110, as {word} wrote it.")
        side.commit(word)
        side.sync()


def test_next_and_previous_move_between_conflicts_and_scroll_together(qtbot, alice: Side, bob: Side,  # noqa: ANN001
                                                                     git_work) -> None:
    long_conflicts(alice, bob)
    dialog, _ = open_dialog(qtbot, alice, git_work)
    view = dialog.merge_view
    assert [p.key for p in view.conflicts] == ["field:tier", "hunk:1", "hunk:2"]
    assert view.current == 0 and not view.previous_button.isEnabled() and view.next_button.isEnabled()
    assert "Conflict 1 of 3</b>: the field tier" in view.position.text()
    assert not view.both_button.isEnabled()                     # a field takes one value
    tops = [view.top_row()]
    view.next_button.click()
    assert view.current == 1 and "the body at line" in view.position.text() and view.both_button.isEnabled()
    tops.append(view.top_row())
    view.next_button.click()
    assert view.current == 2 and not view.next_button.isEnabled()
    tops.append(view.top_row())
    assert tops[0] < tops[1] < tops[2]
    assert {view.top_row(side) for side in ("base", "mine", "theirs")} == {tops[2]}   # scrolled together
    mine_rows = [text for text, _ in view.pane_rows("mine")]
    assert tops[2] <= mine_rows.index("Line 110, as Alice wrote it.") < tops[2] + 12
    view.previous_button.click()
    assert view.current == 1 and view.top_row() == tops[1]
    view.both_button.click()
    view.previous_button.click()
    view.mine_button.click()
    view.go_to(2)
    view.own_button.click()
    assert view.own_box.isVisible() and view.own_edit.toPlainText() == "Line 110, as Alice wrote it."
    view.own_edit.setPlainText("Line 110, as we agreed.")
    view.own_use.click()
    assert view.all_chosen and dialog.resolve_button.isEnabled()
    with qtbot.waitSignal(dialog.syncRequested):
        dialog.resolve_button.click()
    text = alice.read(DOC)
    assert "tier: L2" in text and "Line 40, as Alice wrote it.\nLine 40, as Bob wrote it.\n" in text
    assert "Line 110, as we agreed.\n" in text and "<<<<<<<" not in text


def test_keep_all_of_yours_shows_what_it_discards_and_asks(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    item_1(alice, bob)
    dialog, _ = open_dialog(qtbot, alice, git_work)
    question = dialog.ask_all("mine")
    assert "This discards their side of 1 conflict in articles/doc-1.md" in question.text()
    detail = question.informativeText()
    assert "the body at line 19: their text\n    1. Check the power." in detail
    assert "tags" not in detail                                  # their tag merged: never discarded
    question.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.merge_view.choices == {} and not dialog.resolve_button.isEnabled()
    dialog.all_mine_button.click()
    dialog.question.button(QMessageBox.StandardButton.Yes).click()
    assert dialog.merge_view.choices == {"hunk:1": "mine"} and dialog.resolve_button.isEnabled()
    with qtbot.waitSignal(dialog.kbChanged):
        dialog.resolve_button.click()
    text = alice.read(DOC)
    assert "tags: [demo, network]" in text and "products: [Outlook]" in text and "Check the cable." in text


def test_edit_the_whole_result_by_hand_keeps_crlf(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    text = alice.read(DOC)
    (alice.root / DOC).write_bytes(text.replace("\n", "\r\n").encode())
    alice.commit("CRLF")
    alice.sync()
    bob.sync()
    for side, word in ((bob, "Bob"), (alice, "Alice")):
        data = (side.root / DOC).read_bytes().replace(b"2. Try again.", f"2. {word}'s retry.".encode())
        (side.root / DOC).write_bytes(data)
        side.commit(word)
        side.sync()
    dialog, _ = open_dialog(qtbot, alice, git_work)
    assert not dialog.hand_button.isEnabled()                   # choose first, then edit the result
    dialog.merge_view.both_button.click()
    dialog.hand_button.click()
    assert dialog.stack.currentWidget() is dialog.hand_edit
    assert "2. Alice's retry.\n2. Bob's retry.\n" in dialog.hand_edit.toPlainText()
    dialog.hand_edit.setPlainText(dialog.hand_edit.toPlainText().replace(
        "2. Alice's retry.\n2. Bob's retry.\n", "2. Retry, as we both said.\n"))
    with qtbot.waitSignal(dialog.kbChanged):
        dialog.resolve_button.click()
    data = (alice.root / DOC).read_bytes()
    assert b"2. Retry, as we both said.\r\n" in data and data.count(b"\r\n") == data.count(b"\n")


def test_several_documents_resolve_together(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    for side, word in ((alice, "Alice"), (bob, "Bob")):
        for doc in DOCS:
            side.edit(doc, "2. Try again.", f"2. {word}'s step for {doc}.")
        side.commit(word)
        assert side.sync().status == ("ok" if word == "Alice" else "conflicts")
    dialog, changed = open_dialog(qtbot, bob, git_work)
    assert dialog.conflict_list.count() == 3 and "3 documents to resolve" in dialog.status.text()
    for doc, pick in zip(DOCS, ("mine", "theirs", "both"), strict=True):
        assert not dialog.resolve_button.isEnabled()
        dialog.select(doc)
        dialog.merge_view.choose(pick)
    assert dialog.resolve_button.isEnabled()
    with qtbot.waitSignal(dialog.kbChanged) as merged:
        dialog.resolve_button.click()
    assert merged.args[0].head and sorted(changed[-1]) == DOCS
    assert "Bob's step for articles/doc-1.md" in bob.read(DOCS[0])
    assert "Alice's step for articles/doc-2.md" in bob.read(DOCS[1])
    assert "Bob's step for articles/doc-3.md.\n2. Alice's step" in bob.read(DOCS[2])
    assert bob.sync().status == "ok"
    history = bob.all_history_text()
    for doc in DOCS:
        assert f"Alice's step for {doc}" in history and f"Bob's step for {doc}" in history


def test_delete_versus_edit_asks_before_deleting(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    alice.git("rm", "-q", "articles/doc-2.md")
    alice.commit("Alice: delete")
    alice.sync()
    bob.edit("articles/doc-2.md", "2. Try again.", "2. Bob's careful fix.")
    bob.commit("Bob: edit")
    assert bob.sync().status == "conflicts"
    dialog, changed = open_dialog(qtbot, bob, git_work)
    assert dialog.conflict_list.item(0).text() == "doc-2.md\narticles/\ndelete vs edit \u00b7 1 to choose"
    assert dialog.explanation.text().startswith("They deleted articles/doc-2.md")
    visible = [b.text() for b in dialog.whole_buttons if not b.isHidden()]
    assert visible == ["Keep my edited document", "Delete it, as they did..."]
    assert dialog.all_mine_button.isHidden() and dialog.stack.currentWidget() is dialog.whole_view
    question = dialog.choose_whole("theirs")
    assert "- 2. Try again.\n    + 2. Bob's careful fix." in question.informativeText()
    question.button(QMessageBox.StandardButton.Cancel).click()
    assert not dialog.resolve_button.isEnabled()
    dialog.button_for("mine").click()
    assert dialog.button_for("mine").text() == "\u2713 Keep my edited document"
    with qtbot.waitSignal(dialog.kbChanged):
        dialog.resolve_button.click()
    assert "Bob's careful fix." in bob.read("articles/doc-2.md")
    assert "articles/doc-2.md" in changed[-1]


def test_abort_the_merge_after_confirming(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    item_1(alice, bob)
    head = alice.git("rev-parse", "HEAD").strip()
    dialog, changed = open_dialog(qtbot, alice, git_work)
    dialog.ask_abort().button(QMessageBox.StandardButton.Cancel).click()
    wait_idle(qtbot, git_work)
    assert (alice.root / ".git" / "MERGE_HEAD").exists()
    with qtbot.waitSignal(dialog.kbChanged) as aborted:
        dialog.ask_abort().button(QMessageBox.StandardButton.Yes).click()
    wait_idle(qtbot, git_work)
    assert not (alice.root / ".git" / "MERGE_HEAD").exists()
    assert alice.git("rev-parse", "HEAD").strip() == head
    assert changed == [[DOC]] and aborted.args[0].head and "aborted" in dialog.status.text()
    assert "Check the cable." in alice.read(DOC) and "<<<<<<<" not in alice.read(DOC)
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
    assert dialog.conflict_list.item(0).text().startswith("reset-password.md\narticles/\nrename vs edit")
    assert "renamed (from articles/doc-3.md)" in dialog.explanation.text()
    dialog.merge_view.mine_button.click()
    with qtbot.waitSignal(dialog.kbChanged):
        dialog.resolve_button.click()
    assert "Bob's step." in bob.read("articles/reset-password.md")
    assert not (bob.root / "articles/doc-3.md").exists()
    assert "articles/doc-3.md" in changed[-1] and "articles/reset-password.md" in changed[-1]
