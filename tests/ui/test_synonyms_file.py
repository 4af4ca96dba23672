"""The team's synonyms file in the app: Health opens it at the finding's line in a text tab, a save
(or a change on disk, or a pull) updates Health and the search results, and it is never a document."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument

from kbstudio.changes import KBChange
from kbstudio.index.snippets import BLOCK_SEPARATOR, CELL_SEPARATOR, HEADING_SEPARATOR
from kbstudio.index.synonyms import SYNONYMS_PATH
from kbstudio.kb import KnowledgeBase
from kbstudio.model import Problem
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.health_panel import summary
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.recovery_keeper import RecoveryKeeper
from kbstudio.ui.rich_delegate import HTML_ROLE
from kbstudio.ui.search_panel import PATH_ROLE
from kbstudio.ui.text_file_tab import TextFileTab

pytestmark = pytest.mark.timeout(90)
BAD_ENTRY = "toner: toner cartridge"     # a term with text, not a list: search cannot use it
FIXED_ENTRY = "toner: [toner cartridge]"
CLEAN = "No findings: every document passes."
TONER_ARTICLE = "articles/printing/print-jobs-stuck-in-the-queue.md"


def synonyms_file(kb: Path) -> Path:
    return kb / SYNONYMS_PATH


def health_findings(window) -> dict[str, list[tuple[str, str]]]:
    """Return Health's tree as {rule: [(message, where), ...]}."""
    tree = window.health.tree
    found: dict[str, list[tuple[str, str]]] = {}
    for index in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(index)
        found[group.text(0).split()[0]] = [(group.child(i).text(0), group.child(i).text(1))
                                           for i in range(group.childCount())]
    return found


def finding_item(window, rule: str, row: int = 0):
    tree = window.health.tree
    for index in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(index)
        if group.text(0).split()[0] == rule:
            return group.child(row)
    raise AssertionError(f"no {rule} group in Health")


def write_outside(path: Path, data: bytes) -> None:
    """Write ``path`` as another program would (after a pause, so its time stamp moves on)."""
    time.sleep(0.05)
    path.write_bytes(data)


@pytest.fixture()
def bad_crlf_synonyms(kb_copy: Path) -> bytes:
    """The demo's synonyms file with CRLF line endings and one entry search cannot use (line 17)."""
    path = synonyms_file(kb_copy)
    text = path.read_text("utf-8")
    assert text.count("\n") == 16
    data = (text + BAD_ENTRY + "\n").replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(data)
    return data


def test_a_synonyms_finding_opens_the_file_at_its_line_and_a_fix_clears_health(
        bad_crlf_synonyms: bytes, window, qtbot, kb_copy: Path) -> None:
    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=20_000)
    message = ("'toner' must have a list of equivalents, such as toner: [toner cartridge]; "
               "it is not used")
    assert health_findings(window) == {"synonyms-invalid": [(message, ".kbstudio/synonyms.yaml:17")]}
    assert window.health.summary.text() == "1 error, 0 warnings in .kbstudio/synonyms.yaml"

    tree = window.health.tree
    window.left.setCurrentWidget(window.health)
    group = tree.topLevelItem(0)
    assert not group.isExpanded()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(group).center())
    assert group.isExpanded()   # a click on the rule's row opens it
    finding = finding_item(window, "synonyms-invalid")
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(finding).center())
    tab = window.tabs.currentWidget()
    assert isinstance(tab, TextFileTab) and window.current_tab() is None   # no document tab, no front matter
    assert tab.rel_path == SYNONYMS_PATH
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Search synonyms"
    assert window.tabs.tabToolTip(window.tabs.currentIndex()) == SYNONYMS_PATH
    cursor = tab.editor.textCursor()
    assert cursor.blockNumber() + 1 == 17 and cursor.selectedText() == BAD_ENTRY
    assert tab.editor.hasFocus() and not tab.editor.isReadOnly()
    assert tab.position.text().strip() == "Line 17 of 18, column 23"
    assert "\r" not in tab.text and tab.text.splitlines()[16] == BAD_ENTRY
    assert not tab.dirty
    # the tab tells what search cannot use as it stands, linked to the line
    assert tab.problems.isVisible()
    assert tab.problems.text() == (
        f"<b>Not used by search:</b><br><a href='17'>line 17</a>: {html.escape(message)}")

    tab.editor.insertPlainText(FIXED_ENTRY)   # typed over the selected line
    assert tab.dirty and window.tabs.tabText(window.tabs.currentIndex()) == "Search synonyms *"
    qtbot.waitUntil(lambda: not tab.problems.isVisible(), timeout=3_000)   # checked as you type
    window.menus.save.trigger()   # File > Save, Ctrl+S
    assert not tab.dirty and window.tabs.tabText(window.tabs.currentIndex()) == "Search synonyms"
    # saved through the safe save in the file's own format: CRLF kept, one line changed
    expected = bad_crlf_synonyms.replace(BAD_ENTRY.encode(), FIXED_ENTRY.encode())
    assert synonyms_file(kb_copy).read_bytes() == expected
    qtbot.waitUntil(lambda: window.health.summary.text() == CLEAN, timeout=10_000)
    assert health_findings(window) == {}


