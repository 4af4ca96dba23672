"""Process-wide tuning happens once, at app start-up: a window alone leaves the interpreter as it was."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.ui import app as app_module
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.process_tuning import GIL_SWITCH_INTERVAL, tune_process
from kbstudio.ui.settings import AppSettings

UNTUNED = 0.005   # Python's default switch interval


@pytest.fixture()
def untuned() -> Iterator[None]:
    """The interpreter as a fresh process has it; put back afterwards whatever a test changed."""
    interval = sys.getswitchinterval()
    gc.unfreeze()
    sys.setswitchinterval(UNTUNED)
    yield
    gc.unfreeze()
    sys.setswitchinterval(interval)


def open_window(qtbot, settings: AppSettings, kb: Path, tmp_path: Path, tune: bool) -> MainWindow:
    window = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(window)
    if tune:
        tune_process(window)
    with qtbot.waitSignal(window.documents_loaded, timeout=60_000):
        window.open_kb(KnowledgeBase(kb))
    qtbot.waitUntil(lambda: window.index_label.text().startswith("index ready"), timeout=60_000)
    return window


def test_a_window_changes_no_process_wide_setting(qtbot, untuned: None, settings: AppSettings,
                                                  kb_copy: Path, tmp_path: Path) -> None:
    window = open_window(qtbot, settings, kb_copy, tmp_path, tune=False)
    assert window.documents
    assert sys.getswitchinterval() == pytest.approx(UNTUNED)
    assert gc.get_freeze_count() == 0


def test_start_up_tuning_sets_the_interval_and_freezes_each_loaded_kb(
        qtbot, untuned: None, settings: AppSettings, kb_copy: Path, tmp_path: Path) -> None:
    window = open_window(qtbot, settings, kb_copy, tmp_path, tune=True)
    assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL)
    assert gc.get_freeze_count() > 0
    collected = {id(thing) for thing in gc.get_objects()}   # what full passes go through
    assert not any(id(doc) in collected for doc in window.documents.values())
    gc.unfreeze()
    with qtbot.waitSignal(window.documents_loaded, timeout=60_000):
        window.open_kb(KnowledgeBase(kb_copy))   # the next KB's documents are frozen again
    assert gc.get_freeze_count() > 0
    qtbot.waitUntil(lambda: window.index_label.text().startswith("index ready"), timeout=60_000)


def test_the_app_start_up_tunes_the_process() -> None:
    source = Path(app_module.__file__).read_text("utf-8")
    run_app = source[source.index("def run_app("):]
    assert "tune_process(window)" in run_app
    assert run_app.index("window = MainWindow(") < run_app.index("tune_process(window)") \
        < run_app.index("open_kb(")
