"""The knowledge loop end to end in the main window, on a real git KB with a remote.

A search finds nothing -> the draft is created from it -> an L2 author types the resolution and
saves -> it is submitted and approved by another reviewer (the KB's default policy: one reviewer,
not the author) -> published -> an L1 agent searches, opens it and records a use on a ticket ->
the dashboard shows its reuse and the gap closed. And: a teammate's flag and use, pulled by a
sync, show on the open document, in Health and on the dashboard.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.identity import Agent
from kbstudio.loop.ledger import UseRequest
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.loop.use_dialog import UseDialog
from kbstudio.ui.new_dialog import NewDocumentDialog
from tests.ui.loop.conftest import records
from tests.ui.vcs.conftest import Side, alice, bob, remote  # noqa: F401 - fixtures
from tests.ui.vcs.test_git_in_window import git_window  # noqa: F401 - the fixture

pytestmark = pytest.mark.timeout(180)
RITA = "Rita Reviewer <rita@example.com>"
ASKED = "Badge reader beeps red at the turnstile"
LATER = "turnstile badge beeps red"
RESOLUTION = "Re-enrol the badge at reception: the access system drops badges unused for 90 days."


def _wait(qtbot, condition, timeout: int = 20_000) -> None:  # noqa: ANN001
    qtbot.waitUntil(condition, timeout=timeout)


def _identity(monkeypatch: pytest.MonkeyPatch, name: str, email: str) -> None:
    """Work as another person from now on (git's author and committer)."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", name)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", email)


def _search(window, qtbot, text: str) -> None:  # noqa: ANN001
    """Type ``text`` into the search box as a person does; return once its answer is on screen."""
    window.focus_search()
    window.search.query.clear()
    with qtbot.waitSignal(window.search.responseShown, timeout=20_000,
                          check_params_cb=lambda response, options: response.query == text):
        qtbot.keyClicks(window.search.query, text)


def test_a_failed_search_becomes_a_published_article_reused_on_a_ticket(
        git_window, qtbot, alice: Side, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001, F811
    window = git_window
    window.loop.tracker.settle_ms = 0
    # 1. An L1 agent searches in the caller's words and finds nothing.
    window.apply_role("L1")
    _search(window, qtbot, ASKED)
    _wait(qtbot, lambda: window.search.create_button.isVisible())
    assert window.search.summary.text().startswith("0 matches")

    # 2. "Create an article from this search": a draft with the words as typed.
    window.search.create_button.click()
    dialog = window.loop.last_dialog
    assert isinstance(dialog, NewDocumentDialog) and dialog.title() == ASKED and dialog.tier() == "L1"
    dialog.ok_button.click()
    _wait(qtbot, lambda: isinstance(window.current_tab(), DocumentTab)
          and window.current_tab().rel_path.endswith("badge-reader-beeps-red-at-the-turnstile.md"))
    draft = window.current_tab()
    rel = draft.rel_path
    assert draft.editing and "status: draft" in draft.text and f"- {ASKED}\n" in draft.text
    _wait(qtbot, lambda: bool(records(alice.root, "gaps")))
    [gap] = records(alice.root, "gaps")
    assert gap["query"] == ASKED and gap["kind"] == "no-results" and gap["tier"] == "L1"
    _wait(qtbot, lambda: rel in window.documents)

    # 3. An L2 author completes it: types the resolution and saves (committed as a draft).
    window.apply_role("L2")
    window.menus.auto_commit.setChecked(True)
    line = draft.text.split("\n").index("## Resolution") + 3          # the template's "1. " line
    draft.go_to_line(line)
    cursor = draft.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.EndOfLine)
    draft.editor.setTextCursor(cursor)
    qtbot.keyClicks(draft.editor, RESOLUTION)
    assert f"1. {RESOLUTION}" in draft.text
    window.menus.save.trigger()                                         # File > Save
    _wait(qtbot, lambda: not draft.dirty)
    assert RESOLUTION in (alice.root / rel).read_text("utf-8")
    _wait(qtbot, lambda: not alice.git("status", "--porcelain", "--", rel).strip())   # auto-committed
    assert "status: draft" in alice.git("show", f"HEAD:{rel}")

    # 4. Review: submitted, then approved by another reviewer: published.
    assert window.review.submit_current(reviewers=RITA)
    _wait(qtbot, lambda: alice.git("log", "-1", "--format=%s").startswith("Submit"))
    _identity(monkeypatch, "Rita Reviewer", "rita@example.com")     # another person reviews
    window.settings.set("reviewer", RITA)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *args, **kwargs: QMessageBox.StandardButton.Yes))
    page = window.review.show_queue()
    _wait(qtbot, lambda: page.queue.count() == 1)
    assert page.current().path == rel
    page.approve_button.click()
    _wait(qtbot, lambda: f"Reviewed-by: {RITA}" in alice.git("log", "-1", "--format=%B"))
    assert "status: published" in (alice.root / rel).read_text("utf-8")
    published = alice.git("log", "-1", "--format=%H").strip()
    _wait(qtbot, lambda: window.documents[rel].status == "published")
    doc_id = window.documents[rel].id

    assert window.close_tab(window.tabs.indexOf(draft))              # the author is done with it

    # 5. An L1 agent searches other words, opens it and records a use on a ticket.
    _identity(monkeypatch, "Lia Agent", "lia@example.com")
    window.apply_role("L1")
    _search(window, qtbot, LATER)
    _wait(qtbot, lambda: window.search.results.count() >= 1
          and window.search.results.item(0).data(Qt.ItemDataRole.UserRole) == rel)
    qtbot.keyClick(window.search.query, Qt.Key.Key_Return)          # opens the first result
    _wait(qtbot, lambda: isinstance(window.current_tab(), DocumentTab)
          and window.current_tab().rel_path == rel)
    tab = window.current_tab()
    assert not tab.editing                                             # an L1 agent reads
    use_button, _ = window.loop.buttons_of(tab)
    use_button.click()
    use = window.loop.last_dialog
    assert isinstance(use, UseDialog) and use.chosen_searches() == [LATER]
    qtbot.keyClicks(use.ticket, "INC-20931")
    qtbot.keyClick(use.ticket, Qt.Key.Key_Return)                    # the default button records
    _wait(qtbot, lambda: bool(records(alice.root, "usage")))
    [entry] = records(alice.root, "usage")
    assert (entry["document"], entry["path"], entry["outcome"], entry["ticket"]) == (doc_id, rel, "solved",
                                                                                      "INC-20931")
    assert entry["tier"] == "L1" and entry["searches"] == [LATER] and entry["version"] == published
    assert entry["agent"] == "Lia Agent <lia@example.com>"

    # 6. The dashboard: the reuse count and the gap closed.
    dashboard = window.review.show_dashboard()
    view = window.loop.pages.health_view
    assert view is not None and view.parent() is not None and dashboard is not None
    _wait(qtbot, lambda: view.data is not None and view.reuse.rowCount() == 1)
    assert view.reuse.item(0, 0).text() == f"{doc_id} {ASKED}"
    assert [view.reuse.item(0, column).text() for column in (1, 2, 3)] == ["1", "1", "1"]
    text = view.figures_label.text()
    assert "Search gaps</a>: <b>0</b> open of 1 (1 closed by a published article)" in text
    assert "<b>1</b> uses and SOP runs in 90 days (1 in all); link rate <b>100%</b>" in text
    assert "Resolved at tier (solved): L1 100% of 1" in text
    assert "Draft to published: median 0 days (1 document)" in text   # minutes from draft to published
    assert view.chart.weeks[-1] == {**view.chart.weeks[-1], "uses": 1, "solved": 1}


