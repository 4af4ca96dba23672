"""A document Markdown cannot format in time shows as plain text under a notice, and the GUI keeps going.

Nothing here depends on how fast the machine is: the order of events is asserted, not durations.
The formatter's budget is the one wall-clock figure, and the document takes it over 15 s to
format (``kbstudio/render_budget.py``) against a budget of 0.3 s.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from kbstudio.render_budget import BudgetedResult

pytestmark = pytest.mark.timeout(120)

NOTICE = "This document took too long to format"


def test_a_pathological_document_shows_the_notice_and_the_gui_stays_responsive(
        window, qtbot, kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    renderer = window.renderer
    # A budget any 1 MB document overruns, so this holds even if the renderer learns to refuse '*a'.
    renderer.budget_s = 0.3
    (kb_copy / "articles" / "stars.md").write_text(
        "---\ntitle: Stars\nkind: article\ntier: L1\n---\n" + "*a" * 500_000 + "\n", "utf-8")
    rendering, served = threading.Event(), threading.Event()
    results: list[BudgetedResult] = []
    real_render = renderer.render

    def render_once_the_gui_answered(*args, **kwargs) -> BudgetedResult:  # noqa: ANN002, ANN003
        """The real render, started only after the GUI thread served a timer while it was pending."""
        rendering.set()
        answered = served.wait(60)   # set by a timer on the GUI thread: never, were this the GUI thread
        result = real_render(*args, **kwargs)
        results.append(result)
        assert answered, "the GUI thread served no event while the render was pending"
        return result

    monkeypatch.setattr(renderer, "render", render_once_the_gui_answered)
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: rendering.is_set() and served.set())
    probe.start()
    tab = window.open_document("articles/stars.md")
    assert tab is not None
    assert NOTICE not in tab.preview.toPlainText()    # open_document returned before any render
    qtbot.waitUntil(lambda: NOTICE in tab.preview.toPlainText(), timeout=60_000)
    probe.stop()
    assert rendering.is_set() and served.is_set()      # the GUI answered while the render was pending
    assert len(results) == 1 and results[0].timed_out   # stopped by the budget, not finished
    shown = tab.preview.toPlainText()
    assert shown.lstrip().startswith(NOTICE)          # the notice leads the read view
    assert "*a*a*a*a" in shown                          # the text itself, unformatted
    assert "title: Stars" not in shown
