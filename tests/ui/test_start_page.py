"""The start page fills the document area whenever no document is open, and each of its actions works."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from kbstudio.demo import DEMO_FOLDER, FIRST_COMMIT
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.new_dialog import NewDocumentDialog
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.start_page import SHORTCUTS
from kbstudio.ui.vcs.clone_dialog import CloneDialog
from tests.conftest import ARTICLE, write

pytestmark = pytest.mark.timeout(120)
VPN = "articles/network/vpn-drops-every-few-minutes.md"
ARTICLE_IN_DEMO = "articles/email/outlook-keeps-asking-for-password.md"


@pytest.fixture()
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's documents folder, in the test's own folder."""
    folder = tmp_path / "Documents"
    monkeypatch.setenv("KBSTUDIO_DOCUMENTS_DIR", str(folder))
    return folder


@pytest.fixture()
def bare(qtbot, settings: AppSettings, tmp_path: Path, documents: Path):
    """The main window as it starts with no KB to open."""
    win = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    win.index.kb_work.wait()
    win.render_work.wait()


def wait_open(qtbot, window: MainWindow, root: Path) -> None:
    qtbot.waitUntil(lambda: window.kb is not None and window.kb.root == root, timeout=10_000)
    qtbot.waitUntil(lambda: window.count_label.text().endswith("documents"), timeout=60_000)
    qtbot.waitUntil(lambda: window.index_label.text().startswith("index ready"), timeout=60_000)


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_with_no_kb_the_start_page_fills_the_document_area(bare) -> None:
    page = bare.start_page
    assert bare.pages.area.currentWidget() is page and page.isVisible()
    assert page.kb_line.text().startswith("No knowledge base is open")
    assert page.open_button.isEnabled() and page.clone_button.isEnabled() and page.demo_button.isEnabled()
    assert not page.new_button.isEnabled()                      # no KB to put a document in
    assert page.no_recent.isVisible() and page.recent_buttons == {}
    assert page.no_recent.text() == "None yet: the knowledge bases you open are listed here."
    assert page.width() > bare.left.width()                      # the page, not an empty grey area


def test_it_gives_way_to_documents_and_comes_back_when_the_last_tab_closes(window, qtbot) -> None:
    page = window.start_page
    assert window.pages.area.currentWidget() is page
    assert "content</b> is open (61 documents)" in page.kb_line.text()
    assert page.new_button.isEnabled()
    # the open KB is left out of the list: what is said is true of the others
    assert page.no_recent.text() == "No other knowledge bases yet: the others you open are listed here."
    tab = window.open_document(VPN)
    assert window.pages.area.currentWidget() is window.tabs and not page.isVisible()
    second = window.open_document(ARTICLE_IN_DEMO)
    window.close_tab(window.tabs.indexOf(tab))
    assert window.pages.area.currentWidget() is window.tabs        # one tab still open
    window.close_tab(window.tabs.indexOf(second))
    assert window.tabs.count() == 0 and window.pages.area.currentWidget() is page and page.isVisible()
    assert window.sops.show_map() is not None                  # any page in a tab hides it
    assert window.pages.area.currentWidget() is window.tabs


def test_recent_kbs_are_listed_and_open_with_a_click(qtbot, settings: AppSettings, tmp_path: Path,
                                                      documents: Path) -> None:
    first = write(tmp_path / "desk-kb", "articles/reset.md", ARTICLE).parent.parent
    gone = tmp_path / "moved-away"
    settings.set("recent", [str(first), str(gone)])
    win = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    win.show()
    page = win.start_page
    assert list(page.recent_buttons) == [str(first), str(gone)] and not page.no_recent.isVisible()
    assert page.recent_buttons[str(first)].text() == "desk-kb"
    assert not page.recent_buttons[str(gone)].isEnabled()
    assert page.recent_buttons[str(gone)].description() == f"Not found: {gone}"
    click(qtbot, page.recent_buttons[str(first)])
    wait_open(qtbot, win, first)
    assert "desk-kb</b> is open (1 document)" in page.kb_line.text()
    assert str(first) not in page.recent_buttons                       # the open KB is not offered again
    win.close()
    win.index.kb_work.wait()


