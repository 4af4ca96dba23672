"""Git wired into the main window: branch in the status bar, sync refreshing everything, auto-commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from tests.ui.vcs.conftest import Side, library_titles

pytestmark = pytest.mark.timeout(120)


@pytest.fixture()
def git_window(qtbot, settings, alice: Side, tmp_path: Path):
    win = MainWindow(settings, index_dir=str(tmp_path / "win-indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    win.show()
    win.open_kb(KnowledgeBase(alice.root))
    qtbot.waitUntil(lambda: win.index_label.text().startswith("index ready"), timeout=30_000)
    qtbot.waitUntil(lambda: "main" in win.git.label.text(), timeout=20_000)
    yield win
    for tab in win.open_tabs():
        tab._saved_text = tab.text
    win.close()


def test_sync_brings_a_teammates_change_into_library_search_and_open_tab(
        git_window, qtbot, alice: Side, bob: Side) -> None:
    assert git_window.git.label.text() == "main \u00b7 up to date"
    tab = git_window.open_document("articles/doc-1.md")
    bob.edit("articles/doc-1.md", "title: Connect to the VPN", "title: Connect to the GlobalProtect VPN")
    bob.edit("articles/doc-1.md", "The caller cannot", "Zanzibar callers cannot")
    bob.commit("Bob renames the VPN article")
    assert bob.sync().pushed
    git_window.git.actions["sync"].trigger()
    qtbot.waitUntil(lambda: "GlobalProtect" in tab.document.title, timeout=30_000)
    assert "Zanzibar" in tab.text
    qtbot.waitUntil(lambda: any("GlobalProtect" in title for title in library_titles(git_window)),
                    timeout=10_000)
    git_window.search.query.setText("zanzibar")
    qtbot.waitUntil(lambda: git_window.search.results.count() == 1, timeout=10_000)


def test_auto_commit_after_save_and_history(git_window, qtbot, alice: Side) -> None:
    git_window.menus.auto_commit.setChecked(True)
    tab = git_window.open_document("articles/doc-2.md", edit=True)
    tab.editor.appendPlainText("Also check the spooler service.")
    assert tab.save()
    qtbot.waitUntil(lambda: "Update articles/doc-2.md" in alice.git("log", "-1", "--format=%s"),
                    timeout=15_000)
    qtbot.waitUntil(lambda: "\u2191" in git_window.git.label.text(),
                    timeout=10_000)
    dialog = git_window.git.show_history("articles/doc-2.md")
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 2, timeout=10_000)
    dialog.close()