def test_search_finds_a_document_through_a_synonym_saved_in_the_app(window, qtbot, kb_copy: Path) -> None:
    window.focus_search()
    qtbot.keyClicks(window.search.query, "zorbulator")
    qtbot.waitUntil(lambda: window.search.summary.text().startswith("0 matches"), timeout=10_000)
    assert window.search.results.count() == 0

    tab = window.documents_actions.edit_synonyms()   # Edit > Search synonyms
    assert isinstance(tab, TextFileTab) and not tab.is_new and not tab.dirty
    cursor = tab.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    cursor.insertText("toner: [zorbulator]\n")
    assert tab.save()
    assert synonyms_file(kb_copy).read_text("utf-8").endswith("OST: [offline cache, Outlook data file]\n"
                                                              "toner: [zorbulator]\n")
    # the query on screen runs again by itself, and the new synonym finds the toner articles
    qtbot.waitUntil(lambda: window.search.results.count() > 0, timeout=10_000)
    shown = [window.search.results.item(i).data(PATH_ROLE) for i in range(window.search.results.count())]
    assert TONER_ARTICLE in shown
    first = window.search.results.item(shown.index(TONER_ARTICLE)).data(HTML_ROLE)
    assert "<b>toner</b>" in first.lower()
    assert window.search.query.text() == "zorbulator"
    # a single caller's word no article has is what the file is for: Health stays clean
    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=20_000)
    window.load_work.wait()
    qtbot.wait(50)
    assert window.health.summary.text() == CLEAN


def test_a_change_on_disk_updates_health_and_reloads_the_open_file(window, qtbot, kb_copy: Path) -> None:
    qtbot.waitUntil(lambda: window.checks.linter is not None and window.health.summary.text() == CLEAN,
                    timeout=20_000)
    tab = window.documents_actions.edit_synonyms()
    path = synonyms_file(kb_copy)
    original = path.read_bytes()
    write_outside(path, original + b"printr: [print device]\n")   # misspelt: no document has either
    qtbot.waitUntil(lambda: "synonym-unused" in health_findings(window), timeout=10_000)
    message, where = health_findings(window)["synonym-unused"][0]
    assert where == ".kbstudio/synonyms.yaml:17" and "'printr', 'print device'" in message
    assert window.health.summary.text() == "0 errors, 1 warning in .kbstudio/synonyms.yaml"
    qtbot.waitUntil(lambda: tab.text.endswith("printr: [print device]\n"), timeout=5_000)   # clean: reloaded
    assert not tab.dirty

    # another program replaces the file (a rename, as editors and git do): followed too
    replacement = path.with_name("synonyms.yaml.new")
    replacement.write_bytes(original)
    time.sleep(0.05)
    replacement.replace(path)
    qtbot.waitUntil(lambda: window.health.summary.text() == CLEAN, timeout=10_000)
    qtbot.waitUntil(lambda: tab.text == original.decode("utf-8"), timeout=5_000)


