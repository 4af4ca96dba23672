"""The window keeps what lists and filters need of every document (DocumentInfo), never their texts.

Texts are read when a document opens, when Health checks it, when an SOP is matched or mapped;
after a save or a pull the window still holds only the document's fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbstudio.changes import KBChange
from kbstudio.kb import KnowledgeBase
from kbstudio.lint import lint_kb
from kbstudio.model import DocumentInfo

pytestmark = pytest.mark.timeout(90)


def _light(window) -> bool:  # noqa: ANN001
    return all(type(doc) is DocumentInfo for doc in window.documents.values()) and all(
        type(doc) is DocumentInfo for doc in window.library.documents.values())


def test_loading_keeps_infos_and_the_library_lists_them(window, kb_copy: Path) -> None:
    assert len(window.documents) == 61 and _light(window)
    assert not any(hasattr(doc, "body") for doc in window.documents.values())
    assert window.count_label.text() == "61 documents"
    window.library.set_grouping("tier")
    window.library.filter.setText("bitlocker")
    window.library.refresh()
    group = window.library.model.index(0, 0)
    assert "BitLocker" in window.library.model.index(0, 0, group).data()


def test_a_save_and_a_pull_keep_infos_and_health_reads_texts(window, qtbot, kb_copy: Path) -> None:
    window.left.setCurrentWidget(window.health)
    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=30_000)
    rel = "articles/printing/print-jobs-stuck-in-the-queue.md"
    tab = window.open_document(rel, edit=True)
    tab.replace_text(tab.text.replace("status: published", "status: draft") + "\nTODO: check the spooler.\n")
    qtbot.keyClick(tab.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.dirty, timeout=5_000)
    assert _light(window) and window.documents[rel].status == "draft"
    other = "articles/network/vpn-drops-every-few-minutes.md"
    path = kb_copy / other
    path.write_text(path.read_text("utf-8").replace("status: review", "status: published"), "utf-8")
    window.hub.publish(KBChange.of(changed=[other]))   # what a pull reports
    assert _light(window) and window.documents[other].status == "published"
    expected = [(p.rule, p.path, p.line) for p in lint_kb(KnowledgeBase(kb_copy))]
    qtbot.waitUntil(lambda: [(p.rule, p.path, p.line) for p in window.checks.linter.problems()] == expected,
                    timeout=10_000)