def test_open_a_folder_asks_for_one_and_opens_it(bare, qtbot, tmp_path: Path, monkeypatch) -> None:
    folder = write(tmp_path / "picked", "articles/reset.md", ARTICLE).parent.parent
    asked: list[str] = []

    def pick(parent, caption, *args, **kwargs):  # noqa: ANN001, ANN202
        asked.append(caption)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick))
    click(qtbot, bare.start_page.open_button)
    assert asked == ["Open knowledge base"]
    wait_open(qtbot, bare, folder)
    assert bare.settings.get("recent") == [str(folder)]


def test_clone_opens_the_clone_dialog(bare, qtbot) -> None:
    click(qtbot, bare.start_page.clone_button)
    dialog = bare.git.dialog
    assert isinstance(dialog, CloneDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Open from remote"
    dialog.reject()


def test_create_a_kb_from_the_demo_copies_it_to_the_documents_and_opens_the_copy(
        bare, qtbot, documents: Path) -> None:
    (documents / DEMO_FOLDER).mkdir(parents=True)          # somebody's folder of that name: left alone
    click(qtbot, bare.start_page.demo_button)
    copy = documents / f"{DEMO_FOLDER} 2"
    wait_open(qtbot, bare, copy)
    assert list((documents / DEMO_FOLDER).iterdir()) == []
    assert bare.count_label.text() == "61 documents"
    assert bare.start_page.note.isVisible() and str(copy) in bare.start_page.note.text()
    log = subprocess.run(["git", "log", "--format=%s"], cwd=copy, capture_output=True, text=True).stdout
    assert log.splitlines() == [FIRST_COMMIT]
    qtbot.waitUntil(lambda: bare.git.vcs is not None, timeout=10_000)   # history works at once
    assert bare.settings.get("demo_copy") == ""           # a KB made from the demo is not the demo copy


def test_new_document_asks_for_its_title_and_folder(window, qtbot, monkeypatch) -> None:
    asked: list[NewDocumentDialog] = []
    monkeypatch.setattr(NewDocumentDialog, "exec",
                        lambda self: asked.append(self) or NewDocumentDialog.DialogCode.Rejected)
    click(qtbot, window.start_page.new_button)
    assert len(asked) == 1 and window.tabs.count() == 0


def test_the_shortcuts_shown_are_the_windows_own(window) -> None:
    bound = {sequence for action in window.findChildren(QAction) for sequence in action.shortcuts()}
    for keys, _what in SHORTCUTS:
        assert QKeySequence(keys) in bound, keys
    shown = window.start_page.shortcut_grid
    assert shown.itemAtPosition(0, 0).widget().text() == "<b>Ctrl+K</b>"
    assert shown.itemAtPosition(0, 1).widget().text().startswith("Search")


def test_a_window_without_the_demo_does_not_offer_it(qtbot, settings: AppSettings, tmp_path: Path,
                                                      monkeypatch) -> None:
    monkeypatch.setattr("kbstudio.ui.main_window.bundled_demo", lambda: None)
    win = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    assert not win.start_page.demo_button.isEnabled()
    assert "no demo" in win.start_page.demo_button.toolTip()
    win.close()


def test_the_search_list_is_empty_until_you_type(window, qtbot) -> None:
    search = window.search
    assert search.summary.text() == "" and search.results.count() == 0
    qtbot.keyClicks(search.query, "vpn")
    qtbot.waitUntil(lambda: search.results.count() > 0, timeout=10_000)
    assert "matches" in search.summary.text()
    search.query.clear()
    qtbot.waitUntil(lambda: search.summary.text() == "", timeout=5_000)
    assert search.results.count() == 0 and not search.suggestion.isVisible()
    qtbot.keyClicks(search.query, "   ")
    qtbot.wait(400)
    assert search.summary.text() == "" and search.results.count() == 0
    window.apply_role("L2")                                     # a rerun with nothing typed
    window.index.resultsStale.emit()
    assert search.summary.text() == "" and search.results.count() == 0

