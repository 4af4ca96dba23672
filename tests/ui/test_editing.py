"""Editing features driven as a writer would: find and replace, link picker, images."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QColor, QImage

pytestmark = pytest.mark.timeout(90)
ARTICLE = "articles/devices/laptop-is-slow.md"


def test_find_and_replace_all_is_one_undo_step(window, qtbot) -> None:
    tab = window.open_document(ARTICLE, edit=True)
    original = tab.text
    count = original.lower().count("laptop")
    assert count > 3
    tab.open_find(replace=True)
    assert tab.find_bar.isVisible() and tab.find_bar.replace_edit.isVisible()
    qtbot.keyClicks(tab.find_bar.find_edit, "laptop")
    assert tab.find_bar.count_label.text() == f"{count} matches"
    assert tab.editor.textCursor().selectedText().lower() == "laptop"
    tab.find_bar.case_box.setChecked(True)
    exact = original.count("laptop")
    assert tab.find_bar.count_label.text() == f"{exact} matches"
    tab.find_bar.replace_edit.setText("notebook")
    assert tab.find_bar.replace_all() == exact
    assert "laptop" not in tab.text and tab.text.count("notebook") == exact + original.count("notebook")
    tab.editor.undo()
    assert tab.text == original
    qtbot.keyClick(tab.find_bar.find_edit, Qt.Key.Key_Escape)
    assert not tab.find_bar.isVisible()


def test_find_in_the_read_view_has_no_replace(window, qtbot) -> None:
    tab = window.open_document(ARTICLE, edit=False)
    qtbot.waitUntil(lambda: "slow" in tab.preview.toPlainText(), timeout=5_000)
    window.pages.on_current_tab(lambda t: t.open_find(replace=True))
    assert tab.find_bar.target is tab.preview
    assert not tab.find_bar.replace_edit.isVisible()
    qtbot.keyClicks(tab.find_bar.find_edit, "slow")
    assert tab.find_bar.count_label.text().endswith("matches")
    assert tab.preview.textCursor().selectedText().lower() == "slow"


def test_link_picker_searches_and_inserts_a_relative_link(window, qtbot) -> None:
    tab = window.open_document(ARTICLE, edit=True)
    cursor = tab.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    tab.editor.setTextCursor(cursor)
    picker = window.pick_link(tab)
    qtbot.keyClicks(picker.query, "vpn drops every few minutes")
    qtbot.waitUntil(lambda: picker.results.count() > 0, timeout=10_000)
    assert picker.chosen()[0] == "articles/network/vpn-drops-every-few-minutes.md"
    qtbot.keyClick(picker.query, Qt.Key.Key_Down)
    qtbot.keyClick(picker.query, Qt.Key.Key_Up)
    picker.accept()
    assert tab.text.rstrip().endswith("(../network/vpn-drops-every-few-minutes.md)")
    assert "[The VPN" in tab.text or "[VPN" in tab.text


def test_pasted_and_dropped_images_go_to_media_with_a_link(
        window, qtbot, kb_copy: Path, tmp_path: Path) -> None:
    tab = window.open_document(ARTICLE, edit=True)
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    pasted = QMimeData()
    pasted.setImageData(image)
    assert tab.editor.canInsertFromMimeData(pasted)
    tab.editor.insertFromMimeData(pasted)
    saved = sorted((kb_copy / "media").glob("*.png"))
    assert len(saved) == 1 and saved[0].read_bytes().startswith(b"\x89PNG")
    assert f"](../../media/{saved[0].name})" in tab.text

    photo = tmp_path / "Router LEDs.png"
    image.save(str(photo), "PNG")
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image", "utf-8")
    dropped = QMimeData()
    dropped.setUrls([QUrl.fromLocalFile(str(photo)), QUrl.fromLocalFile(str(notes))])
    messages: list[str] = []
    tab.messageRequested.connect(messages.append)
    tab.editor.insertFromMimeData(dropped)
    assert "![router leds](../../media/router-leds-" in tab.text
    assert len(list((kb_copy / "media").iterdir())) == 2
    assert not any("notes" in p.name for p in (kb_copy / "media").iterdir())
    assert messages and "Saved 1 image" in messages[-1]
