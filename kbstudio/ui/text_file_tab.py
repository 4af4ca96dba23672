"""A tab for a KB file that is no document, such as the team's ``.kbstudio/synonyms.yaml``.

Plain text in a monospace editor, saved like a document: atomically, in the file's own line
endings and byte-order mark, never over a change made on disk meanwhile. It has the same
save, reload and compare interface as a document tab, so the window's Save, the watcher of
files changed outside the app, the compare dialog and the recovery copies work for it as they
do for documents. The synonyms file is checked as you type: what search cannot use is listed
with its line, one click away.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSizePolicy, QToolBar, QVBoxLayout, QWidget

from kbstudio.docedit import common_ends
from kbstudio.index.synonyms import SYNONYMS_PATH, parse_synonyms
from kbstudio.kb import KnowledgeBase
from kbstudio.logs import save_failed
from kbstudio.reader import content_hash
from kbstudio.storage import ExternalChangeError
from kbstudio.textformat import TextFormat
from kbstudio.ui.editor import MarkdownEditor, ShortcutPassThrough, qt_length, unholdable
from kbstudio.ui.find_bar import FindBar

CHECK_DELAY_MS = 300
LIVE_CHECK_LIMIT = 200_000   # characters; a larger file is checked by Health after each save
SHOWN_PROBLEMS = 5
SYNONYMS_STARTER = """\
# Synonyms and acronyms: the words callers use for what the articles call something else.
# Each entry is a term and the list of its equivalents; search treats every term of an entry
# as the others. See docs/content-format.md#synonyms-and-acronyms.
VPN: [GlobalProtect, remote access]
"""
SYNONYMS_HINT = ("Each line is a term and the list of its equivalents, such as "
                 "<code>VPN: [GlobalProtect, remote access]</code>; every term finds the others. "
                 "Search uses the file as saved, from the next query on.")


def tab_title(rel_path: str) -> str:
    """Return the tab title of a KB file."""
    return "Search synonyms" if rel_path == SYNONYMS_PATH else Path(rel_path).name


class YamlHighlighter(QSyntaxHighlighter):
    """Comments in grey, the term before an entry's colon in bold."""

    KEY = re.compile(r"^[^\s#-][^#]*?:(?=\s|$)")
    COMMENT = re.compile(r"(?:^|\s)(#.*)$")

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        key = self.KEY.match(text)
        if key:
            bold = QTextCharFormat()
            bold.setFontWeight(QFont.Weight.Bold)
            self.setFormat(0, qt_length(key.group()), bold)
        comment = self.COMMENT.search(text)
        if comment and not _inside_quotes(text, comment.start(1)):
            grey = QTextCharFormat()
            grey.setForeground(QColor("#808080"))
            start = qt_length(text[:comment.start(1)])
            self.setFormat(start, qt_length(text) - start, grey)


def _inside_quotes(text: str, position: int) -> bool:
    before = text[:position]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1


