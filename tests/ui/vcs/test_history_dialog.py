"""The history dialog over a real repository: versions across a rename, diffs, restore as a new commit."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from kbstudio.changes import KBChange
from kbstudio.ui.vcs.history_dialog import HistoryDialog

from .conftest import Side, wait_idle


def renamed(alice: Side) -> None:
    alice.edit("articles/doc-1.md", "Try again.", "Try again after a reboot.")
    alice.commit("Reboot first")
    alice.git("mv", "articles/doc-1.md", "articles/vpn.md")
    alice.edit("articles/vpn.md", "title: Connect to the VPN", "title: Connect to the company VPN")
    alice.commit("Rename and retitle")


def test_versions_of_a_renamed_document_and_their_diffs(qtbot, alice: Side, git_work) -> None:  # noqa: ANN001
    renamed(alice)
    dialog = HistoryDialog(alice.vc(), "articles/vpn.md", git_work)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 3)
    rows = [[dialog.tree.topLevelItem(r).text(c) for c in range(5)] for r in range(3)]
    assert [row[2] for row in rows] == ["Rename and retitle", "Reboot first", "Seed the KB"]
    assert rows[0][1] == "Test Author" and rows[0][4].startswith("renamed")
    assert rows[1][4] == "articles/doc-1.md"                  # the old name of older versions
    wait_idle(qtbot, git_work)                                 # the newest two are compared at once
    assert "title: Connect to the company VPN" in dialog.diff_view.unified_text()

    dialog.select(2)                                           # the seed version against the saved text
    qtbot.waitUntil(lambda: "(saved)" in dialog.diff_view.summary.text())
    text = dialog.diff_view.unified_text()
    kinds = dict(zip(text.split("\n"), dialog.diff_view.unified_kinds, strict=True))
    assert any("Try again after a reboot." in line and kind == "added" for line, kind in kinds.items())
    assert dialog.restore_button.isEnabled()
    dialog.select(0, 2)
    qtbot.waitUntil(lambda: "(saved)" not in dialog.diff_view.summary.text()
                    and dialog.diff_view.diff is not None)
    assert not dialog.restore_button.isEnabled()


def test_restore_makes_a_new_commit_and_reports_the_path(qtbot, alice: Side, git_work) -> None:  # noqa: ANN001
    renamed(alice)
    alice.edit("articles/vpn.md", "3. Escalate", "3. Saved but not committed; escalate")
    head_before = alice.git("rev-parse", "HEAD").strip()
    dialog = HistoryDialog(alice.vc(), "articles/vpn.md", git_work)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 3)
    dialog.select(2)
    box = dialog.ask_restore()
    assert box is not None and "Test Author" in box.text()
    with qtbot.waitSignal(dialog.kbChanged) as restored:
        box.button(QMessageBox.StandardButton.Yes).click()
    assert restored.args == [KBChange(changed={"articles/vpn.md"}, head=True)]
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 5)
    assert "Restored as the new commit" in dialog.status.text() and "committed first" in dialog.status.text()
    assert alice.git("rev-parse", "HEAD~2").strip() == head_before   # saved text kept, then the restore
    assert alice.read("articles/vpn.md") == alice.git("show", f"{head_before}~2:articles/doc-1.md")
    assert "Saved but not committed" in alice.all_history_text()      # nothing lost


def test_open_document_and_cancelled_restore(qtbot, alice: Side, git_work) -> None:  # noqa: ANN001
    dialog = HistoryDialog(alice.vc(), "articles/doc-2.md", git_work)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    with qtbot.waitSignal(dialog.openDocumentRequested) as opened:
        dialog.open_button.click()
    assert opened.args == ["articles/doc-2.md"]
    box = dialog.ask_restore()
    assert box is not None
    box.button(QMessageBox.StandardButton.Cancel).click()
    wait_idle(qtbot, git_work)
    assert alice.git("log", "--format=%s").strip() == "Seed the KB"
