"""Search gaps: when a search on screen ends as a gap, logging it (or not), and articles created from it."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLineEdit

from kbstudio.index.search import SearchOptions, SearchResponse
from kbstudio.loop.gap_groups import signature
from kbstudio.ui.loop.gap_tracker import EndedSearch, SearchGapTracker
from kbstudio.ui.new_dialog import NewDocumentDialog
from kbstudio.ui.search_panel import SearchPanel
from tests.ui.loop.conftest import OUTLOOK, Harness, records

L1_VIEW = SearchOptions(tiers=("L0", "L1", "untiered"))


def _response(query: str, total: int = 0, other: int = 0) -> SearchResponse:
    return SearchResponse(query, total, 1.0, None, {}, [], hidden_by_tier=other)


def _tracker(qtbot, settle_ms: int = 200,  # noqa: ANN001
             left_ms: int = 60_000) -> tuple[SearchGapTracker, list[EndedSearch]]:
    panel = SearchPanel()
    qtbot.addWidget(panel)
    tracker = SearchGapTracker(panel, settle_ms=settle_ms, left_ms=left_ms)
    found: list[EndedSearch] = []
    tracker.gapFound.connect(found.append)
    return tracker, found


def test_typing_through_logs_only_the_query_that_stayed(qtbot) -> None:  # noqa: ANN001
    tracker, found = _tracker(qtbot)
    for query in ("v", "vp", "vpn"):          # each answered, none on screen long enough
        tracker.shown(_response(query, total=4), L1_VIEW)
    qtbot.wait(250)
    tracker.shown(_response("vpn drops every hour"), L1_VIEW)   # typed on: "vpn" was not a search of its own
    qtbot.wait(250)
    tracker.shown(_response("printer jam"), L1_VIEW)          # replaced by another question: ended
    assert found == [EndedSearch("vpn drops every hour", "no-results", 0, 0, ("L0", "L1"))]
    tracker.cleared()
    assert len(found) == 1                                     # "printer jam" was only 0 s on screen


def test_not_opened_other_tiers_and_opened(qtbot) -> None:  # noqa: ANN001
    tracker, found = _tracker(qtbot, settle_ms=0)
    tracker.shown(_response("bitlocker recovery key", total=0, other=2), L1_VIEW)
    tracker.shown(_response("outlook password prompt", total=5), L1_VIEW)
    tracker.shown(_response("mapped drive missing", total=3), None)
    tracker.opened("articles/files/map-a-shared-drive.md")       # the search did its job
    tracker.cleared()
    assert [(gap.query, gap.kind, gap.results, gap.other_tiers, gap.tiers) for gap in found] == [
        ("bitlocker recovery key", "other-tiers", 0, 2, ("L0", "L1")),
        ("outlook password prompt", "not-opened", 5, 0, ("L0", "L1"))]
    assert tracker.led_to("articles/files/map-a-shared-drive.md") == [
        "bitlocker recovery key", "outlook password prompt", "mapped drive missing"]
    assert tracker.recent()[0] == "mapped drive missing"


def test_the_same_words_shown_again_are_no_new_search_unless_typed(qtbot) -> None:  # noqa: ANN001
    tracker, found = _tracker(qtbot, settle_ms=0)
    tracker.shown(_response("badge reader beeps red"), L1_VIEW)
    tracker.cleared()
    assert len(found) == 1
    tracker.shown(_response("badge reader beeps red", total=1), L1_VIEW)   # rerun: the role changed
    tracker.cleared()
    assert len(found) == 1                                                  # not logged twice
    tracker.shown(_response("badge reader beeps red", total=1), L1_VIEW)
    tracker.opened("articles/badge.md")                                     # opened from the rerun
    assert tracker.led_to("articles/badge.md") == ["badge reader beeps red"]
    tracker.panel.query.textEdited.emit("badge reader beeps red")           # typed again by a person
    tracker.shown(_response("badge reader beeps red"), L1_VIEW)
    tracker.cleared()
    assert len(found) == 2


def test_leaving_the_panel_ends_the_search_after_a_while(qtbot) -> None:  # noqa: ANN001
    tracker, found = _tracker(qtbot, settle_ms=0, left_ms=300)
    elsewhere = QLineEdit()
    qtbot.addWidget(elsewhere)
    tracker.panel.show()
    elsewhere.show()
    tracker.panel.query.setFocus()
    tracker.shown(_response("teams camera black"), L1_VIEW)
    elsewhere.activateWindow()
    elsewhere.setFocus()                      # the agent went on with something else
    qtbot.waitUntil(lambda: bool(found), timeout=3_000)
    assert found[0].query == "teams camera black" and found[0].kind == "no-results"
    tracker.finish()
    assert len(found) == 1


def test_a_failed_search_is_logged_with_the_words_as_typed_unless_opted_out(
        harness: Harness, qtbot) -> None:  # noqa: ANN001
    harness.settings.set("role", "L1")
    harness.tracker.shown(_response("Outlook   keeps asking for my pa$$word!", total=0, other=1), L1_VIEW)
    harness.tracker.cleared()
    qtbot.waitUntil(lambda: bool(records(harness.kb.root, "gaps")), timeout=10_000)
    harness.idle()
    [gap] = records(harness.kb.root, "gaps")
    assert gap["query"] == "Outlook   keeps asking for my pa$$word!"       # the caller's words, as typed
    assert gap["kind"] == "other-tiers" and gap["other_tiers"] == 1 and gap["results"] == 0
    assert gap["tier"] == "L1" and gap["tiers"] == ["L0", "L1"]
    harness.controller.log_gaps_action.setChecked(False)                    # View > Log failed searches
    assert harness.settings.get("log_search_gaps") is False
    harness.tracker.shown(_response("wifi printer offline"), L1_VIEW)
    harness.tracker.cleared()
    harness.idle()
    time.sleep(0.1)
    assert len(records(harness.kb.root, "gaps")) == 1


def test_create_an_article_from_the_empty_result(harness: Harness, qtbot, monkeypatch) -> None:  # noqa: ANN001
    panel = harness.panel
    created: list[str] = []
    harness.controller.documentCreated.connect(created.append)
    panel.query.setText("Zebra label printer prints blank labels")
    panel._last_sent = (panel.query.text(), L1_VIEW)
    panel.show_response(_response("Zebra label printer prints blank labels"))
    assert not panel.create_button.isHidden()
    panel.create_button.click()
    dialog = harness.controller.last_dialog
    assert isinstance(dialog, NewDocumentDialog)
    assert dialog.windowTitle() == "Create an article from this search"
    assert dialog.title() == "Zebra label printer prints blank labels" and dialog.tier() == "L1"
    assert not dialog.kind_box.isEnabled() and dialog.kind() == "article"
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(created), timeout=10_000)
    text = (harness.kb.root / created[0]).read_text("utf-8")
    assert "status: draft" in text and "title: Zebra label printer prints blank labels" in text
    assert f"from_search: {signature('Zebra label printer prints blank labels')}" in text
    issue = text.split("## Issue", 1)[1]
    assert "- Zebra label printer prints blank labels\n" in issue
    qtbot.waitUntil(lambda: bool(records(harness.kb.root, "gaps")), timeout=10_000)
    assert records(harness.kb.root, "gaps")[0]["kind"] == "no-results"   # the search ended as a gap
    panel.show_response(_response("Zebra label printer prints blank labels", total=1))
    assert panel.create_button.isHidden()


def test_the_gaps_page_groups_similar_searches_and_creates_an_article_per_group(
        harness: Harness, qtbot) -> None:  # noqa: ANN001
    loop_root = harness.kb.root
    for query in ("VPN drops every hour", "vpn drops every hour on wifi", "VPN drops every hour",
                  "scanner to email fails"):
        harness.controller.gap_found(EndedSearch(query, "no-results", 0, 0, ("L0", "L1")))
    harness.idle()
    assert len(records(loop_root, "gaps")) == 4
    page = harness.controller.pages.show_gaps()
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 2, timeout=10_000)
    top = page.tree.topLevelItem(0)
    assert top.text(0) == "VPN drops every hour" and top.text(1) == "3" and top.text(2) == "1"
    assert [top.child(row).text(0) for row in range(top.childCount())] == [
        "VPN drops every hour", "vpn drops every hour on wifi"]
    assert "2 open groups" in page.summary.text()
    created: list[str] = []
    harness.controller.documentCreated.connect(created.append)
    group = page.groups[0]
    page.buttons[group.key].click()
    dialog = harness.controller.last_dialog
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(created), timeout=10_000)
    text = (loop_root / created[0]).read_text("utf-8")
    assert "- VPN drops every hour\n- vpn drops every hour on wifi\n" in text
    assert f"from_search: {group.key}" in text
    harness.documents[created[0]] = harness.kb.load(loop_root / created[0]).info()
    harness.controller.pages.load_gaps()
    qtbot.waitUntil(lambda: page.buttons[group.key].text().startswith("Draft KB-"), timeout=10_000)
    assert OUTLOOK not in created


def test_a_search_with_results_offers_the_article_by_a_small_link_under_them(harness: Harness,  # noqa: ANN001
                                                                             qtbot) -> None:  # noqa: ANN001
    panel, link = harness.panel, harness.controller.search_link
    assert link is not None and link.isHidden()
    created: list[str] = []
    harness.controller.documentCreated.connect(created.append)
    words = "Kiosk tablet shows Xyzzy fehler"
    panel.query.setText(words)
    panel._last_sent = (panel.query.text(), L1_VIEW)
    panel.show_response(_response(words, total=31))             # 31 unrelated matches: no button ...
    assert panel.create_button.isHidden() and not link.isHidden()   # ... but the link under the list
    layout = panel.layout()
    assert layout.indexOf(link) > layout.indexOf(panel.results)      # at the end of the results
    link.linkActivated.emit("create")
    dialog = harness.controller.last_dialog
    assert isinstance(dialog, NewDocumentDialog) and dialog.title() == words
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(created), timeout=10_000)
    text = (harness.kb.root / created[0]).read_text("utf-8")
    assert f"- {words}\n" in text.split("## Issue", 1)[1]
    assert "owner: Test Author <test@example.com>" in text      # the creator owns the draft
    panel.query.clear()
    qtbot.waitUntil(lambda: link.isHidden(), timeout=5_000)
