"""The app with a damaged index (issue #14): searches keep answering while it is rebuilt."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from kbstudio.index.scan import ScanSearcher
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.settings import AppSettings

pytestmark = pytest.mark.timeout(120)

QUERY = "outlook keeps asking for my password"
EXPECTED_PATH = "articles/email/outlook-keeps-asking-for-password.md"
REBUILT = "index ready (rebuilt, it was damaged)"


def index_file(folder: Path, suffix: str) -> Path:
    found = [p for p in folder.iterdir() if p.name.endswith(suffix)]
    assert len(found) == 1, found
    return found[0]


def overwrite_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    quarter = len(data) // 4
    data[quarter:len(data) - quarter] = b"\xaa" * (len(data) - 2 * quarter)
    path.write_bytes(bytes(data))


def shown_paths(window) -> list[str]:   # noqa: ANN001
    from kbstudio.ui.search_panel import PATH_ROLE

    return [window.search.results.item(i).data(PATH_ROLE) for i in range(window.search.results.count())]


def test_a_search_that_finds_the_index_damaged_answers_from_a_scan_and_rebuilds(
        window, qtbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    service = window.index.service
    folder = service.store.current_folder()
    postings = index_file(folder, ".pst")
    overwrite_middle(postings)   # same size: only reading the postings finds it
    scanned: list[str] = []
    original = ScanSearcher.search

    def recording(self, text, options=None):   # noqa: ANN001, ANN202
        response = original(self, text, options)
        scanned.append(response.results[0].path if response.results else "")
        return response

    monkeypatch.setattr(ScanSearcher, "search", recording)
    with caplog.at_level(logging.WARNING, logger="kbstudio.index"):
        window.search.query.setText(QUERY)
        qtbot.waitUntil(lambda: window.index_label.text() == REBUILT, timeout=60_000)
    # the scan answered while the index could not (first from the documents read so far: none)
    assert EXPECTED_PATH in scanned
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=10_000)
    assert service.is_open and service.damage is None
    assert service.store.current_folder() != folder
    assert postings.name in window.index_label.toolTip()
    damaged = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert damaged and "Block tag error" in str(damaged[0].exc_info[1])
    window.search.query.setText("mailbox almost full")   # the rebuilt index answers, no scan
    count = len(scanned)
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == ["articles/email/mailbox-almost-full.md"],
                    timeout=10_000)
    assert len(scanned) == count


@pytest.fixture()
def fresh_window(qtbot, settings: AppSettings, tmp_path: Path):
    """Make a main window over an index folder the test prepared beforehand."""
    windows: list[MainWindow] = []

    def make(kb_root: Path) -> MainWindow:
        win = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
        qtbot.addWidget(win)
        win.show()
        win.open_kb(KnowledgeBase(kb_root))
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.close()
        win.index.kb_work.wait()
        win.render_work.wait()


def test_an_index_damaged_before_the_app_opens_is_rebuilt(
        fresh_window, qtbot, kb_copy: Path, tmp_path: Path) -> None:
    service = SearchService(KnowledgeBase(kb_copy), tmp_path / "indexes")
    service.ensure()
    folder = service.store.current_folder()
    service.close()
    terms = index_file(folder, ".trm")
    terms.write_bytes(terms.read_bytes()[:-1])
    window = fresh_window(kb_copy)
    qtbot.waitUntil(lambda: window.index_label.text() == REBUILT, timeout=60_000)
    assert f"{terms.name} is " in window.index_label.toolTip()
    window.search.query.setText(QUERY)
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=10_000)


def test_a_file_name_that_is_not_utf8_is_reported_not_indexed(
        fresh_window, qtbot, kb_copy: Path) -> None:
    with open(os.fsencode(kb_copy) + b"/bad-\xff.md", "wb") as handle:
        handle.write(b"---\ntitle: Zebrafish notes\ntier: L1\n---\nZebrafish.\n")
    window = fresh_window(kb_copy)
    qtbot.waitUntil(lambda: window.index_label.text().startswith("index ready"), timeout=60_000)
    assert window.index_label.text() == "index ready (built; 1 not indexed)"   # a first build
    assert "bad-\\xff.md: file name is not valid UTF-8" in window.index_label.toolTip()
    window.search.query.setText(QUERY)
    qtbot.waitUntil(lambda: shown_paths(window)[:1] == [EXPECTED_PATH], timeout=10_000)
