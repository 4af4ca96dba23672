"""First run: the demo is copied to the user's documents and opened there. Restart: the tabs come back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kbstudio.demo import DEMO_FOLDER, is_bundled_demo
from kbstudio.index.synonyms import SYNONYMS_PATH
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.app import BUNDLED_CONTENT, choose_kb_path
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.session import session_file
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.text_file_tab import TextFileTab
from tests.conftest import CONTENT
from tests.test_demo import tree_digest

pytestmark = pytest.mark.timeout(180)
VPN = "articles/network/vpn-drops-every-few-minutes.md"
OUTLOOK = "articles/email/outlook-keeps-asking-for-password.md"
VPN_SOP = "sops/escalate-vpn-and-remote-access-problems.md"


@pytest.fixture()
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Documents"
    monkeypatch.setenv("KBSTUDIO_DOCUMENTS_DIR", str(folder))
    return folder


class Runs:
    """Starts the app's window again and again over the same settings and state, as restarts would."""

    def __init__(self, qtbot, settings: AppSettings, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.settings = settings
        self.tmp_path = tmp_path
        self.windows: list[MainWindow] = []
        self.messages: list[str] = []   # what the status bar said, from the start of the last run

    def start(self, path: Path | None) -> MainWindow:
        """What run_app does: a window, then the KB choose_kb_path gives (None: the start page only)."""
        win = MainWindow(self.settings, index_dir=str(self.tmp_path / "indexes"),
                         state_dir=str(self.tmp_path / "state"))
        self.qtbot.addWidget(win)
        self.windows.append(win)
        self.messages = []
        win.statusBar().messageChanged.connect(self.messages.append)
        win.show()
        if path is not None:
            win.open_kb(KnowledgeBase(path))
            self.qtbot.waitUntil(lambda: win.count_label.text().endswith(" documents"), timeout=60_000)
            self.qtbot.waitUntil(lambda: win.index_label.text().startswith("index ready"), timeout=60_000)
        return win

    def stop(self, win: MainWindow) -> None:
        win.close()
        win.index.kb_work.wait()
        win.render_work.wait()


@pytest.fixture()
def runs(qtbot, settings: AppSettings, tmp_path: Path, documents: Path):
    keeper = Runs(qtbot, settings, tmp_path)
    yield keeper
    for win in keeper.windows:
        if win.isVisible():
            keeper.stop(win)


def test_first_run_copies_the_demo_and_opens_the_copy_leaving_the_checkout_untouched(
        runs: Runs, settings: AppSettings, documents: Path, qtbot) -> None:
    shipped = tree_digest(CONTENT)
    path = choose_kb_path(None, settings)              # nothing remembered yet: the bundled demo
    assert path == BUNDLED_CONTENT and is_bundled_demo(path)
    win = runs.start(path)
    copy = documents / DEMO_FOLDER
    assert win.kb.root == copy and win.windowTitle() == f"KB Studio - {DEMO_FOLDER}"
    assert win.count_label.text() == "61 documents"
    assert settings.get("demo_copy") == str(copy) and settings.get("last_kb") == str(copy)
    assert settings.get("recent") == [str(copy)]
    assert win.start_page.isVisible() and str(copy) in win.start_page.note.text()
    assert subprocess.run(["git", "log", "--oneline"], cwd=copy, capture_output=True,
                          text=True).stdout.count("\n") == 1
    # edited and saved in the copy only
    tab = win.open_document(VPN, edit=True)
    tab.set_field("owner", "Desk North")
    assert tab.save()
    assert "owner: Desk North" in (copy / VPN).read_text("utf-8")
    assert tree_digest(CONTENT) == shipped
    assert "Desk North" not in (CONTENT / VPN).read_text("utf-8")
    runs.stop(win)

    # the next start opens the copy (the last KB), the demo itself even when asked for by name
    assert choose_kb_path(None, settings) == copy
    again = runs.start(CONTENT)
    assert again.kb.root == copy and sorted(p.name for p in documents.iterdir()) == [DEMO_FOLDER]
    assert not again.start_page.note.isVisible()          # nothing copied this time
    assert tree_digest(CONTENT) == shipped


def test_a_folder_already_named_like_the_demo_copy_is_never_overwritten(
        runs: Runs, documents: Path) -> None:
    theirs = documents / DEMO_FOLDER
    (theirs / "notes").mkdir(parents=True)
    (theirs / "notes" / "mine.md").write_text("# Mine\n", "utf-8")
    win = runs.start(BUNDLED_CONTENT)
    assert win.kb.root == documents / f"{DEMO_FOLDER} 2"
    assert [p.relative_to(theirs).as_posix() for p in sorted(theirs.rglob("*"))] == ["notes", "notes/mine.md"]


def test_a_deleted_demo_copy_is_made_again(runs: Runs, settings: AppSettings, documents: Path) -> None:
    settings.set("demo_copy", str(documents / "gone"))
    win = runs.start(BUNDLED_CONTENT)
    assert win.kb.root == documents / DEMO_FOLDER and settings.get("demo_copy") == str(win.kb.root)


def test_open_tabs_and_the_one_in_front_come_back_after_a_restart(
        runs: Runs, kb_copy: Path, tmp_path: Path) -> None:
    win = runs.start(kb_copy)
    win.open_document(VPN, edit=False)
    win.open_document(VPN_SOP, edit=True)
    win.documents_actions.edit_synonyms()
    win.open_document(OUTLOOK, edit=False)
    win.create_document("article", "Not written yet", "L1", "articles/email")   # new: not remembered
    win.sops.show_map()                                                 # a page: not remembered
    win.tabs.setCurrentWidget(win.tab_for(VPN_SOP))
    runs.stop(win)
    assert session_file(kb_copy, tmp_path / "state").is_file()
    assert not (kb_copy / ".kbstudio" / "session.json").exists()          # never inside the KB

    again = runs.start(kb_copy)
    tabs = [again.tabs.widget(i) for i in range(again.tabs.count())]
    assert [tab.rel_path for tab in tabs] == [VPN, VPN_SOP, SYNONYMS_PATH, OUTLOOK]
    assert [type(tab) for tab in tabs] == [DocumentTab, DocumentTab, TextFileTab, DocumentTab]
    assert [tab.editing for tab in tabs if isinstance(tab, DocumentTab)] == [False, True, False]
    assert again.tabs.currentWidget() is again.tab_for(VPN_SOP)
    assert again.pages.area.currentWidget() is again.tabs
    assert not any(tab.dirty for tab in tabs)


def test_missing_files_are_skipped_with_a_note(runs: Runs, kb_copy: Path) -> None:
    win = runs.start(kb_copy)
    for rel in (VPN, OUTLOOK, VPN_SOP):
        win.open_document(rel)
    win.tabs.setCurrentWidget(win.tab_for(OUTLOOK))
    runs.stop(win)
    (kb_copy / OUTLOOK).unlink()
    (kb_copy / VPN).rename(kb_copy / "articles/network/vpn-renamed.md")

    again = runs.start(kb_copy)
    assert [again.tabs.widget(i).rel_path for i in range(again.tabs.count())] == [VPN_SOP]
    assert f"Not reopened, no longer in the knowledge base: {VPN}, {OUTLOOK}" in runs.messages
    assert again.tabs.currentWidget() is again.tab_for(VPN_SOP)


def test_tabs_are_kept_per_kb(runs: Runs, kb_copy: Path, kb_root: Path) -> None:
    win = runs.start(kb_copy)
    win.open_document(VPN)
    win.open_kb(KnowledgeBase(kb_root))             # another KB: this one's tabs are remembered
    runs.qtbot.waitUntil(lambda: win.count_label.text() == "1 documents", timeout=30_000)
    assert win.tabs.count() == 0 and win.start_page.isVisible()
    win.open_document("articles/reset.md")
    win.open_kb(KnowledgeBase(kb_copy))
    assert [win.tabs.widget(i).rel_path for i in range(win.tabs.count())] == [VPN]
    win.open_kb(KnowledgeBase(kb_root))
    assert [win.tabs.widget(i).rel_path for i in range(win.tabs.count())] == ["articles/reset.md"]


def test_a_session_file_cannot_open_files_outside_the_kb(runs: Runs, kb_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n", "utf-8")
    path = session_file(kb_copy, tmp_path / "state")
    path.parent.mkdir(parents=True)
    entries = [{"path": "../secret.md"}, {"path": str(outside)}, {"path": 3}, "x"]
    path.write_text(json.dumps({"tabs": entries, "active": 7}), "utf-8")
    win = runs.start(kb_copy)
    assert win.tabs.count() == 0
    assert f"Not reopened, no longer in the knowledge base: ../secret.md, {outside}" in runs.messages
    path.write_text("{not json", "utf-8")
    win.open_kb(KnowledgeBase(kb_copy))
    assert win.tabs.count() == 0
