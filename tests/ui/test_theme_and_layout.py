"""Theme (light, dark, follow the system) and window layout kept between runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from kbstudio.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(90)


def test_dark_theme_reaches_widgets_and_the_read_view(window, qtbot, settings) -> None:
    tab = window.open_document("articles/network/connect-to-the-vpn.md")
    window.menus.theme_actions["dark"].trigger()
    assert settings.get("theme") == "dark" and window.dark
    assert QApplication.instance().palette().color(QPalette.ColorRole.Base).lightness() < 60
    qtbot.waitUntil(lambda: "#313338" in tab.preview.document().defaultStyleSheet(), timeout=5_000)
    qtbot.waitUntil(lambda: "VPN" in tab.preview.toPlainText(), timeout=5_000)
    window.menus.theme_actions["light"].trigger()
    assert not window.dark
    assert QApplication.instance().palette().color(QPalette.ColorRole.Base).lightness() > 200
    qtbot.waitUntil(lambda: "#f3f4f6" in tab.preview.document().defaultStyleSheet(), timeout=5_000)
    window.menus.theme_actions["system"].trigger()
    assert settings.get("theme") == "system"   # stored as the default: removed from the file
    assert not settings.store.contains("theme")


def test_layout_is_restored_in_the_next_run(window, qtbot, settings, tmp_path: Path) -> None:
    window.resize(1000, 700)
    window.splitter.setSizes([300, 700])
    window.left.setCurrentWidget(window.library)
    left_width = window.splitter.sizes()[0]
    window.close()
    again = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(again)
    again.show()
    assert again.left.currentWidget() is again.library
    assert abs(again.splitter.sizes()[0] - left_width) <= 2
    assert settings.get("geometry")  # the window size too (the offscreen screen clamps it)
    again.close()
