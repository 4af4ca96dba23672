"""Flag it or fix it: the flag dialog writes an open event, the bar shows it, Fix it opens the editor at
its heading, Resolve records who and the commit that fixed it; a reader below the tier only flags."""

from __future__ import annotations

from kbstudio.ui.loop.flag_dialog import FlagDialog, ResolveDialog
from tests.ui.loop.conftest import OUTLOOK, Harness, records
from tests.vcs.conftest import git

LOCKOUTS = "articles/accounts/find-the-source-of-repeated-lockouts.md"   # an L2 article


def _flag(harness: Harness, qtbot, rel: str, reason: str, anchor: str | None, comment: str) -> dict:  # noqa: ANN001
    tab = harness.open(rel)
    _, flag_button = harness.controller.buttons_of(tab)
    flag_button.click()
    dialog = harness.controller.last_dialog
    assert isinstance(dialog, FlagDialog)
    assert not dialog.flag_button.isEnabled()            # a reason first
    dialog.reason_buttons[reason].click()
    if anchor is not None:
        dialog.anchor_box.setCurrentIndex(dialog.anchor_box.findData(anchor))
    dialog.comment.setPlainText(comment)
    before = len(records(harness.kb.root, "flags"))
    dialog.flag_button.click()
    qtbot.waitUntil(lambda: len(records(harness.kb.root, "flags")) > before, timeout=10_000)
    harness.idle()
    return records(harness.kb.root, "flags")[-1]


def test_a_flag_at_a_heading_shows_on_the_document_and_fix_it_opens_the_editor_there(
        harness: Harness, qtbot) -> None:  # noqa: ANN001
    event = _flag(harness, qtbot, OUTLOOK, "outdated", "resolution", "Step 3 names the old portal.")
    assert event["event"] == "open" and event["reason"] == "outdated"
    assert event["anchor"] == "resolution" and event["comment"] == "Step 3 names the old portal."
    assert event["document"] == "KB-0019" and event["path"] == OUTLOOK and event["tier"] == "L1"
    assert event["version"] == git(harness.kb.root, "rev-parse", "HEAD").strip()
    assert event["agent"] == "Test Author <test@example.com>"
    tab = harness.open(OUTLOOK)
    bar = harness.controller.bar_of(tab)
    qtbot.waitUntil(lambda: bar.isVisible(), timeout=5_000)
    text = bar.label.text()
    assert "1 open flag" in text and "Outdated" in text and "#resolution" in text
    assert "Step 3 names the old portal." in text
    assert f"fix:{event['flag']}" in text                       # an L1 reader may fix an L1 article
    bar.fixRequested.emit(event["flag"])
    assert tab.editing
    cursor = tab.editor.textCursor()                           # "## Resolution" is line 41 of the file:
    assert cursor.blockNumber() + 1 == 42 and cursor.positionInBlock() == 0   # the line after it,
    assert not cursor.hasSelection()                                        # nothing selected
    qtbot.keyClicks(tab.editor, "Reset Hello PIN")              # typing adds text, the heading stays
    lines = tab.editor.toPlainText().split("\n")
    assert lines[40] == "## Resolution" and lines[41].startswith("Reset Hello PIN")


def test_resolve_records_who_and_the_commit_that_fixed_it(harness: Harness, qtbot) -> None:  # noqa: ANN001
    event = _flag(harness, qtbot, OUTLOOK, "missing-step", None, "")
    assert event["anchor"] is None and event["comment"] is None
    tab = harness.controller.fixes.fix(event["flag"])
    assert tab is not None and tab.editing
    tab.editor.appendPlainText("\n6. Sign out of every Office app, then sign in again.")
    assert tab.save()
    git(harness.kb.root, "commit", "-q", "-am", "Add the sign-out step")
    fixed = git(harness.kb.root, "rev-parse", "HEAD").strip()
    assert harness.controller.fixes.resolve(event["flag"])
    qtbot.waitUntil(lambda: isinstance(harness.controller.last_dialog, ResolveDialog), timeout=10_000)
    dialog = harness.controller.last_dialog
    assert f"fixed in commit <b>{fixed[:8]}</b>" in dialog.summary.text()
    dialog.note.setPlainText("Added step 6.")
    dialog.resolve_button.click()
    qtbot.waitUntil(lambda: len(records(harness.kb.root, "flags")) == 2, timeout=10_000)
    harness.idle()
    resolved = records(harness.kb.root, "flags")[-1]
    assert resolved["event"] == "resolve" and resolved["flag"] == event["flag"]
    assert resolved["commit"] == fixed and resolved["comment"] == "Added step 6."
    assert resolved["agent"] == "Test Author <test@example.com>" and resolved["tier"] == "L1"
    qtbot.waitUntil(lambda: not harness.controller.bar_of(tab).isVisible(), timeout=5_000)
    assert f"fixed in {fixed[:8]}" in harness.messages[-1]


