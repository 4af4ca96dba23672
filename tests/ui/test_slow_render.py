"""A document Markdown cannot format in time shows as plain text under a notice, and the GUI keeps going."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

pytestmark = pytest.mark.timeout(120)

NOTICE = "This document took too long to format"


def test_a_pathological_document_shows_the_notice_and_the_gui_stays_responsive(window, qtbot,
                                                                                kb_copy: Path) -> None:
    # A budget any 1 MB document overruns, so this holds even if the renderer learns to refuse '*a'.
    window.renderer.budget_s = 0.3
    (kb_copy / "articles" / "stars.md").write_text(
        "---\ntitle: Stars\nkind: article\ntier: L1\n---\n" + "*a" * 500_000 + "\n", "utf-8")
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    tab = window.open_document("articles/stars.md")
    assert tab is not None
    qtbot.waitUntil(lambda: NOTICE in tab.preview.toPlainText(), timeout=10_000)
    shown_after = time.monotonic() - started
    qtbot.wait(100)
    timer.stop()
    shown = tab.preview.toPlainText()
    assert shown.lstrip().startswith(NOTICE)          # the notice leads the read view
    assert "*a*a*a*a" in shown                          # the text itself, unformatted
    assert "title: Stars" not in shown
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:], strict=False)]
    # The 20 ms timer kept ticking from the start to past the notice: no gap of half a second.
    assert ticks[0] - started < 0.5 and ticks[-1] - started > shown_after
    assert max(gaps) < 0.5, f"GUI stalled {max(gaps):.2f} s"
    assert shown_after < 5.0
