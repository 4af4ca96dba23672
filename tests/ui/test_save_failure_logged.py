"""A save that fails is said in the status bar and written to the log (issue #15 report, P9).

The failure is real: a file name longer than the file system allows (ENAMETOOLONG).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(90)


def test_a_failed_save_lands_in_the_log(window, kb_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    tab = window.open_document("articles/files/restore-a-deleted-file.md", edit=True)
    too_long = kb_copy / "articles" / ("x" * 300 + ".md")
    tab.moved_to(too_long, "articles/" + "x" * 300 + ".md")
    tab.is_new = True
    before = tab.text
    shown: list[str] = []
    tab.messageRequested.connect(shown.append)
    with caplog.at_level(logging.WARNING, logger="kbstudio.logs"):
        assert not tab.save()
    assert shown == [f"Could not save {tab.rel_path}: File name too long"]
    assert [(r.levelname, r.getMessage()[:60]) for r in caplog.records if r.name == "kbstudio.logs"] == [
        ("WARNING", f"could not save {too_long}"[:60])]
    assert "File name too long" in caplog.records[-1].getMessage()
    assert tab.text == before and tab.is_new   # nothing lost: the text waits for the next save
