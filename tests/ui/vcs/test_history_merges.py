"""History shows merge commits (along the first parent): a hand-resolved version can be seen and restored."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit

from kbstudio.cli import main
from kbstudio.ui.vcs.history_dialog import HistoryDialog
from kbstudio.vcs.fmmerge import Own

from .conftest import Side, wait_idle

DOC = "articles/doc-1.md"
RESOLVED = "1. Check the power and the cable."


def hand_resolved(alice: Side, bob: Side) -> None:
    bob.edit(DOC, "1. Check the basics.", "1. Check the power.")
    bob.commit("Bob: power")
    bob.sync()
    alice.edit(DOC, "1. Check the basics.", "1. Check the cable.")
    alice.commit("Alice: cable")
    assert alice.sync().status == "conflicts"
    vc = alice.vc()
    assert vc.conflicts.resolve(DOC, "merged", parts={"hunk:1": Own(RESOLVED)}).remaining == []
    alice.edit(DOC, RESOLVED, "1. Start over.")      # a later edit: the merge is not the newest version
    alice.commit("Alice: start over")


def test_core_history_lists_the_merge(alice: Side, bob: Side, capsys: pytest.CaptureFixture[str]) -> None:
    hand_resolved(alice, bob)
    versions = alice.vc().history.versions(DOC)
    summaries = [(v.summary, v.merge) for v in versions]
    assert summaries[:2] == [("Alice: start over", False), ("Merge changes from origin/main", True)]
    assert {s for s, _ in summaries} >= {"Bob: power", "Alice: cable", "Seed the KB"}
    merge = versions[1]
    assert len(merge.parents) == 2 and merge.to_json()["merge"] is True
    assert RESOLVED in alice.vc().history.version_text(merge)
    assert main(["history", str(alice.root), DOC, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["merge"] for v in data][:2] == [False, True]


def test_dialog_shows_and_restores_the_merged_version(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    hand_resolved(alice, bob)
    dialog = HistoryDialog(alice.vc(), DOC, git_work)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() >= 4)
    wait_idle(qtbot, git_work)
    rows = [[dialog.tree.topLevelItem(r).text(c) for c in range(5)] for r in range(2)]
    assert rows[1][2] == "Merge changes from origin/main" and rows[1][4] == "merge"
    assert "as you resolved a conflict" in dialog.tree.topLevelItem(1).toolTip(4)
    dialog.select(1)
    qtbot.waitUntil(lambda: "(saved)" in dialog.diff_view.summary.text())
    assert dialog.show_button.isEnabled() and dialog.restore_button.isEnabled()
    dialog.show_button.click()
    qtbot.waitUntil(lambda: dialog.text_dialog is not None)
    view = dialog.text_dialog.findChild(QPlainTextEdit)
    assert RESOLVED in view.toPlainText() and "merge" in dialog.text_dialog.windowTitle()
    dialog.text_dialog.accept()
    with qtbot.waitSignal(dialog.kbChanged):
        dialog.ask_restore().button(QMessageBox.StandardButton.Yes).click()
    wait_idle(qtbot, git_work)
    assert RESOLVED in alice.read(DOC) and "Start over" not in alice.read(DOC)
    assert alice.git("log", "-1", "--format=%s").startswith(f"Restore {DOC} to the version of")
    qtbot.waitUntil(lambda: dialog.tree.topLevelItem(0).text(2).startswith("Restore"))
