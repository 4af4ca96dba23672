"""Fixtures for the app tests: real widgets offscreen over a copy of the demo KB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.settings import AppSettings
from tests.conftest import UserFolders


@pytest.fixture(autouse=True)
def isolated_qt_settings(isolated_user: UserFolders) -> Iterator[Path]:
    """Point Qt's own settings folders (both formats, user and system scope) into the test's home.

    ``QSettings()`` reads them, and Qt computes them once per process, so moving HOME and
    XDG_CONFIG_HOME (``isolated_user``) is not enough. The organisation and application names that
    ``run_app`` sets are put back afterwards. Yields the folder.
    """
    folder = isolated_user.home / ".config"
    names = (QCoreApplication.organizationName(), QCoreApplication.applicationName())
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(settings_format, scope, str(folder if scope == QSettings.Scope.UserScope
                                                          else isolated_user.home / "system-config"))
    yield folder
    QCoreApplication.setOrganizationName(names[0])
    QCoreApplication.setApplicationName(names[1])


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
