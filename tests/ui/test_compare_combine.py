"""A file changed on disk while you edit it: the three-way compare combines both, not only picks one."""

from __future__ import annotations

import time
from pathlib import Path

DOC = "articles/files/restore-a-deleted-file.md"


def open_compare(window, qtbot, kb_copy: Path, mine, theirs):  # noqa: ANN001, ANN201
    tab = window.open_document(DOC, edit=True)
    path = kb_copy / DOC
    original = path.read_text("utf-8")
    tab.replace_text(mine(tab.text))
    time.sleep(0.05)
    path.write_bytes(theirs(original).encode("utf-8"))
    qtbot.waitUntil(lambda: window.changes.question is not None, timeout=5_000)
    next(b for b in window.changes.question.buttons() if b.text() == "Compare and combine...").click()
    qtbot.waitUntil(lambda: window.changes.compare_dialog is not None, timeout=3_000)
    dialog = window.changes.compare_dialog
    qtbot.waitUntil(lambda: dialog.view.record is not None, timeout=5_000)
    return tab, path, dialog


def test_changes_in_different_places_combine_without_a_choice(window, qtbot, kb_copy: Path) -> None:
    tab, path, dialog = open_compare(
        window, qtbot, kb_copy, lambda text: text.replace("tier: L0", "tier: L2", 1) + "\nMy closing note.\n",
        lambda text: text.replace("status: published", "status: review", 1))
    assert dialog.view.conflicts == [] and dialog.combine_button.isEnabled()
    assert "combine without a choice" in dialog.note.text()
    dialog.combine_button.click()
    assert "tier: L2" in tab.text and "status: review" in tab.text and "My closing note." in tab.text
    assert tab.dirty                                      # combined in the editor, not saved yet
    assert tab.save()
    saved = path.read_text("utf-8")
    assert "tier: L2" in saved and "status: review" in saved and "My closing note." in saved


def test_a_place_both_changed_is_chosen_then_combined(window, qtbot, kb_copy: Path) -> None:
    tab, path, dialog = open_compare(
        window, qtbot, kb_copy,
        lambda text: text.replace("status: published", "status: draft", 1).replace("tier: L0", "tier: L2", 1),
        lambda text: text.replace("status: published", "status: archived", 1).replace(
            "tags: [", "tags: [from-disk, ", 1))
    view = dialog.view
    assert [p.key for p in view.conflicts] == ["field:status"] and not dialog.combine_button.isEnabled()
    assert view.mine_button.text() == "Use my text" and view.theirs_button.text() == "Use the text on disk"
    assert "<<<<<<<" not in view.result_view.toPlainText()
    view.theirs_button.click()
    assert dialog.combine_button.isEnabled()
    dialog.combine_button.click()
    assert "status: archived" in tab.text and "tier: L2" in tab.text and "from-disk" in tab.text
    assert tab.save() and "status: archived" in path.read_text("utf-8")