def test_a_teammates_flag_and_use_arrive_with_a_sync(git_window, qtbot,  # noqa: ANN001, F811
                                                     alice: Side, bob: Side) -> None:  # noqa: F811
    window = git_window
    tab = window.open_document("articles/doc-1.md")
    bar = window.loop.bar_of(tab)
    assert bar is not None and bar.isHidden()
    bob_kb = KnowledgeBase(bob.root)
    bob_loop = KnowledgeLoop.open(bob_kb, agent=Agent("Bob Okafor", "bob@example.com"))
    document = bob_kb.load(bob.root / "articles/doc-1.md")
    bob_loop.flag(document, "outdated", comment="The VPN client is GlobalProtect 6 now.", anchor="resolution")
    bob_loop.record_use(document, UseRequest("partly", ticket="INC-7", tier="L1"))
    assert bob.sync().pushed                                 # the records go in a commit of their own
    assert bob.git("log", "-1", "--format=%s").startswith("Knowledge loop: 1 use, 1 flag")
    page = window.review.show_dashboard()
    view = window.loop.pages.health_view
    _wait(qtbot, lambda: view.data is not None)
    assert view.data.board.figures.uses_total == 0
    window.git.actions["sync"].trigger()
    _wait(qtbot, lambda: not bar.isHidden(), timeout=30_000)         # on the tab behind the dashboard
    assert "1 open flag" in bar.label.text() and "GlobalProtect 6" in bar.label.text()
    _wait(qtbot, lambda: view.data.board.figures.uses_total == 1)
    assert view.reuse.item(0, 0).text() == "KB-0001 Connect to the VPN"
    window.left.setCurrentWidget(window.health)
    _wait(qtbot, lambda: any(window.health.tree.topLevelItem(row).text(0).startswith("flag-open")
                             for row in range(window.health.tree.topLevelItemCount())))
    assert page is not None
