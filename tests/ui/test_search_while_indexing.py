"""Search while the index cannot answer: the first build, a cancelled build, building it again.

The scan of the documents answers meanwhile, marked as such, and the index takes over when ready;
a cancelled build is started again from View > Rebuild search index or a click on its label.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbstudio.index import scan as scan_module
from kbstudio.index.indexer import IndexCancelled, never
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.search_panel import PATH_ROLE
from kbstudio.ui.settings import AppSettings

pytestmark = pytest.mark.timeout(120)

QUERY = "outlook keeps asking for my password"
EXPECTED_PATH = "articles/email/outlook-keeps-asking-for-password.md"
WHILE_BUILT = "Searching the documents while the index is built"
CANCELLED_LABEL = "indexing cancelled (searching the documents) · click to build the index"


@pytest.fixture()
def held_build(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Index builds and syncs wait until the returned event is set (Cancel still stops them)."""
    gate = threading.Event()
    original = SearchService.ensure

    def ensure(self, progress=None, cancelled=never, rebuild=False, verify=False):  # noqa: ANN001, ANN202
        while not gate.wait(0.02):
            if cancelled():
                raise IndexCancelled("indexing cancelled")
        return original(self, progress, cancelled, rebuild=rebuild, verify=verify)

    monkeypatch.setattr(SearchService, "ensure", ensure)
    return gate


@pytest.fixture()
def new_window(qtbot, settings: AppSettings, kb_copy: Path, tmp_path: Path) -> Iterator[MainWindow]:
    """The main window opening the demo KB with no index yet (its first build starts)."""
    win = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    win.show()
    win.open_kb(KnowledgeBase(kb_copy))
    yield win
    win.close()
    win.index.kb_work.wait()
    win.render_work.wait()


