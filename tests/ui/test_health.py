"""The Health panel: findings by rule, refreshed after a save, opening the document at the line."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(90)
ARTICLE = "articles/printing/add-a-network-printer.md"


def test_a_defect_saved_shows_up_and_opens_at_its_line(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=20_000)
    assert window.health.summary.text() == "No findings: every document passes."
    tab = window.open_document(ARTICLE, edit=True)
    tab.editor.appendPlainText("\nSee [the old guide](../printing/no-such-article.md) for more.\n")
    assert tab.save()
    tree = window.health.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=5_000)
    groups = {tree.topLevelItem(i).text(0).split()[0]: tree.topLevelItem(i)
              for i in range(tree.topLevelItemCount())}
    assert "broken-link" in groups and groups["broken-link"].text(1) == "error"
    finding = groups["broken-link"].child(0)
    path, line = finding.text(1).rsplit(":", 1)
    assert path == ARTICLE
    window.tabs.setCurrentIndex(0)
    window.health.tree.itemClicked.emit(finding, 0)
    current = window.current_tab()
    assert current is tab and tab.edit_side.isVisible()
    assert "no-such-article.md" in tab.editor.textCursor().block().text()
    assert tab.editor.textCursor().blockNumber() + 1 == int(line)
    window.health.errors_only.setChecked(True)
    assert tree.topLevelItemCount() >= 1
