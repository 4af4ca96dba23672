"""A coloured diff of two versions, unified or side by side, with line numbers; follows the theme."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kbstudio.ui.vcs.common import monospace
from kbstudio.vcs.diff import DiffLine, FileDiff, diff_texts

MODES = ("unified", "side_by_side")
# kind -> (background, foreground); None keeps the palette's own. Chosen so the palette's text stays
# readable on them: pale tints under dark text in the light theme, deep tints under light text in dark.
LIGHT_COLOURS: dict[str, tuple[str | None, str | None]] = {
    "added": ("#d5f5dc", None), "removed": ("#fbdcdc", None), "hunk": ("#e0ebfa", "#0b4f9c"),
    "meta": (None, "#57606a"), "empty": ("#efefef", None), "same": (None, None)}
DARK_COLOURS: dict[str, tuple[str | None, str | None]] = {
    "added": ("#1d3b26", None), "removed": ("#4a2225", None), "hunk": ("#1f2d42", "#8ab4f8"),
    "meta": (None, "#a0a0a0"), "empty": ("#2a2b2e", None), "same": (None, None)}
_SIGNS = {"same": " ", "removed": "-", "added": "+"}
Row = tuple[str, str]  # (text shown, kind)


def diff_colours(dark: bool) -> dict[str, tuple[str | None, str | None]]:
    """Return the background and text colours of each kind of diff line for the theme."""
    return DARK_COLOURS if dark else LIGHT_COLOURS


def _number(value: int | None, width: int) -> str:
    return (str(value) if value is not None else "").rjust(width)


def unified_rows(diff: FileDiff) -> list[Row]:
    """Return the unified view's lines: old and new line numbers, a sign, the text."""
    width = _width(diff)
    rows: list[Row] = [(f"--- {diff.old_label}", "meta"), (f"+++ {diff.new_label}", "meta")]
    for hunk in diff.hunks:
        rows.append((hunk.header, "hunk"))
        rows.extend((f"{_number(line.old_no, width)} {_number(line.new_no, width)} "
                     f"{_SIGNS[line.kind]} {line.text}", line.kind) for line in hunk.lines)
    return rows


def side_rows(diff: FileDiff) -> tuple[list[Row], list[Row]]:
    """Return the left (old) and right (new) columns of the side-by-side view, row for row."""
    width = _width(diff)
    left: list[Row] = [(diff.old_label, "meta")]
    right: list[Row] = [(diff.new_label, "meta")]
    for hunk, rows in zip(diff.hunks, diff.side_by_side(), strict=True):
        left.append((f"@@ -{hunk.old_start},{hunk.old_count} @@", "hunk"))
        right.append((f"@@ +{hunk.new_start},{hunk.new_count} @@", "hunk"))
        for old, new in rows:
            left.append(_cell(old, old.old_no if old else None, width))
            right.append(_cell(new, new.new_no if new else None, width))
    return left, right


def _cell(line: DiffLine | None, number: int | None, width: int) -> Row:
    if line is None:
        return "", "empty"
    return f"{_number(number, width)} {_SIGNS[line.kind]} {line.text}", line.kind


def _width(diff: FileDiff) -> int:
    last = max((max(h.old_start + h.old_count, h.new_start + h.new_count) for h in diff.hunks), default=0)
    return max(3, len(str(last)))


def text_view() -> QPlainTextEdit:
    """Return a read-only, unwrapped, monospaced text view for diff and merge rows."""
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setFont(monospace())
    return view


