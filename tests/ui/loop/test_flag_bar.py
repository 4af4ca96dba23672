"""The flag bar lists open flags newest first, and "and N more" lists them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kbstudio.loop.flags import Flag
from kbstudio.ui.loop.flag_bar import SHOWN, FlagBar

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _flags(count: int) -> list[Flag]:
    return [Flag(f"{index:04d}abcd", "KB-0019", "articles/x.md", "unclear",
                 NOW - timedelta(days=count - index), "Ana López <ana@example.com>",
                 comment=f"comment {index}")
            for index in range(count)]


def test_newest_flags_first_and_and_n_more_lists_them_all(qtbot) -> None:  # noqa: ANN001
    bar = FlagBar()
    qtbot.addWidget(bar)
    flags = _flags(7)                                    # oldest first, as the log folds them
    bar.set_flags(flags, may_fix=True, now=NOW)
    text = bar.label.text()
    assert "7 open flags" in text
    listed = [f"comment {index}" for index in range(7) if f"comment {index}" in text]
    assert listed == [f"comment {index}" for index in range(7 - SHOWN, 7)]   # the four newest
    assert text.index("comment 6") < text.index("comment 3")                 # newest on top
    assert "<a href='more:'>and 3 more</a>" in text
    bar.label.linkActivated.emit("more:")
    text = bar.label.text()
    assert all(f"comment {index}" in text for index in range(7)) and "and 3 more" not in text
    assert text.index("comment 1") < text.index("comment 0")
    bar.label.linkActivated.emit("fewer:")
    assert "comment 0" not in bar.label.text() and "and 3 more" in bar.label.text()
