"""The main window driven as a user would: search, open, edit, save, conflicts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbstudio.ui.document_tab import DocumentTab

pytestmark = pytest.mark.timeout(90)


def test_title_status_bar_and_library(window, kb_copy: Path) -> None:
    assert window.windowTitle() == "KB Studio - content"
    assert window.count_label.text() == "61 documents"
    assert str(kb_copy.resolve()) in window.kb_label.text()
    window.library.set_grouping("tier")
    groups = window.library.top_level_labels()
    assert groups[0].startswith("L0") and groups[-1].startswith("L4")
    window.library.filter.setText("bitlocker")
    window.library.refresh()   # what the filter's short typing delay does
    assert window.library.model.rowCount() == 1
    group = window.library.model.index(0, 0)
    assert group.data().endswith("(1)")
    found = window.library.model.index(0, 0, group)
    assert "BitLocker" in found.data()
    window.library.tree.activated.emit(found.siblingAtColumn(2))
    assert window.current_tab().rel_path == "articles/devices/bitlocker-recovery-key.md"


def test_typing_a_query_and_opening_the_first_result(window, qtbot) -> None:
    window.focus_search()
    qtbot.keyClicks(window.search.query, "outlook keeps asking for my password")
    qtbot.waitUntil(lambda: window.search.results.count() > 0, timeout=10_000)
    qtbot.keyClick(window.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(window.current_tab(), DocumentTab), timeout=5_000)
    tab = window.current_tab()
    assert tab.rel_path == "articles/email/outlook-keeps-asking-for-password.md"
    assert not tab.edit_side.isVisible()  # the L1 view opens documents to read
    qtbot.waitUntil(lambda: "Outlook keeps asking" in tab.preview.toPlainText(), timeout=5_000)


def test_typo_suggestion_and_l1_tier_hint(window, qtbot) -> None:
    qtbot.keyClicks(window.search.query, "pasword")
    qtbot.waitUntil(lambda: window.search.suggestion.isVisible(), timeout=10_000)
    assert "password" in window.search.suggestion.text()
    assert "more for other tiers" in window.search.summary.text()
    shown = [window.search.results.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(window.search.results.count())]
    assert shown and all("find-the-source-of-repeated-lockouts" not in path for path in shown)


def test_form_edits_write_yaml_and_yaml_edits_fill_the_form(window, qtbot, kb_copy: Path) -> None:
    tab = window.open_document("articles/devices/laptop-is-slow.md", edit=True)
    tier_box = tab.form.widgets["tier"]
    tier_box.setCurrentIndex(tier_box.findData("L1"))
    assert "tier: L1\n" in tab.text and "tier: L0" not in tab.text
    before = tab.text.splitlines()
    tab.replace_text(tab.text.replace("status: published", "status: review"))
    qtbot.waitUntil(lambda: tab.form.widgets["status"].currentData() == "review", timeout=3_000)
    assert len(tab.text.splitlines()) == len(before)
    tab.replace_text(tab.text.replace("title: ", "title: [broken", 1))
    qtbot.waitUntil(lambda: tab.form.error.isVisible(), timeout=3_000)
    assert "not valid YAML" in tab.form.error.text() and "line " in tab.form.error.text()


def test_save_writes_the_file_and_updates_the_index(window, qtbot, kb_copy: Path) -> None:
    tab = window.open_document("articles/printing/print-jobs-stuck-in-the-queue.md", edit=True)
    tab.replace_text(tab.text + "\nThe zebracorn spooler trick.\n")
    assert tab.dirty
    qtbot.keyClick(tab.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.dirty, timeout=5_000)
    assert "zebracorn" in (kb_copy / tab.rel_path).read_text("utf-8")
    window.search.query.setText("zebracorn")
    qtbot.waitUntil(lambda: window.search.results.count() == 1, timeout=10_000)


def test_external_change_reloads_a_clean_tab(window, qtbot, kb_copy: Path) -> None:
    tab = window.open_document("articles/mfa/mfa-codes-rejected.md")
    path = kb_copy / tab.rel_path
    time.sleep(0.05)
    path.write_text(path.read_text("utf-8") + "\nEdited in another editor.\n", "utf-8")
    qtbot.waitUntil(lambda: "Edited in another editor." in tab.text, timeout=5_000)
    assert not tab.dirty


def test_save_never_overwrites_an_outside_change(window, qtbot, kb_copy: Path, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(window.changes, "ask", lambda tab, error: asked.append(error))
    tab = window.open_document("articles/email/mailbox-almost-full.md", edit=True)
    window.disk.forget(tab.document.path)
    path = kb_copy / tab.rel_path
    path.write_text("theirs\n", "utf-8")
    tab.replace_text(tab.text + "\nmine\n")
    assert not tab.save()
    assert path.read_text("utf-8") == "theirs\n"
    qtbot.waitUntil(lambda: bool(asked), timeout=2_000)
    tab.keep_mine()
    assert path.read_text("utf-8").endswith("mine\n")


def test_new_document_from_template(window, qtbot, monkeypatch, kb_copy: Path) -> None:
    from kbstudio.ui import document_actions

    class FakeDialog:
        DialogCode = document_actions.NewDocumentDialog.DialogCode

        def __init__(self, parent, folders, folder) -> None:
            self.folder = lambda: folder or "sops"

        def exec(self) -> object:
            return self.DialogCode.Accepted

        def kind(self) -> str:
            return "sop"

        def title(self) -> str:
            return "Escalate badge reader faults"

        def tier(self) -> str:
            return "L1"

    monkeypatch.setattr(document_actions, "NewDocumentDialog", FakeDialog)
    window.documents_actions.new_document()
    tab = window.current_tab()
    assert tab.rel_path == "sops/escalate-badge-reader-faults.md"
    assert "id: SOP-0014" in tab.text and tab.edit_side.isVisible()
    assert not (kb_copy / tab.rel_path).exists()   # written on the first save, not before
    assert tab.save()
    assert (kb_copy / tab.rel_path).read_text("utf-8") == tab.text


def test_hostile_markdown_is_harmless_in_the_preview(window, qtbot, kb_copy: Path) -> None:
    (kb_copy / "articles" / "hostile.md").write_text(
        "# Hostile\n\n<script>alert(1)</script>\n\n[js](javascript:alert(2)) "
        "![tracker](https://evil.example/p.png) <img src=x onerror=alert(3)>\n", "utf-8")
    tab = window.open_document("articles/hostile.md")
    qtbot.waitUntil(lambda: "Hostile" in tab.preview.toPlainText(), timeout=5_000)
    html = tab.preview.toHtml().lower()
    # The script tag shows as inert text (GitHub's tagfilter does the same); no link or handler runs.
    assert "<script>alert(1)</script>" in tab.preview.toPlainText()
    assert "onerror" not in html and "javascript" not in html and "evil.example" not in html
    assert "remote image not loaded" in tab.preview.toPlainText()
    messages = []
    tab.messageRequested.connect(messages.append)
    from PySide6.QtCore import QUrl

    tab._follow_link(QUrl("file:///etc/passwd"))
    tab._follow_link(QUrl("smb://server/share"))
    assert len(messages) == 2 and all("Refused" in m for m in messages)
    assert tab.preview.loadResource(2, QUrl("https://evil.example/p.png")) is None


def test_links_between_documents_open_in_the_app(window, qtbot) -> None:
    tab = window.open_document("articles/network/vpn-gateway-unreachable.md")
    tab._follow_link(__import__("PySide6.QtCore", fromlist=["QUrl"]).QUrl(
        "../../sops/escalate-vpn-and-remote-access-problems.md"))
    assert window.current_tab().rel_path == "sops/escalate-vpn-and-remote-access-problems.md"


def test_an_outside_change_while_editing_asks_and_compares(window, qtbot, kb_copy: Path) -> None:
    tab = window.open_document("articles/files/restore-a-deleted-file.md", edit=True)
    tab.replace_text(tab.text + "\nMy unsaved paragraph.\n")
    path = kb_copy / tab.rel_path
    time.sleep(0.05)
    path.write_text(path.read_text("utf-8") + "\nTheir paragraph from another editor.\n", "utf-8")
    qtbot.waitUntil(lambda: window.changes.question is not None, timeout=5_000)
    question = window.changes.question
    assert "changed by another program" in question.text()
    compare = next(b for b in question.buttons() if b.text() == "Compare and combine...")
    compare.click()
    qtbot.waitUntil(lambda: window.changes.compare_dialog is not None, timeout=3_000)
    dialog = window.changes.compare_dialog
    qtbot.waitUntil(lambda: dialog.view.record is not None, timeout=5_000)
    theirs, mine = dialog.view.panes["theirs"].toPlainText(), dialog.view.panes["mine"].toPlainText()
    assert "Their paragraph" in theirs and "My unsaved paragraph" in mine
    dialog.keep_button.click()
    saved = path.read_text("utf-8")
    assert "My unsaved paragraph." in saved and not tab.dirty


def test_a_file_replaced_by_delete_then_write_is_still_followed(window, qtbot, kb_copy: Path) -> None:
    # git checkout deletes a file and writes a new one: the watch must survive the gap between them.
    tab = window.open_document("articles/mfa/mfa-codes-rejected.md")
    path = kb_copy / tab.rel_path
    original = path.read_text("utf-8")
    time.sleep(0.05)
    path.unlink()
    qtbot.wait(30)
    path.write_text(original + "\nFirst outside edit.\n", "utf-8")
    qtbot.waitUntil(lambda: "First outside edit." in tab.text, timeout=5_000)
    time.sleep(0.05)
    path.write_text(original + "\nSecond outside edit.\n", "utf-8")
    qtbot.waitUntil(lambda: "Second outside edit." in tab.text, timeout=5_000)
    assert not tab.dirty