class DiffView(QWidget):
    """Shows a FileDiff: added lines green, removed red, hunk headers blue; unified or side by side."""

    modeChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None, mode: str = "unified") -> None:
        super().__init__(parent)
        self._diff: FileDiff | None = None
        self._message = ""
        self.summary = QLabel()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.side_by_side_box = QCheckBox("Side by side")
        self.unified_view = text_view()
        self.left_view, self.right_view = text_view(), text_view()
        self.pair = QSplitter()
        self.pair.addWidget(self.left_view)
        self.pair.addWidget(self.right_view)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.unified_view)
        self.stack.addWidget(self.pair)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.side_by_side_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        for one, other in ((self.left_view, self.right_view), (self.right_view, self.left_view)):
            one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
            one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
        self.side_by_side_box.toggled.connect(
            lambda on: self.set_mode("side_by_side" if on else "unified"))
        self.unified_kinds: list[str] = []
        self.left_kinds: list[str] = []
        self.right_kinds: list[str] = []
        self.set_mode(mode)
        self.set_message("Nothing to compare yet.")

    @property
    def diff(self) -> FileDiff | None:
        """Return the diff shown, if any."""
        return self._diff

    def mode(self) -> str:
        """Return ``unified`` or ``side_by_side``."""
        return MODES[self.stack.currentIndex()]

    def set_mode(self, mode: str) -> None:
        """Show the diff unified or side by side."""
        if mode not in MODES:
            raise ValueError(f"unknown diff mode {mode!r}")
        changed = mode != self.mode() or self.side_by_side_box.isChecked() != (mode == "side_by_side")
        self.stack.setCurrentIndex(MODES.index(mode))
        self.side_by_side_box.setChecked(mode == "side_by_side")
        if changed:
            self.modeChanged.emit(mode)

    def set_diff(self, diff: FileDiff | None) -> None:
        """Show ``diff`` (None clears the view)."""
        self._diff = diff
        self._message = "" if diff is not None else "Nothing to compare."
        self._render()

    def set_texts(self, old: str, new: str, old_label: str = "old", new_label: str = "new") -> FileDiff:
        """Show the difference between two short texts and return it (long ones: set_diff from a worker)."""
        diff = diff_texts(old, new, old_label, new_label)
        self.set_diff(diff)
        return diff

    def set_message(self, text: str) -> None:
        """Clear the view and show a line such as ``Loading...`` instead of a diff."""
        self._diff = None
        self._message = text
        self._render()

    def dark(self) -> bool:
        """Return True when the palette is dark (so the dark colours are used)."""
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def unified_text(self) -> str:
        """Return the unified view's text."""
        return self.unified_view.toPlainText()

    def side_texts(self) -> tuple[str, str]:
        """Return the texts of the left (old) and right (new) side-by-side panes."""
        return self.left_view.toPlainText(), self.right_view.toPlainText()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render()

    def _render(self) -> None:
        diff = self._diff
        if diff is None:
            self.summary.setText(self._message)
            unified: list[Row] = []
            left: list[Row] = []
            right: list[Row] = []
        else:
            added = sum(line.kind == "added" for hunk in diff.hunks for line in hunk.lines)
            removed = sum(line.kind == "removed" for hunk in diff.hunks for line in hunk.lines)
            places = f"{len(diff.hunks)} place{'s' if len(diff.hunks) != 1 else ''}"
            self.summary.setText(f"{diff.old_label} \u2192 {diff.new_label}: " + (
                "no differences" if diff.identical else f"+{added} \u2212{removed} in {places}"))
            unified = unified_rows(diff)
            left, right = side_rows(diff)
        colours = diff_colours(self.dark())
        self.unified_kinds = self._fill(self.unified_view, unified, colours)
        self.left_kinds = self._fill(self.left_view, left, colours)
        self.right_kinds = self._fill(self.right_view, right, colours)

    @staticmethod
    def _fill(view: QPlainTextEdit, rows: list[Row],
              colours: dict[str, tuple[str | None, str | None]]) -> list[str]:
        fill(view, rows, colours)
        return [kind for _, kind in rows]


def fill(view: QPlainTextEdit, rows: list[Row], colours: dict[str, tuple[str | None, str | None]]) -> None:
    """Show ``rows`` (text, kind) in ``view``, each line with its kind's (background, text) colours."""
    view.setPlainText("\n".join(text for text, _ in rows))
    cursor = QTextCursor(view.document())
    cursor.beginEditBlock()
    block = view.document().firstBlock()
    for _, kind in rows:
        background, foreground = colours.get(kind, (None, None))
        if background is not None:
            block_format = QTextBlockFormat()
            block_format.setBackground(QColor(background))
            cursor.setPosition(block.position())
            cursor.setBlockFormat(block_format)
        if foreground is not None:
            char_format = QTextCharFormat()
            char_format.setForeground(QColor(foreground))
            cursor.setPosition(block.position())
            cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(char_format)
        block = block.next()
    cursor.endEditBlock()
