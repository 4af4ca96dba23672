"""Authors never lose text: the issue's items 1, 2, 3, 4 and 8, typed as a writer would.

Every test reads the FILE afterwards and checks its exact bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from kbstudio.frontmatter import parse_front_matter, split_front_matter
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.main_window import MainWindow
from kbstudio.ui.metadata_form import MetadataForm
from kbstudio.ui.new_dialog import NewDocumentDialog
from kbstudio.ui.recovery_keeper import RecoveryKeeper

pytestmark = pytest.mark.timeout(120)
ARTICLE = "articles/devices/laptop-is-slow.md"
FORM_DELAY_MS = 300   # the tab re-reads the YAML into the form this long after a change


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _changed(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    """Return the (old, new) line pairs that differ; both files must have the same line count."""
    old, new = _lines(before), _lines(after)
    assert len(old) == len(new), (len(old), len(new))
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def _field(tab, key: str):
    return tab.form.widgets[key]


def _type_into(qtbot, widget, text: str) -> None:
    """Click into a field, select what is there and type over it, the way a writer does."""
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2_000)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def _activate(qtbot, window) -> None:
    """Make ``window`` the active window, as the window manager does when a dialog closes."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


def _ctrl_s(qtbot, widget) -> None:
    """Press Ctrl+S with the keyboard focus in ``widget`` (the window's shortcut, not a method call)."""
    _activate(qtbot, widget.window())
    qtbot.keyClick(widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture()
def active(window, qtbot):
    """The window, active, so that its shortcuts reach it."""
    _activate(qtbot, window)
    return window


def _open(window, qtbot, rel: str):
    tab = window.open_document(rel, edit=True)
    qtbot.waitUntil(lambda: tab.form.widgets["title"].text() != "", timeout=5_000)
    return tab


# 1. The form overwrote what was being typed ------------------------------------------------

def test_the_form_never_overwrites_a_field_being_typed_in(active, qtbot, kb_copy: Path) -> None:
    window = active
    path = kb_copy / ARTICLE
    before = path.read_bytes()
    tab = _open(window, qtbot, ARTICLE)
    _type_into(qtbot, _field(tab, "tags"), "teams, client, cache")
    _type_into(qtbot, _field(tab, "products"), "Microsoft Teams, ")   # leaving Tags wrote it
    qtbot.wait(FORM_DELAY_MS + 200)                                     # the form re-reads the YAML
    qtbot.keyClicks(_field(tab, "products"), "Windows 11")
    _type_into(qtbot, _field(tab, "owner"), "Col")
    qtbot.wait(FORM_DELAY_MS + 200)
    qtbot.keyClicks(_field(tab, "owner"), "laboration Team")
    assert _field(tab, "owner").text() == "Collaboration Team"
    _ctrl_s(qtbot, _field(tab, "owner"))
    assert _changed(before, path.read_bytes()) == [
        (b"tags: [devices, performance, laptop, self-service]\n", b"tags: [teams, client, cache]\n"),
        (b"products: [Windows 11, Dell Latitude, Lenovo ThinkPad]\n",
         b"products: [Microsoft Teams, Windows 11]\n"),
        (b"owner: End User Computing\n", b"owner: Collaboration Team\n"),
    ]
    assert not tab.dirty and not window.tabs.tabText(window.tabs.indexOf(tab)).endswith("*")


def test_a_field_typed_in_keeps_its_text_when_the_yaml_is_reread(qtbot) -> None:
    form = MetadataForm()
    qtbot.addWidget(form)
    form.show()
    form.show_meta({"owner": "Team", "tags": ["a"]})
    owner = form.widgets["owner"]
    owner.setFocus()
    qtbot.keyClicks(owner, " North")
    form.show_meta({"owner": "Team", "tags": ["a", "b"]})     # as the timer does after another edit
    assert owner.text() == "Team North" and form.widgets["tags"].text() == "a, b"
    assert form.pending_keys() == ["owner"]
    edits: list[tuple[str, object]] = []
    form.fieldEdited.connect(lambda key, value: edits.append((key, value)))
    form.commit_pending()
    assert edits == [("owner", "Team North")] and not form.pending_keys()


# 2. Ctrl+S with the cursor still in a form field --------------------------------------------

def test_ctrl_s_in_a_form_field_saves_what_the_field_shows(active, qtbot, kb_copy: Path) -> None:
    window = active
    path = kb_copy / ARTICLE
    before = path.read_bytes()
    tab = _open(window, qtbot, ARTICLE)
    title = _field(tab, "title")
    _type_into(qtbot, title, "Laptop is slow")
    assert tab.dirty and window.tabs.tabText(window.tabs.currentIndex()).endswith("*")
    _ctrl_s(qtbot, title)
    assert title.hasFocus()
    assert _changed(before, path.read_bytes()) == [
        (b'title: "My laptop is slow: what to try first"\n', b'title: "Laptop is slow"\n')]
    assert not tab.dirty and not window.tabs.tabText(window.tabs.currentIndex()).endswith("*")
    qtbot.wait(FORM_DELAY_MS + 200)
    assert title.text() == "Laptop is slow"


def test_closing_and_switching_to_read_write_a_pending_field_first(active, qtbot, kb_copy: Path,
                                                                   no_modal_dialogs) -> None:
    window = active
    tab = _open(window, qtbot, ARTICLE)
    _type_into(qtbot, _field(tab, "owner"), "Service Desk")
    tab.set_edit_mode(False)
    assert "owner: Service Desk\n" in tab.text and tab.dirty
    window.close_tab(window.tabs.indexOf(tab))    # asked: Save, Discard or Cancel (answered Discard)
    assert no_modal_dialogs and "Save the changes" in no_modal_dialogs[-1]
    assert b"owner: End User Computing\n" in (kb_copy / ARTICLE).read_bytes()


# 3. Link... and Image... in the read view ------------------------------------------------------

def test_the_read_view_shows_no_editing_actions(window, qtbot, settings) -> None:
    tab = window.open_document(ARTICLE, edit=False)
    buttons = (tab.save_button, tab.link_button, tab.image_button)
    assert tab.mode_button.isVisible() and not any(b.isVisible() for b in buttons)
    tab.set_edit_mode(True)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in buttons), timeout=2_000)   # the tool bar lays out
    window.close_tab(window.tabs.indexOf(tab))
    window.apply_role("L1")
    reader = window.open_document(ARTICLE)
    assert not reader.editing and not any(b.isVisible() for b in
                                          (reader.save_button, reader.link_button, reader.image_button))


