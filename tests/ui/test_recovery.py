"""Crash recovery in the app: unsaved text is written every few seconds and offered back."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.recovery import RecoveryStore
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.recovery_keeper import RecoveryKeeper

pytestmark = pytest.mark.timeout(120)
ARTICLE = "articles/devices/laptop-is-slow.md"


def _second_window(qtbot, settings, tmp_path: Path, kb_copy: Path, monkeypatch, restore: bool):
    monkeypatch.setattr(RecoveryKeeper, "ask_to_restore", lambda self, entries: restore)
    win = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    win.show()
    win.open_kb(KnowledgeBase(kb_copy))
    qtbot.waitUntil(lambda: win.library.model.rowCount() > 0, timeout=20_000)
    return win


def _crash(window) -> None:
    """Leave the window without closing it, as a crash would (the fixture cleans up later)."""
    window.recovery.stop()


def test_unsaved_text_survives_a_crash_and_is_saved_after_restore(
        window, qtbot, settings, tmp_path: Path, kb_copy: Path, monkeypatch) -> None:
    tab = window.open_document(ARTICLE, edit=True)
    tab.editor.appendPlainText("A line typed just before the crash.")
    store = RecoveryStore(kb_copy, tmp_path / "state")
    qtbot.waitUntil(lambda: len(store.entries()) == 1, timeout=8_000)  # the timer, not a call
    assert "just before the crash" in store.entries()[0].text
    assert "just before the crash" not in (kb_copy / ARTICLE).read_text("utf-8")
    _crash(window)

    second = _second_window(qtbot, settings, tmp_path, kb_copy, monkeypatch, restore=True)
    qtbot.waitUntil(lambda: second.tab_for(ARTICLE) is not None, timeout=5_000)
    restored = second.tab_for(ARTICLE)
    assert restored.dirty and "just before the crash" in restored.text
    assert restored.edit_side.isVisible()
    assert restored.save()
    assert "just before the crash" in (kb_copy / ARTICLE).read_text("utf-8")
    assert store.entries() == []
    second.close()


def test_restored_text_does_not_overwrite_a_change_made_meanwhile(
        window, qtbot, settings, tmp_path: Path, kb_copy: Path, monkeypatch, no_modal_dialogs) -> None:
    tab = window.open_document(ARTICLE, edit=True)
    tab.editor.appendPlainText("My unsaved paragraph.")
    assert window.recovery.write_now() == 1
    _crash(window)
    path = kb_copy / ARTICLE
    path.write_text(path.read_text("utf-8") + "\nA colleague's change.\n", "utf-8")

    second = _second_window(qtbot, settings, tmp_path, kb_copy, monkeypatch, restore=True)
    qtbot.waitUntil(lambda: second.tab_for(ARTICLE) is not None, timeout=5_000)
    restored = second.tab_for(ARTICLE)
    assert not restored.save()
    assert "changed by another program" in second.changes.question.text()
    assert "A colleague's change." in path.read_text("utf-8")
    second.close()


def test_declining_the_offer_forgets_the_text(
        window, qtbot, settings, tmp_path: Path, kb_copy: Path, monkeypatch) -> None:
    tab = window.open_document(ARTICLE, edit=True)
    tab.editor.appendPlainText("Throwaway.")
    window.recovery.write_now()
    _crash(window)
    second = _second_window(qtbot, settings, tmp_path, kb_copy, monkeypatch, restore=False)
    qtbot.wait(200)
    assert second.tab_for(ARTICLE) is None
    assert RecoveryStore(kb_copy, tmp_path / "state").entries() == []
    second.close()


def test_a_saved_or_closed_tab_leaves_no_recovery_copy(window, qtbot, tmp_path: Path, kb_copy: Path) -> None:
    store = RecoveryStore(kb_copy, tmp_path / "state")
    tab = window.open_document(ARTICLE, edit=True)
    tab.editor.appendPlainText("Saved soon.")
    window.recovery.write_now()
    assert len(store.entries()) == 1
    assert tab.save()
    assert store.entries() == []
    tab.editor.appendPlainText("Then dropped.")
    window.recovery.write_now()
    window.close_tab(window.tabs.indexOf(tab))   # the fixture answers "Discard"
    assert store.entries() == []


def test_a_deleted_document_comes_back_and_nothing_is_written_outside_the_kb(
        window, qtbot, tmp_path: Path, kb_copy: Path) -> None:
    store = RecoveryStore(kb_copy, tmp_path / "state")
    store.save("articles/gone/moved-away.md", "---\ntitle: Moved\n---\n# Moved\n\nMy text.\n", None)
    store.save("../escaped.md", "hostile", None)
    window.recovery.restore(store.entries())
    assert (kb_copy / "articles/gone/moved-away.md").read_text("utf-8").endswith("My text.\n")
    assert window.tab_for("articles/gone/moved-away.md") is not None
    assert not (kb_copy.parent / "escaped.md").exists()