def test_a_pulled_synonyms_file_updates_health(window, qtbot, kb_copy: Path) -> None:
    qtbot.waitUntil(lambda: window.checks.linter is not None and window.health.summary.text() == CLEAN,
                    timeout=20_000)
    window.kb_files.watcher.blockSignals(True)   # only what the pull reports, not the file watch
    path = synonyms_file(kb_copy)
    write_outside(path, path.read_bytes() + b"VPN client: vpn\n")
    window.hub.publish(KBChange.of(changed=[SYNONYMS_PATH, "articles/printing/add-a-network-printer.md"]))
    qtbot.waitUntil(lambda: "synonyms-invalid" in health_findings(window), timeout=10_000)
    assert health_findings(window)["synonyms-invalid"][0][1] == ".kbstudio/synonyms.yaml:17"
    assert SYNONYMS_PATH not in window.documents
    assert window.count_label.text() == "61 documents"
    window.kb_files.watcher.blockSignals(False)


def test_a_change_while_the_first_check_runs_is_not_lost(window, qtbot, kb_copy: Path) -> None:
    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=20_000)
    window.checks.linter = None   # as while the first check is still running
    path = synonyms_file(kb_copy)
    write_outside(path, path.read_bytes() + b"kiosk: self-service terminal\n")
    window.kb_files.check()
    assert window.checks.pending.health
    window.checks.start()   # already started: nothing new
    window.checks.started = False
    window.checks.start()   # the check ends, then runs the KB-wide rules again
    qtbot.waitUntil(lambda: "synonyms-invalid" in health_findings(window), timeout=10_000)
    assert not window.checks.pending


def test_unsaved_synonyms_edits_are_kept_or_compared_when_the_file_changes(
        window, qtbot, kb_copy: Path, no_modal_dialogs: list[str]) -> None:
    tab = window.open_document(SYNONYMS_PATH)   # what a Health click or a recovery copy calls
    assert isinstance(tab, TextFileTab)
    assert window.open_document(SYNONYMS_PATH) is tab   # one tab per file
    tab.replace_text(tab.text + "hot desk: [hotdesk]\n")
    path = synonyms_file(kb_copy)
    write_outside(path, b"# Checked by the team lead\n" + path.read_bytes())   # another place: combines
    qtbot.waitUntil(lambda: window.changes.question is not None, timeout=5_000)
    question = window.changes.question
    assert question.text() == f"{SYNONYMS_PATH} was changed by another program since you opened it."
    compare = next(b for b in question.buttons() if b.text() == "Compare and combine...")
    compare.click()
    qtbot.waitUntil(lambda: window.changes.compare_dialog is not None, timeout=3_000)
    dialog = window.changes.compare_dialog
    qtbot.waitUntil(lambda: dialog.view.record is not None, timeout=5_000)
    assert dialog.combine_button.isEnabled()
    dialog.combine_button.click()
    assert tab.text.startswith("# Checked by the team lead\n") and tab.text.endswith("hot desk: [hotdesk]\n")
    assert tab.dirty and tab.save()
    assert path.read_text("utf-8") == tab.text

    tab.replace_text(tab.text + "# unsaved\n")
    assert window.close_tab(window.tabs.indexOf(tab))   # asks; the test answers Discard
    assert no_modal_dialogs[-1] == f"Save the changes to {SYNONYMS_PATH}?"
    assert "# unsaved" not in path.read_text("utf-8")