class Summaries:
    """Every text the search panel's count line showed."""

    def __init__(self, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        label = window.search.summary
        original = label.setText

        def record(text: str) -> None:
            self.texts.append(text)
            original(text)

        monkeypatch.setattr(label, "setText", record)


def shown_paths(window: MainWindow) -> list[str]:
    results = window.search.results
    return [results.item(i).data(PATH_ROLE) for i in range(results.count())]


def test_the_first_build_searches_the_documents_then_the_index(
        new_window: MainWindow, qtbot, held_build: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    window = new_window
    summaries = Summaries(window, monkeypatch)
    qtbot.waitUntil(lambda: window.index_label.text().startswith("building the index"), timeout=10_000)
    assert window.index.progress.isVisible() and window.index.cancel_button.isVisible()
    window.search.query.setText(QUERY)
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=30_000)
    assert WHILE_BUILT in window.search.summary.text()
    assert not any(text.startswith("0 matches") or "being built" in text for text in summaries.texts)
    held_build.set()
    qtbot.waitUntil(lambda: window.index_label.text() == "index ready (built)", timeout=60_000)
    # the query on screen is run again, by the index this time
    qtbot.waitUntil(lambda: "Searching the documents" not in window.search.summary.text(), timeout=10_000)
    assert shown_paths(window)[:1] == [EXPECTED_PATH]
    assert window.index.service.is_open and window.index.service.scanning is None
    assert window.search.summary.text().split(" (")[0].endswith("matches")


def test_searches_answer_from_the_documents_read_so_far_while_the_scan_reads(
        new_window: MainWindow, qtbot, held_build: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    read: list[Path] = []
    original = scan_module.document_fields

    def slow(root: Path, path: Path):   # noqa: ANN202
        if len(read) == 30:
            gate.wait(30)
        read.append(path)
        return original(root, path)

    monkeypatch.setattr(scan_module, "document_fields", slow)
    window = new_window
    window.search.query.setText("password")
    # answers come from the documents read so far, rerun as the reading goes on (here it stops at 30)
    qtbot.waitUntil(lambda: bool(re.search(r"<br>\d+ match(es)? so far \(", window.search.summary.text())),
                    timeout=30_000)
    assert "Searching the documents read so far while the index is built" in window.search.summary.text()
    partial = len(shown_paths(window))
    gate.set()
    # rerun once every document was read
    qtbot.waitUntil(lambda: len(shown_paths(window)) > partial, timeout=30_000)
    assert window.search.summary.text().startswith(f"<i>{WHILE_BUILT}</i>")
    assert "so far" not in window.search.summary.text()
    held_build.set()
    qtbot.waitUntil(lambda: window.index_label.text() == "index ready (built)", timeout=60_000)


def test_after_cancel_the_index_is_built_again_from_the_menu_and_from_its_label(
        new_window: MainWindow, qtbot, held_build: threading.Event) -> None:
    window = new_window
    index = window.index
    qtbot.waitUntil(lambda: index.cancel_button.isVisible(), timeout=10_000)
    assert not index.rebuild_action.isEnabled()   # one build at a time
    qtbot.mouseClick(index.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.index_label.text().startswith("indexing cancelled ("), timeout=10_000)
    assert window.index_label.text() == CANCELLED_LABEL
    assert not index.progress.isVisible() and not index.cancel_button.isVisible()
    assert index.label.actionable and index.label.cursor().shape() == Qt.CursorShape.PointingHandCursor
    window.search.query.setText(QUERY)
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=30_000)
    assert "Searching the documents: indexing was cancelled" \
        in window.search.summary.text()

    # View > Rebuild search index: progress and Cancel again, then cancel that one too
    menu_actions = [a for m in window.menuBar().actions() if m.menu() for a in m.menu().actions()]
    assert index.rebuild_action in menu_actions and index.rebuild_action.isEnabled()
    index.rebuild_action.trigger()
    assert window.index_label.text().startswith("building the index")
    assert window.search.summary.text().startswith(f"<i>{WHILE_BUILT}</i>")   # the note, at once
    assert index.progress.isVisibleTo(window) and index.cancel_button.isVisibleTo(window)
    assert not index.label.actionable and not index.rebuild_action.isEnabled()
    index.cancel()
    qtbot.waitUntil(lambda: index.label.actionable, timeout=10_000)

    # a click on the label builds it; this time it completes
    held_build.set()
    qtbot.mouseClick(index.label, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.index_label.text() == "index ready (built)", timeout=60_000)
    assert not index.label.actionable and index.rebuild_action.isEnabled()
    qtbot.waitUntil(lambda: "Searching the documents" not in window.search.summary.text(), timeout=10_000)
    assert shown_paths(window)[:1] == [EXPECTED_PATH]

    # with the index open, the menu rebuilds it anew while it goes on answering
    index.rebuild_action.trigger()
    assert window.index_label.text() == "rebuilding the index..."
    qtbot.waitUntil(lambda: window.index_label.text() == "index ready (rebuilt)", timeout=60_000)


def test_a_slow_search_shows_searching_and_greys_the_old_results(
        window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    window.search.query.setText("vpn")
    qtbot.waitUntil(lambda: window.search.results.count() > 0, timeout=10_000)
    service = window.index.service
    original = service.search

    def slow(text, options=None):   # noqa: ANN001, ANN202
        time.sleep(0.8)
        return original(text, options)

    monkeypatch.setattr(service, "search", slow)
    window.search.query.setText(QUERY)
    qtbot.waitUntil(lambda: window.search.busy, timeout=5_000)
    assert window.search.summary.text() == "<i>Searching...</i>"
    assert not window.search.results.isEnabled() and window.search.results.count() > 0
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=10_000)
    assert not window.search.busy and window.search.results.isEnabled()


def test_one_match_is_singular(window: MainWindow, qtbot) -> None:
    window.search.query.setText("KB-0019")
    qtbot.waitUntil(lambda: window.search.results.count() > 0, timeout=10_000)
    text = window.search.summary.text()
    count = int(text.split()[0])
    assert text.startswith(f"{count} match (" if count == 1 else f"{count} matches (")
    window.search.query.setText('"Outlook keeps asking for a password"')
    qtbot.waitUntil(lambda: window.search.summary.text().startswith("1 match ("), timeout=10_000)


def test_a_search_typed_while_the_index_opens_runs_when_it_can(
        qtbot, settings: AppSettings, kb_copy: Path, tmp_path: Path, held_build: threading.Event,
        monkeypatch: pytest.MonkeyPatch) -> None:
    opening = threading.Event()
    original = SearchService.open_existing
    monkeypatch.setattr(SearchService, "open_existing", lambda self: opening.wait(30) and original(self))
    window = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(window)
    window.show()
    summaries = Summaries(window, monkeypatch)
    window.open_kb(KnowledgeBase(kb_copy))
    window.search.query.setText(QUERY)
    qtbot.waitUntil(lambda: window.search.summary.text() == "Opening the search index...", timeout=10_000)
    opening.set()   # no index yet: its first build starts, and the scan answers the query meanwhile
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=30_000)
    assert WHILE_BUILT in window.search.summary.text()
    assert not [text for text in summaries.texts if text.startswith("0 matches")]
    window.close()
    window.index.kb_work.wait()
    window.render_work.wait()


def test_an_index_that_cannot_be_opened_is_scanned_and_built_from_its_label(
        qtbot, settings: AppSettings, kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = SearchService.open_existing

    def broken(self):   # noqa: ANN001, ANN202
        raise PermissionError(13, "Permission denied", str(tmp_path / "indexes"))

    monkeypatch.setattr(SearchService, "open_existing", broken)
    window = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(window)
    window.show()
    window.open_kb(KnowledgeBase(kb_copy))
    qtbot.waitUntil(lambda: window.index_label.text().startswith("index unavailable"), timeout=10_000)
    assert window.index_label.text() == CANCELLED_LABEL.replace("indexing cancelled", "index unavailable")
    assert "Permission denied" in window.index_label.toolTip() and window.index.rebuild_action.isEnabled()
    window.search.query.setText(QUERY)
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=30_000)
    assert "Searching the documents: the index is unavailable" in window.search.summary.text()
    monkeypatch.setattr(SearchService, "open_existing", original)
    qtbot.mouseClick(window.index.label, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.index_label.text() == "index ready (built)", timeout=60_000)
    qtbot.waitUntil(lambda: "Searching the documents" not in window.search.summary.text(), timeout=10_000)
    assert shown_paths(window)[:1] == [EXPECTED_PATH]
    window.close()
    window.index.kb_work.wait()
    window.render_work.wait()
