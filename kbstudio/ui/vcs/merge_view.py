"""A three-way merge a writer can use: before both, yours and theirs aligned place by place.

Shows a ``MergeRecord`` (kbstudio.vcs.fmmerge): the three texts side by side with the same row
for the same field or body lines, scrolled together; places changed on one side in green (they
merged by themselves), conflicts in orange, the current one stronger. Previous/Next move between
conflicts; for each, Use yours, Use theirs, Use both (body lines, list fields) or Write my own.
The result below is the document after these choices, with a plain-words line where a conflict
still waits. No git markers anywhere.
"""

from __future__ import annotations

import difflib
import html
import re

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kbstudio.ui.vcs.common import monospace
from kbstudio.ui.vcs.diff_view import fill, text_view
from kbstudio.vcs.fmmerge import MergeRecord, Own, Part, Resolution

Row = tuple[str, str]   # (text shown, kind)
# kind -> (background, foreground); foreground None keeps the palette's text colour.
LIGHT: dict[str, tuple[str | None, str | None]] = {
    "same": (None, None), "changed": ("#d5f5dc", None), "conflict": ("#ffe7c2", None),
    "current": ("#ffc46b", None), "empty": ("#f0f0f0", None), "unset": ("#f0f0f0", "#6a737d"),
    "chosen": ("#dbe9fb", None), "open": ("#ffc46b", "#5c3b00")}
DARK: dict[str, tuple[str | None, str | None]] = {
    "same": (None, None), "changed": ("#1d3b26", None), "conflict": ("#4a3816", None),
    "current": ("#7a5210", None), "empty": ("#2a2b2e", None), "unset": ("#2a2b2e", "#9aa0a6"),
    "chosen": ("#1f2d42", None), "open": ("#7a5210", "#ffe2b0")}
PANES = ("base", "mine", "theirs")
WORDS = {"mine": "yours", "theirs": "theirs", "both": "both, yours first"}


_WORD = re.compile(r"\s+|\w+|[^\w\s]")


def changed_words(text: str, *others: str) -> list[tuple[str, bool]]:
    """Return ``text`` as (piece, differs) pieces, marking the words that differ from any of ``others``."""
    words = _WORD.findall(text)
    marked = [False] * len(words)
    for other in others:
        matcher = difflib.SequenceMatcher(None, words, _WORD.findall(other), autojunk=False)
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag != "equal":
                for index in range(i1, i2):
                    marked[index] = True
    return [(word, flag and not word.isspace()) for word, flag in zip(words, marked, strict=True)]


def words_html(pieces: list[tuple[str, bool]], colour: str, empty: str) -> str:
    """Return the pieces as HTML with the marked words highlighted; ``empty`` when there is no text."""
    if not any(word.strip() for word, _ in pieces):
        return f"<i>{html.escape(empty)}</i>"
    out = "".join(f'<span style="background:{colour}; font-weight:600">{html.escape(word)}</span>' if flag
                  else html.escape(word) for word, flag in pieces)
    return f'<div style="white-space: pre-wrap">{out}</div>'


def _lines(text: str) -> list[str]:
    return text.splitlines() or ([""] if text else [])


def aligned_rows(record: MergeRecord, current: str | None = None
                 ) -> tuple[dict[str, list[Row]], dict[str, int]]:
    """Return each pane's rows, the same row for the same place, and the first row of each conflict."""
    rows: dict[str, list[Row]] = {side: [] for side in PANES}
    starts: dict[str, int] = {}
    for part in record.parts:
        texts = {side: _lines(part.text(side)) for side in PANES}
        height = max(1, *(len(lines) for lines in texts.values()))
        if part.conflict:
            starts[part.key] = len(rows["base"])
        for side in PANES:
            kind = _kind(part, side, current)
            lines = texts[side]
            if part.kind == "field" and not part.is_set(side) and any(part.is_set(s) for s in PANES):
                shown: list[Row] = [(f"({part.name}: not set)", "unset")]
            elif part.kind == "frame" and not part.is_set(side):
                shown = []
            else:
                shown = [(line, kind) for line in lines]
            rows[side] += shown + [("", "empty")] * (height - len(shown))
    return rows, starts