def test_unsaved_synonyms_survive_a_crash(window, qtbot, settings, tmp_path: Path, kb_copy: Path,
                                          monkeypatch) -> None:
    tab = window.documents_actions.edit_synonyms()
    tab.replace_text(tab.text + "hot desk: [hotdesk]\n")
    assert window.recovery.write_now() == 1
    window.recovery.stop()   # a crash: the window is left as it is
    monkeypatch.setattr(RecoveryKeeper, "ask_to_restore", lambda self, entries: True)
    second = MainWindow(settings, index_dir=str(tmp_path / "indexes"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(second)
    second.show()
    second.open_kb(KnowledgeBase(kb_copy))
    qtbot.waitUntil(lambda: second.tab_for(SYNONYMS_PATH) is not None, timeout=20_000)
    restored = second.tab_for(SYNONYMS_PATH)
    assert isinstance(restored, TextFileTab)
    assert restored.dirty and restored.text.endswith("hot desk: [hotdesk]\n")
    assert restored.save()
    assert synonyms_file(kb_copy).read_text("utf-8").endswith("hot desk: [hotdesk]\n")
    second.close()


def test_a_kb_without_synonyms_gets_a_starter_file_on_first_save(kb_copy: Path, window, qtbot) -> None:
    path = synonyms_file(kb_copy)
    path.unlink()
    window.kb_files.check()
    assert window.open_document(SYNONYMS_PATH) is None   # a finding of a file that is gone
    tab = window.documents_actions.edit_synonyms()
    assert tab.is_new and not tab.dirty and "VPN: [GlobalProtect, remote access]" in tab.text
    assert not path.exists()
    assert window.tabs.tabToolTip(window.tabs.currentIndex()).endswith("(new: written when you first save)")
    window.pages.save_current()
    assert path.read_text("utf-8") == tab.text and not tab.is_new


def test_a_synonyms_file_the_editor_cannot_keep_is_read_only(kb_copy: Path, window) -> None:
    path = synonyms_file(kb_copy)
    path.write_bytes(b"VPN: [GlobalProtect]\nCaf\xe9: [coffee]\n")   # Latin-1, not UTF-8
    tab = window.open_document(SYNONYMS_PATH)
    assert tab.editor.isReadOnly() and not tab.save_action.isVisible()
    assert "not UTF-8" in tab.problems.text()
    assert not tab.save()
    assert path.read_bytes() == b"VPN: [GlobalProtect]\nCaf\xe9: [coffee]\n"


def test_health_summary_counts_documents_and_names_other_files() -> None:
    doc = Problem("broken-link", "error", "articles/a.md", 3, "m")
    other = Problem("todo", "warning", "articles/b.md", 5, "m")
    synonyms = Problem("synonym-unused", "warning", SYNONYMS_PATH, 4, "m")
    assert summary([]) == CLEAN
    assert summary([synonyms]) == "0 errors, 1 warning in .kbstudio/synonyms.yaml"
    assert summary([doc, other, synonyms]) == \
        "1 error, 2 warnings in 2 documents and .kbstudio/synonyms.yaml"
    assert summary([doc, doc]) == "2 errors, 0 warnings in 1 document"


def test_snippets_render_as_text_with_their_separators(window, qtbot, kb_copy: Path) -> None:
    article = kb_copy / "articles/printing/zorbulator-reset.md"
    article.write_text(
        "---\nid: KB-0900\ntitle: Reset the badge reader\nkind: article\ntier: L1\nstatus: published\n"
        "---\n\n## Symptoms\n\nThe zorbulator shows `<div class=\"x\">Error &amp; code</div>` on screen.\n\n"
        "| Light | Meaning |\n|---|---|\n| red zorbulator | jammed |\n", "utf-8")
    window.hub.publish(KBChange.of(changed=["articles/printing/zorbulator-reset.md"]))
    qtbot.keyClicks(window.search.query, "zorbulator")
    qtbot.waitUntil(lambda: window.search.results.count() == 1, timeout=10_000)
    item = window.search.results.item(0)
    markup = item.data(HTML_ROLE)
    # what the delegate paints: the same rich-text document it lays out for the row
    document = QTextDocument()
    document.setHtml(markup)
    shown = document.toPlainText()
    assert "<b>" not in shown and "&lt;" not in shown and "&quot;" not in shown
    assert '<div class="x">Error &amp; code</div>' in shown   # the code as written, shown as text
    assert f"Symptoms{HEADING_SEPARATOR}The zorbulator" in shown
    assert BLOCK_SEPARATOR in shown and f"red zorbulator{CELL_SEPARATOR}jammed" in shown
    bold = [fragment.text() for fragment in _fragments(document) if fragment.charFormat().fontWeight()
            >= QFont.Weight.Bold]
    assert bold.count("zorbulator") == 2 and "Reset the badge reader" in bold
    painted = window.search.delegate._document(markup, 400)   # noqa: SLF001 - the delegate's own layout
    assert painted.toPlainText() == shown
    assert item.data(Qt.ItemDataRole.DisplayRole) == "Reset the badge reader"
    window.search.results.itemActivated.emit(item)
    assert isinstance(window.tabs.currentWidget(), DocumentTab)


def _fragments(document: QTextDocument):
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid():
                yield fragment
            iterator += 1
        block = block.next()
