"""The diff view: colours for both themes, line numbers, unified and side by side."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from kbstudio.ui.vcs.diff_view import DiffView

OLD = "title: VPN\n\n1. Check the cable.\n2. Try again.\n3. Escalate.\n"
NEW = "title: VPN\n\n1. Check the cable.\n2. Restart the client.\n3. Escalate.\n4. Close the ticket.\n"


def background(view, row: int) -> QColor:  # noqa: ANN001
    return view.document().findBlockByNumber(row).blockFormat().background().color()


def test_unified_with_numbers_signs_and_colours(qtbot) -> None:  # noqa: ANN001
    view = DiffView()
    qtbot.addWidget(view)
    diff = view.set_texts(OLD, NEW, "vpn.md (a1)", "vpn.md (saved)")
    assert view.diff is diff and view.mode() == "unified"
    lines = view.unified_text().splitlines()
    assert lines[:2] == ["--- vpn.md (a1)", "+++ vpn.md (saved)"]
    assert lines[2].startswith("@@ -1,5 +1,6 @@")
    removed = next(i for i, line in enumerate(lines) if "Try again." in line)
    added = next(i for i, line in enumerate(lines) if "Restart the client." in line)
    assert lines[removed].split()[:2] == ["4", "-"]          # old line 4, no new number
    assert lines[added].split()[:2] == ["4", "+"]            # new line 4
    assert view.unified_kinds[removed] == "removed" and view.unified_kinds[added] == "added"
    green, red = background(view.unified_view, added), background(view.unified_view, removed)
    assert green.green() > green.red() and red.red() > red.green()
    assert background(view.unified_view, 2) != background(view.unified_view, added)  # the hunk header
    assert "+2 \u22121 in 1 place" in view.summary.text()


def test_side_by_side_pairs_rows_and_toggles(qtbot) -> None:  # noqa: ANN001
    view = DiffView()
    qtbot.addWidget(view)
    view.set_texts(OLD, NEW)
    with qtbot.waitSignal(view.modeChanged) as signal:
        view.side_by_side_box.setChecked(True)
    assert signal.args == ["side_by_side"] and view.mode() == "side_by_side"
    assert view.stack.currentWidget() is view.pair
    left, right = (text.split("\n") for text in view.side_texts())
    assert len(left) == len(right)
    row = next(i for i, line in enumerate(left) if "Try again." in line)
    assert "Restart the client." in right[row]                  # a changed line sits beside its new text
    assert view.left_kinds[row] == "removed" and view.right_kinds[row] == "added"
    extra = next(i for i, line in enumerate(right) if "Close the ticket." in line)
    assert left[extra] == "" and view.left_kinds[extra] == "empty"
    view.set_mode("unified")
    assert not view.side_by_side_box.isChecked() and view.stack.currentWidget() is view.unified_view


def test_identical_and_empty(qtbot) -> None:  # noqa: ANN001
    view = DiffView()
    qtbot.addWidget(view)
    view.set_texts("same\n", "same\n", "a", "b")
    assert "no differences" in view.summary.text()
    view.set_message("Comparing...")
    assert view.diff is None and view.unified_text() == "" and view.summary.text() == "Comparing..."


def test_dark_palette_uses_dark_tints_readable_under_light_text(qtbot) -> None:  # noqa: ANN001
    view = DiffView()
    qtbot.addWidget(view)
    view.set_texts(OLD, NEW)
    added = view.unified_kinds.index("added")
    light = background(view.unified_view, added)
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1f22"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.setPalette(palette)
    assert view.dark()
    dark = background(view.unified_view, added)
    assert dark.lightness() < 80 < light.lightness()
    text = QColor("#e6e6e6")
    assert text.lightness() - dark.lightness() > 120           # light text stays readable on the tint
