"""The result list while the scan reads the documents (a first build): it is not reordered under
the user, reruns come only when notably more was read, Cancel stops the reading, and the reason the
index cannot be written is shown whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kbstudio.index import scan as scan_module
from kbstudio.kb import KnowledgeBase
from kbstudio.ui import index_controller
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.search_panel import MAX_QUERY_CHARS, PATH_ROLE, SHOW_NEWER
from kbstudio.ui.settings import AppSettings
from tests.ui.test_search_while_indexing import held_build, new_window, shown_paths

__all__ = ["held_build", "new_window"]   # fixtures used by name below
pytestmark = pytest.mark.timeout(120)


class Reading:
    """Lets the scan's reader read only as many documents as allowed so far, and counts them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
        self.allowed = allowed
        self.read: list[Path] = []
        self._changed = threading.Condition()
        original = scan_module.document_fields

        def gated(root: Path, path: Path):   # noqa: ANN202
            with self._changed:
                self._changed.wait_for(lambda: len(self.read) < self.allowed, timeout=60)
                self.read.append(path)
            return original(root, path)

        monkeypatch.setattr(scan_module, "document_fields", gated)

    def allow(self, count: int) -> None:
        with self._changed:
            self.allowed = count
            self._changed.notify_all()


def searches_run(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every search the window runs (its queries)."""
    runs: list[str] = []
    original = window.index.search

    def search(text, options, on_result, on_error):   # noqa: ANN001, ANN202
        runs.append(text)
        return original(text, options, on_result, on_error)

    monkeypatch.setattr(window.index, "search", search)
    return runs


@pytest.fixture()
def reading_window(new_window: MainWindow, held_build: threading.Event, qtbot,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MainWindow, Reading]]:
    """The window during a first build that waits, its scan allowed to read 30 documents."""
    reading = Reading(monkeypatch, 30)
    qtbot.waitUntil(lambda: new_window.index_label.text().startswith("building the index"), timeout=10_000)
    monkeypatch.setattr(index_controller, "SCAN_RERUN_MS", 200)   # the policy, not the wait, is
    new_window.index._rerun.setInterval(100)                         # under test
    qtbot.waitUntil(lambda: new_window.library.model.rowCount() > 0, timeout=10_000)
    yield new_window, reading
    reading.allow(10_000)
    held_build.set()


def test_a_rerun_does_not_reorder_the_list_once_the_user_moved_in_it(
        reading_window: tuple[MainWindow, Reading], qtbot) -> None:
    window, reading = reading_window
    panel = window.search
    panel.query.setText("password")
    qtbot.waitUntil(lambda: "so far" in panel.summary.text() and panel.results.count() >= 3, timeout=30_000)
    QTest.keyClick(panel.query, Qt.Key.Key_Down)
    QTest.keyClick(panel.query, Qt.Key.Key_Down)
    chosen = panel.results.currentItem().data(PATH_ROLE)
    before = shown_paths(window)
    assert panel.results.currentRow() == 2 and panel.moved_in_results()
    top = panel.results.visualItemRect(panel.results.currentItem()).top()

    reading.allow(10_000)   # every document is read: the search is run again
    qtbot.waitUntil(lambda: "Newer results are ready" in panel.summary.text()
                    and "read so far" not in panel.summary.text(), timeout=30_000)
    assert shown_paths(window) == before   # not reordered under the user
    assert panel.results.currentItem().data(PATH_ROLE) == chosen
    opened: list[str] = []
    panel.openRequested.connect(opened.append)
    QTest.keyClick(panel.query, Qt.Key.Key_Return)
    assert opened == [chosen]   # Enter opens what the user chose

    panel.summary.linkActivated.emit(SHOW_NEWER)   # "show them"
    assert shown_paths(window) != before and "Newer results" not in panel.summary.text()
    assert chosen in shown_paths(window)
    assert panel.results.currentItem().data(PATH_ROLE) == chosen   # still selected, by path
    assert stands_at(panel, panel.results.currentItem(), top)      # where it stood
    assert "so far" not in panel.summary.text()


def test_a_rerun_replaces_the_list_while_the_user_has_not_moved_and_keeps_the_scroll_after_f5(
        reading_window: tuple[MainWindow, Reading], qtbot) -> None:
    window, reading = reading_window
    panel = window.search
    window.resize(900, 420)   # a list taller than its view
    panel.query.setText("password")
    qtbot.waitUntil(lambda: "so far" in panel.summary.text() and panel.results.count() >= 3, timeout=30_000)
    first = shown_paths(window)
    reading.allow(45)
    qtbot.waitUntil(lambda: shown_paths(window) != first, timeout=30_000)   # replaced: nobody moved
    assert panel.results.currentRow() == 0 and not panel.moved_in_results()

    bar = panel.results.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5_000)
    bar.setValue(max(1, bar.maximum() // 2))   # scrolled: moved in the list
    scrolled, listed = bar.value(), shown_paths(window)
    assert scrolled > 0 and panel.moved_in_results()
    looked_at = panel.results.itemAt(panel.results.viewport().rect().topLeft())
    path, top = looked_at.data(PATH_ROLE), panel.results.visualItemRect(looked_at).top()
    reading.allow(10_000)
    qtbot.waitUntil(lambda: "Newer results are ready" in panel.summary.text()
                    and "read so far" not in panel.summary.text(), timeout=30_000)
    assert shown_paths(window) == listed and bar.value() == scrolled
    QTest.keyClick(panel.query, Qt.Key.Key_F5)
    assert shown_paths(window) != listed and path in shown_paths(window)
    # the row the user looked at (the first in view: the selected one is above it) stands where it stood
    assert stands_at(panel, panel.results.item(shown_paths(window).index(path)), top)


def stands_at(panel, item, top: int) -> bool:   # noqa: ANN001
    """Return True when ``item`` stands ``top`` pixels into the view, or as near as scrolling allows."""
    bar = panel.results.verticalScrollBar()
    now = panel.results.visualItemRect(item).top()
    return now == top or (now > top and bar.value() == 0) or (now < top and bar.value() == bar.maximum())


def test_reruns_come_only_when_the_documents_read_grew_notably(
        reading_window: tuple[MainWindow, Reading], qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    window, reading = reading_window
    runs = searches_run(window, monkeypatch)
    window.search.query.setText("vpn")   # a first search has the scan read (30 documents, here)
    qtbot.waitUntil(lambda: len(reading.read) == 30, timeout=30_000)
    with qtbot.waitSignal(window.search.responseShown, timeout=30_000):
        window.search.query.setText("password")   # run with the 30 read
    assert "so far" in window.search.summary.text()
    quiet(qtbot, runs)
    settled = len(runs)
    qtbot.wait(1_000)   # five ticks of the rerun timer: nothing more was read
    assert len(runs) == settled
    reading.allow(33)   # 10% more: not enough
    qtbot.waitUntil(lambda: len(reading.read) == 33, timeout=10_000)
    qtbot.wait(1_000)
    assert len(runs) == settled
    reading.allow(45)   # 50% more than when the search on screen ran
    qtbot.waitUntil(lambda: len(runs) > settled and len(reading.read) == 45, timeout=10_000)
    quiet(qtbot, runs)
    # one rerun, or two or three when a rerun ran while the reading went on (each a quarter more)
    assert 1 <= len(runs) - settled <= 3
    reruns = len(runs)
    qtbot.wait(1_000)
    assert len(runs) == reruns


def quiet(qtbot, runs: list[str], seconds: float = 2.0) -> None:   # noqa: ANN001
    """Wait until no search has run for ``seconds`` (at most 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        before = len(runs)
        qtbot.wait(int(seconds * 1000))
        if len(runs) == before:
            return
    raise AssertionError("searches kept running")


def test_cancel_stops_the_build_and_the_reading_within_a_second(
        reading_window: tuple[MainWindow, Reading], qtbot) -> None:
    window, reading = reading_window
    window.search.query.setText("password")
    qtbot.waitUntil(lambda: "so far" in window.search.summary.text(), timeout=30_000)
    reading.allow(10_000)
    qtbot.waitUntil(lambda: len(reading.read) > 35, timeout=10_000)
    clicked = time.monotonic()
    qtbot.mouseClick(window.index.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.index_label.text().startswith("indexing cancelled ("), timeout=5_000)
    qtbot.wait(max(0, int(1000 - (time.monotonic() - clicked) * 1000)))
    stopped = len(reading.read)
    qtbot.wait(1_500)
    assert len(reading.read) == stopped   # no document read after the first second
    read, total = window.index.service.scan_loaded
    assert read < total
    assert f"Searching the {read:,} of {total:,} documents read before indexing was cancelled" \
        in window.search.summary.text()
    with qtbot.waitSignal(window.search.responseShown, timeout=10_000):
        window.search.query.setText("vpn")   # a new search answers from what was read, reading nothing
    qtbot.wait(500)
    assert len(reading.read) == stopped


def test_the_reason_the_index_cannot_be_written_is_shown_whole(
        qtbot, settings: AppSettings, kb_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be\n", "utf-8")
    window = MainWindow(settings, index_dir=str(blocker / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(window)
    window.show()
    window.open_kb(KnowledgeBase(kb_copy))
    qtbot.waitUntil(lambda: window.index_label.text().startswith("index unavailable"), timeout=30_000)
    tooltip = window.index_label.toolTip()
    assert f"cannot write the search index in {blocker}" in tooltip and "Not a directory" in tooltip
    window.search.query.setText("password")
    qtbot.waitUntil(lambda: window.search.results.count() > 0, timeout=30_000)
    note = window.search.summary.text()
    assert "the index is unavailable (indexing: cannot write the search index in " \
           f"{blocker}" in note.replace("\u200b", "")
    assert "Not a directory" in note and "choose another folder" in note
    assert window.search.summary.wordWrap()
    window.close()
    window.index.kb_work.wait()
    window.render_work.wait()


def test_a_paste_longer_than_the_box_holds_is_not_cut_silently(window: MainWindow, qtbot) -> None:
    panel = window.search
    assert not panel.length_note.isVisible()
    long = "The caller pasted a whole log: error 0x80070005 in outlook.exe. " * 600   # 38,400 characters
    panel.query.setText(long)
    assert panel.query.text() == long   # past Qt's 32,767 characters, kept whole
    assert not panel.length_note.isVisible()
    qtbot.waitUntil(lambda: panel.results.count() > 0, timeout=30_000)
    panel.query.setText(long * 5)   # 192,000 characters: past the cap
    assert len(panel.query.text()) == MAX_QUERY_CHARS
    assert panel.length_note.isVisible()
    assert f"holds {MAX_QUERY_CHARS:,} characters" in panel.length_note.text()
    panel.query.setText("vpn")
    assert not panel.length_note.isVisible()


def test_an_empty_answer_is_rerun_at_once_and_a_list_only_every_few_seconds(
        new_window: MainWindow, held_build: threading.Event, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    window = new_window
    reading = Reading(monkeypatch, 0)   # nothing read yet: the first answer is empty
    qtbot.waitUntil(lambda: window.index_label.text().startswith("building the index"), timeout=10_000)
    monkeypatch.setattr(index_controller, "SCAN_RERUN_MS", 60_000)
    window.index._rerun.setInterval(100)
    runs = searches_run(window, monkeypatch)
    window.search.query.setText("password")
    qtbot.waitUntil(lambda: "No match in the documents read so far" in window.search.summary.text(),
                    timeout=30_000)
    reading.allow(30)
    qtbot.waitUntil(lambda: window.search.results.count() > 0, timeout=10_000)   # long before 60 s
    listed = len(runs)
    reading.allow(45)
    qtbot.waitUntil(lambda: len(reading.read) == 45, timeout=10_000)
    qtbot.wait(1_500)
    assert len(runs) == listed   # a list on screen waits SCAN_RERUN_MS, growth or not
    reading.allow(10_000)
    held_build.set()