def test_ctrl_l_in_the_read_view_changes_nothing(active, qtbot, kb_copy: Path) -> None:
    window = active
    before = (kb_copy / ARTICLE).read_bytes()
    tab = window.open_document(ARTICLE, edit=False)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    qtbot.keyClick(tab.preview, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.link_picker is None and any("Ctrl+E" in m for m in messages)
    assert not tab.insert_link("articles/network/vpn-drops-every-few-minutes.md", "VPN")
    _ctrl_s(qtbot, tab.preview)
    assert (kb_copy / ARTICLE).read_bytes() == before and not tab.dirty


def _front_matter(data: bytes) -> dict:
    split = split_front_matter(data.decode("utf-8").lstrip("\ufeff"))
    assert split.yaml_text is not None and not split.unclosed
    return parse_front_matter(split.yaml_text, split.yaml_line).data


def test_a_link_at_the_top_of_the_text_goes_after_the_front_matter(active, qtbot, kb_copy: Path) -> None:
    window = active
    path = kb_copy / ARTICLE
    before = path.read_bytes()
    tab = _open(window, qtbot, ARTICLE)
    cursor = tab.editor.textCursor()
    cursor.setPosition(0)
    tab.editor.setTextCursor(cursor)            # the cursor before the opening ---
    tab.editor.setFocus()
    picker = window.pick_link(tab)
    qtbot.keyClicks(picker.query, "vpn drops every few minutes")
    qtbot.waitUntil(lambda: picker.results.count() > 0, timeout=10_000)
    picker.accept()
    _ctrl_s(qtbot, tab.editor)
    after = path.read_bytes()
    head = before.split(b"---\n", 2)
    link = b"[VPN drops every few minutes](../network/vpn-drops-every-few-minutes.md)\n"
    assert after == b"---\n" + head[1] + b"---\n" + link + head[2]     # on a line of its own
    tab.editor.undo()                                                  # one undo step takes it all back
    assert tab.text.encode("utf-8") == before and tab.dirty        # the file holds the link
    meta = _front_matter(after)
    assert (meta["id"], meta["tier"], meta["status"]) == ("KB-0029", "L0", "published")


def test_images_pasted_or_dropped_into_the_front_matter_land_after_it(
        window, qtbot, kb_copy: Path, tmp_path: Path) -> None:
    tab = _open(window, qtbot, ARTICLE)
    body_start = tab.body_position()
    cursor = tab.editor.textCursor()
    cursor.setPosition(20)                       # inside the YAML
    tab.editor.setTextCursor(cursor)
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    pasted = QMimeData()
    pasted.setImageData(image)
    tab.editor.insertFromMimeData(pasted)
    assert tab.text.index("](../../media/") > body_start
    photo = tmp_path / "router.png"
    image.save(str(photo), "PNG")
    cursor.setPosition(0)
    tab.editor.setTextCursor(cursor)
    dropped = QMimeData()
    dropped.setUrls([QUrl.fromLocalFile(str(photo))])
    tab.editor.insertFromMimeData(dropped)
    assert tab.save()
    meta = _front_matter((kb_copy / ARTICLE).read_bytes())
    assert (meta["id"], meta["tier"], meta["status"]) == ("KB-0029", "L0", "published")
    assert tab.text.count("](../../media/") == 2 and tab.text.startswith("---\nid: KB-0029\n")


# 4. CRLF and BOM files -----------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("newline,bom", [(b"\r\n", b""), (b"\r\n", BOM), (b"\n", BOM)])
def test_crlf_and_bom_files_open_unmodified_and_a_field_edit_is_a_one_line_diff(
        active, qtbot, kb_copy: Path, newline: bytes, bom: bytes) -> None:
    window = active
    path = kb_copy / ARTICLE
    before = bom + path.read_bytes().replace(b"\n", newline)
    path.write_bytes(before)
    tab = _open(window, qtbot, ARTICLE)
    assert not tab.dirty and not window.tabs.tabText(window.tabs.currentIndex()).endswith("*")
    qtbot.keyClicks(tab.editor, "x")
    assert tab.dirty
    tab.editor.undo()
    assert not tab.dirty and not window.tabs.tabText(window.tabs.currentIndex()).endswith("*")
    _type_into(qtbot, _field(tab, "owner"), "Collaboration Team")
    _ctrl_s(qtbot, _field(tab, "owner"))
    after = path.read_bytes()
    assert after.startswith(bom + b"---" + newline)
    assert _changed(before, after) == [(b"owner: End User Computing" + newline,
                                        b"owner: Collaboration Team" + newline)]
    assert not tab.dirty


def test_a_reload_after_an_outside_change_keeps_the_format(window, qtbot, kb_copy: Path) -> None:
    path = kb_copy / ARTICLE
    tab = _open(window, qtbot, ARTICLE)
    theirs = b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n").replace(b"L0", b"L1", 1)
    path.write_bytes(theirs)
    window.disk.file_changed(str(path))
    assert "tier: L1\n" in tab.text and not tab.dirty
    _type_into(qtbot, _field(tab, "owner"), "Service Desk")
    tab.save()
    assert _changed(theirs, path.read_bytes()) == [
        (b"owner: End User Computing\r\n", b"owner: Service Desk\r\n")]


def test_keep_mine_writes_in_the_files_format(window, qtbot, kb_copy: Path) -> None:
    path = kb_copy / ARTICLE
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    tab = _open(window, qtbot, ARTICLE)
    tab.editor.appendPlainText("Mine.")
    path.write_bytes(path.read_bytes() + b"Theirs.\r\n")
    tab.keep_mine()
    data = path.read_bytes()
    assert data.endswith(b"\r\nMine.") and b"Theirs" not in data and data.count(b"\n") == data.count(b"\r\n")


# 8. New documents and Ctrl+E --------------------------------------------------------------------

def _in_dialog(qtbot, action) -> list[str]:
    """Run ``action`` on the modal dialog Ctrl+N opens, then close it; return failures seen inside."""
    failures: list[str] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, NewDocumentDialog)
            action(dialog)
        except AssertionError as error:      # reported after the dialog is closed
            failures.append(repr(error))
            dialog.reject()
        except BaseException:
            dialog.reject()
            raise

    QTimer.singleShot(50, run)
    return failures


