"""Odd file names in Health and the library are shown escaped: never a raw newline or text-direction mark."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbstudio.ui.library import PATH_ROLE

pytestmark = pytest.mark.timeout(90)
ODD = "articles/evil\u202egnp.md"   # a right-to-left override reverses what follows it


@pytest.fixture()
def kb_copy(content_copy: Path) -> Path:
    (content_copy / ODD).write_text("---\ntitle: Odd name\nkind: article\n---\n\n# Odd name\n", "utf-8")
    return content_copy


def test_health_and_the_library_show_an_odd_name_escaped(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=20_000)
    tree = window.health.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=10_000)
    places = [tree.topLevelItem(i).child(j).text(1) for i in range(tree.topLevelItemCount())
              for j in range(tree.topLevelItem(i).childCount())]
    assert "articles/evil\\u202egnp.md:1" in places
    assert not any("\u202e" in place for place in places)
    model = window.library.model
    found = []
    stack = [model.index(row, 0) for row in range(model.rowCount())]
    while stack:
        index = stack.pop()
        stack += [model.index(row, 0, index) for row in range(model.rowCount(index))]
        if model.data(index, PATH_ROLE) == ODD:
            found.append(model.data(index, Qt.ItemDataRole.ToolTipRole))
    assert found and "evil\\u202egnp.md" in found[0] and "\u202e" not in found[0]
