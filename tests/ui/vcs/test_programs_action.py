"""Git > Allow this repository's git programs...: the state shown, allowing, stopping."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from tests.ui.vcs.conftest import Side

pytestmark = pytest.mark.timeout(120)


def _box(qtbot, window: MainWindow) -> QMessageBox:  # noqa: ANN001
    window.git.programs_box = None
    window.git.actions["programs"].trigger()
    qtbot.waitUntil(lambda: window.git.programs_box is not None, timeout=10_000)
    return window.git.programs_box


def test_a_refused_repository_is_shown_and_can_be_allowed_then_stopped(
        qtbot, settings, alice: Side, tmp_path: Path) -> None:  # noqa: ANN001
    marker = tmp_path / "filter.ran"
    script = tmp_path / "filter"
    script.write_text(f'#!/bin/sh\necho ran >> "{marker}"\ncat\n', "utf-8")
    script.chmod(0o755)
    alice.git("config", "filter.e.clean", str(script))
    (alice.root / ".git" / "info" / "attributes").write_text("*.md filter=e\n")
    window = MainWindow(settings, index_dir=str(tmp_path / "win-indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(window)
    window.show()
    window.open_kb(KnowledgeBase(alice.root))
    qtbot.waitUntil(lambda: window.git.label.text() == "git refused: repository programs", timeout=20_000)
    assert "filter.e.clean" in window.git.label.toolTip()
    assert window.git.actions["programs"].isEnabled() and not window.git.actions["commit"].isEnabled()

    box = _box(qtbot, window)
    assert "Not allowed" in box.text() and "filter.e.clean" in box.informativeText()
    assert "trust" in box.informativeText()
    assert not marker.exists()            # opening the KB ran none of the repository's programs
    yes = box.button(QMessageBox.StandardButton.Yes)
    assert yes.text() == "Allow these programs"
    yes.click()
    qtbot.waitUntil(lambda: "main" in window.git.label.text(), timeout=20_000)
    assert window.git.actions["commit"].isEnabled()

    box = _box(qtbot, window)
    assert box.text().startswith("Allowed")
    yes = box.button(QMessageBox.StandardButton.Yes)
    assert yes.text() == "Stop allowing them"
    yes.click()
    qtbot.waitUntil(lambda: window.git.label.text() == "git refused: repository programs", timeout=20_000)
    window.close()


def test_a_repository_without_programs_has_nothing_to_allow(qtbot, settings, alice: Side,
                                                            tmp_path: Path) -> None:  # noqa: ANN001
    window = MainWindow(settings, index_dir=str(tmp_path / "win-indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(window)
    window.show()
    window.open_kb(KnowledgeBase(alice.root))
    qtbot.waitUntil(lambda: "main" in window.git.label.text(), timeout=20_000)
    box = _box(qtbot, window)
    assert "nothing to allow" in box.text() and box.button(QMessageBox.StandardButton.Yes) is None
    box.close()
    window.close()