def _kind(part: Part, side: str, current: str | None) -> str:
    if part.conflict:
        return "current" if part.key == current else "conflict"
    if part.state == side or (part.state == "same" and side != "base"):
        return "changed"
    return "same"


def result_rows(record: MergeRecord, choices: dict[str, Resolution]) -> tuple[list[Row], dict[str, int]]:
    """Return the result's rows after ``choices`` and the row of each conflict in it."""
    rows: list[Row] = []
    starts: dict[str, int] = {}
    number = 0
    for part in record.parts:
        if part.conflict:
            number += 1
            starts[part.key] = len(rows)
            text = record.result(part, choices.get(part.key))
            if text is None:
                rows.append((f"[Conflict {number} of {len(record.conflicts)}, {part.label}: not chosen yet]",
                             "open"))
            else:
                rows += [(line, "chosen") for line in _lines(text)] or [("", "chosen")]
            continue
        text = record.result(part) or ""
        kind = "changed" if part.changed and part.kind != "frame" else "same"
        rows += [(line, kind) for line in _lines(text)]
    return rows, starts


class MergeView(QWidget):
    """The three texts aligned, the conflicts one at a time with their choices, and the result."""

    choicesChanged = Signal()
    currentChanged = Signal(int)

    def __init__(self, labels: tuple[str, str, str] = ("Before both", "Yours", "Theirs"),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.record: MergeRecord | None = None
        self.choices: dict[str, Resolution] = {}
        self.current = -1
        self._rows: dict[str, list[Row]] = {}
        self._starts: dict[str, int] = {}
        self._result_starts: dict[str, int] = {}
        self.previous_button = QPushButton("\u25c0 Previous conflict")
        self.next_button = QPushButton("Next conflict \u25b6")
        self.position = QLabel()
        self.position.setWordWrap(True)
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addWidget(self.position, 1)
        nav.addWidget(self.next_button)
        self.panes: dict[str, QPlainTextEdit] = {}
        three = QSplitter()
        for side, label in zip(PANES, labels, strict=True):
            box = QGroupBox(label)
            view = self.panes[side] = text_view()
            view.setObjectName(f"{side}Pane")
            view.setMinimumHeight(150)          # writing your own text never squeezes the three texts away
            QVBoxLayout(box).addWidget(view)
            three.addWidget(box)
        for one in self.panes.values():
            for other in self.panes.values():
                if other is not one:
                    one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
                    one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
        self.full_box = QGroupBox("This conflict in full: the words that differ are marked")
        full = QHBoxLayout(self.full_box)
        self.full_views: dict[str, QTextBrowser] = {}
        for side in PANES:
            full_view = self.full_views[side] = QTextBrowser()
            full_view.setFont(monospace())
            full_view.setMaximumHeight(96)
            full.addWidget(full_view)
        self.mine_button = QPushButton(f"Use {labels[1].lower()}")
        self.theirs_button = QPushButton(f"Use {labels[2].lower()}")
        self.both_button = QPushButton("Use both")
        self.both_button.setToolTip("Body lines: yours, then theirs. A list field: every item either side "
                                    "added")
        self.own_button = QPushButton("Write my own...")
        self.choice_label = QLabel()
        choice_row = QHBoxLayout()
        for button in (self.mine_button, self.theirs_button, self.both_button, self.own_button):
            choice_row.addWidget(button)
        choice_row.addWidget(self.choice_label, 1)
        self.own_box = QGroupBox("Your own text for this place")
        self.own_edit = QPlainTextEdit()
        self.own_edit.setFont(monospace())
        self.own_edit.setMaximumHeight(90)
        self.own_use = QPushButton("Use this text")
        own_layout = QHBoxLayout(self.own_box)
        own_layout.addWidget(self.own_edit, 1)
        own_layout.addWidget(self.own_use)
        self.own_box.setVisible(False)
        self.legend = QLabel("Green: changed on one side, merged by itself. Orange: changed on both sides, "
                             "waiting for your choice. Blue in the result: your choices.")
        self.legend.setWordWrap(True)
        result_box = QGroupBox("Result after your choices")
        self.result_view = text_view()
        self.result_view.setObjectName("resultPane")
        QVBoxLayout(result_box).addWidget(self.result_view)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(nav)
        top_layout.addWidget(three, 1)
        top_layout.addWidget(self.full_box)
        top_layout.addLayout(choice_row)
        top_layout.addWidget(self.own_box)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(result_box)
        split.setSizes([560, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend)
        layout.addWidget(split, 1)
        self.previous_button.clicked.connect(self.previous_conflict)
        self.next_button.clicked.connect(self.next_conflict)
        self.mine_button.clicked.connect(lambda: self.choose("mine"))
        self.theirs_button.clicked.connect(lambda: self.choose("theirs"))
        self.both_button.clicked.connect(lambda: self.choose("both"))
        self.own_button.clicked.connect(self.write_own)
        self.own_use.clicked.connect(lambda: self.choose(Own(self.own_edit.toPlainText())))
        self.set_record(None)

    # State --------------------------------------------------------------------------------

    @property
    def conflicts(self) -> list[Part]:
        """Return the record's conflicts."""
        return self.record.conflicts if self.record is not None else []

    @property
    def current_part(self) -> Part | None:
        """Return the conflict shown, if any."""
        return self.conflicts[self.current] if 0 <= self.current < len(self.conflicts) else None

    @property
    def all_chosen(self) -> bool:
        """Return True when every conflict has a choice."""
        return self.record is not None and all(part.key in self.choices for part in self.conflicts)

    def result_text(self) -> str:
        """Return the merged document (LF line ends) once every conflict has a choice."""
        if self.record is None:
            return ""
        return self.record.editor_text(self.choices)

    def set_record(self, record: MergeRecord | None, choices: dict[str, Resolution] | None = None) -> None:
        """Show ``record`` (None clears the view) with ``choices`` made already; go to the first conflict."""
        self.record = record
        self.choices = dict(choices or {})
        self.current = 0 if self.conflicts else -1
        self.own_box.setVisible(False)
        self._render()
        self._scroll()
        self.currentChanged.emit(self.current)

    def set_choices(self, choices: dict[str, Resolution]) -> None:
        """Replace every choice (Keep all of yours, Take all of theirs)."""
        self.choices = dict(choices)
        self._render()
        self.choicesChanged.emit()

    # Moving ---------------------------------------------------------------------------------

    def go_to(self, index: int) -> None:
        """Show conflict ``index`` (0-based) and scroll every pane to it."""
        if not self.conflicts:
            return
        self.current = max(0, min(index, len(self.conflicts) - 1))
        self.own_box.setVisible(False)
        self._render()
        self._scroll()
        self.currentChanged.emit(self.current)

    def next_conflict(self) -> None:
        """Go to the next conflict."""
        self.go_to(self.current + 1)

    def previous_conflict(self) -> None:
        """Go to the previous conflict."""
        self.go_to(self.current - 1)

    def top_row(self, side: str = "mine") -> int:
        """Return the first row visible in a pane (the panes scroll together)."""
        return self.panes[side].verticalScrollBar().value()

    # Choosing -------------------------------------------------------------------------------

    def choose(self, choice: Resolution) -> None:
        """Settle the current conflict with ``choice``."""
        part = self.current_part
        if part is None or (choice == "both" and not part.can_both):
            return
        if isinstance(choice, Own) and part.kind == "field":
            text = choice.text.strip("\n")
            if text and not text.startswith(f"{part.name}:"):
                choice = Own(f"{part.name}: {text}")
        self.choices[part.key] = choice
        self.own_box.setVisible(False)
        self._render()
        self._scroll()
        self.choicesChanged.emit()

    def write_own(self) -> None:
        """Open the editor for the current conflict, starting from its result or from yours."""
        part = self.current_part
        if part is None or self.record is None:
            return
        chosen = self.record.result(part, self.choices.get(part.key))
        self.own_edit.setPlainText((chosen if chosen is not None else part.mine).rstrip("\n"))
        self.own_box.setVisible(True)
        self.own_edit.setFocus()

    # Drawing --------------------------------------------------------------------------------

    def dark(self) -> bool:
        """Return True when the palette is dark."""
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.record is not None:
            self._render()

    def pane_rows(self, side: str) -> list[Row]:
        """Return the rows a pane shows (``result`` for the result)."""
        return self._rows.get(side, [])

    def _render(self) -> None:
        colours = DARK if self.dark() else LIGHT
        part = self.current_part
        if self.record is None:
            self._rows = {side: [] for side in (*PANES, "result")}
            self._starts, self._result_starts = {}, {}
        else:
            self._rows, self._starts = aligned_rows(self.record, part.key if part else None)
            self._rows["result"], self._result_starts = result_rows(self.record, self.choices)
        for side in PANES:
            bar = self.panes[side].verticalScrollBar()
            keep = bar.value()
            fill(self.panes[side], self._rows[side], colours)
            bar.setValue(keep)
        bar = self.result_view.verticalScrollBar()
        keep = bar.value()
        fill(self.result_view, self._rows["result"], colours)
        bar.setValue(keep)
        self._update_controls()

    def _show_full(self, part: Part | None) -> None:
        """Show the current conflict's three texts wrapped, the words that differ marked."""
        self.full_box.setVisible(part is not None)
        if part is None:
            return
        colour = (DARK if self.dark() else LIGHT)["current"][0] or ""
        for side in PANES:
            others = [part.text(other) for other in PANES if other != side]
            unset = f"({part.name} not set)" if part.kind == "field" else "(no lines)"
            self.full_views[side].setHtml(words_html(changed_words(part.text(side), *others), colour, unset))

    def _update_controls(self) -> None:
        part = self.current_part
        self._show_full(part)
        count = len(self.conflicts)
        self.previous_button.setEnabled(part is not None and self.current > 0)
        self.next_button.setEnabled(part is not None and self.current < count - 1)
        for button in (self.mine_button, self.theirs_button, self.own_button):
            button.setEnabled(part is not None)
        self.both_button.setEnabled(part is not None and part.can_both)
        if self.record is None:
            self.position.setText("")
            self.choice_label.setText("")
            return
        left = sum(1 for p in self.conflicts if p.key not in self.choices)
        if part is None:
            self.position.setText("Nothing to choose: every change merged by itself.")
            self.choice_label.setText("")
            return
        self.position.setText(f"<b>Conflict {self.current + 1} of {count}</b>: {part.label}"
                              + (f" \u00b7 {left} still to choose" if left else " \u00b7 all chosen"))
        choice = self.choices.get(part.key)
        if choice is None:
            self.choice_label.setText("Not chosen yet.")
        elif isinstance(choice, Own):
            self.choice_label.setText("Chosen: your own text.")
        else:
            word = WORDS[choice] if choice != "mine" else self.labels[1].lower()
            if choice == "theirs":
                word = self.labels[2].lower()
            self.choice_label.setText(f"Chosen: {word}.")

    def _scroll(self) -> None:
        part = self.current_part
        if part is None:
            return
        row = self._starts.get(part.key, 0)
        self.panes["mine"].verticalScrollBar().setValue(max(0, row - 3))
        result_row = self._result_starts.get(part.key, 0)
        self.result_view.verticalScrollBar().setValue(max(0, result_row - 3))