def test_uncommitted_fix_is_said_and_resolves_without_a_commit(harness: Harness, qtbot) -> None:  # noqa: ANN001
    harness.open(OUTLOOK, edit=True).go_to_line(20)          # in the editor: the cursor's line is offered
    event = _flag(harness, qtbot, OUTLOOK, "unclear", "20", "")
    assert event["anchor"] == "20"
    tab = harness.controller.fixes.fix(event["flag"])
    assert tab.editor.textCursor().blockNumber() + 1 == 20     # on the flagged line, at its start,
    assert not tab.editor.textCursor().hasSelection() and tab.editor.textCursor().positionInBlock() == 0
    tab.editor.appendPlainText("\nClearer now.")
    assert tab.save()
    harness.controller.fixes.resolve(event["flag"])
    qtbot.waitUntil(lambda: isinstance(harness.controller.last_dialog, ResolveDialog), timeout=10_000)
    dialog = harness.controller.last_dialog
    assert "not committed yet" in dialog.summary.text()
    dialog.resolve_button.click()
    qtbot.waitUntil(lambda: len(records(harness.kb.root, "flags")) == 2, timeout=10_000)
    assert records(harness.kb.root, "flags")[-1]["commit"] is None


def test_a_reader_below_the_documents_tier_may_flag_but_not_fix(harness: Harness, qtbot) -> None:  # noqa: ANN001
    event = _flag(harness, qtbot, LOCKOUTS, "wrong", None, "The event id is 4740, not 4625.")
    bar = harness.controller.bar_of(harness.open(LOCKOUTS))
    qtbot.waitUntil(lambda: bar.isVisible(), timeout=5_000)
    assert "Fix it" not in bar.label.text() and "its owner or a higher tier" in bar.label.text()
    assert harness.controller.fixes.fix(event["flag"]) is None
    assert "needs a L2 role or higher" in harness.messages[-1]
    assert not harness.controller.fixes.resolve(event["flag"])
    harness.settings.set("role", "L2")
    harness.controller.update_bars()
    assert "Fix it" in bar.label.text()


def test_health_lists_the_open_flag_and_resolves_it(harness: Harness, qtbot) -> None:  # noqa: ANN001
    from kbstudio.lint import Linter
    from kbstudio.ui.health_panel import PROBLEM_ROLE, HealthPanel

    event = _flag(harness, qtbot, OUTLOOK, "wrong", "cause", "The cause is the token broker, not the cache.")
    findings = [problem for problem in Linter(harness.kb.root, list(harness.documents.values())).problems()
                if problem.rule == "flag-open"]
    assert [(problem.path, problem.line) for problem in findings] == [(OUTLOOK, 78)]   # "## Cause"
    panel = HealthPanel()
    qtbot.addWidget(panel)
    panel.add_finding_action(harness.controller.fixes.health_action())
    panel.set_problems(findings)
    child = panel.tree.topLevelItem(0).child(0)
    problem = child.data(0, PROBLEM_ROLE)
    [action] = panel.finding_actions(problem)
    assert action.label == "Resolve this flag..."
    assert harness.controller.fixes.flag_of_finding(problem).id == event["flag"]
    action.run(problem)
    qtbot.waitUntil(lambda: isinstance(harness.controller.last_dialog, ResolveDialog), timeout=10_000)
    harness.controller.last_dialog.resolve_button.click()
    qtbot.waitUntil(lambda: len(records(harness.kb.root, "flags")) == 2, timeout=10_000)
    harness.idle()
    resolved = records(harness.kb.root, "flags")[-1]
    assert resolved["event"] == "resolve" and resolved["flag"] == event["flag"]
    assert resolved["commit"] == git(harness.kb.root, "log", "-1", "--format=%H", "--", OUTLOOK).strip()
    assert harness.controller.fixes.flag_of_finding(problem) is None        # resolved: no action any more


def test_fix_it_says_when_the_flagged_place_is_gone(harness: Harness, qtbot) -> None:  # noqa: ANN001
    event = _flag(harness, qtbot, OUTLOOK, "unclear", "resolution", "")
    tab = harness.open(OUTLOOK, edit=True)
    text = tab.editor.toPlainText()
    tab.editor.setPlainText(text.replace("## Resolution", "## Fix", 1))   # the heading renamed since
    assert tab.save()
    assert harness.controller.fixes.fix(event["flag"]) is tab
    assert harness.messages[-1] == ("The flagged place (resolution) is not in the document any more: "
                                    "the editor opens at its start")
