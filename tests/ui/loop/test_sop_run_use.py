"""The end of an SOP run records its use by itself (the hand-off note's outcome, kbstudio.loop.handoff)."""

from __future__ import annotations

import pytest

from kbstudio.handoff import ESCALATED, RESOLVED
from tests.ui.loop.conftest import records
from tests.ui.test_sop_run import ARTICLE, SOP, _start_from_article

pytestmark = pytest.mark.timeout(90)


def test_a_run_resolved_by_a_check_records_a_solved_use_of_the_checks_article(window, qtbot) -> None:  # noqa: ANN001
    panel = _start_from_article(window, qtbot)
    panel.check_rows[2].solved.setChecked(True)
    note = panel.finish()
    assert note is not None and note.outcome == RESOLVED
    root = window.kb.root
    qtbot.waitUntil(lambda: bool(records(root, "usage")), timeout=10_000)
    [entry] = records(root, "usage")
    assert entry["via"] == "sop-run" and entry["outcome"] == "solved"
    assert entry["document"] == "KB-0013" and entry["sop"] == "SOP-0003" and entry["tier"] == "L1"
    qtbot.waitUntil(lambda: "Use recorded: KB-0013 solved" in window.statusBar().currentMessage(),
                    timeout=5_000)
    window.sops.handoff_dialog.close()


def test_an_escalated_run_records_the_sop_and_the_article_it_started_from(window, qtbot) -> None:  # noqa: ANN001
    panel = _start_from_article(window, qtbot)
    for name, value in (("Username", "j.smith"), ("Device name", "LT-0042"),
                        ("GlobalProtect status and message", "Not Connected"),
                        ("Caller's network", "home broadband"), ("Checks done and results", "hotspot: same")):
        panel.field_edits[name].setText(value)
    note = panel.finish()
    assert note is not None and note.outcome == ESCALATED
    root = window.kb.root
    qtbot.waitUntil(lambda: bool(records(root, "usage")), timeout=10_000)
    [entry] = records(root, "usage")
    article = window.documents[ARTICLE]
    assert (entry["outcome"], entry["sop"], entry["document"], entry["path"]) == (
        "escalated", "SOP-0003", article.id, ARTICLE)
    assert entry["via"] == "sop-run" and window.tab_for(SOP) is not None
    window.sops.handoff_dialog.close()
