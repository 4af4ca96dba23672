"""The escalation run and the map in a 1,280 x 800 window: room to type, readable hints, working links."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QLineEdit, QPlainTextEdit

from kbstudio.handoff import ESCALATED, RESOLVED
from kbstudio.ui.escalation_map_view import MIN_CONTRAST, contrast_ratio

pytestmark = pytest.mark.timeout(120)
ARTICLE = "articles/email/outlook-keeps-asking-for-password.md"
SOP = "sops/escalate-email-problems.md"
OUTAGE = "articles/outages/check-for-a-known-outage.md"


def _start(window, qtbot):
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    article = window.open_document(ARTICLE)
    assert "SOP-0004" in article.escalation_bar.text()
    article.escalation_bar.linkActivated.emit("start")
    qtbot.waitUntil(lambda: window.tab_for(SOP) is not None and window.tab_for(SOP).run_panel is not None,
                    timeout=5_000)
    panel = window.tab_for(SOP).run_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.width() > 0)
    qtbot.wait(50)   # the split between the SOP and the run is set once the tab has its size
    return panel


def test_the_run_names_its_article_and_fits_1280(window, qtbot) -> None:
    panel = _start(window, qtbot)
    assert panel.issue.toPlainText() == "Outlook keeps asking for a password", "pre-filled from the article"
    assert "KB-0019 Outlook keeps asking for a password" in panel.origin.text()
    assert not window.left.isVisible(), "search and library fold away to make room"
    tab = window.tab_for(SOP)
    assert tab.preview.isVisible() and tab.preview.width() >= 400, "the SOP stays readable beside the run"
    for name, edit in panel.field_edits.items():
        assert edit.width() >= 300, f"{name} is {edit.width()} px wide"
    for name, hint in panel.field_hints.items():
        assert hint.wordWrap() and hint.width() >= 300
        needed = hint.fontMetrics().boundingRect(QRect(0, 0, hint.width(), 10_000),
                                                 Qt.TextFlag.TextWordWrap, hint.text()).height()
        assert hint.height() >= needed, f"the hint of {name} is cut"
    long_fields = {"Exact error or bounce", "Steps already tried", "Message details"}
    for name, edit in panel.field_edits.items():
        assert isinstance(edit, QPlainTextEdit if name in long_fields else QLineEdit), name
    steps = panel.field_edits["Steps already tried"]
    panel.scroll_area.verticalScrollBar().setValue(0)
    steps.setFocus()
    qtbot.keyClicks(steps, "signed out of Office")
    qtbot.keyClick(steps, Qt.Key.Key_Return)
    qtbot.keyClicks(steps, "cleared the stored credentials")
    assert steps.text() == "signed out of Office\ncleared the stored credentials"
    assert steps.height() >= 3 * steps.fontMetrics().lineSpacing(), "both lines stay in sight"

    def in_sight() -> bool:
        top = steps.mapTo(panel.scroll_area.viewport(), QPoint(0, 0)).y()
        return top >= 0 and top + steps.height() <= panel.scroll_area.viewport().height()

    qtbot.waitUntil(in_sight, timeout=2_000)   # the box being typed in is scrolled into view


def test_tab_goes_from_answer_to_answer(window, qtbot) -> None:
    panel = _start(window, qtbot)
    window.activateWindow()
    edits = list(panel.field_edits.values())
    edits[0].setFocus()
    qtbot.waitUntil(edits[0].hasFocus)
    for here, after in zip(edits, edits[1:], strict=False):
        assert here.hasFocus()
        qtbot.keyClicks(here, "x")
        qtbot.keyClick(here, Qt.Key.Key_Tab)
        qtbot.waitUntil(after.hasFocus, timeout=1_000)   # never a hint or a check's text in between
    assert all(edit.text() == "x" for edit in edits[:-1])


def test_a_link_in_a_check_opens_the_article(window, qtbot) -> None:
    panel = _start(window, qtbot)
    label = panel.check_rows[0].label
    assert "href=\"../articles/outages/check-for-a-known-outage.md\"" in label.text()
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByMouse
    with qtbot.waitSignal(panel.openDocumentRequested) as opened:
        label.linkActivated.emit("../articles/outages/check-for-a-known-outage.md")
    assert opened.args == [OUTAGE]
    assert window.current_tab() is not None and window.current_tab().rel_path == OUTAGE
    assert window.left.isVisible(), "away from the run, search and library come back"
    window.tabs.setCurrentWidget(window.tab_for(SOP))
    qtbot.waitUntil(lambda: not window.left.isVisible())
    assert window.tab_for(SOP).run_panel is panel, "the run is still there"


def test_the_side_panels_collapse_and_come_back(window, qtbot) -> None:
    panel = _start(window, qtbot)
    tab = window.tab_for(SOP)
    assert panel.side_button.text() == "Show search"
    panel.side_button.click()
    assert window.left.isVisible() and panel.side_button.text() == "Hide search"
    panel.side_button.click()
    assert not window.left.isVisible()
    panel.sop_button.click()
    assert not tab.preview.isVisible() and panel.sop_button.text() == "Show the SOP"
    qtbot.waitUntil(lambda: panel.width() > 1000)
    panel.sop_button.click()
    assert tab.preview.isVisible()
    panel.sop_button.click()
    panel.closeRequested.emit()
    qtbot.waitUntil(lambda: tab.preview.isVisible())
    assert tab.run_panel is None


def test_finishing_from_the_article_gives_a_ticket_ready_note(window, qtbot) -> None:
    panel = _start(window, qtbot)
    for name, value in (("Affected mailbox", "j.smith"), ("Where it fails", "Outlook for Windows only"),
                        ("Exact error or bounce", "Need Password"), ("Steps already tried", "new profile")):
        panel.field_edits[name].setText(value)
    note = panel.finish()
    assert note is not None and note.outcome == ESCALATED
    assert "Started from: KB-0019 Outlook keeps asking for a password" in note.text()
    assert "**Started from:** KB-0019 Outlook keeps asking for a password" in note.markdown()
    assert ".md" not in note.text() and ".md" not in note.markdown()
    window.sops.handoff_dialog.close()
    panel.check_rows[1].solved.setChecked(True)
    resolved = panel.finish()
    assert resolved is not None and resolved.outcome == RESOLVED
    assert "Link to the ticket: KB-0019 Outlook keeps asking for a password" in resolved.text()
    window.sops.handoff_dialog.close()


def test_links_in_the_run_take_the_dark_themes_colour(window, qtbot) -> None:
    panel = _start(window, qtbot)
    label = panel.check_rows[0].label

    def has_colour(hex_colour: str) -> bool:
        image, wanted = label.grab().toImage(), QColor(hex_colour)
        return any(abs(QColor(image.pixel(x, y)).red() - wanted.red()) < 30
                   and abs(QColor(image.pixel(x, y)).green() - wanted.green()) < 30
                   and abs(QColor(image.pixel(x, y)).blue() - wanted.blue()) < 30
                   for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))

    window.sops.show_map()   # the theme changes while the run is out of sight
    window.apply_theme("dark")
    qtbot.wait(50)
    window.tabs.setCurrentWidget(window.tab_for(SOP))
    link = window.palette().link().color().name()
    qtbot.waitUntil(lambda: has_colour(link), timeout=3_000)
    window.apply_theme("system")


def _texts(view) -> list[QGraphicsSimpleTextItem]:
    return [item for item in view.scene.items() if isinstance(item, QGraphicsSimpleTextItem)]


def test_the_map_fits_1280_with_readable_labels_in_both_themes(window, qtbot) -> None:
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    view = window.sops.show_map()
    qtbot.waitUntil(lambda: view.isVisible())
    qtbot.wait(50)
    assert view.scene.sceneRect().width() <= view.view.viewport().width()
    assert not view.view.horizontalScrollBar().isVisible()
    assert view.summary.text().endswith("13 SOPs")
    texts = [item.text() for item in _texts(view)]
    assert "10 articles\n1 SOP starts here" in texts and "19 articles\n10 SOPs start here" in texts
    assert not any("1 SOPs" in text or "1 articles" in text for text in texts)
    for theme in ("light", "dark"):
        window.apply_theme(theme)
        dark = theme == "dark"
        qtbot.waitUntil(lambda dark=dark: (view.view.palette().base().color().lightness() < 100) == dark
                        and bool(_texts(view))
                        and _texts(view)[0].brush().color().rgb() == view.label_colours()[0].rgb())
        colour, lanes = view.label_colours()
        background = view.view.palette().base().color()
        assert min(contrast_ratio(colour, lane) for lane in [background, *lanes]) >= MIN_CONTRAST, theme
        assert all(item.brush().color().rgb() == colour.rgb() for item in _texts(view))
    window.apply_theme("system")
    # Narrower, the map still fits: labels wrap or end in an ellipsis, with the whole text as tooltip.
    window.splitter.setSizes([680, 600])
    qtbot.waitUntil(lambda: view.scene.sceneRect().width() <= view.view.viewport().width()
                    and not view.view.horizontalScrollBar().isVisible())
    cut = [item for item in _texts(view) if "…" in item.text()]
    assert cut, "some labels are cut at this width"
    for item in cut:
        assert item.toolTip() and item.text().rstrip("…").replace("\n", " ")[:8] in item.toolTip()
