"""SOPs in the app: the SOP to follow from an article, a run end to end, the escalation map."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from kbstudio.handoff import ESCALATED, RESOLVED

pytestmark = pytest.mark.timeout(90)
ARTICLE = "articles/network/vpn-drops-every-few-minutes.md"
SOP = "sops/escalate-vpn-and-remote-access-problems.md"


def _start_from_article(window, qtbot):
    article = window.open_document(ARTICLE)
    assert article.escalation_bar.isVisible()
    assert "SOP-0003" in article.escalation_bar.text()
    article.escalation_bar.linkActivated.emit("start")
    qtbot.waitUntil(lambda: window.tab_for(SOP) is not None and window.tab_for(SOP).run_panel is not None,
                    timeout=5_000)
    return window.tab_for(SOP).run_panel


def test_an_l1_agent_runs_the_sop_and_copies_the_hand_off_note(window, qtbot) -> None:
    panel = _start_from_article(window, qtbot)
    assert len(panel.check_rows) == 7 and "Username" in panel.field_edits
    assert "Before escalating: 20 min (20 min left)" in panel.clock.text()
    assert "Response from L2: 4 business hours" in panel.clock.text()
    qtbot.keyClicks(panel.issue, "VPN keeps dropping every ten minutes since Monday")
    panel.environment.setText("Dell Latitude, Windows 11, home broadband")
    panel.urgency.setCurrentText("High")
    panel.check_rows[0].done.setChecked(True)
    panel.check_rows[0].result.setText("no known incident")
    panel.check_rows[5].done.setChecked(True)
    panel.check_rows[5].result.setText("drops at 09:12, 09:25, 09:37 on home Wi-Fi")
    assert panel.finish() is None, "required fields are missing"
    assert "Fill in before escalating" in panel.status.text() and "Username" in panel.status.text()
    for name, value in (("Username", "j.smith"), ("Device name", "LT-0042"),
                        ("GlobalProtect status and message", "Not Connected: gateway vpn.larkfield.example"),
                        ("Caller's network", "home broadband, UK"),
                        ("Checks done and results", "hotspot test: same drops")):
        panel.field_edits[name].setText(value)
    note = panel.finish()
    assert note is not None and note.outcome == ESCALATED
    dialog = window.sops.handoff_dialog
    assert dialog is not None and dialog.isVisible()
    text = note.text()
    for expected in ("VPN keeps dropping every ten minutes", "Dell Latitude", "High", "j.smith",
                     "drops at 09:12", "SOP-0003", "Network Team", "no known incident"):
        assert expected in text
    assert "**Username:** j.smith" in note.markdown() or "j.smith" in note.markdown()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == text
    dialog.copy_markdown_button.click()
    assert QGuiApplication.clipboard().text() == note.markdown()
    dialog.close()


def test_a_check_that_solves_it_ends_resolved_at_l1(window, qtbot) -> None:
    panel = _start_from_article(window, qtbot)
    panel.check_rows[2].solved.setChecked(True)
    panel.check_rows[2].result.setText("worked on the hotspot; home router restarted")
    assert panel.check_rows[2].done.isChecked()
    assert panel.finish_button.text() == "Finish: resolved"
    note = panel.finish()
    assert note is not None and note.outcome == RESOLVED
    assert "Resolved at L1" in note.text()
    assert "Link to the ticket: KB-0013 GlobalProtect says" in note.text(), "the article the check names"
    window.sops.handoff_dialog.close()
    tab = window.tab_for(SOP)
    tab.run_panel.closeRequested.emit()
    assert tab.run_panel is None and tab.start_button.isEnabled()


def test_escalation_map_opens_sops_and_exports(window, qtbot, tmp_path: Path) -> None:
    view = window.sops.show_map()
    assert view is not None and len(view.emap.edges) == 13
    assert [column.articles for column in view.emap.tiers] == [10, 19, 13, 3, 3]
    arrows = [item for item in view.scene.items() if item.data(0) == SOP]
    assert arrows
    view.open_item(arrows[0])
    assert window.current_tab() is not None and window.current_tab().rel_path == SOP
    view.export_svg(tmp_path / "map.svg")
    assert (tmp_path / "map.svg").read_text("utf-8").startswith("<svg") or "<svg" in (
        tmp_path / "map.svg").read_text("utf-8")
    assert view.export_png(tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG")
