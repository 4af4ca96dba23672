"""Fixtures for the app tests: real widgets offscreen over a copy of the demo KB."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.settings import AppSettings


@pytest.fixture()
def settings(tmp_path: Path) -> AppSettings:
    """Settings in a temporary ini file, so tests never touch the user's."""
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture()
def kb_copy(content_copy: Path) -> Path:
    """A writable copy of the bundled demo KB."""
    return content_copy


@pytest.fixture()
def window(qtbot, settings: AppSettings, kb_copy: Path, tmp_path: Path):
    """The main window with the demo KB open and its index ready."""
    win = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(win)
    win.show()
    win.open_kb(KnowledgeBase(kb_copy))
    qtbot.waitUntil(lambda: win.index_label.text().startswith("index ready"), timeout=60_000)
    qtbot.waitUntil(lambda: win.library.model.rowCount() > 0, timeout=10_000)
    yield win
    for index in range(win.tabs.count()):
        widget = win.tabs.widget(index)
        if hasattr(widget, "editor"):
            widget.editor.document().setModified(False)
            widget._saved_text = widget.text
    win.close()
    win.index.kb_work.wait()
    win.render_work.wait()


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Modal dialogs would wait forever offscreen: answer them and record that they were asked."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN202
        asked.append(text)
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: asked.append(a[2])))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or 0)
    return asked