class TextFileTab(QWidget):
    """One open KB file that is no document: a plain-text editor with Save."""

    messageRequested = Signal(str)       # a line for the status bar
    saved = Signal(object)               # the KBChange the save made (kbstudio.kb.KnowledgeBase.save)
    externalChangeFound = Signal(object)  # the ExternalChangeError of a refused save
    dirtyChanged = Signal(bool)

    def __init__(self, kb_root: Path, rel_path: str, starter: str = "",
                 parent: QWidget | None = None) -> None:
        """Open ``rel_path`` of the KB at ``kb_root``; a file that does not exist starts as ``starter``.

        A new file is written on its first save, so one closed unchanged leaves nothing.
        """
        super().__init__(parent)
        self.kb_root = Path(kb_root)
        self.rel_path = rel_path
        self.path = self.kb_root / rel_path
        self.title = tab_title(rel_path)
        self.is_new = not self.path.exists()
        self.read_only_reason: str | None = None
        self.loaded_hash: str | None = None
        self.text_format = TextFormat()
        self._saved_text = ""

        self.editor = MarkdownEditor()   # with no image saver it is a plain-text editor
        self.editor.setObjectName("textFileEditor")
        self.editor.setLineWrapMode(MarkdownEditor.LineWrapMode.NoWrap)
        self.highlighter = YamlHighlighter(self.editor.document()) if rel_path.endswith(".yaml") else None
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the file (Ctrl+S)")
        self.position = QLabel()
        self.hint = QLabel(SYNONYMS_HINT if rel_path == SYNONYMS_PATH else "")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setVisible(bool(self.hint.text()))
        self.hint.setContentsMargins(6, 2, 6, 2)
        self.problems = QLabel()
        self.problems.setObjectName("textFileProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        self.problems.setContentsMargins(6, 4, 6, 4)
        self.problems.setVisible(False)
        self.find_bar = FindBar()
        toolbar = QToolBar()
        self.save_action = toolbar.addWidget(self.save_button)
        path_label = QLabel(f"  {rel_path}")
        path_label.setStyleSheet("color: gray;")
        toolbar.addWidget(path_label)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.position)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(toolbar)
        layout.addWidget(self.hint)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.problems)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.check)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.cursorPositionChanged.connect(self._show_position)
        self.save_button.clicked.connect(self.save)
        self.problems.linkActivated.connect(lambda line: self.go_to_line(int(line)))
        self.editor.messageRequested.connect(self.messageRequested)
        self._window_keys = ShortcutPassThrough([QKeySequence("Ctrl+E")], self)
        for widget in (self.editor, *self.find_bar.findChildren(QLineEdit)):
            widget.installEventFilter(self._window_keys)

        if self.is_new:
            self._set_text(starter)
            self._saved_text = self.text
            self.check()
        else:
            self._load()
        self._show_position()

    # State ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """Return the editor's text (LF line endings, no BOM)."""
        return self.editor.markdown()

    @property
    def saved_text(self) -> str:
        """Return the text as last opened or saved: the base of a three-way compare."""
        return self._saved_text

    @property
    def dirty(self) -> bool:
        """Return True when the text differs from the file as opened or saved (a new file: its starter)."""
        return self.text != self._saved_text

    @property
    def editing(self) -> bool:
        """A KB file has no read view: it is always shown in the editor."""
        return True

    def commit_pending(self) -> None:
        """Nothing is typed anywhere but in the editor (the document tab's interface)."""

    def recoverable_text(self) -> str:
        """Return the text to keep a recovery copy of."""
        return self.text

    def toggle_mode(self) -> None:
        """A KB file has no read view: say so rather than do nothing."""
        self.messageRequested.emit(f"{self.rel_path} has no read view: it is edited as plain text")

    def _load(self) -> None:
        """Read the file; text the editor could not write back unchanged turns editing off."""
        data = self.path.read_bytes()
        self.loaded_hash = content_hash(data)
        self.text_format = TextFormat.of_bytes(data)
        try:
            text = TextFormat.to_editor(data.decode("utf-8"))
            reason = None
        except UnicodeDecodeError as error:
            text = TextFormat.to_editor(data.decode("utf-8", errors="replace"))
            reason = f"the file is not UTF-8 text (byte {error.start + 1})"
        if reason is None and (found := unholdable(text)) is not None:
            reason = f"line {found[0]} holds {found[1]}, which the editor would turn into a line break"
        self._set_text(text)
        self._saved_text = self.text
        self.read_only_reason = reason
        self.editor.setReadOnly(reason is not None)
        self.save_action.setVisible(reason is None)
        self.check()
        self.dirtyChanged.emit(self.dirty)

    def _set_text(self, text: str) -> None:
        if self.text != text:
            self.replace_text(text)
        self.editor.document().setModified(False)

    def _text_changed(self) -> None:
        self.dirtyChanged.emit(self.dirty)
        self._check_timer.start()

    def _show_position(self) -> None:
        cursor = self.editor.textCursor()
        self.position.setText(f"Line {cursor.blockNumber() + 1} of {self.editor.blockCount()}, "
                              f"column {cursor.positionInBlock() + 1}  ")

    # Checking ------------------------------------------------------------------------------

    def check(self) -> list[tuple[int | None, str]]:
        """Show what search cannot use in the text (synonyms file only); return (line, message) pairs."""
        if self.rel_path != SYNONYMS_PATH:
            return []
        text = self.text
        if self.read_only_reason is not None:
            self._show_problems([], f"Editing is off: {html.escape(self.read_only_reason)}.")
            return []
        if len(text) > LIVE_CHECK_LIMIT:
            self._show_problems([], "The file is too long to check as you type: Health checks it when "
                                    "you save.")
            return []
        found = [(issue.line, issue.message) for issue in parse_synonyms(text).issues]
        self._show_problems(found)
        return found

    def _show_problems(self, found: list[tuple[int | None, str]], note: str = "") -> None:
        lines = []
        for line, message in found[:SHOWN_PROBLEMS]:
            where = f"<a href='{line}'>line {line}</a>: " if line else ""
            lines.append(f"{where}{html.escape(message)}")
        if len(found) > SHOWN_PROBLEMS:
            lines.append(f"and {len(found) - SHOWN_PROBLEMS} more")
        if found:
            note = "<b>Not used by search:</b><br>" + "<br>".join(lines)
        self.problems.setText(note)
        self.problems.setStyleSheet("color: #c62828;" if found else "")
        self.problems.setVisible(bool(note))

    # Editing -------------------------------------------------------------------------------

    def go_to_line(self, line: int) -> None:
        """Put the cursor on ``line`` (1-based), select it and show it in the middle of the view."""
        block = self.editor.document().findBlockByNumber(max(0, min(line, self.editor.blockCount()) - 1))
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        self.editor.setFocus()

    def open_find(self, replace: bool) -> None:
        """Show the find bar on the editor (with replace unless editing is off)."""
        self.find_bar.open_on(self.editor, replace and self.read_only_reason is None)

    def can_insert(self, what: str) -> bool:
        """Links and images go into documents only."""
        self.messageRequested.emit(f"Cannot insert {what} into {self.rel_path}: it is no document")
        return False

    def choose_image(self) -> None:
        """Images go into documents only."""
        self.can_insert("an image")

    def replace_text(self, new_text: str) -> None:
        """Change the editor text to ``new_text`` as one undo step, replacing only what differs."""
        old = self.text
        if new_text == old:
            return
        start, end = common_ends(old, new_text)
        cursor = QTextCursor(self.editor.document())
        cursor.beginEditBlock()
        cursor.setPosition(qt_length(old[:start]))
        cursor.setPosition(qt_length(old[: len(old) - end]), QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(new_text[start: len(new_text) - end])
        cursor.endEditBlock()

    # Saving --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save atomically in the file's own format; a file changed outside the app is never overwritten."""
        if self.read_only_reason is not None:
            self.messageRequested.emit(f"Not saved: {self.read_only_reason}")
            return False
        text = self.text
        try:
            if self.is_new:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            saved = KnowledgeBase(self.kb_root).save(self.path, text, self.loaded_hash, self.text_format)
        except ExternalChangeError as error:
            self.externalChangeFound.emit(error)
            return False
        except OSError as error:
            self.messageRequested.emit(save_failed(self.rel_path, self.path, error))
            return False
        self.is_new = False
        self._saved_text = text
        self.editor.document().setModified(False)
        self.loaded_hash = saved.content_hash
        self.dirtyChanged.emit(self.dirty)
        self.saved.emit(saved.change)
        return True

    def reload_from_disk(self) -> None:
        """Take the file as it is on disk now (dropping unsaved edits)."""
        try:
            self._load()
        except OSError as error:
            self.messageRequested.emit(f"Cannot read {self.rel_path}: {error.strerror or error}")
            return
        self.is_new = False

    def keep_mine(self) -> None:
        """Adopt the file on disk as the base, so the next save writes this text over it."""
        try:
            self.loaded_hash = content_hash(self.path.read_bytes())
        except FileNotFoundError:
            self.loaded_hash = None
        self.save()

    def restore_text(self, text: str, base_hash: str | None, text_format: TextFormat | None = None) -> None:
        """Put recovered unsaved text back; a save asks first if the file changed since."""
        self.replace_text(TextFormat.to_editor(text))
        self.loaded_hash = base_hash
        if text_format is not None:
            self.text_format = text_format
        self.dirtyChanged.emit(self.dirty)

    def combine_with_disk(self, combined: str, disk_text: str, disk_hash: str | None) -> None:
        """Put ``combined`` in the editor, unsaved, with the file on disk as the new base."""
        self.loaded_hash = disk_hash
        self._saved_text = disk_text
        self.is_new = False
        self.replace_text(combined)
        self.dirtyChanged.emit(self.dirty)
