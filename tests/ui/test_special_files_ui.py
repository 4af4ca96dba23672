"""The app loads a KB holding a named pipe called ``*.md``: every other document, the pipe named in Health.

Before the fix the start page said "loading..." for ever and two threads sat blocked opening the
pipe (issue #15 report, P5).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.ui.library import PATH_ROLE

pytestmark = [pytest.mark.timeout(120), pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX")]


@pytest.fixture()
def kb_copy(content_copy: Path) -> Path:
    os.mkfifo(content_copy / "articles" / "fifo.md")
    return content_copy


def _library_paths(model) -> set[str]:  # noqa: ANN001
    found: set[str] = set()
    stack = [model.index(row, 0) for row in range(model.rowCount())]
    while stack:
        index = stack.pop()
        stack += [model.index(row, 0, index) for row in range(model.rowCount(index))]
        path = model.data(index, PATH_ROLE)
        if path:
            found.add(path)
    return found


def test_the_app_loads_every_other_document_and_names_the_pipe(window, qtbot, kb_copy: Path) -> None:
    good = {path.relative_to(kb_copy).as_posix() for path in KnowledgeBase(kb_copy).iter_paths()} - {
        "articles/fifo.md"}
    assert len(good) > 10
    qtbot.waitUntil(lambda: good <= _library_paths(window.library.model), timeout=20_000)
    qtbot.waitUntil(lambda: window.checks.linter is not None, timeout=20_000)
    tree = window.health.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=10_000)
    rows = [[tree.topLevelItem(i).child(j).text(c) for c in range(tree.columnCount())]
            for i in range(tree.topLevelItemCount()) for j in range(tree.topLevelItem(i).childCount())]
    named = [row for row in rows if "articles/fifo.md:1" in row]
    assert named and any("not a regular file (a named pipe)" in text for text in named[0])
