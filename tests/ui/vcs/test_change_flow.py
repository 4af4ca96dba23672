"""One change record refreshes the window: a save, a pull of a teammate's change and an edit made by
another program each reach the library, the search results, Health and the status bar through the
hub's one signal, on a real clone of a bare remote.

Each step gives one document a broken link, so Health's count says whether it took the step in.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbstudio.changes import KBChange
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.disk_watch import SETTLE_MS
from kbstudio.ui.main_window import MainWindow
from tests.ui.vcs.conftest import Side, library_titles
from tests.vcs.conftest import document

pytestmark = pytest.mark.timeout(120)
BROKEN = "See [the guide](missing-guide.md) first.\n"
BEFORE = "5 errors, 0 warnings in 1 document"   # the seed's SOP lacks its sections
AFTER = "6 errors, 0 warnings in 2 documents"   # ... and one document has a broken link


@pytest.fixture()
def window(qtbot, settings, alice: Side, tmp_path: Path):  # noqa: ANN001, ANN201
    win = MainWindow(settings, index_dir=str(tmp_path / "win-indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    win.show()
    records: list[KBChange] = []
    win.hub.kbChanged.connect(records.append)
    win.records = records
    win.open_kb(KnowledgeBase(alice.root))
    qtbot.waitUntil(lambda: win.index_label.text().startswith("index ready"), timeout=30_000)
    qtbot.waitUntil(lambda: "main" in win.git.label.text(), timeout=20_000)
    qtbot.waitUntil(lambda: win.health.summary.text() == BEFORE, timeout=20_000)
    qtbot.waitUntil(lambda: win.disk.stamps is not None, timeout=10_000)
    yield win
    for tab in win.open_tabs():
        tab._saved_text = tab.text
    win.close()


def search_titles(window: MainWindow, qtbot, query: str) -> list[str]:  # noqa: ANN001
    """Type ``query`` and return the titles of the hits shown once they come."""
    window.search.query.setText(query)
    qtbot.waitUntil(lambda: window.search.results.count() > 0, timeout=10_000)
    return [window.search.results.item(i).data(Qt.ItemDataRole.DisplayRole)
            for i in range(window.search.results.count())]


def test_a_save_reaches_library_search_health_and_status_bar(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    tab = window.open_document("articles/doc-2.md", edit=True)
    retitled = tab.text.replace("title: Clear a printer queue", "title: Clear a zebracorn printer queue")
    tab.replace_text(retitled + BROKEN)
    window.records.clear()
    window.menus.save.trigger()
    assert window.records[0] == KBChange(changed={"articles/doc-2.md"})
    assert "Clear a zebracorn printer queue" in library_titles(window)
    assert window.statusBar().currentMessage() == "Saved articles/doc-2.md"
    assert window.count_label.text() == "8 documents"
    qtbot.waitUntil(lambda: window.health.summary.text() == AFTER, timeout=10_000)
    assert search_titles(window, qtbot, "zebracorn") == ["Clear a zebracorn printer queue"]
    assert any(change.index for change in window.records)   # the index told the search to run again
    qtbot.waitUntil(lambda: "1 uncommitted" in window.git.label.text(), timeout=10_000)


def test_a_pulled_teammates_change_reaches_them_all(window: MainWindow, qtbot, bob: Side) -> None:  # noqa: ANN001
    bob.write("articles/quokka.md",
              document("KB-0300", "Reset the quokka badge reader", body=f"# Quokka\n\n{BROKEN}"))
    bob.edit("articles/doc-3.md", "title: Reset a password", "title: Reset a forgotten password")
    bob.commit("Bob adds the quokka article and renames another")
    assert bob.sync().pushed
    window.records.clear()
    window.git.actions["pull"].trigger()
    qtbot.waitUntil(lambda: any(change.head for change in window.records), timeout=30_000)
    pulled = next(change for change in window.records if change.head)
    assert (pulled.added, pulled.changed) == ({"articles/quokka.md"}, {"articles/doc-3.md"})
    titles = library_titles(window)
    assert "Reset the quokka badge reader" in titles and "Reset a forgotten password" in titles
    assert window.count_label.text() == "9 documents"
    assert window.statusBar().currentMessage() == "Pulled; 2 files changed."
    qtbot.waitUntil(lambda: window.health.summary.text() == AFTER, timeout=10_000)
    assert search_titles(window, qtbot, "quokka") == ["Reset the quokka badge reader"]
    qtbot.waitUntil(lambda: window.git.label.text() == "main \u00b7 up to date", timeout=10_000)


def test_an_edit_made_by_another_program_reaches_them_all(window: MainWindow, qtbot, alice: Side) -> None:  # noqa: ANN001
    path = alice.root / "articles/doc-4.md"
    text = path.read_text("utf-8").replace("title: Fix Outlook prompts", "title: Fix Outlook wombat prompts")
    time.sleep(0.05)   # a later time stamp, as a person's edit would have
    replacement = path.with_name(".doc-4.md.swp")
    replacement.write_text(text + BROKEN, "utf-8")
    os.replace(replacement, path)   # how editors save: a new file put in place of the old
    window.records.clear()
    qtbot.waitUntil(lambda: "Fix Outlook wombat prompts" in library_titles(window), timeout=10_000)
    assert window.records[0] == KBChange(changed={"articles/doc-4.md"})
    assert window.statusBar().currentMessage() == "Changed outside KB Studio: articles/doc-4.md"
    qtbot.waitUntil(lambda: window.health.summary.text() == AFTER, timeout=10_000)
    assert search_titles(window, qtbot, "wombat") == ["Fix Outlook wombat prompts"]


def test_an_edit_in_place_is_found_when_the_app_is_active_again(window: MainWindow, qtbot,  # noqa: ANN001
                                                                alice: Side) -> None:
    path = alice.root / "articles/doc-5.md"
    time.sleep(0.05)
    path.write_text(path.read_text("utf-8").replace("title: Join the Wi-Fi", "title: Join the guest Wi-Fi"),
                    "utf-8")   # written in place: a folder watch does not see it
    window.disk.scan()         # what coming back to the app does (applicationStateChanged: active)
    qtbot.waitUntil(lambda: "Join the guest Wi-Fi" in library_titles(window), timeout=10_000)


def test_rename_and_delete_in_the_app(window: MainWindow, qtbot, alice: Side) -> None:  # noqa: ANN001
    tab = window.open_document("articles/doc-6.md", edit=True)
    window.records.clear()
    assert window.documents_actions.rename_current("articles/drives/map-a-shared-drive")
    new = "articles/drives/map-a-shared-drive.md"
    assert window.records[0] == KBChange(renamed={("articles/doc-6.md", new)})
    assert tab.rel_path == new and window.current_tab() is tab
    assert "drives  (1)" in library_titles(window)
    assert "articles/doc-6.md" not in window.documents
    tab.replace_text(tab.text + "\nMap it again after a reboot.\n")
    assert tab.save() and "reboot" in (alice.root / new).read_text("utf-8")
    assert window.documents_actions.delete_current(confirmed=True)
    assert not (alice.root / new).exists() and window.tabs.count() == 0
    assert window.count_label.text() == "7 documents"
    assert "Map a shared drive" not in library_titles(window)
    assert window.statusBar().currentMessage() == f"Deleted {new}"
    assert KnowledgeBase(alice.root).retired_ids() == {"KB-0006"}
    qtbot.waitUntil(lambda: "2 uncommitted" in window.git.label.text(), timeout=10_000)   # gone, retired ids


def test_the_dashboard_follows_a_review_step(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    page = window.review.show_dashboard()
    qtbot.waitUntil(lambda: "0 documents wait for review" in page.queue_label.text(), timeout=10_000)
    window.open_document("articles/doc-7.md", edit=True)
    window.records.clear()
    assert window.review.submit_current(reviewers="Rita Reviewer <rita@example.com>")
    qtbot.waitUntil(lambda: any(change.review for change in window.records), timeout=15_000)
    assert window.records[0] == KBChange(changed={"articles/doc-7.md"}, head=True, review=True)
    qtbot.waitUntil(lambda: "1 documents wait for review" in page.queue_label.text(), timeout=10_000)
    assert window.documents["articles/doc-7.md"].status == "review"
    qtbot.wait(2 * SETTLE_MS)   # the file and folder watches saw git write: never taken for another program
    assert [change for change in window.records if change.documents] == [window.records[0]]
    assert "outside" not in window.statusBar().currentMessage()


def test_a_flag_recorded_outside_the_app_reruns_health(window: MainWindow, qtbot, alice: Side) -> None:  # noqa: ANN001
    from kbstudio.cli import main

    assert main(["flag", str(alice.root), "articles/doc-4.md", "--reason", "wrong", "--tier", "L1"]) == 0
    window.records.clear()
    window.disk.scan()         # a new flag log: the folder watch, or coming back to the app
    qtbot.waitUntil(lambda: window.health.summary.text() == "5 errors, 1 warning in 2 documents",
                    timeout=10_000)
    assert any(record.health and any(path.startswith(".kbstudio/flags/") for path in record.files)
               for record in window.records)
    time.sleep(0.05)
    assert main(["flag", str(alice.root), "articles/doc-5.md", "--reason", "unclear", "--tier", "L1"]) == 0
    window.disk.scan()         # the same log appended to in place: found when the app is active again
    qtbot.waitUntil(lambda: window.health.summary.text() == "5 errors, 2 warnings in 3 documents",
                    timeout=10_000)
