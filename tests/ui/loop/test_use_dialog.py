""""Used on ticket...": one click for solved, each outcome, the SOP, the searches, read back."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kbstudio.index.search import SearchOptions, SearchResponse
from kbstudio.ui.loop.use_dialog import UseDialog
from tests.ui.loop.conftest import OUTLOOK, Harness, records


def _head(harness: Harness) -> str:
    from tests.vcs.conftest import git

    return git(harness.kb.root, "log", "-1", "--format=%H", "--", OUTLOOK).strip()


def test_enter_in_the_dialog_records_a_solved_use_at_once(harness: Harness, qtbot) -> None:  # noqa: ANN001
    tab = harness.open(OUTLOOK)
    use_button, _ = harness.controller.buttons_of(tab)
    use_button.click()
    dialog = harness.controller.last_dialog
    assert isinstance(dialog, UseDialog) and dialog.isVisible()
    assert dialog.record_button.isDefault() and dialog.outcome() == "solved"
    qtbot.keyClicks(dialog.ticket, "INC-4711")
    qtbot.keyClick(dialog.ticket, Qt.Key.Key_Return)     # the default button: recorded at once
    qtbot.waitUntil(lambda: bool(records(harness.kb.root, "usage")), timeout=10_000)
    harness.idle()
    [entry] = records(harness.kb.root, "usage")
    assert entry["document"] == "KB-0019" and entry["path"] == OUTLOOK
    assert entry["outcome"] == "solved" and entry["ticket"] == "INC-4711"
    assert entry["tier"] == "L1" and entry["via"] == "read" and entry["sop"] is None
    assert entry["version"] == _head(harness)            # the commit the agent read
    assert entry["agent"] == "Test Author <test@example.com>"
    assert entry["searches"] == []
    files = list((harness.kb.root / ".kbstudio" / "usage").glob("*.jsonl"))
    assert len(files) == 1 and "--test-author-" in files[0].name
    assert "Use recorded: KB-0019 solved on ticket INC-4711" in harness.messages[-1]


def test_escalated_names_the_sop_and_the_searches_that_led_there(harness: Harness, qtbot) -> None:  # noqa: ANN001
    response = SearchResponse("outlook asks for password again", 3, 1.0, None, {}, [])
    harness.tracker.shown(response, SearchOptions(tiers=("L0", "L1", "untiered")))
    harness.tracker.opened(OUTLOOK)
    tab = harness.open(OUTLOOK)
    dialog = harness.controller.use_dialog(tab)
    assert [dialog.searches.item(row).text() for row in range(dialog.searches.count())] == [
        "outlook asks for password again"]
    assert dialog.searches.item(0).checkState() == Qt.CheckState.Checked
    assert not dialog.sop_box.isEnabled()
    dialog.outcome_buttons["escalated"].click()
    assert dialog.sop_box.isEnabled()
    sop = dialog.sop_box.currentData()            # the article's own escalation SOP comes first
    assert sop == harness.escalation_for(tab.document).id
    dialog.ticket.setText("  12345 ")
    dialog.record_button.click()
    qtbot.waitUntil(lambda: bool(records(harness.kb.root, "usage")), timeout=10_000)
    [entry] = records(harness.kb.root, "usage")
    assert entry["outcome"] == "escalated" and entry["sop"] == sop and sop.startswith("SOP-")
    assert entry["ticket"] == "12345"
    assert entry["searches"] == ["outlook asks for password again"]


def test_every_outcome_and_the_tier_of_the_role(harness: Harness, qtbot) -> None:  # noqa: ANN001
    harness.settings.set("role", "L2")
    tab = harness.open(OUTLOOK)
    for outcome in ("partly", "did-not-help"):
        dialog = harness.controller.use_dialog(tab)
        dialog.outcome_buttons[outcome].click()
        assert dialog.sop() is None                 # only an escalation names an SOP
        dialog.record_button.click()
        harness.idle()
    entries = records(harness.kb.root, "usage")
    assert [entry["outcome"] for entry in entries] == ["partly", "did-not-help"]
    assert {entry["tier"] for entry in entries} == {"L2"}


def test_cancel_records_nothing(harness: Harness) -> None:
    dialog = harness.controller.use_dialog(harness.open(OUTLOOK))
    dialog.reject()
    harness.idle()
    assert records(harness.kb.root, "usage") == []


def test_a_repository_whose_programs_are_refused_still_records(harness: Harness, qtbot,  # noqa: ANN001
                                                                tmp_path) -> None:  # noqa: ANN001
    from tests.vcs.conftest import git

    script = tmp_path / "filter"
    script.write_text("#!/bin/sh\ncat\n", "utf-8")
    script.chmod(0o755)
    git(harness.kb.root, "config", "filter.e.clean", str(script))   # KB Studio refuses to run it
    harness.controller.open_kb()
    harness.idle()
    dialog = harness.controller.use_dialog(harness.open(OUTLOOK))
    dialog.record_button.click()
    qtbot.waitUntil(lambda: bool(records(harness.kb.root, "usage")), timeout=10_000)
    harness.idle()
    [entry] = records(harness.kb.root, "usage")
    assert entry["document"] == "KB-0019" and entry["version"].startswith("blob:")   # no git: the bytes read
    assert "Use recorded: KB-0019 solved" in harness.messages[-1]


def test_an_article_without_an_escalation_sop_gets_no_default_sop(harness: Harness, qtbot) -> None:  # noqa: ANN001
    documents = harness.kb.load_all()
    sops = [document for document in documents if document.kind == "sop"]
    article = harness.kb.load(OUTLOOK)
    dialog = UseDialog(article, "L1", sops, sop=None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.outcome_buttons["escalated"].click()
    assert dialog.sop_box.currentText() == "Choose an SOP..." and dialog.sop() is None
    assert not dialog.record_button.isEnabled()
    assert dialog.message.text() == "Choose the SOP the ticket was escalated with."
    qtbot.keyClick(dialog.ticket, Qt.Key.Key_Return)              # Enter records nothing
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.sop_box.setCurrentIndex(dialog.sop_box.findData(sops[0].id))
    assert dialog.record_button.isEnabled() and dialog.sop() == sops[0].id
    assert dialog.request().sop == sops[0].id
    dialog.outcome_buttons["solved"].click()                      # no SOP needed for solved
    assert dialog.record_button.isEnabled() and dialog.sop() is None