def test_ctrl_n_types_into_the_title_and_says_what_is_missing(active, qtbot, kb_copy: Path) -> None:
    window = active
    window.open_document(ARTICLE, edit=False)

    def fill(dialog: NewDocumentDialog) -> None:
        qtbot.waitUntil(dialog.title_edit.hasFocus, timeout=2_000)
        assert not dialog.ok_button.isEnabled() and dialog.message.isVisible()
        assert "title" in dialog.message.text().lower()
        qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return)   # Enter on an empty title
        assert dialog.isVisible() and "A title is required" in dialog.message.text()
        assert dialog.folder() == "articles/devices"           # the current document's folder
        qtbot.keyClicks(QApplication.focusWidget(), "Docking station flickers")
        assert dialog.title() == "Docking station flickers" and dialog.ok_button.isEnabled()
        dialog.folder_box.setEditText("../outside")
        assert not dialog.ok_button.isEnabled() and "inside" in dialog.message.text()
        dialog.folder_box.setEditText("articles/devices")
        qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return)

    failures = _in_dialog(qtbot, fill)
    qtbot.keyClick(window.current_tab().preview, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not failures
    tab = window.current_tab()
    assert tab.rel_path == "articles/devices/docking-station-flickers.md" and tab.is_new
    _activate(qtbot, window)
    qtbot.waitUntil(tab.editor.hasFocus, timeout=5_000)
    # The cursor is in the Issue section, its hint selected: typing replaces the hint, not the title.
    hint = "<!-- What the caller says or sees, in their words. Paste exact error messages. -->"
    assert tab.editing and tab.editor.textCursor().selectedText() == hint
    qtbot.keyClicks(tab.editor, "The screen goes black when docked")
    lines = tab.text.split("\n")
    assert "# Docking station flickers" in lines and hint not in lines
    assert lines[lines.index("## Issue") + 2] == "The screen goes black when docked"


def test_a_new_document_is_written_on_first_save_and_left_out_when_closed_unchanged(
        window, qtbot, kb_copy: Path, no_modal_dialogs) -> None:
    first = window.create_document("article", "Badge reader beeps", "L1", "articles/devices")
    second = window.create_document("article", "Badge reader beeps", "L1", "articles/devices")
    assert first.document.id != second.document.id                  # ids stay unique among drafts
    assert first.rel_path != second.rel_path
    assert not (kb_copy / first.rel_path).exists() and not first.dirty
    window.close_tab(window.tabs.indexOf(second))                    # unchanged: nothing asked, nothing left
    assert not no_modal_dialogs and not (kb_copy / second.rel_path).exists()
    first.editor.appendPlainText("The reader beeps twice and stays red.")
    assert first.dirty
    assert first.save()
    data = (kb_copy / first.rel_path).read_bytes()
    assert data.decode("utf-8") == first.text and b"beeps twice" in data and not first.is_new
    assert first.rel_path in window.documents
    third = window.create_document("article", "Badge reader beeps", "L1", "articles/devices")
    assert third.document.id not in (first.document.id,) and third.rel_path != first.rel_path
    window.close_tab(window.tabs.indexOf(third))
    folders = {p.parent.name for p in kb_copy.rglob("badge-reader-beeps*.md")}
    assert folders == {"devices"} and len(list(kb_copy.rglob("badge-reader-beeps*.md"))) == 1


def test_a_changed_new_document_is_kept_by_recovery_and_comes_back(
        window, qtbot, settings, tmp_path: Path, kb_copy: Path, monkeypatch) -> None:
    tab = window.create_document("sop", "Escalate badge faults", "L1", "sops")
    tab.editor.appendPlainText("Typed before a crash.")
    assert window.recovery.write_now() == 1
    window.recovery.stop()                                            # a crash: nothing saved
    monkeypatch.setattr(RecoveryKeeper, "ask_to_restore", lambda self, entries: True)
    second = MainWindow(settings, index_dir=str(tmp_path / "indexes2"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(second)
    second.show()
    second.open_kb(KnowledgeBase(kb_copy))
    qtbot.waitUntil(lambda: second.tab_for(tab.rel_path) is not None, timeout=20_000)
    assert "Typed before a crash." in (kb_copy / tab.rel_path).read_text("utf-8")
    for index in range(second.tabs.count()):
        widget = second.tabs.widget(index)
        if hasattr(widget, "editor"):
            widget._saved_text = widget.text
    second.close()


def test_ctrl_e_switches_edit_and_read_from_anywhere_in_the_tab(active, qtbot) -> None:
    window = active
    tab = window.open_document(ARTICLE, edit=False)
    qtbot.keyClick(tab.preview, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert tab.editing and tab.editor.hasFocus()
    qtbot.keyClick(tab.editor, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert not tab.editing
    tab.set_edit_mode(True)
    owner = _field(tab, "owner")
    _type_into(qtbot, owner, "Desk")
    qtbot.keyClick(owner, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert not tab.editing and "owner: Desk\n" in tab.text     # the field was written first
    window.search.query.setFocus()
    qtbot.keyClick(window.search.query, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert tab.editing                                           # from the search box too


def test_a_restored_recovery_copy_is_saved_in_the_files_format(
        window, qtbot, settings, tmp_path: Path, kb_copy: Path, monkeypatch) -> None:
    path = kb_copy / ARTICLE
    before = BOM + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(before)
    tab = _open(window, qtbot, ARTICLE)
    _type_into(qtbot, _field(tab, "owner"), "Desk North")   # still in the field: not written yet
    assert window.recovery.write_now() == 1                  # the copy holds what the field shows
    window.recovery.stop()                                    # a crash
    monkeypatch.setattr(RecoveryKeeper, "ask_to_restore", lambda self, entries: True)
    second = MainWindow(settings, index_dir=str(tmp_path / "indexes2"), state_dir=str(tmp_path / "state"))
    qtbot.addWidget(second)
    second.show()
    second.open_kb(KnowledgeBase(kb_copy))
    qtbot.waitUntil(lambda: second.tab_for(ARTICLE) is not None and second.tab_for(ARTICLE).dirty,
                    timeout=20_000)
    assert second.tab_for(ARTICLE).save()
    assert _changed(before, path.read_bytes()) == [
        (b"owner: End User Computing\r\n", b"owner: Desk North\r\n")]
    second.close()
